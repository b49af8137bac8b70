// Which numbers of a reading feed one heat source, under the names the COP works with. Nothing
// here knows a vendor: the inputs are catalogue metrics of the devices the source names.
import { HeatSource, type MetricName } from '@heatstream/contracts';
import {
  EnergyFrom,
  heatFrom,
  WATER_CP_J_PER_KG_K,
  WATER_DENSITY_KG_PER_L,
  type CopSource,
} from './config.ts';

/** Per-sample inputs: power gauges (W), cumulative counters (Wh), and the operating-mode states. */
export const Channel = {
  elecW: 'elecW',
  heatW: 'heatW',
  elecWh: 'elecWh',
  heatWh: 'heatWh',
  dhw: 'dhw',
  cooling: 'cooling',
  /** Reported beside the COP (cop.v2 outsideTempC / flowTempC); they decide no figure. */
  outsideC: 'outsideC',
  flowC: 'flowC',
  /** A vendor's heating / hot-water counters (Stiebel VD HEATING / VD DHW), Wh. */
  heatWhHeating: 'heatWhHeating',
  heatWhDhw: 'heatWhDhw',
  elecWhHeating: 'elecWhHeating',
  elecWhDhw: 'elecWhDhw',
} as const;
export type Channel = (typeof Channel)[keyof typeof Channel];

export type ChannelValues = Partial<Record<Channel, number>>;

type Metrics = Partial<Record<MetricName, number>>;

/**
 * Heat from flow and temperature difference: Q[W] = V̇[l/min] / 60 × ρ[kg/l] × cp[J/(kg·K)] × ΔT[K],
 * ≈ 69.17 W per (l/min · K) with cp 4150 J/(kg·K) and ρ 1 kg/l. Null unless all three are present.
 */
export function flowDtHeatW(metrics: Metrics): number | null {
  const { flow_rate: flow, flow_temp: flowT, return_temp: returnT } = metrics;
  if (flow === undefined || flowT === undefined || returnT === undefined) return null;
  return (flow / 60) * WATER_DENSITY_KG_PER_L * WATER_CP_J_PER_KG_K * (flowT - returnT);
}

/** The devices whose readings this source reads. */
export function sourceDevices(source: CopSource): string[] {
  return [
    ...new Set([source.elec.device, source.heat.device, ...(source.modes ? [source.modes.device] : [])]),
  ];
}

/** The channels one reading of `device` gives this source; empty when it gives none. */
export function channelsOf(source: CopSource, device: string, metrics: Metrics): ChannelValues {
  const out: ChannelValues = {};
  const set = (channel: Channel, value: number | null | undefined): void => {
    if (value !== undefined && value !== null && Number.isFinite(value)) out[channel] = value;
  };
  if (device === source.elec.device) {
    if (source.elec.from === EnergyFrom.power) set(Channel.elecW, metrics.elec_power);
    set(Channel.elecWh, metrics.elec_energy);
    // The split only counts when electricity comes from the same vendor counters as the heat.
    if (source.elec.from === EnergyFrom.counter && source.heat.method === HeatSource.vendor) {
      set(Channel.elecWhHeating, metrics.elec_energy_heating);
      set(Channel.elecWhDhw, metrics.elec_energy_dhw);
    }
  }
  if (device === source.heat.device) {
    const from = heatFrom(source);
    if (from === EnergyFrom.power) set(Channel.heatW, metrics.heat_power);
    else if (from === 'flow-dt') set(Channel.heatW, flowDtHeatW(metrics));
    set(Channel.heatWh, metrics.heat_energy);
    if (source.heat.method === HeatSource.vendor) {
      set(Channel.heatWhHeating, metrics.heat_energy_heating);
      set(Channel.heatWhDhw, metrics.heat_energy_dhw);
    }
  }
  if (source.modes !== undefined && device === source.modes.device) {
    if (source.modes.hotWater) set(Channel.dhw, metrics.dhw_mode);
    if (source.modes.cooling) set(Channel.cooling, metrics.cooling_mode);
  }
  // The heat pump's controller knows both temperatures: the modes device when there is one (it is
  // the controller), else the heat device. A heat meter's own flow temperature is the same water.
  if (device === (source.modes?.device ?? source.heat.device)) set(Channel.outsideC, metrics.outside_temp);
  if (device === source.heat.device) set(Channel.flowC, metrics.flow_temp);
  return out;
}
