import { Type, type Static } from '@sinclair/typebox';
import { envelopeSchema } from '../envelope.ts';
import { Id, StringEnum } from '../schema.ts';

export const COMMAND_V1 = 'heatstream.command.v1';

/** The commands the cellular firmware understands (`heatpump/<id>/cmd`). */
export const DeviceCommand = { status: 'STATUS', reset: 'RESET', setInterval: 'SET_INTERVAL' } as const;
export type DeviceCommand = (typeof DeviceCommand)[keyof typeof DeviceCommand];

export const CommandV1Data = Type.Object(
  {
    site: Id('site id'),
    device: Id('device id'),
    command: StringEnum(DeviceCommand),
    args: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
        description: 'e.g. { "seconds": 60 } for SET_INTERVAL',
      }),
    ),
    requestedBy: Type.String({ minLength: 1, description: 'user or service that asked' }),
  },
  { additionalProperties: false },
);
export type CommandV1Data = Static<typeof CommandV1Data>;

export const CommandV1 = envelopeSchema(COMMAND_V1, CommandV1Data);
export type CommandV1 = Static<typeof CommandV1>;
