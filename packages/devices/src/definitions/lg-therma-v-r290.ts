// LG Therma V R290 (Modbus RTU, usually behind a Waveshare RS485/ETH gateway).
// Source: protocols.md §4 — stephan-aichholzer/lg-r290-control (LGR) MODBUS.md, lg_r290_modbus.py,
// cross-checked with G-nn-r/lg-heatpump-modbus.
import { discrete, field, holding, input, int16Word } from '../blocks.ts';
import type { ModbusDefinition } from '../schema.ts';

// Documentation numbers are 0xxxx coils, 1xxxx discrete inputs, 3xxxx input and 4xxxx holding
// registers, counted from 1 within each table: 30003 is input register 3, PDU address 2. The
// addresses below are the table-relative numbers; the comment gives the documented one.
// MODBUS.md labels the input table "(0x03)" and the holding table "(0x04)": wrong way round; the
// code reads 3xxxx with FC04.
// "Not connected" values: the sources give them for 30006 DHW tank (−64.9 °C, mapped below), 30007
// solar collector (300 °C), 30010 flow circuit 2 (−64.9 °C) and 30011 room circuit 2 (≈ −64.6 °C),
// the last three not mapped here. None is documented for the registers mapped besides 30006.
const temp = (n: number) => input(n, 'int16');

export const lgThermaVR290: ModbusDefinition = {
  id: 'lg-therma-v-r290',
  vendor: 'LG',
  model: 'Therma V R290',
  protocol: 'modbus',
  addressBase: 1,
  maxGap: 4,
  // The documentation says 5, LGR's code uses 7: configure what the unit's installer menu shows.
  unitId: 5,
  // "Continuous polling (every 10 s) is required to maintain external control" (LGR header): the
  // unit stops when polling stops, so this interval is its keep-alive — do not lengthen it.
  intervalMs: 10_000,
  note: 'Polling is the keep-alive. A shared gateway may answer for the wrong unit id or time out; LGR uses 3 retries, 5 s timeout.',
  fields: [
    field('pump_on', discrete(2), { note: '10002 water pump' }),
    field('compressor_on', discrete(4), { note: '10004 compressor' }),
    field('defrost', discrete(5), { note: '10005' }),
    field('dhw_mode', discrete(6), { note: '10006 DHW heating' }),
    field('cooling_mode', discrete(9), { note: '10009' }),
    field('backup_heater_on', discrete(11), { note: '10011 backup heater 1' }),
    field('error_code', input(1, 'uint16'), { note: '30001, 0 = no fault' }),
    field('return_temp', temp(3), { scale: 0.1, note: '30003 water inlet = return' }),
    field('flow_temp', temp(4), { scale: 0.1, note: '30004 water outlet = flow' }),
    field('dhw_temp', input(6, 'int16', { notAvailable: [int16Word(-649)] }), {
      scale: 0.1,
      note: '30006; reads −64.9 °C when no tank sensor is connected (LGR), so −649 raw means absent',
    }),
    field('indoor_temp', temp(8), { scale: 0.1, note: '30008 room air circuit 1' }),
    field('flow_rate', input(9, 'uint16'), { scale: 0.1, note: '30009, unsigned × 0.1 l/min' }),
    field('outside_temp', temp(13), { scale: 0.1, range: [-60, 80], note: '30013' }),
    field('water_pressure', input(14, 'uint16'), {
      scale: 0.1,
      note: '30014 × 0.1 bar; G-nn-r is unsure every unit has it',
    }),
    field('compressor_freq', input(25, 'uint16'), { note: '30025, Hz (rpm = × 60, G-nn-r)' }),
    field('flow_target_temp', holding(3, 'int16'), { scale: 0.1, note: '40003 target circuit 1' }),
    field('dhw_target_temp', holding(9, 'int16'), { scale: 0.1, note: '40009' }),
  ],
};
