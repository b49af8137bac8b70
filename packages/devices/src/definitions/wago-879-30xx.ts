// WAGO 879-30xx three-phase meter (879-3000 / 879-3020).
// Source: protocols.md §5.1 — stephan-aichholzer/heatpump-monitoring-dashboard (HMD) exporter.py,
// and a meter profile citing the WAGO manual (appendix A3.2): FC03, float32, high word first.
import { field, holding } from '../blocks.ts';
import type { ModbusDefinition } from '../schema.ts';

// Ranges are physical plausibility, not vendor limits: they catch bus garbage (a random float32
// is rarely a mains voltage or frequency), which then also keeps that reply's counters out.
// Fault values: none documented (protocols.md §5.1); a NaN float is not available by the codec's
// rule. HMD drops zero energy totals as garbage: a quality rule (the counter guard's), not a sentinel.
const f32 = (address: number) => holding(address, 'float32', { wordOrder: 'big', byteOrder: 'big' });

export const wago87930xx: ModbusDefinition = {
  id: 'wago-879-30xx',
  vendor: 'WAGO',
  model: '879-30xx three-phase meter',
  protocol: 'modbus',
  // HMD reads PDU addresses written in hex (0x5012): base 0.
  addressBase: 0,
  // 0x500A (current) exists but is not mapped: bridging it keeps 0x5000…0x5019 one read.
  maxGap: 2,
  unitId: 2,
  intervalMs: 10_000,
  fields: [
    field('voltage', f32(0x5000), { range: [0, 500] }),
    field('voltage_l1', f32(0x5002), { range: [0, 500] }),
    field('voltage_l2', f32(0x5004), { range: [0, 500] }),
    field('voltage_l3', f32(0x5006), { range: [0, 500] }),
    field('frequency', f32(0x5008), { range: [40, 70] }),
    field('current_l1', f32(0x500c)),
    field('current_l2', f32(0x500e)),
    field('current_l3', f32(0x5010)),
    // Power in kW and energy in kWh (HMD metric names; the profile scales × 1000), unlike the SDM630.
    field('elec_power', f32(0x5012), { scale: 1000 }),
    field('elec_power_l1', f32(0x5014), { scale: 1000 }),
    field('elec_power_l2', f32(0x5016), { scale: 1000 }),
    field('elec_power_l3', f32(0x5018), { scale: 1000 }),
    field('power_factor', f32(0x502a)),
    field('elec_energy', f32(0x6000), { scale: 1000, note: 'total active energy, kWh' }),
  ],
  note: '0x500A (current) is left out: sources do not say whether it is a sum or a mean of the phases.',
};
