// A Viessmann IoT API that behaves like the real one where heatstream depends on it
// (../shared/reference/protocols.md §0, §1): the IAM's authorize and token endpoints with PKCE
// (S256) checked, access tokens that expire, refresh tokens that can be made to stop working,
// /iot/v2 installations with gateways and one features call per device, the real 429 body with
// `limitReset` and `requestCountLimit`, and 410 GONE for every /iot/v1 path.
//
// The authorize endpoint approves at once and redirects to the redirect URI with the code: the
// simulator has no user to ask, and so `./heatstream start` can log in without a browser.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock, Logger } from '@heatstream/runtime';
import type { HouseState } from '../model/house.ts';
import { summariesOf, vitocalFeatures, type Summaries, type VitocalIdentity } from './features.ts';

export interface ViessmannSimOptions {
  host: string;
  port: number;
  clientId: string;
  accessTokenTtlS: number;
  limits: { perTenMinutes: number; daily: number };
  identity: VitocalIdentity;
  /** The model's state now. */
  state: () => Readonly<HouseState>;
  clock: Clock;
  log: Logger;
}

/** What a test breaks on purpose. */
export interface ViessmannFaults {
  /** Summaries keep their last value while the compressor runs (the frozen-consumption fault). */
  freezeSummaries: boolean;
  /** The next features answer is not JSON. */
  malformedNext: boolean;
  /** Features answers are 410 GONE, as every /iot/v1 path became at its sunset. */
  gone: boolean;
}

interface Grant {
  clientId: string;
  redirectUri: string;
  challenge: string;
  scope: string;
}

const TEN_MINUTES = 600_000;
const DAY = 86_400_000;

export class ViessmannApiSimulator {
  readonly #o: ViessmannSimOptions;
  #server: Server | undefined;
  readonly #codes = new Map<string, Grant>();
  readonly #access = new Map<string, number>();
  readonly #refresh = new Set<string>();
  #recent: number[] = [];
  #day = { start: 0, count: 0 };
  #frozen: Summaries | undefined;
  readonly faults: ViessmannFaults = { freezeSummaries: false, malformedNext: false, gone: false };
  /** Requests to /iot/… (what the rate limit counts), answered or refused. */
  apiCalls = 0;
  /** Of those, refused with 429. */
  rateLimited = 0;
  /** Answered installation listings and features calls. */
  readonly answered = { installations: 0, features: 0 };
  /** Token requests, by grant type. */
  readonly tokenRequests = { authorizationCode: 0, refreshToken: 0 };

  constructor(options: ViessmannSimOptions) {
    this.#o = options;
  }

