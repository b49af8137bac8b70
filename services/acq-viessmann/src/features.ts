// Vitocal features → catalogue metrics, as data: for each metric the features to read in order of
// preference (new name before the deprecated one: dhwCylinder before hotWaterStorage, spf before
// scop, protocols.md §0) and how to turn the property into the catalogue's unit. A device that
// lacks a feature (energy summaries are rare, §0) simply publishes what it has.
import type { MetricName } from '@heatstream/contracts';

export interface Feature {
  feature: string;
  properties: Record<string, { type?: string; value?: unknown; unit?: string }>;
  deprecated?: { info?: string; removalDate?: string };
}

type Read = (f: Feature) => number | undefined;

const numberOf =
  (property: string, scale = 1): Read =>
  (f) => {
    const v = f.properties[property]?.value;
    return typeof v === 'number' && Number.isFinite(v) ? Math.round(v * scale * 1000) / 1000 : undefined;
  };
const flag =
  (property: string): Read =>
  (f) => {
    const v = f.properties[property]?.value;
    return typeof v === 'boolean' ? (v ? 1 : 0) : undefined;
  };
const onOff =
  (property: string): Read =>
  (f) => {
    const v = f.properties[property]?.value;
    return v === 'on' ? 1 : v === 'off' ? 0 : undefined;
  };
const OPERATING_MODES: Record<string, number> = {
  standby: 0,
  off: 0,
  heating: 1,
  dhw: 2,
  dhwAndHeating: 3,
  cooling: 4,
  heatingCooling: 5,
  dhwAndHeatingCooling: 6,
};
const mode: Read = (f) => {
  const v = f.properties.value?.value;
  return typeof v === 'string' ? OPERATING_MODES[v] : undefined;
};
// Summaries are kWh with 0.1 resolution; the catalogue counts Wh. currentYear is the one that only
// grows (until 1 January, when it restarts from 0 like a replaced meter).
const kwhYear = numberOf('currentYear', 1000);

interface Mapping {
  metric: MetricName;
  features: readonly string[];
  read: Read;
}

export const vitocalMappings: readonly Mapping[] = [
  { metric: 'outside_temp', features: ['heating.sensors.temperature.outside'], read: numberOf('value') },
  {
    metric: 'flow_temp',
    features: [
      'heating.secondaryCircuit.sensors.temperature.supply',
      'heating.circuits.0.sensors.temperature.supply',
      'heating.boiler.sensors.temperature.commonSupply',
    ],
    read: numberOf('value'),
  },
  {
    metric: 'return_temp',
    features: ['heating.sensors.temperature.return', 'heating.secondaryCircuit.sensors.temperature.return'],
    read: numberOf('value'),
  },
  {
    metric: 'dhw_temp',
    features: [
      'heating.dhw.sensors.temperature.dhwCylinder',
      'heating.dhw.sensors.temperature.hotWaterStorage',
    ],
    read: numberOf('value'),
  },
  { metric: 'dhw_target_temp', features: ['heating.dhw.temperature.main'], read: numberOf('value') },
  { metric: 'compressor_on', features: ['heating.compressors.0'], read: flag('active') },
  // revolutions per second = Hz (the catalogue's compressor_freq).
  { metric: 'compressor_freq', features: ['heating.compressors.0.speed.current'], read: numberOf('value') },
  {
    metric: 'elec_power',
    features: ['heating.compressors.0.power.consumption.current'],
    read: numberOf('value', 1000),
  },
  {
    metric: 'heat_power',
    features: ['heating.compressors.0.heat.production.current'],
    read: numberOf('value'),
  },
  { metric: 'compressor_hours', features: ['heating.compressors.0.statistics'], read: numberOf('hours') },
  { metric: 'compressor_starts', features: ['heating.compressors.0.statistics'], read: numberOf('starts') },
  { metric: 'backup_heater_on', features: ['heating.heatingRod'], read: flag('active') },
  {
    metric: 'pump_on',
    features: ['heating.circuits.0.circulation.pump', 'heating.dhw.pumps.circulation'],
    read: onOff('status'),
  },
  { metric: 'operating_mode', features: ['heating.circuits.0.operating.modes.active'], read: mode },
  { metric: 'elec_energy_heating', features: ['heating.power.consumption.summary.heating'], read: kwhYear },
  { metric: 'elec_energy_dhw', features: ['heating.power.consumption.summary.dhw'], read: kwhYear },
  { metric: 'heat_energy_heating', features: ['heating.heat.production.summary.heating'], read: kwhYear },
  { metric: 'heat_energy_dhw', features: ['heating.heat.production.summary.dhw'], read: kwhYear },
  { metric: 'spf', features: ['heating.spf.total', 'heating.scop.total'], read: numberOf('value') },
];

