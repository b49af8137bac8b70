import { Type, type Static } from '@sinclair/typebox';
import { envelopeSchema } from '../envelope.ts';
import { Id, StringEnum } from '../schema.ts';
import { DeviceCommand } from './command.v1.ts';

export const COMMAND_RESULT_V1 = 'heatstream.command-result.v1';

/** A device's answer to a heatstream.command.v1, as the device sent it (`heatpump/<id>/cmd/result`). */
export const CommandResultV1Data = Type.Object(
  {
    site: Id('site id'),
    device: Id('device id'),
    commandId: Type.String({ minLength: 1, description: 'id of the heatstream.command.v1 event answered' }),
    command: StringEnum(DeviceCommand),
    ok: Type.Boolean({ description: 'false when the device refused or failed the command' }),
    text: Type.String({ description: "the device's answer for people, e.g. the STATUS report" }),
  },
  { additionalProperties: false },
);
export type CommandResultV1Data = Static<typeof CommandResultV1Data>;

export const CommandResultV1 = envelopeSchema(COMMAND_RESULT_V1, CommandResultV1Data);
export type CommandResultV1 = Static<typeof CommandResultV1>;
