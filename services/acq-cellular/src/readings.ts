// A cellular batch → reading.v1 events under each reading's own measurement time. The event id is
// derived from site, device and time, so a batch sent twice yields the same ids: JetStream drops the
// repeat within its duplicate window, and QuestDB's DEDUP UPSERT KEYS (timestamp, device) in ingest
// keeps one row after it.
import { createHash } from 'node:crypto';
import {
  makeEvent,
  newEventId,
  type CellularReading,
  type CellularSensor,
  type MetricName,
  type ReadingV1,
} from '@heatstream/contracts';

export const CELLULAR_MODEL = 'esp32-sim800c';

// 1 psi = 6894.757 Pa (NIST SP 811); the catalogue's pressures are bar.
const PSI_TO_BAR = 0.06894757;

/** Firmware sensor → catalogue metric, and the factor into the catalogue's unit. */
const sensorMetrics: Readonly<Record<CellularSensor, readonly [MetricName, number]>> = {
  // The inlet is the heating water coming back to the unit, the outlet what it sends out.
  inletTemp: ['return_temp', 1],
  outletTemp: ['flow_temp', 1],
  ambientTemp: ['outside_temp', 1],
  compressorTemp: ['compressor_temp', 1],
  voltage: ['voltage', 1],
  current: ['current', 1],
  power: ['elec_power', 1],
  pressureHigh: ['pressure_high', PSI_TO_BAR],
  pressureLow: ['pressure_low', PSI_TO_BAR],
};

export const metricOfSensor = (sensor: CellularSensor): MetricName => sensorMetrics[sensor][0];
export const toCatalogueUnit = (sensor: CellularSensor, value: number): number =>
  round(value * sensorMetrics[sensor][1]);

const round = (value: number): number => Math.round(value * 1e4) / 1e4;

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID with the measurement time (ms) as its time part and the rest from a hash of what it measured. */
export function readingId(site: string, device: string, timeMs: number): string {
  const digest = createHash('sha256')
    .update(`${site}/${device}/${timeMs / 1000}`)
    .digest();
  let random = '';
  for (let i = 0; i < 16; i++) random += CROCKFORD.charAt((digest[i] ?? 0) & 31);
  return newEventId(timeMs).slice(0, 10) + random;
}

export interface Converted {
  event: ReadingV1;
  /** Sensors flagged invalid (or null) and therefore left out. */
  dropped: CellularSensor[];
}

/**
 * One reading's event. A sensor flagged invalid (the firmware sends it as null) is left out — never stored as 0, which would look like a real (and
 * alarming) value. `signalDbm` is the batch's modem signal, given to the reading it belongs with.
 */
export function toReadingEvent(
  source: string,
  site: string,
  device: string,
  reading: CellularReading,
  signalDbm: number | null = null,
): Converted {
  const metrics: Partial<Record<MetricName, number>> = {};
  const dropped: CellularSensor[] = [];
  for (const sensor of Object.keys(sensorMetrics) as CellularSensor[]) {
    const value = reading[sensor];
    if (value === null || !reading.valid[sensor]) {
      dropped.push(sensor);
      continue;
    }
    metrics[metricOfSensor(sensor)] = toCatalogueUnit(sensor, value);
  }
  metrics.compressor_on = reading.compressor ? 1 : 0;
  metrics.defrost = reading.defrost ? 1 : 0;
  // The fan state has no catalogue metric yet; it is accepted and not stored (service README).
  if (signalDbm !== null) metrics.signal_rssi = signalDbm;
  const timeMs = Date.parse(reading.time);
  const event = makeEvent('heatstream.reading.v1', {
    source,
    subject: device,
    id: readingId(site, device, timeMs),
    time: new Date(timeMs),
    data: { site, device, model: CELLULAR_MODEL, metrics },
  });
  return { event, dropped };
}
