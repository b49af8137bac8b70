// Stiebel Eltron WPM (WPM 3, WPM 3i, WPMsystem) through the ISG's Modbus TCP server.
// Source: protocols.md §3 — pystiebeleltron (PSE) api/wpm_*.csv and wpm.py, Stiebel's
// "Modbus Bedienungsanleitung" as transcribed there.
import { field, flag, input, int16Word } from '../blocks.ts';
import type { ModbusDefinition, Register } from '../schema.ts';

// Raw 0x8000 means "object not available" for every Stiebel data type (PSE `UNAVAILABLE = 0x8000`).
const NA = [0x8000];
// A temperature sensor also reports its lead: −60.0 °C "sensor lead missing or disconnected"
// (PSE v0.1.0 `ERROR_NOTAVAILABLE = -60`) and −50.0 °C "short circuit of the sensor lead"
// (`ERROR_SHORTCUT = -50`), in type 2 as raw −600 and −500. Set points have no lead: 0x8000 only.
const SENSOR_NA = [...NA, int16Word(-600), int16Word(-500)];
// Type 2: signed, × 0.1 (°C, bar). Type 7: signed, × 0.01. Type 6: unsigned, × 1.
const type2 = (doc: number): Register => input(doc, 'int16', { notAvailable: NA });
const sensor = (doc: number): Register => input(doc, 'int16', { notAvailable: SENSOR_NA });
const type6 = (doc: number, weight?: number): Register =>
  input(doc, 'uint16', weight === undefined ? { notAvailable: NA } : { notAvailable: NA, weight });

// Energy counters are split: a LOW register of 0…999 kWh and a HI register of MWh (PSE
// `scaled_sum(addr, (1, 1000))`); a pair is unavailable if either word is 0x8000.
const kwhPair = (low: number, high: number): Register[] => [type6(low, 1), type6(high, 1000)];

// Operating status 2501 is a bit field, LSB = bit 0 (unltdnetworx/stiebel-modbus wpm.js; its wpm3i
// variant pads the bit string the wrong way).
const status = type6(2501);

export const stiebelEltronWpm: ModbusDefinition = {
  id: 'stiebel-eltron-wpm',
  vendor: 'Stiebel Eltron',
  model: 'WPM 3 / WPM 3i / WPMsystem via ISG',
  protocol: 'modbus',
  // The manual numbers registers from 1; PSE subtracts 1 for the PDU address (doc 507 = PDU 506).
  addressBase: 1,
  // PSE reads each documented block (System Values 501–611, …) in one request, gaps included.
  maxGap: 16,
  unitId: 1,
  intervalMs: 30_000,
  note: 'The ISG takes one Modbus master at a time: let other programs read through the acq-modbus proxy.',
  fields: [
    field('indoor_temp', sensor(501), {
      scale: 0.1,
      note: 'ACTUAL TEMPERATURE FE7 (room sensor of the FE7 remote)',
    }),
    field('outside_temp', sensor(507), { scale: 0.1, range: [-60, 80] }),
    field('flow_target_temp', type2(510), {
      scale: 0.1,
      note: 'SET TEMPERATURE HK 1: the WPM 3i answers HK 1 here, not at 509 (PSE)',
    }),
    field('flow_temp', sensor(513), {
      scale: 0.1,
      note: 'ACTUAL FLOW TEMPERATURE WP: the heat pump, not the backup heater (514)',
    }),
    field('return_temp', sensor(516), { scale: 0.1, range: [0, 90] }),
    field('buffer_temp', sensor(518), { scale: 0.1 }),
    field('water_pressure', type2(520), { scale: 0.01, note: 'HEATING PRESSURE, type 7 (× 0.01)' }),
    field('flow_rate', type2(521), { scale: 0.01, note: 'FLOW RATE, type 7 (× 0.01 l/min)' }),
    field('dhw_temp', sensor(522), { scale: 0.1 }),
    field('dhw_target_temp', type2(523), { scale: 0.1 }),
    field('source_temp', sensor(536), { scale: 0.1 }),
    field('compressor_temp', sensor(539), { scale: 0.1, note: 'HOT GAS TEMPERATURE, WPM 3i only' }),
    field('pressure_high', type2(540), { scale: 0.1, note: 'type 2 (× 0.1 bar), WPM 3i only' }),
    field('pressure_low', type2(541), { scale: 0.1, note: 'type 2 (× 0.1 bar), WPM 3i only' }),
    flag('pump_on', status, 0, 'HC1 pump'),
    flag('backup_heater_on', status, 3, 'NHZ stages running'),
    flag('heating_mode', status, 4),
    flag('dhw_mode', status, 5),
    flag('compressor_on', status, 6),
    flag('cooling_mode', status, 8),
    field('defrost', type6(2506), { note: 'DEFROST INITIATED' }),
    field('error_code', type6(2507), { note: 'ACTIVE ERROR: fault number' }),
    // The split the hot-water COP needs (issue 13): heating and DHW counters apart; compressor heat
    // and consumption only, the NHZ backup heater is counted apart (3507–3510).
    field('heat_energy_heating', kwhPair(3502, 3503), { scale: 1000, note: 'VD HEATING TOTAL' }),
    field('heat_energy_dhw', kwhPair(3505, 3506), { scale: 1000, note: 'VD DHW TOTAL' }),
    field('elec_energy_heating', kwhPair(3512, 3513), { scale: 1000, note: 'VD HEATING TOTAL CONSUMED' }),
    field('elec_energy_dhw', kwhPair(3515, 3516), { scale: 1000, note: 'VD DHW TOTAL CONSUMED' }),
  ],
  // The summed counters stay, as readings carried them before the split.
  totals: [
    {
      metric: 'heat_energy',
      of: ['heat_energy_heating', 'heat_energy_dhw'],
      note: 'VD HEATING + VD DHW TOTAL',
    },
    {
      metric: 'elec_energy',
      of: ['elec_energy_heating', 'elec_energy_dhw'],
      note: 'VD HEATING + VD DHW TOTAL CONSUMED',
    },
  ],
};
