// What can go wrong talking to Viessmann, by what the service does about it.

/** The IAM refused the tokens (refresh token expired or revoked, or never logged in): stop calling. */
export class ViessmannAuthError extends Error {
  override name = 'ViessmannAuthError';
}

/** A 429: nothing may be called before `untilMs` (the body's limitReset). */
export class RateLimitedError extends Error {
  override name = 'RateLimitedError';
  readonly untilMs: number;
  /** requestCountLimit of the body, when it is the daily limit's. */
  readonly dailyLimit: number | undefined;
  constructor(message: string, untilMs: number, dailyLimit: number | undefined) {
    super(message);
    this.untilMs = untilMs;
    this.dailyLimit = dailyLimit;
  }
}

/** A 410: the endpoint is retired (the /iot/v1 sunset). */
export class EndpointGoneError extends Error {
  override name = 'EndpointGoneError';
  readonly endpoint: string;
  constructor(message: string, endpoint: string) {
    super(message);
    this.endpoint = endpoint;
  }
}

/** An answer that is no JSON or not of the expected shape: dead-lettered with its bytes. */
export class MalformedResponseError extends Error {
  override name = 'MalformedResponseError';
  readonly endpoint: string;
  /** The answer's text, unchanged. */
  readonly raw: string;
  constructor(message: string, endpoint: string, raw: string, options?: ErrorOptions) {
    super(message, options);
    this.endpoint = endpoint;
    this.raw = raw;
  }
}

/** Any other failed call (network, 5xx, device or gateway offline): the device is unavailable. */
export class ViessmannApiError extends Error {
  override name = 'ViessmannApiError';
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}
