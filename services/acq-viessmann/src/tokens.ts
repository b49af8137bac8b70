// OAuth2 authorization code with PKCE against Viessmann's IAM (public client, no secret, scopes
// `IoT offline_access`: without offline_access there is no refresh token), with oauth4webapi. The
// tokens live in KV, shared by every replica; the access token is refreshed before it expires.
// A refresh the IAM refuses is written to KV as well, so no replica — and no restart — calls the
// API again until someone logs in: a failed refresh must not become a retry storm (core#181620).
import * as oauth from 'oauth4webapi';
import type { Clock, Kv } from '@heatstream/runtime';
import { ViessmannAuthError, ViessmannApiError } from './errors.ts';

export const SCOPES = 'IoT offline_access';
const KEY = 'tokens';

export interface OAuthSettings {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  redirectUri: string;
}

export interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  /** Epoch ms the access token expires. */
  expiresAt: number;
  /** Set once the IAM refused the refresh token: nothing is called until a new login. */
  refused?: { at: number; reason: string };
}

function server(s: OAuthSettings): {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  options: oauth.TokenEndpointRequestOptions;
} {
  const as: oauth.AuthorizationServer = {
    issuer: new URL(s.authorizeUrl).origin,
    authorization_endpoint: s.authorizeUrl,
    token_endpoint: s.tokenUrl,
  };
  // The simulated IAM speaks plain HTTP (on loopback, or the compose network's `simulators`); the
  // real one is HTTPS, and any other plain-HTTP token URL is refused by oauth4webapi.
  const url = new URL(s.tokenUrl);
  const simulated =
    url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]', 'simulators'].includes(url.hostname);
  return {
    as,
    client: { client_id: s.clientId },
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- deprecated to make it stand out; used for the simulator only
    options: { [oauth.allowInsecureRequests]: simulated },
  };
}

export interface PendingLogin {
  url: string;
  verifier: string;
  state: string;
}

/** The authorize URL to open, with the PKCE verifier and state the answer is checked against. */
export async function beginLogin(s: OAuthSettings): Promise<PendingLogin> {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(s.authorizeUrl);
  url.search = new URLSearchParams({
    client_id: s.clientId,
    redirect_uri: s.redirectUri,
    response_type: 'code',
    scope: SCOPES,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
  }).toString();
  return { url: url.toString(), verifier, state };
}

/** Exchanges the redirected URL (or the bare code from it) for tokens. */
export async function finishLogin(
  s: OAuthSettings,
  pending: PendingLogin,
  answer: string,
  clock: Clock,
): Promise<StoredTokens> {
  const { as, client, options } = server(s);
  const trimmed = answer.trim();
  const params = /^[a-z][a-z0-9+.-]*:/i.test(trimmed)
    ? new URL(trimmed).searchParams
    : new URLSearchParams({ code: trimmed, state: pending.state });
  // A bare code carries no state of its own; a pasted URL must carry ours.
  const checked = oauth.validateAuthResponse(as, client, params, pending.state);
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    oauth.None(),
    checked,
    s.redirectUri,
    pending.verifier,
    options,
  );
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
  if (!tokens.refresh_token)
    throw new ViessmannAuthError(
      'the IAM sent no refresh token: the client must allow the offline_access scope',
    );
  return {
    accessToken: tokens.access_token,
    refreshToken: tokens.refresh_token,
    expiresAt: clock.now() + (tokens.expires_in ?? 3_600) * 1000,
  };
}

export class TokenStore {
  readonly #kv: Kv;
  readonly #settings: OAuthSettings;
  readonly #clock: Clock;
  readonly #refreshBeforeMs: number;

  constructor(kv: Kv, settings: OAuthSettings, clock: Clock, refreshBeforeMs: number) {
    this.#kv = kv;
    this.#settings = settings;
    this.#clock = clock;
    this.#refreshBeforeMs = refreshBeforeMs;
  }

  /** What `./heatstream viessmann login` writes: replaces any refused tokens. */
  async save(tokens: StoredTokens): Promise<void> {
    await this.#kv.putJson(KEY, tokens);
  }

  /**
   * A usable access token, refreshed first when it expires within `refreshBeforeMs` (or `force`,
   * after a 401). ViessmannAuthError when there are no tokens or the IAM refused them.
   */
  async accessToken(force = false): Promise<string> {
    for (;;) {
      const entry = await this.#kv.get(KEY);
      const tokens = entry?.json() as StoredTokens | undefined;
      if (!entry || !tokens) throw new ViessmannAuthError('not logged in: run ./heatstream viessmann login');
      if (tokens.refused)
        throw new ViessmannAuthError(
          `refresh token refused (${tokens.refused.reason}): run ./heatstream viessmann login`,
        );
      if (!force && tokens.expiresAt - this.#refreshBeforeMs > this.#clock.now()) return tokens.accessToken;
      const next = await this.#refresh(tokens);
      // Another replica may have refreshed meanwhile: then use what it wrote.
      if (await this.#kv.updateJson(KEY, next, entry.revision)) {
        if (next.refused)
          throw new ViessmannAuthError(
            `refresh token refused (${next.refused.reason}): run ./heatstream viessmann login`,
          );
        return next.accessToken;
      }
      force = false;
    }
  }

  async #refresh(tokens: StoredTokens): Promise<StoredTokens> {
    const { as, client, options } = server(this.#settings);
    let response: Response;
    try {
      response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), tokens.refreshToken, options);
    } catch (error) {
      // Unreachable IAM: try again at the next poll; the tokens may still be good.
      throw new ViessmannApiError('token endpoint unreachable', undefined, { cause: error });
    }
    try {
      const fresh = await oauth.processRefreshTokenResponse(as, client, response);
      return {
        accessToken: fresh.access_token,
        refreshToken: fresh.refresh_token ?? tokens.refreshToken,
        expiresAt: this.#clock.now() + (fresh.expires_in ?? 3_600) * 1000,
      };
    } catch (error) {
      if (error instanceof oauth.ResponseBodyError && response.status >= 400 && response.status < 500) {
        const reason = `${error.error}${error.error_description ? `: ${error.error_description}` : ''}`;
        return { ...tokens, refused: { at: this.#clock.now(), reason } };
      }
      throw new ViessmannApiError(`token refresh failed with HTTP ${response.status}`, response.status, {
        cause: error,
      });
    }
  }
}
