// The HTTP side of the gateway: auth routes, the route table, the OpenAPI document, the dashboard's
// static files and Socket.IO, on one server.
import { createServer, type Server as HttpServer } from 'node:http';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import { Type } from '@sinclair/typebox';
import { ID_PATTERN } from '@heatstream/contracts';
import type { Meter } from '@opentelemetry/api';
import { PROMETHEUS_CONTENT_TYPE, type Logger } from '@heatstream/runtime';
import { Server as SocketServer } from 'socket.io';
import { QuestDbSqlError, QuestDbUnavailableError } from '@heatstream/questdb';
import type { ApiError, LoginResult, LogoutResult } from '@heatstream/contracts/api';
import { LoginBody, SESSION_COOKIE, cookieValue, principalOf, requireAuth, sessionCookie } from './auth.ts';
import { deviceMetricsText } from './device-metrics.ts';
import { httpMetrics, socketMetrics } from './http-metrics.ts';
import { deviceRoom, replayRoom, siteRoom } from './live.ts';
import { openApiDocument } from './openapi.ts';
import { RateLimiter } from './ratelimit.ts';
import { SocketSessions } from './socket-sessions.ts';
import { routes, type RouteContext } from './routes.ts';
import { HttpError, validate } from './validate.ts';
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
  /** Ends sockets whose session or token no longer holds; `start()`/`stop()` are the caller's. */
  sockets: SocketSessions;
  /** The gateway's HTTP and socket instruments (http-metrics.ts); none without one. */
  meter?: Meter;
}

/** The body size express.json accepts; larger bodies get a 413. */
const BODY_LIMIT = '16kb';
const Subscribe = Type.Object({
  device: Type.Optional(Type.String({ pattern: ID_PATTERN })),
  site: Type.Optional(Type.String({ pattern: ID_PATTERN })),
  replay: Type.Optional(
    Type.Literal(true, { description: 'the replay room: what `heatstream replay live` plays' }),
  ),
});

