// Data-quality conditions, each from one device's readings: a counter that went back, and a heat
// meter that reads zero while the compressor runs with a temperature difference across it (air in
// the system or a failed meter: MyHeatpump's error_air check, cop-method.md b.3).
import { MetricKind, metrics, type MetricName } from '@heatstream/contracts';
import type { Condition } from './lifecycle.ts';
import type { HeatMeterZeroRule } from './rules.ts';

export type Metrics = Partial<Record<MetricName, number>>;

const counters = (Object.keys(metrics) as MetricName[]).filter((m) => metrics[m].kind === MetricKind.counter);

/** The last value of each counter, with its measurement time. */
export type CounterMemory = Partial<Record<MetricName, { t: number; v: number }>>;

/**
 * A counter lower than at an earlier measurement time went back. Readings older than the one
 * remembered are compared with nothing (a back-filled batch is not a reset). No counters: no verdict.
 */
export function counterBack(
  memory: CounterMemory,
  t: number,
  values: Metrics,
): { memory: CounterMemory; condition: Condition | undefined } {
  const next = { ...memory };
  let back: { metric: MetricName; from: number; to: number } | undefined;
  let judged = false;
  for (const metric of counters) {
    const v = values[metric];
    if (v === undefined) continue;
    const prev = memory[metric];
    if (prev !== undefined && t <= prev.t) continue;
    judged = true;
    if (prev !== undefined && v < prev.v) back ??= { metric, from: prev.v, to: v };
    next[metric] = { t, v };
  }
  if (!judged) return { memory: next, condition: undefined };
  if (back === undefined)
    return { memory: next, condition: { active: false, message: 'counters rising again' } };
  const unit = metrics[back.metric].unit;
  return {
    memory: next,
    condition: {
      active: true,
      message: `${back.metric} went back from ${back.from} ${unit} to ${back.to} ${unit}`,
      metric: back.metric,
      value: back.to,
      threshold: back.from,
    },
  };
}

/** Whether the compressor runs: compressor_on, else compressor_freq, else electric power; undefined if unknown. */
export function isRunning(
  values: Metrics,
  elecW: number | undefined,
  startingPowerW: number,
): boolean | undefined {
  if (values.compressor_on !== undefined) return values.compressor_on !== 0;
  if (values.compressor_freq !== undefined) return values.compressor_freq > 0;
  const power = elecW ?? values.elec_power;
  return power === undefined ? undefined : power >= startingPowerW;
}

/** No verdict until heat power, flow and return temperatures and the running state are all known. */
export function heatMeterZero(
  rule: HeatMeterZeroRule,
  heat: Metrics,
  elecW: number | undefined,
): Condition | undefined {
  const { heat_power: power, flow_temp: flowT, return_temp: returnT } = heat;
  const running = isRunning(heat, elecW, rule.startingPowerW);
  if (power === undefined || flowT === undefined || returnT === undefined || running === undefined)
    return undefined;
  const dt = Math.round((flowT - returnT) * 10) / 10;
  const fault = running && power === 0 && flowT - returnT > rule.minDeltaK && flowT > rule.minFlowTemp;
  return fault
    ? {
        active: true,
        message: `Heat meter reads 0 W while the compressor runs with ${dt} K across it`,
        metric: 'heat_power',
        value: 0,
      }
    : { active: false, message: 'Heat meter reading again' };
}
