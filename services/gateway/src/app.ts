// The HTTP side of the gateway: auth routes, the route table, the OpenAPI document, the dashboard's
// static files and Socket.IO, on one server.
import { createServer, type Server as HttpServer } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Type } from '@sinclair/typebox';
import { ID_PATTERN } from '@heatstream/contracts';
import type { Logger } from '@heatstream/runtime';
import { Server as SocketServer } from 'socket.io';
import { SESSION_COOKIE, cookieValue, principalOf, requireAuth, sessionCookie } from './auth.ts';
import { deviceRoom, siteRoom } from './live.ts';
import { openApiDocument } from './openapi.ts';
import { QuestDbError } from './questdb.ts';
import { RateLimiter } from './ratelimit.ts';
import { HttpError, routes, validate, type RouteContext } from './routes.ts';
import type { UserStore } from './users.ts';

export interface AppDeps extends RouteContext {
  users: UserStore;
  log: Logger;
  sessionTtlMs: number;
  secureCookies: boolean;
  /** The built dashboard; absent when only the API is served. */
  publicDir?: string | undefined;
  loginLimiter?: RateLimiter;
  apiLimiter?: RateLimiter;
}

const LoginBody = Type.Object({
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
});
const Subscribe = Type.Object({
  device: Type.Optional(Type.String({ pattern: ID_PATTERN })),
  site: Type.Optional(Type.String({ pattern: ID_PATTERN })),
});

export function createGateway(deps: AppDeps): { server: HttpServer; io: SocketServer } {
  const { users, log } = deps;
  const loginLimiter = deps.loginLimiter ?? new RateLimiter(10, 5);
  const apiLimiter = deps.apiLimiter ?? new RateLimiter(1200, 200);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(express.json({ limit: '16kb' }));
  const limit =
    (limiter: RateLimiter) =>
    (req: Request, res: Response, next: NextFunction): void => {
      if (limiter.take(req.principal?.username ?? req.socket.remoteAddress ?? 'unknown')) next();
      else res.status(429).json({ error: 'too many requests; slow down' });
    };

  app.post('/api/login', limit(loginLimiter), async (req, res) => {
    const body = validate(LoginBody, req.body, '/body');
    const user = await users.authenticate(body.username, body.password);
    if (!user) {
      log.warn({ username: body.username, from: req.socket.remoteAddress }, 'login failed');
      res.status(401).json({ error: 'wrong username or password' });
      return;
    }
    const secret = await users.createSession(user);
    res.setHeader('set-cookie', sessionCookie(secret, deps.sessionTtlMs, deps.secureCookies));
    res.json({ username: user.username, role: user.role });
  });
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.use('/api', requireAuth(users), limit(apiLimiter));
  app.post('/api/logout', async (req, res) => {
    const secret = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (secret) await users.endSession(secret);
    res.setHeader('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    res.json({ ok: true });
  });
  app.get('/api/me', (req, res) => {
    res.json(req.principal);
  });
  for (const r of routes) {
    app[r.method](r.path, async (req, res) => {
      const principal = req.principal;
      if (!principal) throw new HttpError(401, 'authentication required');
      if (r.role === 'admin' && principal.role !== 'admin') throw new HttpError(403, 'admins only');
      const input = {
        params: validate(r.params, req.params, '/params'),
        query: validate(r.query, req.query, '/query'),
        body: validate(r.body, req.body, '/body'),
        principal,
      };
      res.json(await r.handle(input, deps));
    });
  }
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'no such route' });
  });
  if (deps.publicDir) {
    app.use(express.static(deps.publicDir, { index: 'index.html', maxAge: '1h' }));
  }
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof HttpError) {
      res
        .status(error.status)
        .json({ error: error.message, ...(error.issues.length ? { issues: error.issues } : {}) });
    } else if (error instanceof QuestDbError) {
      log.warn({ err: error }, 'history unavailable');
      res.status(503).json({ error: 'history store unavailable; retry shortly' });
    } else if ((error as { type?: string }).type === 'entity.parse.failed') {
      res.status(400).json({ error: 'body is not valid JSON' });
    } else {
      log.error({ err: error }, 'request failed');
      res.status(500).json({ error: 'internal error' });
    }
  });

  const server = createServer(app);
  const io = new SocketServer(server, { serveClient: false, cors: { origin: false } });
  io.use((socket, next) => {
    const token = (socket.handshake.auth as { token?: unknown }).token;
    const authorization =
      typeof token === 'string' ? `Bearer ${token}` : socket.handshake.headers.authorization;
    principalOf(users, authorization, socket.handshake.headers.cookie).then(
      (principal) => {
        if (!principal) {
          next(new Error('unauthorized'));
          return;
        }
        socket.data = { principal };
        next();
      },
      (error: unknown) => {
        next(error as Error);
      },
    );
  });
  io.on('connection', (socket) => {
    socket.on('subscribe', async (raw: unknown, ack?: (answer: unknown) => void) => {
      try {
        const { device, site } = validate(Subscribe, raw, '');
        const rooms = [device ? deviceRoom(device) : undefined, site ? siteRoom(site) : undefined].filter(
          (r): r is string => !!r,
        );
        await socket.join(rooms);
        ack?.({ ok: true, rooms });
      } catch (error) {
        ack?.({ ok: false, error: (error as Error).message });
      }
    });
  });
  return { server, io };
}
