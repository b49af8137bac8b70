// Start-up resolution of the configured devices: devices on one serial port must agree on its
// settings (one port, opened once), and every conflict is named with both devices and the setting.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StartupError } from '@heatstream/runtime';
import type { DeviceConfig } from './config.ts';
import { resolveDevices } from './definitions.ts';

const rtu = (id: string, extra: Partial<DeviceConfig> = {}): DeviceConfig => ({
  id,
  site: 'home',
  definition: 'wago-879-30xx',
  transport: 'rtu',
  path: '/dev/ttyUSB0',
  ...extra,
});

const startupError = (devices: DeviceConfig[]): StartupError => {
  try {
    resolveDevices(devices);
  } catch (error) {
    if (error instanceof StartupError) return error;
    throw error;
  }
  assert.fail('resolveDevices accepted the devices');
};

void describe('resolveDevices', () => {
  void it('lets devices share a serial port with the same settings, defaults included', () => {
    const resolved = resolveDevices([
      rtu('meter'),
      rtu('lg', { definition: 'lg-therma-v-r290', baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 }),
    ]);
    assert.deepEqual(
      resolved.map((d) => d.endpoint.serial),
      [
        { baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 },
        { baudRate: 9600, parity: 'none', dataBits: 8, stopBits: 1 },
      ],
    );
  });

  void it('refuses devices on one serial port with different settings, naming both and each setting', () => {
    const error = startupError([
      rtu('meter', { baudRate: 19200 }),
      rtu('lg', { definition: 'lg-therma-v-r290', parity: 'even', stopBits: 1 }),
      rtu('other-bus', { path: '/dev/ttyUSB1', baudRate: 38400 }),
    ]);
    assert.match(
      error.message,
      /devices\[1\] \(lg\): serial port \/dev\/ttyUSB0 is shared with devices\[0\] \(meter\) with other settings: baudRate 9600 where meter has 19200, parity even where meter has none/,
    );
    assert.doesNotMatch(error.message, /stopBits|other-bus/, 'only what differs, only on the shared port');
  });

  void it('reports a serial conflict together with the other problems', () => {
    const error = startupError([
      rtu('meter', { dataBits: 7 }),
      rtu('lg', { definition: 'lg-therma-v-r290' }),
      { id: 'hp', site: 'home', definition: 'no-such-model', transport: 'tcp', host: '127.0.0.1' },
    ]);
    assert.match(error.message, /devices\[1\] \(lg\): .* dataBits 8 where meter has 7/);
    assert.match(error.message, /devices\[2\] \(hp\)\.definition: unknown "no-such-model"/);
  });

  void it('keeps devices on TCP apart from serial settings', () => {
    const [device] = resolveDevices([
      { id: 'wpm', site: 'home', definition: 'stiebel-eltron-wpm', transport: 'tcp', host: '127.0.0.1' },
    ]);
    assert.equal(device?.endpoint.serial, undefined);
  });
});
