import { Type, type Static } from '@sinclair/typebox';
import { envelopeSchema } from '../envelope.ts';
import { Id, StringEnum } from '../schema.ts';

export const DEVICE_STATUS_V1 = 'heatstream.device-status.v1';

/** The closed set every acquisition outcome maps onto. */
export const DeviceState = {
  online: 'online',
  unavailable: 'unavailable',
  badData: 'bad-data',
  authFailed: 'auth-failed',
} as const;
export type DeviceState = (typeof DeviceState)[keyof typeof DeviceState];

export const DeviceStatusV1Data = Type.Object(
  {
    site: Id('site id'),
    device: Id('device id'),
    state: StringEnum(DeviceState),
    reason: Type.Optional(Type.String({ description: 'why the state changed, for people' })),
    rejectedReadings: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'readings dropped by data-quality guards since the last status',
      }),
    ),
  },
  { additionalProperties: false },
);
export type DeviceStatusV1Data = Static<typeof DeviceStatusV1Data>;

export const DeviceStatusV1 = envelopeSchema(DEVICE_STATUS_V1, DeviceStatusV1Data);
export type DeviceStatusV1 = Static<typeof DeviceStatusV1>;
