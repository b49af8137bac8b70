// Resolves every configured device to a validated definition and a link, or fails start-up listing
// every problem (unknown ids, bad YAML maps, missing host or path, devices on one serial port that
// disagree on its settings) at once.
import { StartupError } from '@heatstream/runtime';
import {
  catalogue,
  definitionProblems,
  DefinitionError,
  findDefinition,
  loadDefinitionFile,
  type ModbusDefinition,
} from '@heatstream/devices';
import type { DeviceConfig, ProxyConfig } from './config.ts';
import { serialDefaults, type Endpoint, type SerialSettings } from './connection.ts';

export interface ResolvedDevice {
  config: DeviceConfig;
  definition: ModbusDefinition;
  endpoint: Endpoint;
}

export function resolveDevices(
  devices: readonly DeviceConfig[],
  proxies: readonly ProxyConfig[] = [],
): ResolvedDevice[] {
  const problems: string[] = [];
  const resolved: ResolvedDevice[] = [];
  const ids = new Set<string>();
  devices.forEach((device, i) => {
    const at = `devices[${i}] (${device.id})`;
    if (ids.has(device.id)) problems.push(`${at}.id: duplicate device id`);
    ids.add(device.id);
    let definition: ModbusDefinition | undefined;
    if ((device.definition === undefined) === (device.map === undefined)) {
      problems.push(`${at}: set exactly one of definition (a catalogue id) or map (a YAML file)`);
    } else if (device.definition !== undefined) {
      definition = findDefinition(device.definition);
      if (!definition) {
        problems.push(
          `${at}.definition: unknown "${device.definition}"; known: ${catalogue.map((d) => d.id).join(', ')}`,
        );
      } else {
        problems.push(...definitionProblems(definition).map((p) => `${at}: ${p}`));
      }
    } else if (device.map !== undefined) {
      try {
        definition = loadDefinitionFile(device.map);
      } catch (error) {
        if (!(error instanceof DefinitionError)) throw error;
        problems.push(...error.problems.map((p) => `${at}.map: ${p}`));
      }
    }
    if (device.transport === 'rtu' && device.path === undefined)
      problems.push(`${at}.path: required for rtu`);
    if (device.transport !== 'rtu' && device.host === undefined) {
      problems.push(`${at}.host: required for ${device.transport}`);
    }
    if (definition) {
      resolved.push({
        config: device,
        definition,
        endpoint: {
          transport: device.transport,
          host: device.host,
          port: device.port,
          path: device.path,
          serial: device.transport === 'rtu' ? serialSettings(device) : undefined,
        },
      });
    }
  });
  problems.push(...serialConflicts(devices));
  proxies.forEach((proxy, i) => {
    if (!ids.has(proxy.device)) problems.push(`proxies[${i}].device: no configured device "${proxy.device}"`);
  });
  if (problems.length > 0) {
    throw new StartupError(`invalid devices:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return resolved;
}

const serialSettings = (device: DeviceConfig): SerialSettings => ({
  baudRate: device.baudRate ?? serialDefaults.baudRate,
  parity: device.parity ?? serialDefaults.parity,
  dataBits: device.dataBits ?? serialDefaults.dataBits,
  stopBits: device.stopBits ?? serialDefaults.stopBits,
});

/**
 * Devices on one serial port share one link, opened once with one set of settings: a device that
 * asks for other settings would be polled at the wrong baud rate or framing and never answer, so
 * start-up refuses it, naming both devices and each setting that differs.
 */
function serialConflicts(devices: readonly DeviceConfig[]): string[] {
  const problems: string[] = [];
  const first = new Map<string, { at: string; id: string; settings: SerialSettings }>();
  devices.forEach((device, i) => {
    if (device.transport !== 'rtu' || device.path === undefined) return;
    const at = `devices[${i}] (${device.id})`;
    const settings = serialSettings(device);
    const earlier = first.get(device.path);
    if (!earlier) {
      first.set(device.path, { at, id: device.id, settings });
      return;
    }
    const keys = Object.keys(settings) as (keyof SerialSettings)[];
    const differ = keys
      .filter((k) => settings[k] !== earlier.settings[k])
      .map((k) => `${k} ${String(settings[k])} where ${earlier.id} has ${String(earlier.settings[k])}`);
    if (differ.length > 0) {
      problems.push(
        `${at}: serial port ${device.path} is shared with ${earlier.at} with other settings: ${differ.join(', ')}`,
      );
    }
  });
  return problems;
}
