// A value against warning and critical levels, with hysteresis: a level is entered when the value
// goes beyond it and left only once the value is back past it by `hysteresis`, so a value hovering
// at a level holds one state instead of flapping.
import { metrics } from '@heatstream/contracts';
import type { Condition } from './lifecycle.ts';
import { Direction, Level, type ThresholdRule } from './rules.ts';

/** The level `value` is at, given the level held before it (undefined: none). */
export function thresholdLevel(
  rule: ThresholdRule,
  value: number,
  held: Level | undefined,
): Level | undefined {
  const sign = rule.direction === Direction.above ? 1 : -1;
  const beyond = (level: number | undefined, holding: boolean): boolean =>
    level !== undefined && sign * (value - level) > (holding ? -rule.hysteresis : 0);
  if (beyond(rule.critical, held === Level.critical)) return Level.critical;
  if (beyond(rule.warning, held !== undefined)) return Level.warning;
  return undefined;
}

const show = (value: number, unit: string): string =>
  unit === '' || unit === '1' ? `${value}` : `${value} ${unit}`;

export function thresholdCondition(rule: ThresholdRule, value: number, held: Level | undefined): Condition {
  const level = thresholdLevel(rule, value, held);
  const unit = metrics[rule.metric].unit;
  const label = rule.label ?? rule.metric;
  const base = { metric: rule.metric, value };
  if (level === undefined)
    return { active: false, message: `${label} back to ${show(value, unit)}`, ...base };
  const threshold = (level === Level.critical ? rule.critical : rule.warning) ?? 0;
  return {
    active: true,
    severity: level,
    message: `${label} ${show(value, unit)} is ${rule.direction} ${show(threshold, unit)}`,
    threshold,
    ...base,
  };
}
