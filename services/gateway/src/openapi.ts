// The OpenAPI 3.1 document, generated from the route table (routes.ts) plus the auth routes:
// parameters, request bodies and every answer a route can give, each with its schema.
import type { TObject, TSchema } from '@sinclair/typebox';
import { ApiError, LoginResult, LogoutResult, OpenApiDocument } from '@heatstream/contracts/api';
import { LoginBody } from './auth.ts';
import { routes, type RouteDoc } from './routes.ts';
import { openApiPath } from './validate.ts';

/** The auth routes live outside the route table: they set cookies rather than return data. */
export const authRoutes: readonly RouteDoc[] = [
  {
    method: 'post',
    path: '/api/login',
    summary: 'Log in with username and password; sets the session cookie',
    open: true,
    body: LoginBody,
    responses: { 200: LoginResult },
  },
  { method: 'post', path: '/api/logout', summary: 'End the session', responses: { 200: LogoutResult } },
  {
    method: 'get',
    path: '/api/openapi.json',
    summary: 'This document',
    open: true,
    responses: { 200: OpenApiDocument },
  },
];

/** A 429 says when the next request is allowed (app.ts). */
const RETRY_AFTER = {
  description: 'Seconds until the next request is allowed',
  required: true,
  schema: { type: 'integer', minimum: 1 },
};

/**
 * Every answer of a route with its schema: 200, the handler's own errors, and those the server
 * gives around it — 400 for input that fails its schemas (and bodies that are not JSON), 401
 * without credentials (and for a wrong password at login), 403 for admin routes, 413 for bodies
 * over the limit, 429 over the rate limit.
 */
export function responsesOf(route: RouteDoc): Record<string, { description: string; schema: TSchema }> {
  const error = (description: string) => ({ description, schema: ApiError });
  const takesInput = route.params !== undefined || route.query !== undefined || route.method === 'post';
  const login = route.path === '/api/login';
  const limited = !route.open || login;
  const { 200: ok, ...handlerErrors } = route.responses;
  return {
    '200': { description: 'OK', schema: ok },
    ...(takesInput ? { '400': error('Invalid input; `issues` names each problem') } : {}),
    ...(!route.open || login
      ? { '401': error(login ? 'Wrong username or password' : 'Not authenticated') }
      : {}),
    ...(route.role === 'admin' ? { '403': error("Not allowed for this user's role") } : {}),
    ...Object.fromEntries(
      Object.entries(handlerErrors).map(([status, description]) => [status, error(description)]),
    ),
    ...(route.method === 'post' ? { '413': error('Body larger than the server accepts') } : {}),
    ...(limited ? { '429': error('Rate limit exceeded') } : {}),
  };
}

function parameters(route: RouteDoc): unknown[] {
  const list = (schema: TObject | undefined, where: 'path' | 'query'): unknown[] =>
    Object.entries((schema?.properties ?? {}) as Record<string, TSchema>).map(([name, s]) => ({
      name,
      in: where,
      // A query parameter with a default may be left out: the server fills it in.
      required: where === 'path' || ((schema?.required ?? []).includes(name) && s.default === undefined),
      schema: s,
    }));
  return [...list(route.params, 'path'), ...list(route.query, 'query')];
}

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of [...authRoutes, ...routes]) {
    const path = openApiPath(r.path);
    const responses = Object.fromEntries(
      Object.entries(responsesOf(r)).map(([status, { description, schema }]) => [
        status,
        {
          description,
          ...(status === '429' ? { headers: { 'Retry-After': RETRY_AFTER } } : {}),
          content: { [status === '200' && r.produces ? r.produces : 'application/json']: { schema } },
        },
      ]),
    );
    paths[path] = {
      ...paths[path],
      [r.method]: {
        summary: r.summary,
        ...(r.open ? { security: [] } : {}),
        parameters: parameters(r),
        ...(r.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } }
          : {}),
        responses,
      },
    };
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
