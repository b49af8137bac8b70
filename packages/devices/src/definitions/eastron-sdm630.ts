// Eastron SDM630 three-phase meter.
// Source: protocols.md §5.2 — reaper7/SDM_Energy_Meter SDM.h: input registers (FC04), every value a
// float32 in two registers, high word first.
import { field, input } from '../blocks.ts';
import type { ModbusDefinition } from '../schema.ts';

// Ranges are physical plausibility, not vendor limits: they catch bus garbage (a random float32
// is rarely a mains voltage or frequency), which then also keeps that reply's counters out.
// Fault values: none documented (protocols.md §5.2); a NaN float is not available by the codec's
// rule.
const f32 = (address: number) => input(address, 'float32', { wordOrder: 'big', byteOrder: 'big' });

export const eastronSdm630: ModbusDefinition = {
  id: 'eastron-sdm630',
  vendor: 'Eastron',
  model: 'SDM630',
  protocol: 'modbus',
  addressBase: 0,
  unitId: 1,
  intervalMs: 10_000,
  fields: [
    field('voltage_l1', f32(0x0000), { range: [0, 500] }),
    field('voltage_l2', f32(0x0002), { range: [0, 500] }),
    field('voltage_l3', f32(0x0004), { range: [0, 500] }),
    field('current_l1', f32(0x0006)),
    field('current_l2', f32(0x0008)),
    field('current_l3', f32(0x000a)),
    // Power already in W here (WAGO reports kW).
    field('elec_power_l1', f32(0x000c)),
    field('elec_power_l2', f32(0x000e)),
    field('elec_power_l3', f32(0x0010)),
    field('current', f32(0x0030), { note: 'sum of line currents' }),
    field('elec_power', f32(0x0034), { note: 'total system power' }),
    field('power_factor', f32(0x003e)),
    field('frequency', f32(0x0046), { range: [40, 70] }),
    field('elec_energy', f32(0x0048), { scale: 1000, note: 'import active energy, kWh' }),
  ],
};
