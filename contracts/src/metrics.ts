/** How a metric behaves over time. */
export const MetricKind = {
  /** An instantaneous value. */
  gauge: 'gauge',
  /** A running total that only goes up (until the device resets it). */
  counter: 'counter',
  /** An operating state: 0/1, or integer codes documented in the description. */
  state: 'state',
} as const;
export type MetricKind = (typeof MetricKind)[keyof typeof MetricKind];

export interface MetricDef {
  name: string;
  /** UCUM-style symbol; '1' for dimensionless ratios and counts, '' for states. */
  unit: string;
  kind: MetricKind;
  description: string;
}

const g = (name: string, unit: string, description: string) =>
  ({ name, unit, kind: MetricKind.gauge, description }) as const;
const c = (name: string, unit: string, description: string) =>
  ({ name, unit, kind: MetricKind.counter, description }) as const;
const s = (name: string, description: string) =>
  ({ name, unit: '', kind: MetricKind.state, description }) as const;

/**
 * The canonical metrics. Devices map their raw registers and fields onto these names; nothing
 * downstream knows a vendor's name. Names are snake_case because they become QuestDB columns.
 */
export const metrics = {
  // Temperatures
  flow_temp: g('flow_temp', '°C', 'Heating water leaving the heat pump (flow/supply).'),
  return_temp: g('return_temp', '°C', 'Heating water returning to the heat pump.'),
  flow_target_temp: g('flow_target_temp', '°C', 'Flow temperature the controller aims for (heating curve).'),
  outside_temp: g('outside_temp', '°C', 'Outdoor air temperature.'),
  indoor_temp: g('indoor_temp', '°C', 'Room air temperature (reference room or circuit 1).'),
  dhw_temp: g('dhw_temp', '°C', 'Domestic hot water cylinder temperature.'),
  dhw_target_temp: g('dhw_target_temp', '°C', 'Domestic hot water set point.'),
  buffer_temp: g('buffer_temp', '°C', 'Buffer cylinder temperature.'),
  source_temp: g('source_temp', '°C', 'Heat source (brine, ground or air inlet) temperature.'),
  compressor_temp: g('compressor_temp', '°C', 'Compressor discharge (hot-gas) temperature.'),

  // Hydraulics and refrigerant circuit
  flow_rate: g('flow_rate', 'l/min', 'Heating water volume flow.'),
  water_pressure: g('water_pressure', 'bar', 'Heating circuit water pressure.'),
  pressure_high: g('pressure_high', 'bar', 'Refrigerant high-side pressure.'),
  pressure_low: g('pressure_low', 'bar', 'Refrigerant low-side pressure.'),

  // Heat
  heat_power: g('heat_power', 'W', 'Thermal output power.'),
  heat_energy: c('heat_energy', 'Wh', 'Thermal energy delivered, total (heat meter or vendor counter).'),
  heat_energy_heating: c(
    'heat_energy_heating',
    'Wh',
    'Thermal energy delivered for space heating, total (vendor counter, e.g. Stiebel VD HEATING).',
  ),
  heat_energy_dhw: c(
    'heat_energy_dhw',
    'Wh',
    'Thermal energy delivered for domestic hot water, total (vendor counter, e.g. Stiebel VD DHW).',
  ),

  // Electricity (totals over all phases)
  elec_power: g('elec_power', 'W', 'Active electrical input power, sum of phases; negative = export.'),
  elec_energy: c('elec_energy', 'Wh', 'Active electrical energy consumed, total.'),
  elec_energy_heating: c(
    'elec_energy_heating',
    'Wh',
    'Electrical energy the compressor consumed for space heating, total (vendor counter).',
  ),
  elec_energy_dhw: c(
    'elec_energy_dhw',
    'Wh',
    'Electrical energy the compressor consumed for domestic hot water, total (vendor counter).',
  ),
  voltage: g('voltage', 'V', 'Line-to-neutral voltage (single phase, or mean of phases).'),
  current: g('current', 'A', 'Current, sum of phase currents.'),
  power_factor: g('power_factor', '1', 'Total power factor, 0..1.'),
  frequency: g('frequency', 'Hz', 'Mains frequency.'),

  // Electricity per phase
  voltage_l1: g('voltage_l1', 'V', 'Phase L1 line-to-neutral voltage.'),
  voltage_l2: g('voltage_l2', 'V', 'Phase L2 line-to-neutral voltage.'),
  voltage_l3: g('voltage_l3', 'V', 'Phase L3 line-to-neutral voltage.'),
  current_l1: g('current_l1', 'A', 'Phase L1 current.'),
  current_l2: g('current_l2', 'A', 'Phase L2 current.'),
  current_l3: g('current_l3', 'A', 'Phase L3 current.'),
  elec_power_l1: g('elec_power_l1', 'W', 'Phase L1 active power; negative = export.'),
  elec_power_l2: g('elec_power_l2', 'W', 'Phase L2 active power; negative = export.'),
  elec_power_l3: g('elec_power_l3', 'W', 'Phase L3 active power; negative = export.'),
  apparent_power: g('apparent_power', 'VA', 'Apparent power, sum of phases.'),
  apparent_power_l1: g('apparent_power_l1', 'VA', 'Phase L1 apparent power.'),
  apparent_power_l2: g('apparent_power_l2', 'VA', 'Phase L2 apparent power.'),
  apparent_power_l3: g('apparent_power_l3', 'VA', 'Phase L3 apparent power.'),
  power_factor_l1: g('power_factor_l1', '1', 'Phase L1 power factor; negative while the phase exports.'),
  power_factor_l2: g('power_factor_l2', '1', 'Phase L2 power factor; negative while the phase exports.'),
  power_factor_l3: g('power_factor_l3', '1', 'Phase L3 power factor; negative while the phase exports.'),
  // Export and balanced totals (an energy meter with a return channel, e.g. Shelly Pro 3EM)
  elec_energy_export: c(
    'elec_energy_export',
    'Wh',
    'Active electrical energy returned to the grid, total: each phase counted on its own.',
  ),
  elec_energy_net_import: c(
    'elec_energy_net_import',
    'Wh',
    'Balanced (netted) import across the phases, total, as a utility meter counts it: per interval the phases are summed first, a surplus counts here.',
  ),
  elec_energy_net_export: c(
    'elec_energy_net_export',
    'Wh',
    'Balanced (netted) export across the phases, total: per interval the phases are summed first, a deficit counts here.',
  ),

  // Compressor
  compressor_freq: g('compressor_freq', 'Hz', 'Compressor speed (revolutions per second = Hz).'),
  compressor_starts: c('compressor_starts', '1', 'Compressor starts, total.'),
  compressor_hours: c('compressor_hours', 'h', 'Compressor running hours, total.'),

  // Operating states
  compressor_on: s('compressor_on', '1 = compressor running, 0 = stopped.'),
  defrost: s('defrost', '1 = defrost cycle active.'),
  heating_mode: s('heating_mode', '1 = the heat pump is producing heat for space heating.'),
  dhw_mode: s('dhw_mode', '1 = the heat pump is producing domestic hot water.'),
  cooling_mode: s('cooling_mode', '1 = the heat pump is cooling.'),
  pump_on: s('pump_on', '1 = heating circulation pump running.'),
  backup_heater_on: s('backup_heater_on', '1 = electric backup/immersion heater running.'),
  error_code: s('error_code', "Vendor fault number; 0 = no fault. Meaning depends on the device's model."),
  operating_mode: s(
    'operating_mode',
    'Selected operating mode: 0 = off/standby, 1 = heating, 2 = hot water only, 3 = hot water and heating, 4 = cooling, 5 = heating and cooling, 6 = hot water, heating and cooling.',
  ),
  // A vendor's seasonal figure (Viessmann heating.spf.total): reported, not derived by cop.
  spf: g('spf', '1', 'Seasonal performance factor the heat pump itself reports.'),

  // Room climate (room sensors, e.g. Shelly BLU H&T)
  indoor_humidity: g('indoor_humidity', '%', 'Relative humidity of the room air.'),

  // Device health
  signal_rssi: g(
    'signal_rssi',
    'dBm',
    "Radio signal strength: the cellular modem's, or a Bluetooth sensor's as its gateway hears it.",
  ),
  battery_level: g('battery_level', '%', "A battery-powered sensor's remaining charge."),
} as const satisfies Readonly<Record<string, MetricDef>>;

export type MetricName = keyof typeof metrics;

export const metricNames: readonly MetricName[] = Object.freeze(Object.keys(metrics) as MetricName[]);

/** Every unit the catalogue uses. */
export const units: ReadonlySet<string> = new Set(Object.values(metrics).map((m) => m.unit));

export function isMetricName(s: string): s is MetricName {
  return Object.hasOwn(metrics, s);
}
