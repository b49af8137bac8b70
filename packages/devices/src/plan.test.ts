import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { field, holding, input } from './blocks.ts';
import { planReads } from './plan.ts';
import { stiebelEltronWpm } from './definitions/stiebel-eltron-wpm.ts';
import { wago87930xx } from './definitions/wago-879-30xx.ts';
import type { ModbusDefinition } from './schema.ts';

const def = (fields: ModbusDefinition['fields'], maxGap = 0): ModbusDefinition => ({
  id: 'plan',
  vendor: 'x',
  model: 'x',
  protocol: 'modbus',
  addressBase: 0,
  maxGap,
  fields,
});

void describe('planReads', () => {
  void it('coalesces adjacent registers, keeps gaps apart unless maxGap allows', () => {
    const fields = [
      field('flow_temp', input(0, 'int16')),
      field('return_temp', input(1, 'int16')),
      field('elec_power', input(2, 'float32')),
      field('dhw_temp', input(10, 'int16')),
      field('outside_temp', holding(0, 'int16')),
    ];
    assert.deepEqual(planReads(def(fields)), [
      { kind: 'input', start: 0, count: 4 },
      { kind: 'input', start: 10, count: 1 },
      { kind: 'holding', start: 0, count: 1 },
    ]);
    assert.deepEqual(planReads(def(fields, 6)).slice(0, 1), [{ kind: 'input', start: 0, count: 11 }]);
  });

  void it('never reads more than 125 registers at once', () => {
    const fields = Array.from({ length: 3 }, (_, i) =>
      field((['flow_temp', 'return_temp', 'dhw_temp'] as const)[i]!, input(i * 100, 'int16')),
    );
    const blocks = planReads(def(fields, 100));
    assert.deepEqual(blocks, [
      { kind: 'input', start: 0, count: 101 },
      { kind: 'input', start: 200, count: 1 },
    ]);
  });

  void it('reads the shipped maps in few requests', () => {
    assert.deepEqual(planReads(wago87930xx), [
      { kind: 'holding', start: 0x5000, count: 26 },
      { kind: 'holding', start: 0x502a, count: 2 },
      { kind: 'holding', start: 0x6000, count: 2 },
    ]);
    // 501…541, 2501…2507, 3502…3516 (doc numbers; PDU = doc − 1)
    assert.deepEqual(planReads(stiebelEltronWpm), [
      { kind: 'input', start: 500, count: 41 },
      { kind: 'input', start: 2500, count: 7 },
      { kind: 'input', start: 3501, count: 15 },
    ]);
  });
});
