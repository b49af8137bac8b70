// NATS KV buckets as data, like streams: the runtime creates them when a service opens one and
// converges an existing bucket to its declaration (history, TTL, size, description, replicas).
// The services named in `users` get the NATS rights to the bucket (access.ts derives them here).

/** A NATS KV bucket (a JetStream stream `KV_<name>` with file storage). */
export interface BucketSpec {
  /** Bucket name: `[A-Za-z0-9_-]+`. */
  name: string;
  description: string;
  /** Values kept per key (1–64); 1 keeps only the latest. */
  history: number;
  /** An entry expires this long after it was written; 0 keeps entries until deleted. */
  ttlMs: number;
  /** -1 = unlimited; otherwise writes are refused once the bucket holds this many bytes. */
  maxBytes: number;
  /** Copies in a cluster; `jetstream.replicas` in config overrides it for every stream and bucket. */
  replicas: number;
  /** Services that read and write it. */
  users: readonly string[];
  /**
   * The owner's config setting that overrides `ttlMs` (the owner passes it when it opens the
   * bucket). Without one the TTL is fixed here. Others opening the bucket (the admin CLI) leave
   * the TTL as the owner set it.
   */
  ttlSetting?: string;
}

const HOUR = 3_600_000;

function bucket(
  name: string,
  description: string,
  users: readonly string[],
  more: Partial<BucketSpec> = {},
): BucketSpec {
  return { name, description, history: 1, ttlMs: 0, maxBytes: -1, replicas: 1, users, ...more };
}

export const buckets: readonly BucketSpec[] = [
  bucket('gateway_users', 'gateway users (scrypt password hashes)', ['gateway']),
  bucket('gateway_tokens', 'API tokens by SHA-256', ['gateway']),
  // Sessions also carry their own expiry; the TTL removes them from the store as well.
  bucket('gateway_sessions', 'browser sessions by SHA-256', ['gateway'], {
    ttlMs: 12 * HOUR,
    ttlSetting: 'api.sessionTtlHours',
  }),
  // The evaluator's state (active alerts, what each device last sent) and pending notifications,
  // so a restart neither raises an alert again nor forgets one, nor drops a notification.
  bucket('alerting_state', 'alert evaluator state and notification outbox', ['alerting']),
  // Kept until deleted: an accumulator's state (<site>.<device>.state) and its finished day rows
  // (<site>.<device>.day.<date>), which the 7/30/90/365-day and season figures are re-summed from.
  bucket('cop_state', 'cop: accumulator state and finished day rows per heat source', ['cop']),
  bucket('acq_shelly_state', 'acq-shelly: energy ledger and last reading time per meter', ['acq-shelly']),
  // Shared by every acq-viessmann replica and kept across restarts: the OAuth tokens (`tokens`),
  // the call budget (`budget`, changed by compare-and-set) and the discovered devices (`devices`).
  bucket('viessmann_state', 'acq-viessmann: OAuth tokens, call budget, discovered devices', [
    'acq-viessmann',
  ]),
];

/** The buckets a service may open. */
export function bucketsOf(service: string): string[] {
  return buckets.filter((b) => b.users.includes(service)).map((b) => b.name);
}
