// The devices a device-scoped acquisition service is configured for, read from its YAML config,
// so its NATS user may publish readings and status only for them (contracts/src/access.ts).
// deploy/generate.ts uses deploy/config/acq-modbus.yaml for compose and k8s; ./heatstream start
// passes the config it runs acq-modbus with (`node deploy/generate.ts --nats-auth FILE`), so a
// changed device list gets matching rights at the next start. Compose/k8s: edit
// deploy/config/acq-modbus.yaml, run `node deploy/generate.ts`, restart nats.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { natsAuthorization, type DeviceRef } from '@heatstream/contracts';

export class DeviceRightsError extends Error {
  override name = 'DeviceRightsError';
}

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** `devices[].{site, id}` of an acquisition config file. */
export function devicesOf(file: string): DeviceRef[] {
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DeviceRightsError(`cannot read the devices of ${file}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const list = (parsed as { devices?: unknown } | null)?.devices;
  if (!Array.isArray(list) || list.length === 0)
    throw new DeviceRightsError(`${file}: no devices list; NATS rights are granted per configured device`);
  return list.map((entry: unknown, i) => {
    const { site, id } = (entry ?? {}) as { site?: unknown; id?: unknown };
    if (typeof site !== 'string' || !ID.test(site) || typeof id !== 'string' || !ID.test(id))
      throw new DeviceRightsError(`${file}: devices[${i}] needs a site and an id matching ${ID.source}`);
    return { site, device: id };
  });
}

/** The nats-server authorization with acq-modbus limited to the devices of `acqModbusConfig`. */
export function authorizationFor(acqModbusConfig: string): string {
  return natsAuthorization({ 'acq-modbus': devicesOf(acqModbusConfig) });
}
