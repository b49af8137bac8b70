// Data-quality guards, the seed stack's rules (heatpump-monitoring-dashboard exporter.py, see
// protocols.md §5.1): a power reading below 1 W is bus garbage (3.67e-27 was seen) unless the one
// before it was low too; an energy counter never goes backwards, nor jumps further than 1 MW could
// have counted since the last reading (a garbage total taken as the new baseline would make the
// guard refuse every true value after it). Rejected values are left out of the reading (the last
// good value stands) and counted.
//
// A counter shows its quantity in steps of its resolution (a Stiebel counts whole kWh), so one step
// can appear between two polls a moment apart although little energy flowed: the 1 MW rule applies
// to the rise beyond the resolution the counter's definition gives.
import { metrics, MetricKind, type MetricName } from '@heatstream/contracts';
import { metricResolution, type ModbusDefinition } from '@heatstream/devices';

/** |P| below this is suspicious (HMD `MIN_VALID_POWER_KW = 0.001`). */
export const MIN_VALID_POWER_W = 1;

/** More than any heat pump or house supply draws: the fastest an energy counter can rise. */
export const MAX_COUNTED_POWER_W = 1_000_000;

export const Rejection = {
  spike: 'spike',
  counterBackwards: 'counter-backwards',
  counterJump: 'counter-jump',
} as const;
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
  readonly #lastCount = new Map<MetricName, { value: number; at: number }>();
  /** The fields (and totals) the values are decoded from, for each counter's resolution; none: exact counters. */
  readonly #definition: Pick<ModbusDefinition, 'fields' | 'totals'> | undefined;

  constructor(definition?: Pick<ModbusDefinition, 'fields' | 'totals'>) {
    this.#definition = definition;
  }

  /** `at`: the measurement time of the values, which bounds how far an energy counter can rise. */
  filter(values: Values, at = Date.now()): { accepted: Values; rejected: Rejected[] } {
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
        if (last !== undefined && value < last.value) {
          rejected.push({ metric: name, value, reason: Rejection.counterBackwards, last: last.value });
          continue;
        }
        if (last !== undefined && metrics[name].unit === 'Wh') {
          // At least a second: measurement times are poll starts, not when the counter was read.
          const hours = Math.max(at - last.at, 1_000) / 3_600_000;
          const step = this.#definition ? metricResolution(this.#definition, name, value) : 0;
          if (value - last.value - step > MAX_COUNTED_POWER_W * hours) {
            rejected.push({ metric: name, value, reason: Rejection.counterJump, last: last.value });
            continue;
          }
        }
        this.#lastCount.set(name, { value, at });
      }
      accepted[name] = value;
    }
    return { accepted, rejected };
  }
}
