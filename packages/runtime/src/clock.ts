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

/** Why a wait ended early: the signal aborted (a shutdown), not the thing waited for. */
export class WaitAbortedError extends Error {
  override name = 'WaitAbortedError';
}

/**
 * `promise`, or a WaitAbortedError as soon as `signal` aborts: for waits on calls that take no
 * signal of their own (a NATS request during an outage runs to its timeout). The call itself goes
 * on; only the wait for it ends.
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  const ended = (): WaitAbortedError =>
    new WaitAbortedError('wait ended by shutdown', { cause: signal.reason });
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(ended());
  }
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      reject(ended());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => {
    signal.removeEventListener('abort', onAbort);
  });
}
