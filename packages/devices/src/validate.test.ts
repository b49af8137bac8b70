// A bad definition fails naming the definition and the field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definitionProblems, DefinitionError } from './validate.ts';
import { loadDefinitionFile, parseDefinitionYaml } from './yaml.ts';

const base = {
  id: 'my-meter',
  vendor: 'Acme',
  model: 'M1',
  protocol: 'modbus',
  addressBase: 1,
  fields: [
    { metric: 'elec_power', unit: 'W', registers: [{ kind: 'holding', address: 1, type: 'float32' }] },
  ],
};
const withFields = (fields: unknown[]) => ({ ...base, fields });

void describe('definitionProblems', () => {
  void it('accepts a sound definition', () => {
    assert.deepEqual(definitionProblems(base), []);
  });

  void it('names overlapping registers', () => {
    const problems = definitionProblems(
      withFields([
        ...base.fields,
        { metric: 'voltage', unit: 'V', registers: [{ kind: 'holding', address: 2, type: 'uint16' }] },
      ]),
    );
    assert.deepEqual(problems, [
      'definition "my-meter": fields[1] (voltage).registers[0].address: holding register 2 overlaps fields[0] (elec_power)',
    ]);
  });

  void it('checks a total: catalogue metric, not also a field, parts that are fields in its unit', () => {
    const energy = (metric: string, address: number) => ({
      metric,
      unit: 'Wh',
      registers: [{ kind: 'holding', address, type: 'uint32' }],
    });
    const fields = [...base.fields, energy('elec_energy_heating', 3), energy('elec_energy_dhw', 5)];
    const total = { metric: 'elec_energy', of: ['elec_energy_heating', 'elec_energy_dhw'] };
    assert.deepEqual(definitionProblems({ ...base, fields, totals: [total] }), []);
    assert.deepEqual(
      definitionProblems({
        ...base,
        fields,
        totals: [
          { metric: 'elec_power', of: ['elec_energy_heating', 'elec_energy_dhw'] },
          { metric: 'heat_energy', of: ['elec_energy_heating', 'heat_energy_dhw'] },
        ],
      }),
      [
        'definition "my-meter": totals[0] (elec_power).metric: elec_power is also read by a field',
        'definition "my-meter": totals[0] (elec_power).of: elec_energy_heating is in "Wh", elec_power in "W"',
        'definition "my-meter": totals[0] (elec_power).of: elec_energy_dhw is in "Wh", elec_power in "W"',
        'definition "my-meter": totals[1] (heat_energy).of: heat_energy_dhw is no field of this definition',
      ],
    );
  });

  void it('lets status flags share a register but not a bit', () => {
    const flag = (metric: string, bit: number) => ({
      metric,
      unit: '',
      registers: [{ kind: 'input', address: 5, type: 'uint16', bit }],
    });
    assert.deepEqual(definitionProblems(withFields([flag('compressor_on', 6), flag('dhw_mode', 5)])), []);
    assert.equal(definitionProblems(withFields([flag('compressor_on', 6), flag('dhw_mode', 6)])).length, 1);
  });

  void it('names an unknown data type, an address beyond 65535 and a unit not in the catalogue', () => {
    const problems = definitionProblems(
      withFields([
        { metric: 'elec_power', unit: 'W', registers: [{ kind: 'holding', address: 1, type: 'int24' }] },
        { metric: 'voltage', unit: 'V', registers: [{ kind: 'holding', address: 70000, type: 'uint16' }] },
        { metric: 'flow_temp', unit: 'degC', registers: [{ kind: 'input', address: 1, type: 'int16' }] },
        { metric: 'return_temp', unit: 'K', registers: [{ kind: 'input', address: 2, type: 'int16' }] },
        { metric: 'flow_temperature', unit: '°C', registers: [{ kind: 'input', address: 3, type: 'int16' }] },
      ]),
    );
    assert.deepEqual(problems, [
      'definition "my-meter": fields[0] (elec_power).registers[0].type: unknown data type "int24"',
      'definition "my-meter": fields[1] (voltage).registers[0].address: 70000 > 65536',
      'definition "my-meter": fields[2] (flow_temp).unit: "degC" is not a catalogue unit',
      'definition "my-meter": fields[3] (return_temp).unit: "K" is not a catalogue unit',
      'definition "my-meter": fields[4] (flow_temperature).metric: flow_temperature is not in the metric catalogue',
    ]);
  });

  void it('names a unit that is in the catalogue but not the metric’s, and a coil that is not bool', () => {
    const problems = definitionProblems(
      withFields([
        { metric: 'elec_power', unit: 'Wh', registers: [{ kind: 'holding', address: 1, type: 'float32' }] },
        { metric: 'defrost', unit: '', registers: [{ kind: 'coil', address: 1, type: 'uint16' }] },
      ]),
    );
    assert.deepEqual(problems, [
      'definition "my-meter": fields[0] (elec_power).unit: "Wh" but elec_power is in "W"',
      'definition "my-meter": fields[1] (defrost).registers[0].type: coil must be bool',
    ]);
  });

  void it('reports schema errors with their path', () => {
    const problems = definitionProblems({ ...base, addressBase: 2, fields: [{ metric: 'x', unit: 'W' }] });
    assert.ok(
      problems.some((p) => p.startsWith('definition "my-meter": addressBase:')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.startsWith('definition "my-meter": fields[0].registers:')),
      problems.join('\n'),
    );
  });
});

void describe('YAML maps', () => {
  const yaml = `
id: my-heat-meter
vendor: Acme
model: HM 1
protocol: modbus
addressBase: 0
fields:
  - metric: heat_power
    unit: W
    registers: [{ kind: input, address: 0x10, type: int32, wordOrder: little }]
  - metric: flow_temp
    unit: °C
    scale: 0.01
    registers: [{ kind: input, address: 0x12, type: int16, notAvailable: [0x8000] }]
`;

  void it('loads a valid map', () => {
    const def = parseDefinitionYaml(yaml, 'inline');
    assert.equal(def.fields[0]?.registers[0]?.address, 16);
    assert.equal(def.fields[1]?.registers[0]?.notAvailable?.[0], 0x8000);
  });

  void it('fails naming the file, the definition and the field', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devices-yaml-'));
    try {
      const path = join(dir, 'bad.yaml');
      writeFileSync(path, yaml.replace('type: int16', 'type: int12'));
      assert.throws(
        () => loadDefinitionFile(path),
        (error: unknown) =>
          error instanceof DefinitionError &&
          error.message.includes(
            `${path}: definition "my-heat-meter": fields[1] (flow_temp).registers[0].type: unknown data type "int12"`,
          ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
