// The model's state as catalogue metrics: what a heat pump controller and an electricity meter on
// its supply would report. Every simulated device encodes from this one set of values.
import type { MetricName } from '@heatstream/contracts';
import { Mode, type HouseState, type HouseOptions } from './house.ts';

export type MetricValues = Partial<Record<MetricName, number>>;

const round = (v: number, decimals: number): number => Number(v.toFixed(decimals));

export function metricValues(s: Readonly<HouseState>, o: HouseOptions): MetricValues {
  const running = s.mode !== Mode.off;
  const powerFactor = running ? 0.97 : 0.5;
  // Mains voltage wanders a little with the time of day; phases differ by a volt or two.
  const volts = 230 + 2 * Math.sin(s.timeMs / 3_600_000);
  const phaseW = s.elecW / 3;
  const amps = phaseW / (volts * powerFactor);
  return {
    outside_temp: round(s.outsideC, 1),
    indoor_temp: round(s.indoorC, 1),
    flow_temp: round(s.flowC, 1),
    return_temp: round(s.returnC, 1),
    flow_target_temp: round(s.flowTargetC, 1),
    dhw_temp: round(s.dhwC, 1),
    dhw_target_temp: o.dhw.targetC,
    source_temp: round(s.outsideC, 1),
    flow_rate: running ? o.flowRateLpm : 0,
    water_pressure: 1.8,
    heat_power: round(s.heatW, 0),
    heat_energy: Math.floor(s.heatWh),
    heat_energy_heating: Math.floor(s.heatWhHeating),
    heat_energy_dhw: Math.floor(s.heatWhDhw),
    elec_power: round(s.elecW, 1),
    elec_energy: Math.floor(s.elecWh),
    elec_energy_heating: Math.floor(s.elecWhHeating),
    elec_energy_dhw: Math.floor(s.elecWhDhw),
    elec_power_l1: round(phaseW, 1),
    elec_power_l2: round(phaseW, 1),
    elec_power_l3: round(phaseW, 1),
    voltage: round(volts, 1),
    voltage_l1: round(volts, 1),
    voltage_l2: round(volts + 1.2, 1),
    voltage_l3: round(volts - 0.8, 1),
    current: round(amps * 3, 2),
    current_l1: round(amps, 2),
    current_l2: round(amps, 2),
    current_l3: round(amps, 2),
    power_factor: powerFactor,
    frequency: 50,
    compressor_freq: s.compressorHz,
    compressor_starts: s.compressorStarts,
    compressor_hours: Math.floor(s.compressorHours),
    compressor_on: running ? 1 : 0,
    defrost: s.mode === Mode.defrost ? 1 : 0,
    heating_mode: s.mode === Mode.heating ? 1 : 0,
    dhw_mode: s.mode === Mode.dhw ? 1 : 0,
    cooling_mode: 0,
    pump_on: running ? 1 : 0,
    backup_heater_on: 0,
    error_code: 0,
  };
}
