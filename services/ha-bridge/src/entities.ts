// Catalogue metrics as Home Assistant entities: which component (sensor or binary_sensor), device
// class, unit and state class each becomes. Derived from the catalogue's unit and kind, so a new
// metric gets an entity without an edit here; a unit with no mapping fails entities.test.ts.
// Device classes and units as Home Assistant documents them for MQTT sensors
// (https://www.home-assistant.io/integrations/sensor/#device-class).
import { metrics, MetricKind, type MetricName } from '@heatstream/contracts';

export const Component = { sensor: 'sensor', binarySensor: 'binary_sensor' } as const;
export type Component = (typeof Component)[keyof typeof Component];

export interface EntityDescription {
  component: Component;
  /** The entity's name under its device, e.g. "Flow temperature". */
  name: string;
  deviceClass?: string;
  /** Home Assistant's unit symbol. */
  unit?: string;
  stateClass?: 'measurement' | 'total_increasing';
  /** Jinja template reading the value out of the device's state JSON. */
  valueTemplate: string;
}

/** Catalogue unit → Home Assistant device class and unit (energy is published in kWh). */
const byUnit: Readonly<Record<string, { deviceClass?: string; unit?: string; scale?: number }>> = {
  '°C': { deviceClass: 'temperature', unit: '°C' },
  W: { deviceClass: 'power', unit: 'W' },
  // Home Assistant's energy dashboard and statistics expect kWh; the catalogue counts Wh.
  Wh: { deviceClass: 'energy', unit: 'kWh', scale: 1 / 1000 },
  V: { deviceClass: 'voltage', unit: 'V' },
  A: { deviceClass: 'current', unit: 'A' },
  Hz: { deviceClass: 'frequency', unit: 'Hz' },
  VA: { deviceClass: 'apparent_power', unit: 'VA' },
  bar: { deviceClass: 'pressure', unit: 'bar' },
  'l/min': { deviceClass: 'volume_flow_rate', unit: 'L/min' },
  '%': { deviceClass: 'humidity', unit: '%' },
  dBm: { deviceClass: 'signal_strength', unit: 'dBm' },
  h: { deviceClass: 'duration', unit: 'h' },
  '1': {},
};

/** Per-metric exceptions to the unit's mapping. */
const overrides: Partial<Record<MetricName, { deviceClass?: string }>> = {
  battery_level: { deviceClass: 'battery' },
  power_factor: { deviceClass: 'power_factor' },
  power_factor_l1: { deviceClass: 'power_factor' },
  power_factor_l2: { deviceClass: 'power_factor' },
  power_factor_l3: { deviceClass: 'power_factor' },
};

/** States that are codes, not on/off: sensors showing the number. */
const codedStates: ReadonlySet<MetricName> = new Set(['error_code', 'operating_mode']);

const words: Readonly<Record<string, string>> = {
  temp: 'temperature',
  elec: 'electric',
  dhw: 'hot water',
  freq: 'frequency',
  rssi: 'RSSI',
  spf: 'SPF',
  l1: 'L1',
  l2: 'L2',
  l3: 'L3',
  on: '',
};

/** "flow_target_temp" → "Flow target temperature". */
export function entityName(metric: string): string {
  const text = metric
    .split('_')
    .map((w) => words[w] ?? w)
    .filter((w) => w !== '')
    .join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export class EntityError extends Error {
  override readonly name = 'EntityError';
}

export function describeMetric(metric: MetricName): EntityDescription {
  const def = metrics[metric];
  const name = entityName(metric);
  if (def.kind === MetricKind.state && !codedStates.has(metric)) {
    return {
      component: Component.binarySensor,
      name,
      deviceClass: 'running',
      valueTemplate: `{{ 'ON' if value_json.${metric} == 1 else 'OFF' }}`,
    };
  }
  if (def.kind === MetricKind.state) {
    return { component: Component.sensor, name, valueTemplate: `{{ value_json.${metric} }}` };
  }
  const mapped = byUnit[def.unit];
  if (mapped === undefined)
    throw new EntityError(`metric ${metric}: no Home Assistant unit for "${def.unit}"`);
  const deviceClass = overrides[metric]?.deviceClass ?? mapped.deviceClass;
  return {
    component: Component.sensor,
    name,
    ...(deviceClass ? { deviceClass } : {}),
    ...(mapped.unit ? { unit: mapped.unit } : {}),
    stateClass: def.kind === MetricKind.counter ? 'total_increasing' : 'measurement',
    valueTemplate:
      mapped.scale === undefined
        ? `{{ value_json.${metric} }}`
        : `{{ (value_json.${metric} * ${mapped.scale}) | round(6) }}`,
  };
}
