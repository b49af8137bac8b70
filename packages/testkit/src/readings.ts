import { makeEvent, type EventOf } from '@heatstream/contracts';

export interface SyntheticOptions {
  site: string;
  /** Devices take turns: reading i belongs to device i mod devices. */
  devices: number;
  /** Each device reads every 10 s from here. */
  start: number;
  source: string;
  model: string;
}

/** Reading i of a synthetic fleet: 12 metrics whose values and sums a test can compute. */
export function syntheticReading(i: number, o: SyntheticOptions): EventOf<'heatstream.reading.v1'> {
  const device = `dev-${i % o.devices}`;
  const n = Math.floor(i / o.devices);
  return makeEvent('heatstream.reading.v1', {
    source: o.source,
    subject: device,
    time: new Date(o.start + n * 10_000),
    data: {
      site: o.site,
      device,
      model: o.model,
      metrics: {
        flow_temp: 30 + (i % 40) * 0.25,
        return_temp: 25 + (i % 20) * 0.25,
        outside_temp: -5 + (i % 60) * 0.25,
        dhw_temp: 48 + (i % 8) * 0.5,
        flow_rate: 12 + (i % 4) * 0.25,
        elec_power: 800 + (i % 100),
        elec_energy: 100_000 + n * 2,
        heat_power: 3_000 + (i % 300),
        heat_energy: 400_000 + n * 8,
        compressor_on: i % 2,
        compressor_freq: 40 + (i % 30) * 0.5,
        defrost: i % 97 === 0 ? 1 : 0,
      },
    },
  });
}
