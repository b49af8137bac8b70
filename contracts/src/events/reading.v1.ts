import { Type, type Static, type TInteger, type TNumber, type TOptional } from '@sinclair/typebox';
import { envelopeSchema } from '../envelope.ts';
import { Id } from '../schema.ts';
import { metricNames, metrics, MetricKind, type MetricName } from '../metrics.ts';

export const READING_V1 = 'heatstream.reading.v1';

type MetricValues = { [K in MetricName]: TOptional<TNumber | TInteger> };

// One optional property per catalogue metric: the schema follows the catalogue, never a copy of it.
// States are integer codes; counters never go below zero.
const metricValues = Object.fromEntries(
  metricNames.map((name) => {
    const { kind, unit, description } = metrics[name];
    const doc = unit === '' ? description : `${description} [${unit}]`;
    const schema =
      kind === MetricKind.state
        ? Type.Integer({ description: doc })
        : kind === MetricKind.counter
          ? Type.Number({ minimum: 0, description: doc })
          : Type.Number({ description: doc });
    return [name, Type.Optional(schema)];
  }),
) as MetricValues;

export const ReadingV1Data = Type.Object(
  {
    site: Id('site id'),
    device: Id('device id'),
    model: Type.String({
      minLength: 1,
      description: 'device definition id from @heatstream/devices, e.g. "stiebel-eltron-wpm3"',
    }),
    metrics: Type.Object(metricValues, {
      additionalProperties: false,
      minProperties: 1,
      description: 'values keyed by catalogue metric name, in catalogue units',
    }),
  },
  { additionalProperties: false },
);
export type ReadingV1Data = Static<typeof ReadingV1Data>;

export const ReadingV1 = envelopeSchema(READING_V1, ReadingV1Data);
export type ReadingV1 = Static<typeof ReadingV1>;
