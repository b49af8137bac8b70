// One Shelly Gen2 device's HTTP RPC: GET /rpc/<Method>?<params>, which answers the bare result
// (protocols.md §2.1). Digest auth (SHA-256, user admin, realm = device id) comes from the kept
// library digest-fetch: it answers a 401 by taking the challenge and retrying once, so a device
// that issues a fresh nonce per request (firmware before 2.0, §0) costs one extra round trip and
// a reused nonce none. Every answer is validated against the method's schema before anyone uses it.
import DigestClient from 'digest-fetch';
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { RpcFailure, ShellyRpcError } from './errors.ts';

export interface RpcEndpoint {
  host: string;
  port: number;
  password?: string | undefined;
  timeoutMs: number;
}

type Params = Record<string, string | number | boolean>;

export class ShellyRpc {
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #digest: DigestClient | undefined;

  constructor(endpoint: RpcEndpoint) {
    this.#base = `http://${endpoint.host}:${endpoint.port}`;
    this.#timeoutMs = endpoint.timeoutMs;
    this.#digest =
      endpoint.password === undefined
        ? undefined
        : new DigestClient('admin', endpoint.password, { algorithm: 'SHA-256' });
  }

  get base(): string {
    return this.#base;
  }

  /** Calls `method` and returns its result, validated against `schema`. */
  async call<S extends TSchema>(method: string, schema: S, params: Params = {}): Promise<Static<S>> {
    const query = new URLSearchParams(
      Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
    ).toString();
    const url = `${this.#base}/rpc/${method}${query ? `?${query}` : ''}`;
    const origin = `${this.#base}/rpc/${method}`;
    const { status, text } = await this.#fetch(url, origin);
    if (status === 401) {
      const why = this.#digest ? 'the password was refused' : 'the device needs a password';
      throw new ShellyRpcError(RpcFailure.auth, origin, `${origin}: 401, ${why}`);
    }
    if (status !== 200) {
      throw new ShellyRpcError(RpcFailure.device, origin, `${origin}: HTTP ${status} ${text.slice(0, 200)}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new ShellyRpcError(
        RpcFailure.malformed,
        origin,
        `${origin}: not JSON (${(error as Error).message})`,
        {
          cause: error,
          body: text,
        },
      );
    }
    if (!Value.Check(schema, body)) {
      const issues = [...Value.Errors(schema, body)]
        .slice(0, 5)
        .map((e) => `${e.path || '/'} ${e.message}`)
        .join('; ');
      throw new ShellyRpcError(RpcFailure.shape, origin, `${origin}: unexpected shape: ${issues}`, {
        body: text,
      });
    }
    return body;
  }

  /**
   * One retry on a broken connection: a kept-alive socket the device closed (it rebooted, or
   * dropped off the network and came back) fails the first request on it, not the device.
   */
  async #fetch(url: string, origin: string): Promise<{ status: number; text: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const init = { signal: AbortSignal.timeout(this.#timeoutMs) };
        const res = (await (this.#digest ? this.#digest.fetch(url, init) : fetch(url, init))) as Response;
        return { status: res.status, text: await res.text() };
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause;
        const detail = cause?.code ?? (error as Error).name;
        if (attempt < 2 && detail === 'UND_ERR_SOCKET') continue;
        throw new ShellyRpcError(RpcFailure.unreachable, origin, `${origin}: no answer (${detail})`, {
          cause: error,
        });
      }
    }
  }
}