export function createGateway(deps: AppDeps): { server: HttpServer; io: SocketServer } {
  const { users, log } = deps;
  const loginLimiter = deps.loginLimiter ?? new RateLimiter(10, 5);
  const apiLimiter = deps.apiLimiter ?? new RateLimiter(1200, 200);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  if (deps.meter) app.use(httpMetrics(deps.meter));
  app.use(securityHeaders(deps.secureCookies));
  // gzip for the dashboard's script and styles and the API's JSON (above compression's 1 kB threshold).
  app.use(compression());
  app.use(express.json({ limit: BODY_LIMIT }));
  // Every error answer has the one error shape the OpenAPI document gives (ApiError).
  const fail = (res: Response, status: number, error: ApiError): void => {
    res.status(status).json(error);
  };
  const limit =
    (limiter: RateLimiter) =>
    (req: Request, res: Response, next: NextFunction): void => {
      const key = req.principal?.username ?? req.socket.remoteAddress ?? 'unknown';
      if (limiter.take(key)) {
        next();
        return;
      }
      const retryMs = limiter.retryInMs(key);
      // Retry-After in whole seconds (RFC 9110), so a client, the login page among them, can say when.
      const seconds = Math.max(1, Math.ceil(retryMs / 1000));
      res.setHeader('retry-after', String(seconds));
      fail(res, 429, { error: `too many requests; retry in ${seconds} s` });
    };

  app.post('/api/login', limit(loginLimiter), async (req, res) => {
    const body = validate(LoginBody, req.body, 'body');
    const user = await users.authenticate(body.username, body.password);
    if (!user) {
      log.warn({ username: body.username, from: req.socket.remoteAddress }, 'login failed');
      fail(res, 401, { error: 'wrong username or password' });
      return;
    }
    const secret = await users.createSession(user);
    res.setHeader('set-cookie', sessionCookie(secret, deps.sessionTtlMs, deps.secureCookies));
    const answer: LoginResult = { username: user.username, role: user.role };
    res.json(answer);
  });
  app.get('/api/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });
  app.use('/api', requireAuth(users), limit(apiLimiter));
  // The devices' latest readings for a Prometheus that scrapes with an API token as its bearer.
  app.get('/metrics/devices', requireAuth(users), limit(apiLimiter), async (_req, res) => {
    const text = await deviceMetricsText(deps.history);
    res.setHeader('cache-control', 'no-store');
    res.type(PROMETHEUS_CONTENT_TYPE).send(text);
  });
  app.post('/api/logout', async (req, res) => {
    const secret = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (secret) {
      await users.endSession(secret);
      deps.sockets.endSession(secret);
    }
    res.setHeader('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    const answer: LogoutResult = { ok: true };
    res.json(answer);
  });
  for (const r of routes) {
    app[r.method](r.path, async (req, res) => {
      const principal = req.principal;
      if (!principal) throw new HttpError(401, 'authentication required');
      if (r.role === 'admin' && principal.role !== 'admin') throw new HttpError(403, 'admins only');
      const input = {
        params: validate(r.params, req.params, 'params'),
        query: validate(r.query, req.query, 'query'),
        body: validate(r.body, req.body, 'body'),
        principal,
      };
      const answer = await r.handle(input, deps);
      if (r.produces) res.type(r.produces).send(answer);
      else res.json(answer);
    });
  }
  app.use('/api', (_req, res) => {
    fail(res, 404, { error: 'no such route' });
  });
  if (deps.publicDir) {
    // A source map hands out the dashboard's whole source; the build makes none, and a stray one
    // (an older build, a local `vite build --sourcemap`) is not served either.
    app.use((req, res, next) => {
      if (req.path.endsWith('.map')) res.status(404).end();
      else next();
    });
    // Vite names every asset by its content's hash, so a name never changes meaning: cached for a
    // year as immutable. index.html (which names them) is revalidated on each load, so a new build
    // shows at once.
    app.use(
      express.static(deps.publicDir, {
        index: 'index.html',
        setHeaders: (res, path) => {
          res.setHeader(
            'cache-control',
            /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache',
          );
        },
      }),
    );
  }
  app.use((error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const bodyError = (error as { type?: string }).type;
    if (error instanceof HttpError) {
      fail(res, error.status, {
        error: error.message,
        ...(error.issues.length ? { issues: [...error.issues] } : {}),
      });
    } else if (error instanceof QuestDbUnavailableError || isNotDeclaredYet(error)) {
      log.warn({ err: error }, 'history unavailable');
      fail(res, 503, { error: 'history store unavailable; retry shortly' });
    } else if (bodyError === 'entity.parse.failed') {
      fail(res, 400, { error: 'body is not valid JSON' });
    } else if (bodyError === 'entity.too.large') {
      // The client's mistake, not the server's: a line at info level, no stack.
      log.info({ path: req.path, from: req.socket.remoteAddress }, 'body too large');
      fail(res, 413, { error: `body too large (${BODY_LIMIT} at most)` });
    } else if (typeof bodyError === 'string') {
      // body-parser's other refusals (unsupported charset or encoding, an aborted upload): the
      // client's, answered as the 400 the OpenAPI document gives for bodies it cannot take.
      fail(res, 400, { error: `body refused: ${(error as Error).message}` });
    } else {
      log.error({ err: error }, 'request failed');
      fail(res, 500, { error: 'internal error' });
    }
  });

  const server = createServer(app);
  const io = new SocketServer(server, { serveClient: false, cors: { origin: false } });
  if (deps.meter) socketMetrics(deps.meter, io);
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
        socket.data = { principal, authorization };
        next();
      },
      (error: unknown) => {
        next(error as Error);
      },
    );
  });
  io.on('connection', (socket) => {
    // Re-resolved with the handshake's own credentials, so a socket ends with its session or token.
    const { authorization } = socket.data as { authorization: string | undefined };
    const cookie = socket.handshake.headers.cookie;
    // principalOf prefers a Bearer token: then the socket is the token's, not the cookie's session.
    const session = /^Bearer\s+\S+$/i.test(authorization ?? '')
      ? undefined
      : cookieValue(cookie, SESSION_COOKIE);
    deps.sockets.track(socket, session, () => principalOf(users, authorization, cookie));
    socket.on('subscribe', async (raw: unknown, ack?: (answer: unknown) => void) => {
      try {
        const { device, site, replay } = validate(Subscribe, raw, 'message');
        const rooms = [
          device ? deviceRoom(device) : undefined,
          site ? siteRoom(site) : undefined,
          replay ? replayRoom : undefined,
        ].filter((r): r is string => !!r);
        await socket.join(rooms);
        ack?.({ ok: true, rooms });
      } catch (error) {
        ack?.({ ok: false, error: (error as Error).message });
      }
    });
    // A page that stops showing a room leaves it (the Replay page leaves the replay room).
    socket.on('unsubscribe', async (raw: unknown, ack?: (answer: unknown) => void) => {
      try {
        const { device, site, replay } = validate(Subscribe, raw, 'message');
        const rooms = [
          device ? deviceRoom(device) : undefined,
          site ? siteRoom(site) : undefined,
          replay ? replayRoom : undefined,
        ].filter((r): r is string => !!r);
        for (const room of rooms) await socket.leave(room);
        ack?.({ ok: true, rooms });
      } catch (error) {
        ack?.({ ok: false, error: (error as Error).message });
      }
    });
  });
  return { server, io };
}

/**
 * Every query the route table sends is validated first (routes.ts), so QuestDB refusing one is a
 * bug (500) — except for a table ingest has not declared yet on a fresh system: history is then
 * not there yet, as during an outage.
 */
function isNotDeclaredYet(error: unknown): boolean {
  return error instanceof QuestDbSqlError && /table does not exist/i.test(error.message);
}

/**
 * helmet's headers, with a CSP that allows nothing inline: the built dashboard loads its script
 * and styles as files (vite), uPlot styles through the CSSOM, which CSP does not restrict, and
 * Socket.IO connects to the same origin ('self' covers ws: and wss: there). HSTS and
 * upgrade-insecure-requests only behind HTTPS (`api.secureCookies`): on plain HTTP the latter
 * would send the page's own requests to an https:// that does not answer.
 */
function securityHeaders(https: boolean): ReturnType<typeof helmet> {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        baseUri: ["'self'"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        scriptSrc: ["'self'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: https,
  });
}
