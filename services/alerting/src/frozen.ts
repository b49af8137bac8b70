// A counter that should grow while the compressor runs but stays the same: a vendor's energy
// summary that stopped updating (cloud sources report totals the vendor computes), or a meter
// that hangs. Only running time counts, so a heat pump idle all summer is not "frozen".
import type { MetricName } from '@heatstream/contracts';
import type { Condition } from './lifecycle.ts';
import type { Metrics } from './quality.ts';
import type { FrozenCounterRule } from './rules.ts';

export interface FrozenMemory {
  value: number;
  /** Measurement time of the latest reading of the metric. */
  lastT: number;
  /** Running time since the value last changed. */
  runningMs: number;
}

export function frozenCounters(
  rule: FrozenCounterRule,
  memory: Partial<Record<MetricName, FrozenMemory>>,
  t: number,
  values: Metrics,
  running: boolean | undefined,
): Condition | undefined {
  let judged = false;
  const frozen: string[] = [];
  for (const metric of rule.metrics) {
    const value = values[metric];
    if (value === undefined) continue;
    judged = true;
    const m = memory[metric];
    if (m === undefined || value !== m.value) {
      memory[metric] = { value, lastT: t, runningMs: 0 };
      continue;
    }
    if (t <= m.lastT) continue;
    if (running === true) m.runningMs += t - m.lastT;
    m.lastT = t;
    if (m.runningMs > rule.maxRunningMs) frozen.push(metric);
  }
  if (!judged) return undefined;
  const hours = Math.round((rule.maxRunningMs / 3_600_000) * 10) / 10;
  return frozen.length > 0
    ? {
        active: true,
        message: `${frozen.join(', ')} unchanged through more than ${hours} h of compressor running`,
      }
    : { active: false, message: 'Counters growing again' };
}
