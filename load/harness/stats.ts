// Pure helpers of the load harness: latency percentiles, a scenario's summary and its thresholds.
// Percentiles by nearest rank, hand-written: a sort of at most a few hundred thousand samples per
// scenario is cheap, and the same rule must hold for every scenario (autocannon's own histogram
// has no p95, and the MQTT and Socket.IO scenarios measure outside autocannon).

/** The value at percentile `p` (0–100) by nearest rank; NaN without samples. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export interface Latency {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  count: number;
}

export function latencyOf(samples: readonly number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    count: sorted.length,
  };
}

/** One threshold of a scenario, k6-style: a measured value, a comparison and a limit. */
export interface Threshold {
  name: string;
  value: number;
  op: '<=' | '>=' | '==';
  limit: number;
  unit: string;
}

export interface CheckedThreshold extends Threshold {
  passed: boolean;
}

export function check(t: Threshold): CheckedThreshold {
  const passed =
    Number.isFinite(t.value) &&
    (t.op === '<=' ? t.value <= t.limit : t.op === '>=' ? t.value >= t.limit : t.value === t.limit);
  return { ...t, passed };
}

/** What every scenario reports. */
export interface ScenarioResult {
  name: string;
  title: string;
  /** Successful operations per second over `seconds`. */
  throughput: number;
  throughputUnit: string;
  seconds: number;
  /** Milliseconds. */
  latency: Latency;
  ok: number;
  errors: number;
  /** The 1-minute load average at the end of the scenario: the machine is shared. */
  load: number;
  thresholds: CheckedThreshold[];
  /** Stages, counts and anything a reader needs to judge the figures. */
  details: Record<string, number | string>;
  notes: string[];
}

export const passed = (r: ScenarioResult): boolean => r.thresholds.every((t) => t.passed);

/** Counts errors by cause: "HTTP 429", "ECONNRESET", … */
export class ErrorCounter {
  readonly byCause = new Map<string, number>();
  add(cause: string, n = 1): void {
    this.byCause.set(cause, (this.byCause.get(cause) ?? 0) + n);
  }
  get total(): number {
    let sum = 0;
    for (const n of this.byCause.values()) sum += n;
    return sum;
  }
  toString(): string {
    return [...this.byCause].map(([cause, n]) => `${cause} ×${n}`).join(', ') || 'none';
  }
}