// What the frozen-consumption check watches: while the compressor runs, the electricity summaries
// (heating + hot water together: one of them rests while the other runs) and the heat summaries.
const summaryGroups: readonly { metrics: readonly MetricName[]; features: string }[] = [
  {
    metrics: ['elec_energy_heating', 'elec_energy_dhw'],
    features: 'heating.power.consumption.summary.{heating,dhw}',
  },
  {
    metrics: ['heat_energy_heating', 'heat_energy_dhw'],
    features: 'heating.heat.production.summary.{heating,dhw}',
  },
];

export type Values = Partial<Record<MetricName, number>>;

export interface Mapped {
  values: Values;
  /** The feature each value came from. */
  from: Partial<Record<MetricName, string>>;
  deprecated: { feature: string; removalDate: string; info: string }[];
}

/** A features answer must be `{data: [{feature, properties}]}`; anything else is malformed. */
export function parseFeatures(body: unknown): Feature[] | string {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { data?: unknown }).data))
    return 'features answer without a data array';
  const data = (body as { data: unknown[] }).data;
  for (const [i, f] of data.entries()) {
    if (typeof f !== 'object' || f === null) return `data[${i}] is no object`;
    const { feature, properties } = f as { feature?: unknown; properties?: unknown };
    if (typeof feature !== 'string') return `data[${i}].feature is no string`;
    if (typeof properties !== 'object' || properties === null || Array.isArray(properties))
      return `data[${i}] (${feature}): properties is no object`;
  }
  return data as Feature[];
}

export function mapFeatures(features: readonly Feature[]): Mapped {
  const byName = new Map(features.map((f) => [f.feature, f]));
  const values: Values = {};
  const from: Partial<Record<MetricName, string>> = {};
  for (const m of vitocalMappings) {
    for (const name of m.features) {
      const f = byName.get(name);
      const v = f ? m.read(f) : undefined;
      if (v === undefined) continue;
      values[m.metric] = v;
      from[m.metric] = name;
      break;
    }
  }
  // Totals where both halves are there: what cop and the dashboard read.
  for (const [total, a, b] of [
    ['elec_energy', 'elec_energy_heating', 'elec_energy_dhw'],
    ['heat_energy', 'heat_energy_heating', 'heat_energy_dhw'],
  ] as const) {
    const x = values[a];
    const y = values[b];
    if (x !== undefined && y !== undefined) values[total] = Math.round(x + y);
  }
  const deprecated = features.flatMap((f) =>
    f.deprecated
      ? [
          {
            feature: f.feature,
            removalDate: f.deprecated.removalDate ?? 'unknown',
            info: f.deprecated.info ?? '',
          },
        ]
      : [],
  );
  return { values, from, deprecated };
}

/**
 * Summaries that stop moving while the compressor runs: the frozen-consumption fault of Viessmann
 * gateways (core#130271), which only a gateway restart cures. A summary is frozen once the
 * compressor has run `afterMs` in total since it last changed.
 */
export class FrozenWatch {
  readonly #afterMs: number;
  readonly #last = new Map<string, { value: number; runningMs: number }>();
  #lastTime: number | undefined;

  constructor(afterMs: number) {
    this.#afterMs = afterMs;
  }

  /** The summary features frozen as of this poll. */
  check(values: Values, time: number): string[] {
    const running = values.compressor_on === 1;
    const dt = this.#lastTime === undefined ? 0 : Math.max(0, time - this.#lastTime);
    this.#lastTime = time;
    const frozen: string[] = [];
    for (const group of summaryGroups) {
      const present = group.metrics.map((m) => values[m]).filter((v) => v !== undefined);
      if (present.length === 0) continue;
      const value = present.reduce((a, b) => a + b, 0);
      const seen = this.#last.get(group.features);
      if (!seen || seen.value !== value) {
        this.#last.set(group.features, { value, runningMs: 0 });
        continue;
      }
      if (running) seen.runningMs += dt;
      if (seen.runningMs >= this.#afterMs) frozen.push(group.features);
    }
    return frozen;
  }
}
