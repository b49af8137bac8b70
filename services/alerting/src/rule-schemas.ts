// Alert rules as data: one TypeBox schema per kind, the kinds and their shared fields. Parsing and
// the defaults are in rules.ts, which re-exports all of this.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CopCategory, ID_PATTERN, metricNames, StringEnum } from '@heatstream/contracts';

export const RuleKind = {
  threshold: 'threshold',
  offline: 'offline',
  counterBack: 'counter-back',
  rejectedReadings: 'rejected-readings',
  heatMeterZero: 'heat-meter-zero',
  shortCycling: 'short-cycling',
  authFailed: 'auth-failed',
  defrost: 'defrost',
  frozenCounter: 'frozen-counter',
  copBelowPrediction: 'cop-below-prediction',
} as const;
export type RuleKind = (typeof RuleKind)[keyof typeof RuleKind];

/** Kinds a device that is offline suppresses: its own values can't be trusted while it is gone. */
export const inhibitedByOffline: ReadonlySet<RuleKind> = new Set([
  RuleKind.threshold,
  RuleKind.counterBack,
  RuleKind.rejectedReadings,
  RuleKind.heatMeterZero,
  RuleKind.shortCycling,
  RuleKind.defrost,
  RuleKind.frozenCounter,
]);

export const Direction = { above: 'above', below: 'below' } as const;
export type Direction = (typeof Direction)[keyof typeof Direction];

export const Level = { warning: 'warning', critical: 'critical' } as const;
export type Level = (typeof Level)[keyof typeof Level];

const MetricName = Type.Union(
  metricNames.map((m) => Type.Literal(m)),
  { description: 'catalogue metric' },
);
const Ms = (description: string, fallback: number) =>
  Type.Integer({ minimum: 0, default: fallback, description });

/** What every kind shares: identity, scope, and the lifecycle's timing. */
const common = {
  id: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$', description: 'names the rule in alert.v1' }),
  enabled: Type.Boolean({ default: true }),
  devices: Type.Optional(
    Type.Array(Type.String({ pattern: ID_PATTERN }), {
      description: 'only these devices; default every device',
    }),
  ),
  forMs: Ms('the condition must hold this long before an alert is raised', 0),
  clearAfterMs: Ms('the condition must stay clear this long before the alert resolves', 0),
  cooldownMs: Ms('after a resolve, the same rule and device raise again no sooner', 600_000),
  escalate: Type.Optional(
    Type.Object(
      {
        trips: Type.Integer({ minimum: 2, description: 'this many onsets of the condition…' }),
        windowMs: Type.Integer({ minimum: 1, description: '…within this long make the alert critical' }),
      },
      { additionalProperties: false },
    ),
  ),
  notify: Type.Object(
    {
      targets: Type.Optional(
        Type.Array(Type.String({ pattern: ID_PATTERN }), {
          description: 'notification targets by name; default every configured target',
        }),
      ),
      onResolve: Type.Boolean({ default: true, description: 'also tell when the alert resolves' }),
      reminderMs: Type.Optional(
        Type.Integer({
          minimum: 60_000,
          description: 'repeat while the alert is raised and not acknowledged',
        }),
      ),
      muteUntil: Type.Optional(
        Type.String({
          description: 'RFC 3339 time; no notifications before it (alerts are still published)',
        }),
      ),
    },
    { additionalProperties: false, default: {} },
  ),
};

const severity = (fallback: Level) => StringEnum(Level, { default: fallback });

export const ThresholdRuleSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal(RuleKind.threshold),
    metric: MetricName,
    label: Type.Optional(Type.String({ minLength: 1, description: 'for messages; default the metric name' })),
    direction: StringEnum(Direction),
    warning: Type.Optional(Type.Number({ description: 'level in the metric’s catalogue unit' })),
    critical: Type.Optional(Type.Number()),
    hysteresis: Type.Number({
      minimum: 0,
      default: 0,
      description: 'a level clears only once the value is back past it by this much',
    }),
  },
  { additionalProperties: false },
);

export const OfflineRuleSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal(RuleKind.offline),
    severity: severity(Level.warning),
    missedIntervals: Type.Number({
      minimum: 1,
      default: 3,
      description: 'offline after this many expected intervals',
    }),
    defaultIntervalMs: Type.Integer({
      minimum: 1000,
      default: 300_000,
      description: 'expected interval until a device’s own is configured or learnt',
    }),
  },
  { additionalProperties: false },
);

export const CounterBackRuleSchema = Type.Object(
  { ...common, kind: Type.Literal(RuleKind.counterBack), severity: severity(Level.warning) },
  { additionalProperties: false },
);

export const RejectedReadingsRuleSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal(RuleKind.rejectedReadings),
    severity: severity(Level.warning),
    minRejected: Type.Integer({
      minimum: 1,
      default: 1,
      description: 'rejected readings in one status report',
    }),
  },
  { additionalProperties: false },
);

export const HeatMeterZeroRuleSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal(RuleKind.heatMeterZero),
    severity: severity(Level.warning),
    startingPowerW: Type.Number({ minimum: 0, default: 100 }),
    minDeltaK: Type.Number({ default: 1.5, description: 'flow − return above this' }),
    minFlowTemp: Type.Number({ default: 30, description: 'flow temperature above this (°C)' }),
    elecDevices: Type.Record(Type.String({ pattern: ID_PATTERN }), Type.String({ pattern: ID_PATTERN }), {
      default: {},
      description: 'heat device → the device whose elec_power says the compressor runs',
    }),
  },
  { additionalProperties: false },
);

