export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
}

/** Delay before the next connection attempt after `failures` consecutive failures: doubling, capped. */
export function backoffDelay(failures: number, { initialMs, maxMs }: BackoffOptions): number {
  if (failures <= 0) return 0;
  return Math.min(maxMs, initialMs * 2 ** Math.min(failures - 1, 30));
}
