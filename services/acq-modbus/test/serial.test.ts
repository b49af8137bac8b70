// RTU on a serial port: acq-modbus opens a pseudo-terminal as its serial device; the other side is
// bridged to pymodbus speaking RTU framing, so the bytes on the "wire" are real RTU frames.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eventually, fileFixture, natsFixture, serviceFixture, tempDir } from '@heatstream/testkit';
import { lgThermaVR290 } from '@heatstream/devices';
import { acqModbus } from '../src/service.ts';
import {
  deviceImage,
  readingsOf,
  recordEvents,
  startPymodbus,
  startSerialBridge,
  type Seen,
} from './helpers.ts';

const values = {
  compressor_on: 0,
  pump_on: 1,
  defrost: 1,
  dhw_mode: 0,
  cooling_mode: 0,
  backup_heater_on: 1,
  error_code: 0,
  return_temp: 24.1,
  flow_temp: 22.9,
  indoor_temp: 19.5,
  flow_rate: 17.2,
  outside_temp: -2.4,
  water_pressure: 1.6,
  compressor_freq: 0,
  flow_target_temp: 38.5,
  dhw_target_temp: 50,
};

const nats = fileFixture(() => natsFixture());
const peer = fileFixture(() => startPymodbus({ 7: deviceImage(lgThermaVR290, values) }, { framer: 'rtu' }));
const bridge = fileFixture(() => startSerialBridge(peer.port));
let recorder: { seen: Seen[] };
fileFixture(async () => {
  recorder = await recordEvents(nats);
  return serviceFixture(acqModbus, {
    env: nats.env({
      HS_OUTBOX__DIR: await tempDir('acq-modbus-serial-outbox'),
      HS_DEVICES: JSON.stringify([
        // LGR's code uses unit id 7 where the documentation says 5: the config decides.
        {
          id: 'lg',
          site: 'home',
          definition: 'lg-therma-v-r290',
          transport: 'rtu',
          path: bridge.path,
          unitId: 7,
          intervalMs: 300,
        },
      ]),
    }),
  });
});

test('reads an LG over RTU on a serial port', async () => {
  const reading = await eventually('a reading', () => readingsOf(recorder.seen, 'lg')[0]);
  assert.deepEqual(reading.event.data.metrics, values);
});
