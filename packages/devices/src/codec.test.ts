// Decoded values from known register images equal the engineering values exactly.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeDefinition,
  decodeField,
  encodeDefinition,
  fieldResolution,
  metricResolution,
} from './codec.ts';
import { RegisterImage } from './image.ts';
import { eastronSdm630 } from './definitions/eastron-sdm630.ts';
import { lgThermaVR290 } from './definitions/lg-therma-v-r290.ts';
import { stiebelEltronWpm } from './definitions/stiebel-eltron-wpm.ts';
import { wago87930xx } from './definitions/wago-879-30xx.ts';
import { field, holding, input } from './blocks.ts';
import type { ModbusDefinition } from './schema.ts';

// Stiebel documents 1-based numbers: doc 507 is PDU 506.
const stiebel = (doc: number, word: number, image = new RegisterImage()) => image.set('input', doc - 1, word);

void describe('Stiebel WPM', () => {
  void it('decodes negative temperatures, type 7 scale and the status bit field', () => {
    const image = new RegisterImage();
    stiebel(507, 0x10000 - 75, image); // −7.5 °C
    stiebel(516, 305, image); // 30.5 °C
    stiebel(520, 153, image); // 1.53 bar (type 7)
    stiebel(521, 1234, image); // 12.34 l/min
    stiebel(2501, (1 << 6) | (1 << 4) | 1, image); // compressor, heating, pump
    const { values } = decodeDefinition(stiebelEltronWpm, image);
    assert.equal(values.outside_temp, -7.5);
    assert.equal(values.return_temp, 30.5);
    assert.equal(values.water_pressure, 1.53);
    assert.equal(values.flow_rate, 12.34);
    assert.equal(values.compressor_on, 1);
    assert.equal(values.heating_mode, 1);
    assert.equal(values.pump_on, 1);
    assert.equal(values.dhw_mode, 0);
    assert.equal(values.cooling_mode, 0);
  });

  void it('treats 0x8000 as absent: not 0, not −3276.8', () => {
    const image = new RegisterImage();
    stiebel(507, 0x8000, image);
    stiebel(516, 0x8000, image);
    const decoded = decodeDefinition(stiebelEltronWpm, image);
    assert.ok(!('outside_temp' in decoded.values));
    assert.ok(!('return_temp' in decoded.values));
    assert.ok(decoded.notAvailable.includes('outside_temp'));
  });

  void it('sums MWh and kWh registers of heating and hot water into Wh', () => {
    const image = new RegisterImage();
    // heating 12 MWh + 345 kWh, DHW 3 MWh + 999 kWh → 16 344 kWh
    for (const [doc, word] of [
      [3502, 345],
      [3503, 12],
      [3505, 999],
      [3506, 3],
    ] as const)
      stiebel(doc, word, image);
    for (const [doc, word] of [
      [3512, 1],
      [3513, 4],
      [3515, 500],
      [3516, 0],
    ] as const)
      stiebel(doc, word, image);
    const { values } = decodeDefinition(stiebelEltronWpm, image);
    assert.equal(values.heat_energy, 16_344_000);
    assert.equal(values.elec_energy, 4_501_000);
    // The split apart: heating 12 345 kWh + DHW 3 999 kWh; consumed 4 001 + 500 kWh.
    assert.deepEqual(
      [
        values.heat_energy_heating,
        values.heat_energy_dhw,
        values.elec_energy_heating,
        values.elec_energy_dhw,
      ],
      [12_345_000, 3_999_000, 4_001_000, 500_000],
    );
  });

  void it('drops an energy pair when either word is 0x8000', () => {
    const image = new RegisterImage();
    for (const [doc, word] of [
      [3502, 345],
      [3503, 0x8000],
      [3505, 1],
      [3506, 1],
    ] as const)
      stiebel(doc, word, image);
    const decoded = decodeDefinition(stiebelEltronWpm, image);
    assert.ok(!('heat_energy' in decoded.values));
    assert.ok(!('heat_energy_heating' in decoded.values));
    // The total needs every part: without heating, no heat_energy either, and it says so.
    assert.ok(decoded.notAvailable.includes('heat_energy'));
    assert.equal(decoded.values.heat_energy_dhw, 1_001_000);
  });

  void it('flags a value outside the documented range as implausible', () => {
    const decoded = decodeDefinition(stiebelEltronWpm, stiebel(507, 1200)); // 120 °C outside
    assert.deepEqual(
      decoded.implausible.map((i) => i.metric),
      ['outside_temp'],
    );
  });
});

void describe('LG Therma V R290', () => {
  void it('reads discrete inputs, input and holding registers from table-relative 1-based numbers', () => {
    const image = new RegisterImage()
      .set('discrete', 3, 1) // 10004 compressor
      .set('input', 12, 0x10000 - 123) // 30013 outside −12.3 °C
      .set('input', 8, 215) // 30009 flow 21.5 l/min
      .set('input', 5, 0x10000 - 649) // 30006 DHW sensor not connected
      .set('holding', 2, 350); // 40003 target 35.0 °C
    const decoded = decodeDefinition(lgThermaVR290, image);
    assert.equal(decoded.values.compressor_on, 1);
    assert.equal(decoded.values.outside_temp, -12.3);
    assert.equal(decoded.values.flow_rate, 21.5);
    assert.equal(decoded.values.flow_target_temp, 35);
    assert.ok(!('dhw_temp' in decoded.values));
  });
});

