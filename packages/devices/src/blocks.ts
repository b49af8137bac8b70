// Small blocks the shipped definitions are built from, in the manner of zigbee-herdsman-converters'
// modernExtend: each says what a register is, and the unit always comes from the metric catalogue.
import { metrics, type MetricName } from '@heatstream/contracts';
import type { DataType, Field, Register, RegisterKind } from './schema.ts';

type RegisterOptions = Omit<Register, 'kind' | 'address' | 'type'>;

export const register = (
  kind: RegisterKind,
  address: number,
  type: DataType,
  options: RegisterOptions = {},
): Register => ({
  kind,
  address,
  type,
  ...options,
});
export const input = (address: number, type: DataType, options?: RegisterOptions): Register =>
  register('input', address, type, options);
export const holding = (address: number, type: DataType, options?: RegisterOptions): Register =>
  register('holding', address, type, options);
export const discrete = (address: number): Register => register('discrete', address, 'bool');
export const coil = (address: number): Register => register('coil', address, 'bool');

/** The unsigned word a negative 16-bit value is sent as, the form `notAvailable` lists: −649 → 0xFD77. */
export const int16Word = (value: number): number => (value < 0 ? value + 0x10000 : value) & 0xffff;

type FieldOptions = Omit<Field, 'metric' | 'unit' | 'registers'>;

/** A metric read from one register, or from the weighted parts of a composite value. */
export function field(
  metric: MetricName,
  registers: Register | readonly Register[],
  options: FieldOptions = {},
): Field {
  return {
    metric,
    unit: metrics[metric].unit,
    registers: Array.isArray(registers) ? [...(registers as readonly Register[])] : [registers as Register],
    ...options,
  };
}

/** One bit of a 16-bit status word, as a 0/1 state. */
export const flag = (metric: MetricName, reg: Register, bit: number, note?: string): Field =>
  field(metric, { ...reg, bit }, note === undefined ? {} : { note });
