// Why an RPC call failed. Each failure maps onto one device state (poller.ts); malformed and
// wrong-shaped answers also become dead letters with the bytes the device sent.
export const RpcFailure = {
  /** 401 after a fresh challenge: the password is wrong (or the realm is not the device's). */
  auth: 'auth',
  /** No answer, refused, reset or timed out. */
  unreachable: 'unreachable',
  /** An HTTP status or JSON-RPC error the device answered. */
  device: 'device',
  /** Not JSON. */
  malformed: 'malformed',
  /** JSON, but not the shape the method answers. */
  shape: 'shape',
} as const;
export type RpcFailure = (typeof RpcFailure)[keyof typeof RpcFailure];

export class ShellyRpcError extends Error {
  override name = 'ShellyRpcError';
  readonly failure: RpcFailure;
  /** What the device sent, for a dead letter (malformed / shape). */
  readonly body: string | undefined;
  /** Where it came from: `<host>:<port> <Method>`. */
  readonly origin: string;
  constructor(
    failure: RpcFailure,
    origin: string,
    message: string,
    options?: ErrorOptions & { body?: string },
  ) {
    super(message, options);
    this.failure = failure;
    this.origin = origin;
    this.body = options?.body;
  }
}
