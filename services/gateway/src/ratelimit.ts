// A token bucket per key (client address, or user): `burst` requests at once, refilled at
// `perMinute`. In memory: each gateway replica limits on its own, which bounds abuse per replica.
export class RateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number }>();
  readonly #burst: number;
  readonly #perMs: number;
  readonly #now: () => number;

  constructor(perMinute: number, burst: number, now: () => number = Date.now) {
    this.#burst = burst;
    this.#perMs = perMinute / 60_000;
    this.#now = now;
  }

  /** True when the request may go ahead; false when the key is over its limit. */
  take(key: string): boolean {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#perMs);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > 10_000) this.#evictFull(now);
    return allowed;
  }

  /** How long until the key may make its next request (0: now), for a 429's Retry-After. */
  retryInMs(key: string): number {
    const bucket = this.#buckets.get(key);
    if (!bucket) return 0;
    const tokens = Math.min(this.#burst, bucket.tokens + (this.#now() - bucket.at) * this.#perMs);
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / this.#perMs);
  }

  #evictFull(now: number): void {
    for (const [key, b] of this.#buckets) {
      if (b.tokens + (now - b.at) * this.#perMs >= this.#burst) this.#buckets.delete(key);
    }
  }
}
