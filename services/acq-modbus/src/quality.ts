// Data-quality guards, the seed stack's rules (heatpump-monitoring-dashboard exporter.py, see
// protocols.md §5.1): a power reading below 1 W is bus garbage (3.67e-27 was seen) unless the one
// before it was low too; an energy counter never goes backwards. Rejected values are left out of
// the reading (the last good value stands) and counted.
import { metrics, MetricKind, type MetricName } from '@heatstream/contracts';

/** |P| below this is suspicious (HMD `MIN_VALID_POWER_KW = 0.001`). */
export const MIN_VALID_POWER_W = 1;

export const Rejection = { spike: 'spike', counterBackwards: 'counter-backwards' } as const;
export type Rejection = (typeof Rejection)[keyof typeof Rejection];

export interface Rejected {
  metric: MetricName;
  value: number;
  reason: Rejection;
  /** The last accepted value, for counters. */
  last?: number;
}

export type Values = Partial<Record<MetricName, number>>;

const isPower = (m: MetricName): boolean => metrics[m].unit === 'W' && metrics[m].kind === MetricKind.gauge;
const isCounter = (m: MetricName): boolean => metrics[m].kind === MetricKind.counter;

export class QualityGuard {
  /** Whether the previous power reading of a metric was below 1 W (accepted or not). */
  readonly #lowBefore = new Map<MetricName, boolean>();
  readonly #lastCount = new Map<MetricName, number>();

  filter(values: Values): { accepted: Values; rejected: Rejected[] } {
    const accepted: Values = {};
    const rejected: Rejected[] = [];
    for (const [name, value] of Object.entries(values) as [MetricName, number][]) {
      if (isPower(name)) {
        const low = Math.abs(value) < MIN_VALID_POWER_W;
        const lowBefore = this.#lowBefore.get(name) ?? false;
        this.#lowBefore.set(name, low);
        // A low value stands only when it repeats; with no history it waits for the next one.
        if (low && !lowBefore) {
          rejected.push({ metric: name, value, reason: Rejection.spike });
          continue;
        }
      }
      if (isCounter(name)) {
        const last = this.#lastCount.get(name);
        if (last !== undefined && value < last) {
          rejected.push({ metric: name, value, reason: Rejection.counterBackwards, last });
          continue;
        }
        this.#lastCount.set(name, value);
      }
      accepted[name] = value;
    }
    return { accepted, rejected };
  }
}
