// A Shelly Gen2 device's HTTP RPC endpoint: GET /rpc/<Method>?<params> answers the bare result,
// POST /rpc a JSON-RPC 2.0 frame answers {id, src, result} (protocols.md §2.1). With a password,
// every call but Shelly.GetDeviceInfo and /shelly needs HTTP digest auth with SHA-256, user admin,
// realm = device id (§2.6); each challenge carries a fresh nonce that is good for one request, as
// firmware before 2.0 behaves (§0), so a client must take a new challenge every time.
import { createHash, randomInt } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Logger } from '@heatstream/runtime';

export interface RpcDevice {
  readonly id: string;
  call(method: string, params: Record<string, unknown>): unknown;
  deviceInfo(): Record<string, unknown>;
}

export class RpcError extends Error {
  override name = 'RpcError';
  readonly code: number;
  constructor(code: number, message: string) {
    super(message);
    this.code = code;
  }
}

/** How the endpoint misbehaves, set by the fault switch or a test. */
export const ShellyFault = {
  none: 'none',
  /** Connections are dropped: the device is off the network. */
  offline: 'offline',
  /** Answers are cut-off JSON. */
  malformed: 'malformed',
  /** Answers are valid JSON of the wrong shape (a firmware that renamed fields). */
  wrongShape: 'wrong-shape',
} as const;
export type ShellyFault = (typeof ShellyFault)[keyof typeof ShellyFault];

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const UNPROTECTED = new Set(['Shelly.GetDeviceInfo']);
const MAX_BODY = 64 * 1024;

export interface RpcServerOptions {
  host: string;
  port: number;
  device: RpcDevice;
  /** Undefined: no authentication. */
  password: string | undefined;
  log: Logger;
}

export class ShellyRpcServer {
  readonly #options: RpcServerOptions;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #nonces = new Set<string>();
  fault: ShellyFault = ShellyFault.none;
  /** Requests answered, by method: lets a test see that a back-fill paged. */
  readonly calls = new Map<string, number>();

  constructor(options: RpcServerOptions) {
    this.#options = options;
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        options.log.warn({ err: error }, 'shelly rpc request failed');
        if (!res.headersSent) res.writeHead(500).end();
      });
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.once('close', () => this.#sockets.delete(socket));
      if (this.fault === ShellyFault.offline) socket.destroy();
    });
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  async start(): Promise<void> {
    this.#server.listen(this.#options.port, this.#options.host);
    await once(this.#server, 'listening');
    this.#options.log.info({ device: this.#options.device.id, port: this.port }, 'shelly rpc listening');
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    this.#server.close();
    await once(this.#server, 'close').catch(() => undefined);
  }

  setFault(fault: ShellyFault): void {
    this.fault = fault;
    if (fault === ShellyFault.offline) for (const s of this.#sockets) s.destroy();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://device');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY) return void res.writeHead(413).end();
      chunks.push(chunk);
    }
    const device = this.#options.device;
    if (url.pathname === '/shelly') {
      send(res, 200, device.deviceInfo());
      return;
    }

    let method: string;
    let params: Record<string, unknown>;
    let frame: { id?: unknown; src?: unknown } | undefined;
    if (req.method === 'GET' && url.pathname.startsWith('/rpc/')) {
      method = decodeURIComponent(url.pathname.slice(5));
      params = Object.fromEntries([...url.searchParams].map(([k, v]) => [k, parseParam(v)]));
    } else if (req.method === 'POST' && url.pathname === '/rpc') {
      try {
        frame = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof frame & {
          method?: unknown;
          params?: unknown;
        };
      } catch {
        send(res, 400, { code: -32700, message: 'parse error' });
        return;
      }
      const f = frame as { method?: unknown; params?: unknown };
      if (typeof f.method !== 'string') {
        send(res, 400, { code: -32600, message: 'invalid request' });
        return;
      }
      method = f.method;
      params = typeof f.params === 'object' && f.params !== null ? (f.params as Record<string, unknown>) : {};
    } else {
      send(res, 404, { code: 404, message: 'not found' });
      return;
    }

    if (this.#options.password !== undefined && !UNPROTECTED.has(method)) {
      if (!this.#authorized(req)) {
        this.#challenge(res);
        return;
      }
    }
    this.calls.set(method, (this.calls.get(method) ?? 0) + 1);

    let result: unknown;
    try {
      result = device.call(method, params);
    } catch (error) {
      if (!(error instanceof RpcError)) throw error;
      const body = { code: error.code, message: error.message };
      if (frame) send(res, 200, { id: frame.id ?? null, src: device.id, error: body });
      else send(res, 500, body);
      return;
    }
    if (this.fault === ShellyFault.malformed) {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify(result).slice(0, 17));
    }
    if (this.fault === ShellyFault.wrongShape) result = { id: 0, readings: 'n/a', firmware: 'renamed' };
    send(res, 200, frame ? { id: frame.id ?? null, src: device.id, dst: frame.src, result } : result);
  }

  #challenge(res: ServerResponse): void {
    const nonce = String(Math.floor(Date.now() / 1000) * 1000 + randomInt(1000));
    this.#nonces.add(nonce);
    if (this.#nonces.size > 1000) this.#nonces.delete(this.#nonces.values().next().value as string);
    res.writeHead(401, {
      'www-authenticate': `Digest qop="auth", realm="${this.#options.device.id}", nonce="${nonce}", algorithm=SHA-256`,
      'content-type': 'application/json',
    });
    res.end(JSON.stringify({ code: 401, message: 'Unauthorized' }));
  }

  /** RFC 7616 with SHA-256; the nonce is spent whether the answer was right or not. */
  #authorized(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    if (!header?.startsWith('Digest ')) return false;
    const f = Object.fromEntries(
      [...header.slice(7).matchAll(/(\w+)=("([^"]*)"|[^,\s]*)/g)].map((m) => [m[1], m[3] ?? m[2]]),
    ) as Record<string, string | undefined>;
    const { username, realm, nonce, uri, response, nc, cnonce, qop } = f;
    if (!nonce || !this.#nonces.delete(nonce)) return false;
    if (username !== 'admin' || realm !== this.#options.device.id || !uri || !response) return false;
    if ((f.algorithm ?? '').replaceAll('"', '') !== 'SHA-256') return false;
    const ha1 = sha256(`admin:${realm}:${this.#options.password ?? ''}`);
    const ha2 = sha256(`${req.method ?? 'GET'}:${uri}`);
    const expected = qop
      ? sha256(`${ha1}:${nonce}:${nc ?? ''}:${cnonce ?? ''}:${qop}:${ha2}`)
      : sha256(`${ha1}:${nonce}:${ha2}`);
    return expected === response;
  }
}

function parseParam(v: string): unknown {
  if (/^-?\d+(\.\d+)?$/.test(v)) return Number(v);
  if (v === 'true' || v === 'false') return v === 'true';
  if (v.startsWith('"') || v.startsWith('[') || v.startsWith('{')) {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }
  return v;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