void describe('float32 meters', () => {
  void it('WAGO: kW and kWh become W and Wh; 230.0 is 0x4366 0x0000', () => {
    const image = new RegisterImage()
      .setMany('holding', 0x5000, [0x4366, 0x0000])
      .setMany('holding', 0x5008, [0x4248, 0x0000])
      .setMany('holding', 0x5012, [0x3f9d, 0xf3b6]) // 1.234 kW
      .setMany('holding', 0x6000, [0x4640, 0xe6b6]); // 12345.678 kWh
    const { values } = decodeDefinition(wago87930xx, image);
    assert.equal(values.voltage, 230);
    assert.equal(values.frequency, 50);
    assert.equal(values.elec_power, 1234);
    assert.equal(values.elec_energy, 12_345_680); // float32 holds 7 significant digits
  });

  void it('SDM630: input registers, W already', () => {
    const image = new RegisterImage().setMany('input', 0x34, [0x4366, 0x0000]);
    assert.equal(decodeDefinition(eastronSdm630, image).values.elec_power, 230);
  });

  void it('decodes every word and byte order', () => {
    // 1.234 = 0x3F9D 0xF3B6, laid out ABCD, CDAB, BADC, DCBA.
    const layouts = [
      ['big', 'big', [0x3f9d, 0xf3b6]],
      ['little', 'big', [0xf3b6, 0x3f9d]],
      ['big', 'little', [0x9d3f, 0xb6f3]],
      ['little', 'little', [0xb6f3, 0x9d3f]],
    ] as const;
    for (const [wordOrder, byteOrder, words] of layouts) {
      const def: ModbusDefinition = {
        id: 'orders',
        vendor: 'x',
        model: 'x',
        protocol: 'modbus',
        addressBase: 0,
        fields: [field('power_factor', holding(10, 'float32', { wordOrder, byteOrder }))],
      };
      const image = new RegisterImage().setMany('holding', 10, words);
      assert.deepEqual(
        decodeField(def, def.fields[0]!, image),
        { ok: true, value: 1.234 },
        `${wordOrder}/${byteOrder}`,
      );
      const back = encodeDefinition(def, { power_factor: 1.234 }, new RegisterImage());
      assert.deepEqual([back.get('holding', 10), back.get('holding', 11)], [...words]);
    }
  });

  void it('decodes int32 and uint32 with either word order', () => {
    const def: ModbusDefinition = {
      id: 'ints',
      vendor: 'x',
      model: 'x',
      protocol: 'modbus',
      addressBase: 0,
      fields: [
        field('elec_power', holding(0, 'int32', { wordOrder: 'little' })),
        field('elec_energy', holding(2, 'uint32')),
      ],
    };
    const image = new RegisterImage()
      .setMany('holding', 0, [0xfc18, 0xffff])
      .setMany('holding', 2, [0x0001, 0x0000]);
    assert.deepEqual(decodeDefinition(def, image).values, { elec_power: -1000, elec_energy: 65536 });
  });

  void it('treats a NaN float as not available', () => {
    const image = new RegisterImage().setMany('input', 0x34, [0x7fc0, 0x0000]);
    const decoded = decodeDefinition(eastronSdm630, image);
    assert.ok(!('elec_power' in decoded.values));
    assert.ok(decoded.notAvailable.includes('elec_power'));
  });
});

void describe('fieldResolution', () => {
  const fieldOf = (def: ModbusDefinition, metric: string) => {
    const found = def.fields.find((f) => f.metric === metric);
    assert.ok(found, metric);
    return found;
  };

  void it('is one count of the lightest register times the scale', () => {
    // A kWh register under an MWh one steps by 1,000 Wh.
    const pair = field(
      'heat_energy',
      [input(1, 'uint16', { weight: 1 }), input(2, 'uint16', { weight: 1000 })],
      {
        scale: 1000,
      },
    );
    assert.equal(fieldResolution(pair, 12_345_000), 1000);
    assert.equal(fieldResolution(fieldOf(stiebelEltronWpm, 'outside_temp'), -7.5), 0.1);
    assert.equal(fieldResolution(fieldOf(stiebelEltronWpm, 'water_pressure'), 1.5), 0.01);
    assert.equal(fieldResolution(fieldOf(stiebelEltronWpm, 'compressor_on'), 1), 1);
  });

  void it('adds the steps of every counter a total sums: Stiebel heating + DHW', () => {
    assert.equal(metricResolution(stiebelEltronWpm, 'heat_energy', 16_344_000), 2000);
    assert.equal(metricResolution(stiebelEltronWpm, 'elec_energy', 4_501_000), 2000);
    assert.equal(metricResolution(stiebelEltronWpm, 'heat_energy_dhw', 3_999_000), 1000);
    assert.equal(metricResolution(stiebelEltronWpm, 'outside_temp', -7.5), 0.1);
    assert.equal(metricResolution(stiebelEltronWpm, 'heat_power', 5000), 0);
  });

  void it('follows a float32 value’s magnitude: 7 significant digits', () => {
    const energy = fieldOf(wago87930xx, 'elec_energy');
    assert.equal(fieldResolution(energy, 12_345_680), 10); // 12 345.68 kWh
    assert.equal(fieldResolution(energy, 1_234_568), 1); // 1 234.568 kWh
    assert.equal(fieldResolution(energy, 0), 0);
  });
});
