import { Type, type Static } from '@sinclair/typebox';
import { envelopeSchema } from '../envelope.ts';
import { metricNames } from '../metrics.ts';
import { Id, StringEnum } from '../schema.ts';

export const ALERT_V1 = 'heatstream.alert.v1';

export const AlertSeverity = { info: 'info', warning: 'warning', critical: 'critical' } as const;
export type AlertSeverity = (typeof AlertSeverity)[keyof typeof AlertSeverity];

/** Lifecycle of one alert instance: raised → (acknowledged →) resolved. */
export const AlertState = { raised: 'raised', acknowledged: 'acknowledged', resolved: 'resolved' } as const;
export type AlertState = (typeof AlertState)[keyof typeof AlertState];

const MetricNameSchema = Type.Union(
  metricNames.map((m) => Type.Literal(m)),
  { description: 'catalogue metric the alert is about' },
);

export const AlertV1Data = Type.Object(
  {
    site: Id('site id'),
    device: Id('device id'),
    alertId: Type.String({
      minLength: 1,
      description: 'one alert instance; every lifecycle event repeats it',
    }),
    rule: Type.String({ minLength: 1, description: 'the rule that raised it, e.g. "compressor_temp_high"' }),
    severity: StringEnum(AlertSeverity),
    state: StringEnum(AlertState),
    message: Type.String({ description: 'for people' }),
    metric: Type.Optional(MetricNameSchema),
    value: Type.Optional(Type.Number({ description: 'the value that crossed the threshold' })),
    threshold: Type.Optional(Type.Number()),
    acknowledgedBy: Type.Optional(Type.String({ minLength: 1, description: 'user who acknowledged it' })),
  },
  { additionalProperties: false },
);
export type AlertV1Data = Static<typeof AlertV1Data>;

export const AlertV1 = envelopeSchema(ALERT_V1, AlertV1Data);
export type AlertV1 = Static<typeof AlertV1>;
