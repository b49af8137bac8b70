// commands.v1.<site>.<device> → `heatpump/<id>/cmd` (QoS 1). The device answers on
// `heatpump/<id>/cmd/result`, which the receiver records as command-result.v1.
import { Value } from '@sinclair/typebox/value';
import { CellularCommandV1, type CommandV1 } from '@heatstream/contracts';
import type { MessageHandler } from '@heatstream/runtime';
import type { InventoryDevice } from './inventory.ts';

/** A command for a device this service does not serve: dead-lettered, never retried. */
export class UnknownDeviceError extends Error {
  override readonly name = 'UnknownDeviceError';
}

/** A command whose arguments the firmware would not take (cellular-command.v1): dead-lettered after its retries. */
export class CommandArgsError extends Error {
  override readonly name = 'CommandArgsError';
}

export const commandTopic = (device: string): string => `heatpump/${device}/cmd`;

export function commandHandler(
  devices: ReadonlyMap<string, InventoryDevice>,
  publish: (topic: string, payload: string) => Promise<void>,
): MessageHandler {
  return async (event, delivery) => {
    const command = event as CommandV1;
    const { site, device } = command.data;
    const known = devices.get(device);
    if (!known || known.site !== site) {
      throw new UnknownDeviceError(`command for ${site}/${device}: no such cellular device in the inventory`);
    }
    const payload = {
      id: command.id,
      command: command.data.command,
      ...(command.data.args ? { args: command.data.args } : {}),
    };
    // command.v1 allows any arguments; the firmware knows only its own (SET_INTERVAL's seconds).
    if (!Value.Check(CellularCommandV1, payload)) {
      const first = [...Value.Errors(CellularCommandV1, payload)][0];
      throw new CommandArgsError(
        `command ${command.id} for ${device} is not what the firmware takes: ${first?.path || '/'} ${first?.message}`,
      );
    }
    // A broker outage throws: the consumer naks with backoff and tries again.
    await publish(commandTopic(device), JSON.stringify(payload));
    delivery.log.info(
      { device, command: payload.command, commandId: command.id },
      'command sent to the device',
    );
  };
}
