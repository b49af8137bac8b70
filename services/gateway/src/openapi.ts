// The OpenAPI 3.1 document, generated from the route table (routes.ts) plus the auth routes.
import type { TObject, TSchema } from '@sinclair/typebox';
import { openApiPath, routes, type Route } from './routes.ts';

type Operation = Record<string, unknown>;

const errorResponses = {
  '400': { description: 'Invalid input; `issues` names each problem' },
  '401': { description: 'Not authenticated' },
  '403': { description: "Not allowed for this user's role" },
  '429': { description: 'Rate limit exceeded' },
};

function parameters(route: Route): unknown[] {
  const list = (schema: TObject | undefined, where: 'path' | 'query'): unknown[] =>
    Object.entries((schema?.properties ?? {}) as Record<string, TSchema>).map(([name, s]) => ({
      name,
      in: where,
      required: where === 'path' || (schema?.required ?? []).includes(name),
      schema: s,
    }));
  return [...list(route.params, 'path'), ...list(route.query, 'query')];
}

/** The auth routes live outside the route table: they set cookies rather than return data. */
export const authRoutes = [
  {
    method: 'post',
    path: '/api/login',
    summary: 'Log in with username and password; sets the session cookie',
    open: true,
  },
  { method: 'post', path: '/api/logout', summary: 'End the session', open: false },
  { method: 'get', path: '/api/me', summary: 'The logged-in user', open: false },
  { method: 'get', path: '/api/openapi.json', summary: 'This document', open: true },
] as const;

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, Operation>> = {};
  const add = (method: string, path: string, op: Operation): void => {
    paths[openApiPath(path)] = { ...paths[openApiPath(path)], [method]: op };
  };
  for (const r of routes) {
    add(r.method, r.path, {
      summary: r.summary,
      parameters: parameters(r),
      ...(r.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } }
        : {}),
      responses: { '200': { description: 'OK', content: { 'application/json': {} } }, ...errorResponses },
    });
  }
  for (const r of authRoutes) {
    add(r.method, r.path, {
      summary: r.summary,
      ...(r.open ? { security: [] } : {}),
      responses: { '200': { description: 'OK' }, ...errorResponses },
    });
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'heatstream gateway',
      version: '1.0.0',
      description: 'Every route needs a session cookie or a Bearer API token unless marked otherwise.',
    },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'hs_session' },
        token: { type: 'http', scheme: 'bearer' },
      },
    },
    security: [{ session: [] }, { token: [] }],
    paths,
  };
}
