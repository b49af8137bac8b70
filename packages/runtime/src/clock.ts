// One clock, one sleep, one backoff for everything in heatstream that waits on time. Time-dependent
// logic takes a Clock, so tests set the time instead of sleeping; every wait takes an AbortSignal,
// so a shutdown never has to sit out a retry delay.

/** Time source: `now()` in epoch milliseconds, `sleep` that ends early (resolving) when `signal` aborts. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Waits `ms`, or less when `signal` aborts: it resolves either way (callers check `signal.aborted`
 * when they need to know), so an interrupted wait is not an error to catch.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export const systemClock: Clock = { now: () => Date.now(), sleep };

export interface BackoffOptions {
  /** The delay after the first failure. */
  initialMs: number;
  /** The longest delay. */
  maxMs: number;
}

/** Delay before the next attempt after `failures` consecutive failures: doubling from `initialMs`, capped. */
export function backoffDelay(failures: number, { initialMs, maxMs }: BackoffOptions): number {
  if (failures <= 0) return 0;
  return Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
}
