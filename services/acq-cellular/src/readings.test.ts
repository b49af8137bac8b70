// The batch → reading mapping: catalogue names and units, invalid sensors left out (never 0), ids
// that repeat for the same device and time and differ otherwise.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { events } from '@heatstream/contracts';
import { reading } from '../test/wire.ts';
import { readingId, toReadingEvent } from './readings.ts';

const ts = Math.floor(Date.UTC(2026, 11, 1, 3, 0, 0) / 1000);

describe('cellular readings', () => {
  test('map onto the catalogue in its units, under the measurement time', () => {
    const { event, dropped } = toReadingEvent(
      'acq-cellular/test',
      'remote',
      'remote-1',
      reading(ts, {
        inletTemp: 38.5,
        outletTemp: 44,
        ambientTemp: -3.25,
        compressorTemp: 72,
        voltage: 231,
        current: 6.2,
        power: 1430,
        pressureHigh: 400,
        pressureLow: 40,
      }),
      -85,
    );
    assert.deepEqual(events.validate('heatstream.reading.v1', event), []);
    assert.equal(event.time, '2026-12-01T03:00:00.000Z');
    assert.deepEqual(dropped, []);
    assert.deepEqual(event.data.metrics, {
      return_temp: 38.5,
      flow_temp: 44,
      outside_temp: -3.25,
      compressor_temp: 72,
      voltage: 231,
      current: 6.2,
      elec_power: 1430,
      pressure_high: 27.579,
      pressure_low: 2.7579,
      compressor_on: 1,
      defrost: 0,
      signal_rssi: -85,
    });
  });

  test('a sensor flagged invalid (null) is left out, not stored as 0; no signal, no signal_rssi', () => {
    const { event, dropped } = toReadingEvent(
      'acq-cellular/test',
      'remote',
      'remote-1',
      reading(ts, {}, ['inletTemp', 'pressureLow']),
    );
    assert.equal(event.data.metrics.return_temp, undefined);
    assert.equal(event.data.metrics.pressure_low, undefined);
    assert.equal(event.data.metrics.signal_rssi, undefined);
    assert.equal(event.data.metrics.voltage, 230);
    assert.deepEqual(dropped, ['inletTemp', 'pressureLow']);
    // A value the firmware sent but flagged invalid is dropped too, whatever it says.
    const flagged = { ...reading(ts), inletTemp: 0 };
    flagged.valid.inletTemp = false;
    const second = toReadingEvent('acq-cellular/test', 'remote', 'remote-1', flagged);
    assert.equal(second.event.data.metrics.return_temp, undefined);
    assert.deepEqual(second.dropped, ['inletTemp']);
  });

  test('ids are ULIDs of the measurement time, the same for the same device and time', () => {
    const ms = ts * 1000;
    const id = readingId('remote', 'remote-1', ms);
    assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(readingId('remote', 'remote-1', ms), id);
    assert.notEqual(readingId('remote', 'remote-2', ms), id);
    assert.notEqual(readingId('remote', 'remote-1', ms + 10_000), id);
    // Sortable by time: a later reading's id sorts after.
    assert.ok(readingId('remote', 'remote-1', ms + 10_000) > id);
    assert.equal(toReadingEvent('s', 'remote', 'remote-1', reading(ts)).event.id, id);
  });
});
