import { Type, type Static } from '@sinclair/typebox';
import { envelopeSchema } from '../envelope.ts';
import { Id } from '../schema.ts';

export const REJECTED_V1 = 'heatstream.rejected.v1';

/** A dead letter: the original bytes, why they were refused, and where they came from. */
export const RejectedV1Data = Type.Object(
  {
    service: Id('the service that refused the message'),
    reason: Type.String({ minLength: 1 }),
    originalSubject: Type.String({ minLength: 1, description: 'NATS subject (or MQTT topic) it arrived on' }),
    stream: Type.Optional(Type.String({ minLength: 1 })),
    streamSeq: Type.Optional(Type.Integer({ minimum: 1 })),
    deliveries: Type.Optional(Type.Integer({ minimum: 1 })),
    errors: Type.Optional(
      Type.Array(
        Type.Object({ path: Type.String(), message: Type.String() }, { additionalProperties: false }),
        {
          description: 'schema issues, when validation failed',
        },
      ),
    ),
    headers: Type.Optional(
      Type.Record(Type.String(), Type.String(), { description: 'the original NATS headers' }),
    ),
    payload: Type.String({
      pattern: '^[A-Za-z0-9+/]*={0,2}$',
      contentEncoding: 'base64',
      description: 'the original bytes, unchanged',
    }),
    payloadEncoding: Type.Literal('base64'),
  },
  { additionalProperties: false },
);
export type RejectedV1Data = Static<typeof RejectedV1Data>;

export const RejectedV1 = envelopeSchema(REJECTED_V1, RejectedV1Data);
export type RejectedV1 = Static<typeof RejectedV1>;
