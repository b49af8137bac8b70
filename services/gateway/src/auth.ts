// Every route and socket is authenticated: a session cookie (browser) or a Bearer API token
// (machines). Only login itself, the dashboard's static files and the OpenAPI document are open.
import { Type } from '@sinclair/typebox';
import type { NextFunction, Request, Response } from 'express';
import type { ApiError } from '@heatstream/contracts/api';
import type { Principal, UserStore } from './users.ts';

export const SESSION_COOKIE = 'hs_session';

export const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

/** Resolves the caller from the Authorization header or the session cookie. */
export async function principalOf(
  users: UserStore,
  authorization: string | undefined,
  cookie: string | undefined,
): Promise<Principal | undefined> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (bearer) return users.fromToken(bearer);
  const session = cookieValue(cookie, SESSION_COOKIE);
  return session ? users.fromSession(session) : undefined;
}

declare module 'express-serve-static-core' {
  interface Request {
    principal?: Principal;
  }
}

export function requireAuth(users: UserStore) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const principal = await principalOf(users, req.headers.authorization, req.headers.cookie);
    if (!principal) {
      const body: ApiError = {
        error: 'authentication required: log in or send "Authorization: Bearer <token>"',
      };
      res.status(401).json(body);
      return;
    }
    req.principal = principal;
    next();
  };
}

export function sessionCookie(secret: string, maxAgeMs: number, secure: boolean): string {
  return [
    `${SESSION_COOKIE}=${secret}`,
    'Path=/',
    'HttpOnly',
    'SameSite=Strict',
    `Max-Age=${Math.floor(maxAgeMs / 1000)}`,
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}
