// Alert rules as data, checked once at start with every problem named, and the defaults a user
// gets without writing any (../shared/reference/alerting.md). The schemas are in rule-schemas.ts.
import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Direction, RuleKind, ruleSchemas, type Rule, type ThresholdRule } from './rule-schemas.ts';

export * from './rule-schemas.ts';

export class RuleError extends Error {
  override name = 'RuleError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options?: ErrorOptions) {
    super(`invalid alert rules:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.problems = problems;
  }
}

const isKind = (k: unknown): k is RuleKind => typeof k === 'string' && Object.hasOwn(ruleSchemas, k);

function thresholdProblems(rule: ThresholdRule): string[] {
  const { warning, critical, direction } = rule;
  if (warning === undefined && critical === undefined) return ['needs a warning or a critical level'];
  if (warning === undefined || critical === undefined) return [];
  const ordered = direction === Direction.above ? critical >= warning : critical <= warning;
  return ordered ? [] : [`critical ${critical} is not beyond warning ${warning} for "${direction}"`];
}

/** Rules with defaults applied, each checked against its kind; every problem is reported at once. */
export function parseRules(raw: unknown): Rule[] {
  if (!Array.isArray(raw)) throw new RuleError(['rules: expected a list of rules']);
  const problems: string[] = [];
  const rules: Rule[] = [];
  const ids = new Set<string>();
  raw.forEach((item: unknown, i) => {
    const at = `rules[${i}]`;
    const kind = typeof item === 'object' && item !== null ? (item as { kind?: unknown }).kind : undefined;
    if (!isKind(kind)) {
      problems.push(`${at}.kind: expected one of ${Object.values(RuleKind).join(', ')}`);
      return;
    }
    const schema: TSchema = ruleSchemas[kind];
    const rule = Value.Default(schema, structuredClone(item)) as Rule;
    const errors = [...Value.Errors(schema, rule)];
    for (const e of errors) {
      problems.push(
        `${at}${e.path
          .split('/')
          .filter(Boolean)
          .map((p) => `.${p}`)
          .join('')}: ${e.message.toLowerCase()}`,
      );
    }
    if (errors.length > 0) return;
    if (ids.has(rule.id)) problems.push(`${at}.id: "${rule.id}" used twice`);
    ids.add(rule.id);
    if (rule.kind === RuleKind.threshold) problems.push(...thresholdProblems(rule).map((p) => `${at}: ${p}`));
    if (rule.kind === RuleKind.copBelowPrediction && rule.minDays > rule.historyDays)
      problems.push(`${at}.minDays: ${rule.minDays} days can never fit in historyDays ${rule.historyDays}`);
    if (rule.kind === RuleKind.copBelowPrediction && rule.hysteresis >= rule.margin)
      problems.push(`${at}.hysteresis: ${rule.hysteresis} must be less than the margin ${rule.margin}`);
    const { muteUntil } = rule.notify;
    if (muteUntil !== undefined && Number.isNaN(Date.parse(muteUntil)))
      problems.push(`${at}.notify.muteUntil: "${muteUntil}" is not a date and time`);
    rules.push(rule);
  });
  if (problems.length > 0) throw new RuleError(problems);
  return rules;
}

// The catalogue keeps refrigerant pressures in bar; the defaults people know are in PSI.
const PSI_IN_BAR = 0.0689476;
const psi = (p: number): number => Math.round(p * PSI_IN_BAR * 100) / 100;

/**
 * The rules a site gets by default: the cellular device's threshold table (voltage, compressor
 * temperature, pressures, current), offline, data quality and short cycling. Pressures are the PSI
 * defaults converted to bar: 400/450 PSI = 27.58/31.03 bar, 40/20 PSI = 2.76/1.38 bar. A pressure
 * switch that trips three times in an hour is critical (Fujitsu UTP-VX60A: 3 events in 60 min).
 */
export const defaultRules: readonly Rule[] = parseRules([
  {
    id: 'voltage_high',
    kind: 'threshold',
    metric: 'voltage',
    label: 'Voltage',
    direction: 'above',
    warning: 245,
    critical: 250,
    hysteresis: 2,
  },
  {
    id: 'voltage_low',
    kind: 'threshold',
    metric: 'voltage',
    label: 'Voltage',
    direction: 'below',
    warning: 215,
    critical: 210,
    hysteresis: 2,
  },
  {
    id: 'compressor_temp_high',
    kind: 'threshold',
    metric: 'compressor_temp',
    label: 'Compressor temperature',
    direction: 'above',
    warning: 85,
    critical: 95,
    hysteresis: 3,
  },
  {
    id: 'pressure_high',
    kind: 'threshold',
    metric: 'pressure_high',
    label: 'High-side pressure',
    direction: 'above',
    warning: psi(400),
    critical: psi(450),
    hysteresis: psi(10),
    escalate: { trips: 3, windowMs: 3_600_000 },
  },
  {
    id: 'pressure_low',
    kind: 'threshold',
    metric: 'pressure_low',
    label: 'Low-side pressure',
    direction: 'below',
    warning: psi(40),
    critical: psi(20),
    hysteresis: psi(3),
    escalate: { trips: 3, windowMs: 3_600_000 },
  },
  {
    id: 'current_high',
    kind: 'threshold',
    metric: 'current',
    label: 'Current',
    direction: 'above',
    warning: 12,
    critical: 15,
    hysteresis: 0.5,
  },
  { id: 'device_offline', kind: 'offline' },
  { id: 'counter_back', kind: 'counter-back', clearAfterMs: 3_600_000 },
  { id: 'readings_rejected', kind: 'rejected-readings', clearAfterMs: 3_600_000 },
  { id: 'heat_meter_zero', kind: 'heat-meter-zero', forMs: 120_000, clearAfterMs: 300_000 },
  { id: 'short_cycling', kind: 'short-cycling', clearAfterMs: 1_800_000 },
  { id: 'auth_failed', kind: 'auth-failed' },
  { id: 'defrost', kind: 'defrost', clearAfterMs: 1_800_000 },
  { id: 'counter_frozen', kind: 'frozen-counter' },
  // A day is a day: no cooldown, and the next day within the margin resolves it.
  { id: 'cop_below_prediction', kind: 'cop-below-prediction', cooldownMs: 0 },
]);
