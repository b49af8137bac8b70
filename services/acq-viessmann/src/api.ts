// HTTP to the Viessmann IoT API, /iot/v2 only: bearer token from the token store, and every
// answer mapped onto a named error the coordinator acts on (protocols.md §1.4: the 429 body with
// limitReset and requestCountLimit, 410 GONE of the v1 sunset, device/gateway offline bodies).
import { EndpointGoneError, MalformedResponseError, RateLimitedError, ViessmannApiError } from './errors.ts';
import type { TokenStore } from './tokens.ts';

export interface ViessmannDevice {
  installationId: number;
  gatewaySerial: string;
  deviceId: string;
  modelId: string;
}

interface ErrorBody {
  statusCode?: number;
  errorType?: string;
  message?: string;
  extendedPayload?: {
    limitReset?: number;
    requestCountLimit?: number;
    name?: string;
    reason?: string;
    sunsetDate?: string;
    replacement?: string;
  };
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export class ViessmannClient {
  readonly #baseUrl: string;
  readonly #tokens: TokenStore;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, tokens: TokenStore, timeoutMs: number) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#tokens = tokens;
    this.#timeoutMs = timeoutMs;
  }

  /** Installations with their gateways; every non-gateway device becomes one polled device. */
  async devices(): Promise<ViessmannDevice[]> {
    const path = '/iot/v2/equipment/installations?includeGateways=true';
    const { body, raw } = await this.#get(path);
    const data = isObject(body) ? body.data : undefined;
    if (!Array.isArray(data)) throw new MalformedResponseError('installations: no data array', path, raw);
    const devices: ViessmannDevice[] = [];
    for (const installation of data) {
      if (!isObject(installation) || typeof installation.id !== 'number')
        throw new MalformedResponseError('installations: an entry without a numeric id', path, raw);
      for (const gateway of Array.isArray(installation.gateways) ? installation.gateways : []) {
        if (!isObject(gateway) || typeof gateway.serial !== 'string' || !Array.isArray(gateway.devices))
          throw new MalformedResponseError('installations: a gateway without serial or devices', path, raw);
        for (const d of gateway.devices) {
          if (!isObject(d) || typeof d.id !== 'string')
            throw new MalformedResponseError('installations: a device without an id', path, raw);
          // The gateway lists itself as a device ("gateway", type tcu/vitoconnect): nothing to poll.
          if (d.id === 'gateway' || d.deviceType === 'tcu' || d.deviceType === 'vitoconnect') continue;
          devices.push({
            installationId: installation.id,
            gatewaySerial: gateway.serial,
            deviceId: d.id,
            modelId: typeof d.modelId === 'string' ? d.modelId : 'unknown',
          });
        }
      }
    }
    return devices;
  }

  /** Every feature of a device, in one call; the raw text too, for a dead letter. */
  async features(d: ViessmannDevice): Promise<{ body: unknown; raw: string; path: string }> {
    const path = `/iot/v2/features/installations/${d.installationId}/gateways/${d.gatewaySerial}/devices/${d.deviceId}/features`;
    return { ...(await this.#get(path)), path };
  }

  async #get(path: string): Promise<{ body: unknown; raw: string }> {
    const token = await this.#tokens.accessToken();
    let response: Response;
    try {
      response = await fetch(`${this.#baseUrl}${path}`, {
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new ViessmannApiError(
        `GET ${path}: ${error instanceof Error ? error.message : String(error)}`,
        undefined,
        {
          cause: error,
        },
      );
    }
    const raw = await response.text();
    let body: unknown;
    try {
      body = JSON.parse(raw) as unknown;
    } catch (error) {
      // Non-JSON ≥500 answers (an HTML page from the API gateway) are outages, not bad data.
      if (response.status >= 500)
        throw new ViessmannApiError(`GET ${path}: HTTP ${response.status}`, response.status);
      throw new MalformedResponseError(
        `GET ${path}: answer is no JSON (HTTP ${response.status})`,
        path,
        raw,
        {
          cause: error,
        },
      );
    }
    if (response.ok) return { body, raw };
    const e: ErrorBody = isObject(body) ? body : {};
    const extra = e.extendedPayload ?? {};
    if (response.status === 429 || e.statusCode === 429) {
      const until = typeof extra.limitReset === 'number' ? extra.limitReset : Date.now() + 600_000;
      // "ViCare day limit", `development portal "<client>" daily limit` (protocols.md §1.4).
      const daily = /\bday\b|daily/i.test(extra.name ?? '');
      throw new RateLimitedError(
        `rate limit ${extra.name ?? ''} exceeded (max ${extra.requestCountLimit ?? '?'} calls); reset at ${new Date(until).toISOString()}`,
        until,
        daily && typeof extra.requestCountLimit === 'number' ? extra.requestCountLimit : undefined,
      );
    }
    if (response.status === 410)
      throw new EndpointGoneError(
        `GET ${path} is gone (sunset ${extra.sunsetDate ?? '?'}${extra.replacement ? `, use ${extra.replacement}` : ''})`,
        path,
      );
    if (response.status === 401) {
      // Expired early or revoked: refresh now, so the next poll carries a new token.
      await this.#tokens.accessToken(true);
      throw new ViessmannApiError(`GET ${path}: access token refused; refreshed`, 401);
    }
    throw new ViessmannApiError(
      `GET ${path}: HTTP ${response.status} ${e.errorType ?? ''}${extra.reason ? ` ${extra.reason}` : ''}`.trim(),
      response.status,
    );
  }
}