export const ShortCyclingRuleSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal(RuleKind.shortCycling),
    severity: severity(Level.warning),
    maxStartsPerHour: Type.Integer({ minimum: 1, default: 12 }),
    minRunMs: Type.Integer({ minimum: 0, default: 120_000 }),
    maxShortRunsPerHour: Type.Integer({ minimum: 1, default: 3, description: 'runs shorter than minRunMs' }),
    startingPowerW: Type.Number({
      minimum: 0,
      default: 100,
      description: 'running by elec_power where there is no compressor_on',
    }),
  },
  { additionalProperties: false },
);

export const DefrostRuleSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal(RuleKind.defrost),
    severity: severity(Level.warning),
    maxPerHour: Type.Integer({ minimum: 1, default: 2, description: 'defrost starts in the last hour' }),
    maxDurationMs: Type.Integer({
      minimum: 60_000,
      default: 900_000,
      description: 'the longest one defrost',
    }),
  },
  { additionalProperties: false },
);

export const FrozenCounterRuleSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal(RuleKind.frozenCounter),
    severity: severity(Level.warning),
    metrics: Type.Array(MetricName, {
      minItems: 1,
      default: ['heat_energy', 'elec_energy'],
      description: 'counters that grow while the compressor runs',
    }),
    maxRunningMs: Type.Integer({
      minimum: 60_000,
      default: 7_200_000,
      description: 'running time without a change that makes a counter frozen',
    }),
    startingPowerW: Type.Number({
      minimum: 0,
      default: 100,
      description: 'running by elec_power where there is no compressor_on',
    }),
  },
  { additionalProperties: false },
);

// Judged on the cop service's day rows. Not inhibited by offline: a day row arrives after the day,
// when the device's offline state says nothing about it; `minCoverage` keeps out a day with gaps.
export const CopBelowPredictionRuleSchema = Type.Object(
  {
    ...common,
    kind: Type.Literal(RuleKind.copBelowPrediction),
    severity: severity(Level.warning),
    category: StringEnum(CopCategory, {
      default: CopCategory.running,
      description: 'the day row category judged and learnt from',
    }),
    historyDays: Type.Integer({
      minimum: 7,
      default: 60,
      description: 'the line is fitted over the days of this many before the day judged',
    }),
    minDays: Type.Integer({
      minimum: 3,
      default: 14,
      description: 'usable days in the history before the line predicts',
    }),
    margin: Type.Number({
      exclusiveMinimum: 0,
      exclusiveMaximum: 1,
      default: 0.15,
      description: 'a day more than this share below the prediction raises',
    }),
    hysteresis: Type.Number({
      minimum: 0,
      default: 0.05,
      description: 'a raised alert resolves on a day within margin − hysteresis of the prediction',
    }),
    minElecKwh: Type.Number({
      minimum: 0,
      default: 2,
      description: 'a day with less electricity in its category is neither judged nor learnt',
    }),
    minCoverage: Type.Number({
      minimum: 0,
      maximum: 1,
      default: 0.8,
      description: 'a day with less coverage is neither judged nor learnt',
    }),
    maxExtrapolationK: Type.Number({
      minimum: 0,
      default: 3,
      description: 'a day this far outside the learnt outside temperatures is not judged',
    }),
  },
  { additionalProperties: false },
);

// Not inhibited by offline: expired credentials are why a cloud device goes silent, and the one
// thing a person can fix. Critical by default: nothing arrives from that source until someone logs in again.
export const AuthFailedRuleSchema = Type.Object(
  { ...common, kind: Type.Literal(RuleKind.authFailed), severity: severity(Level.critical) },
  { additionalProperties: false },
);

export const ruleSchemas = {
  [RuleKind.threshold]: ThresholdRuleSchema,
  [RuleKind.offline]: OfflineRuleSchema,
  [RuleKind.counterBack]: CounterBackRuleSchema,
  [RuleKind.rejectedReadings]: RejectedReadingsRuleSchema,
  [RuleKind.heatMeterZero]: HeatMeterZeroRuleSchema,
  [RuleKind.shortCycling]: ShortCyclingRuleSchema,
  [RuleKind.authFailed]: AuthFailedRuleSchema,
  [RuleKind.defrost]: DefrostRuleSchema,
  [RuleKind.frozenCounter]: FrozenCounterRuleSchema,
  [RuleKind.copBelowPrediction]: CopBelowPredictionRuleSchema,
} as const satisfies Record<RuleKind, TSchema>;

export const RuleSchema = Type.Union(Object.values(ruleSchemas));
export const RulesSchema = Type.Array(RuleSchema);

export type ThresholdRule = Static<typeof ThresholdRuleSchema>;
export type OfflineRule = Static<typeof OfflineRuleSchema>;
export type CounterBackRule = Static<typeof CounterBackRuleSchema>;
export type RejectedReadingsRule = Static<typeof RejectedReadingsRuleSchema>;
export type HeatMeterZeroRule = Static<typeof HeatMeterZeroRuleSchema>;
export type ShortCyclingRule = Static<typeof ShortCyclingRuleSchema>;
export type AuthFailedRule = Static<typeof AuthFailedRuleSchema>;
export type DefrostRule = Static<typeof DefrostRuleSchema>;
export type FrozenCounterRule = Static<typeof FrozenCounterRuleSchema>;
export type CopBelowPredictionRule = Static<typeof CopBelowPredictionRuleSchema>;
export type Rule = Static<typeof RuleSchema>;
