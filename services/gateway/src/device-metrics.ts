// GET /metrics/devices: the latest reading of every device as Prometheus series, so a Prometheus +
// Grafana stack that scrapes its own exporter today (WAGO, Modbus) can scrape heatstream instead.
// One gauge per catalogue gauge or state, one counter per catalogue counter (the `*_energy` totals,
// starts, hours), named `heatstream_device_<metric>_<unit>` with labels site, device and model;
// besides them each device's state (1 for its state, 0 for the others) and the time of its newest
// reading, to alert on a silent device. Read from QuestDB's latest values per scrape (two queries
// for the whole fleet, as the fleet table): what ingest stored, also right after a gateway restart.
import { metrics as catalogue, DeviceState, type MetricDef, type MetricName } from '@heatstream/contracts';
import type { Device, MetricValues } from '@heatstream/contracts/api';
import { snapshotText, type SnapshotFamily } from '@heatstream/runtime';

/** Prometheus' base-unit suffixes for the catalogue's units; '' where the name says it (ratios, states). */
const suffixes: Readonly<Record<string, string>> = {
  '°C': 'celsius',
  'l/min': 'liters_per_minute',
  bar: 'bar',
  W: 'watts',
  Wh: 'watt_hours',
  V: 'volts',
  A: 'amperes',
  VA: 'volt_amperes',
  Hz: 'hertz',
  h: 'hours',
  '%': 'percent',
  dBm: 'dbm',
  '1': '',
  '': '',
};

function prometheusName(def: MetricDef): string {
  const suffix = suffixes[def.unit];
  // A unit added to the catalogue needs its suffix here; failing at start-up says so at once.
  if (suffix === undefined)
    throw new Error(`no Prometheus suffix for the catalogue unit "${def.unit}" (${def.name})`);
  return ['heatstream_device', def.name, suffix].filter(Boolean).join('_');
}

const families: readonly (MetricDef & { prometheus: string })[] = Object.values(catalogue).map((def) => ({
  ...def,
  prometheus: prometheusName(def),
}));

export interface DeviceMetricsSource {
  devices(): Promise<Device[]>;
  latestAll(): Promise<Map<string, MetricValues>>;
}

export async function deviceMetricsText(source: DeviceMetricsSource): Promise<string> {
  const [devices, latest] = await Promise.all([source.devices(), source.latestAll()]);
  const labelsOf = (d: Device) => ({ site: d.site, device: d.device, model: d.model });
  const out: SnapshotFamily[] = families.map((def) => ({
    name: def.prometheus,
    help: `${def.description}${def.unit ? ` [${def.unit}]` : ''}`,
    unit: def.unit,
    kind: def.kind === 'counter' ? 'counter' : 'gauge',
    points: devices.flatMap((d) => {
      const value = latest.get(d.device)?.[def.name as MetricName];
      return typeof value === 'number' && Number.isFinite(value) ? [{ labels: labelsOf(d), value }] : [];
    }),
  }));
  out.push({
    name: 'heatstream_device_last_reading_timestamp_seconds',
    help: 'When the newest reading of the device was measured (Unix time)',
    unit: 's',
    kind: 'gauge',
    points: devices.flatMap((d) =>
      d.lastReading ? [{ labels: labelsOf(d), value: Date.parse(d.lastReading) / 1000 }] : [],
    ),
  });
  out.push({
    name: 'heatstream_device_state',
    help: "The device's state as its newest device-status said: 1 for it, 0 for the others",
    unit: '',
    kind: 'gauge',
    points: devices.flatMap((d) =>
      d.state === null
        ? []
        : Object.values(DeviceState).map((state) => ({
            labels: { site: d.site, device: d.device, state },
            value: state === d.state ? 1 : 0,
          })),
    ),
  });
  return snapshotText(out);
}