  get port(): number {
    return (this.#server?.address() as AddressInfo | null)?.port ?? 0;
  }

  get baseUrl(): string {
    return `http://${this.#o.host}:${this.port}`;
  }

  /** Every refresh token stops working, as after 180 days or a revoked client. */
  revokeRefreshTokens(): void {
    this.#refresh.clear();
  }

  /** Every access token expires now. */
  expireAccessTokens(): void {
    this.#access.clear();
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        this.#o.log.error({ err: error }, 'viessmann simulator request failed');
        if (!res.headersSent)
          json(res, 500, { statusCode: 500, errorType: 'INTERNAL_ERROR', message: 'Internal server error' });
        else res.end();
      });
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#o.port, this.#o.host, () => {
        resolve();
      });
    });
    this.#o.log.info({ port: this.port }, 'viessmann API simulator listening');
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const path = url.pathname;
    if (path === '/idp/v3/authorize' && req.method === 'GET') {
      this.#authorize(url, res);
      return;
    }
    if (path === '/idp/v3/token' && req.method === 'POST') {
      this.#token(await body(req), res);
      return;
    }
    if (path.startsWith('/iot/v1/')) {
      gone(res, path);
      return;
    }
    if (path.startsWith('/iot/v2/')) {
      this.#api(req, url, res);
      return;
    }
    json(res, 404, { statusCode: 404, errorType: 'NOT_FOUND', message: `no route ${path}` });
  }

  #authorize(url: URL, res: ServerResponse): void {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri') ?? '';
    const problems = [
      q.get('client_id') === this.#o.clientId ? undefined : 'unknown client_id',
      q.get('response_type') === 'code' ? undefined : 'response_type must be code',
      q.get('code_challenge_method') === 'S256' ? undefined : 'code_challenge_method must be S256',
      q.get('code_challenge') ? undefined : 'code_challenge missing',
      /^https?:\/\//.test(redirectUri) ? undefined : 'Invalid redirection URI',
    ].filter((p) => p !== undefined);
    if (problems.length > 0) {
      json(res, 400, { error: 'invalid_request', error_description: problems.join('; ') });
      return;
    }
    const code = randomBytes(16).toString('hex');
    this.#codes.set(code, {
      clientId: this.#o.clientId,
      redirectUri,
      challenge: q.get('code_challenge') ?? '',
      scope: q.get('scope') ?? '',
    });
    const to = new URL(redirectUri);
    to.searchParams.set('code', code);
    const state = q.get('state');
    if (state !== null) to.searchParams.set('state', state);
    res.writeHead(302, { location: to.toString() }).end();
  }

  #token(form: URLSearchParams, res: ServerResponse): void {
    const invalid = (description: string): void => {
      json(res, 400, { error: 'invalid_grant', error_description: description });
    };
    if (form.get('client_id') !== this.#o.clientId) {
      invalid('unknown client_id');
      return;
    }
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      this.tokenRequests.authorizationCode++;
      const code = form.get('code') ?? '';
      const issued = this.#codes.get(code);
      this.#codes.delete(code);
      if (!issued) {
        invalid('unknown or used authorization code');
        return;
      }
      if (form.get('redirect_uri') !== issued.redirectUri) {
        invalid('redirect_uri differs from the authorize request');
        return;
      }
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (challenge !== issued.challenge) {
        invalid('code_verifier does not match code_challenge');
        return;
      }
      const offline = issued.scope.split(' ').includes('offline_access');
      const refresh = offline ? randomBytes(24).toString('hex') : undefined;
      if (refresh) this.#refresh.add(refresh);
      json(res, 200, this.#issue(refresh));
      return;
    }
    if (grant === 'refresh_token') {
      this.tokenRequests.refreshToken++;
      const refresh = form.get('refresh_token') ?? '';
      if (!this.#refresh.has(refresh)) {
        invalid('refresh token expired or revoked');
        return;
      }
      // Viessmann's IAM answers a refresh with a new access token and the same refresh token.
      json(res, 200, this.#issue(refresh));
      return;
    }
    json(res, 400, { error: 'unsupported_grant_type', error_description: `grant_type ${grant ?? '(none)'}` });
  }

  #issue(refresh: string | undefined): Record<string, unknown> {
    const access = randomBytes(24).toString('hex');
    this.#access.set(access, this.#o.clock.now() + this.#o.accessTokenTtlS * 1000);
    return {
      access_token: access,
      token_type: 'Bearer',
      expires_in: this.#o.accessTokenTtlS,
      ...(refresh === undefined ? {} : { refresh_token: refresh }),
    };
  }

  #api(req: IncomingMessage, url: URL, res: ServerResponse): void {
    this.apiCalls++;
    const now = this.#o.clock.now();
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const expires = this.#access.get(token);
    if (expires === undefined || expires <= now) {
      json(res, 401, {
        viErrorId: `req-${randomBytes(4).toString('hex')}`,
        statusCode: 401,
        errorType: 'TOKEN_EXPIRED',
        message: 'Token expired',
      });
      return;
    }
    const limited = this.#count(now);
    if (limited) {
      this.rateLimited++;
      json(res, 429, limited);
      return;
    }
    const { identity } = this.#o;
    const path = url.pathname;
    if (path === '/iot/v2/equipment/installations') {
      this.answered.installations++;
      const gateways = url.searchParams.get('includeGateways') === 'true';
      json(res, 200, {
        data: [
          {
            id: identity.installationId,
            description: 'Villa',
            ...(gateways
              ? {
                  gateways: [
                    {
                      serial: identity.gatewaySerial,
                      version: '1.0.0',
                      gatewayType: 'E3_TCU41_x04',
                      devices: [
                        { id: 'gateway', deviceType: 'tcu', modelId: 'E3_TCU41_x04', status: 'online' },
                        {
                          id: identity.deviceId,
                          deviceType: 'heating',
                          modelId: 'E3_Vitocal_16',
                          status: 'online',
                        },
                      ],
                    },
                  ],
                }
              : {}),
          },
        ],
      });
      return;
    }
    const featuresPath = `/iot/v2/features/installations/${identity.installationId}/gateways/${identity.gatewaySerial}/devices/${identity.deviceId}/features`;
    if (path === featuresPath) {
      this.answered.features++;
      if (this.faults.gone) {
        gone(res, path);
        return;
      }
      if (this.faults.malformedNext) {
        this.faults.malformedNext = false;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"feature":');
        return;
      }
      const state = this.#o.state();
      const live = summariesOf(state);
      if (!this.faults.freezeSummaries) this.#frozen = undefined;
      else this.#frozen ??= live;
      json(res, 200, { data: vitocalFeatures(identity, state, this.#frozen ?? live, this.baseUrl) });
      return;
    }
    json(res, 404, { statusCode: 404, errorType: 'NOT_FOUND', message: `no route ${path}` });
  }

  /** Counts a call against both limits; the real body of a refused one. */
  #count(now: number): Record<string, unknown> | undefined {
    const { perTenMinutes, daily } = this.#o.limits;
    const dayStart = now - (now % DAY);
    if (this.#day.start !== dayStart) this.#day = { start: dayStart, count: 0 };
    this.#recent = this.#recent.filter((t) => t > now - TEN_MINUTES);
    const body = (name: string, limit: number, reset: number): Record<string, unknown> => ({
      errorType: 'RATE_LIMIT_EXCEEDED',
      extendedPayload: {
        clientId: this.#o.clientId,
        limitReset: reset,
        name,
        requestCountLimit: limit,
        userId: 'villa',
      },
      message: 'API calls rate limit has been exceeded. Please wait until your limit will renew.',
      statusCode: 429,
      viErrorId: `req-${randomBytes(4).toString('hex')}`,
    });
    // The day limit renews at a fixed UTC day boundary, just after midnight (protocols.md §0).
    if (this.#day.count >= daily)
      return body(`development portal "${this.#o.clientId}" daily limit`, daily, dayStart + DAY + 1_000);
    if (this.#recent.length >= perTenMinutes)
      return body(
        `development portal "${this.#o.clientId}" 10 minutes limit`,
        perTenMinutes,
        (this.#recent[0] ?? now) + TEN_MINUTES,
      );
    this.#day.count++;
    this.#recent.push(now);
    return undefined;
  }
}

/** The sunset answer of a retired endpoint (protocols.md §0). */
function gone(res: ServerResponse, path: string): void {
  const features = path.includes('/features');
  json(res, 410, {
    viErrorId: `req-${randomBytes(4).toString('hex')}`,
    statusCode: 410,
    errorType: 'GONE',
    message: 'This API version is no longer available',
    extendedPayload: {
      sunsetDate: features ? '2025-10-31' : '2025-12-15',
      replacement: path.replace('/iot/v1/', '/iot/v2/'),
    },
  });
}

function json(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
}

async function body(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
