// @heatstream/devices: device support as typed data. A new heat-pump model is a new entry in
// `catalogue`, not new code in a service. Poll plans and decoders grow here as the acquisition
// services need them; every mapping lands on a metric of the contracts' catalogue.
import type { MetricName } from '@heatstream/contracts';

/** How the acquisition service reaches the device. */
export const Transport = {
  modbusTcp: 'modbus-tcp',
  modbusRtu: 'modbus-rtu',
  shellyRpc: 'shelly-rpc',
  viessmannApi: 'viessmann-api',
  mqtt: 'mqtt',
} as const;
export type Transport = (typeof Transport)[keyof typeof Transport];

/** One raw value of the device, mapped onto a catalogue metric. */
export interface MetricMapping {
  metric: MetricName;
  /** Where the value comes from in the vendor's terms: a register, RPC field or feature name. */
  source: string;
  /** Multiplier from the raw value to the catalogue unit (e.g. 0.1 for deci-°C, 1000 for kWh → Wh); default 1. */
  scale?: number;
  /** Quirks, with their source. */
  note?: string;
}

export interface DeviceDefinition {
  /** Model id, kebab-case, e.g. `stiebel-eltron-wpm3`; readings carry it as `model`. */
  id: string;
  vendor: string;
  model: string;
  transport: Transport;
  metrics: readonly MetricMapping[];
}

export const catalogue: readonly DeviceDefinition[] = [];
