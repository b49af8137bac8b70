// The ledger's rules: totals start on the device's counters, never go back, and balance the phases.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EnergyLedger } from './energy.ts';

const T0 = Date.UTC(2026, 5, 15, 12);
const ch = (imp: number, exp: number) => ({ imp, exp });

void describe('EnergyLedger', () => {
  void it('starts on the device counters and balances each interval across the phases', () => {
    const ledger = new EnergyLedger(EnergyLedger.begin(T0, [ch(100, 10), ch(200, 0), ch(300, 0)]), 50_000);
    // Phase 1 exports 30 Wh while phases 2 and 3 import 20 Wh: the utility meter sees 10 Wh export.
    assert.deepEqual(ledger.observe(T0 + 60_000, [ch(100, 40), ch(210, 0), ch(310, 0)]), []);
    assert.deepEqual(ledger.totals, { imp: 620, exp: 40, netImp: 0, netExp: 10 });
    ledger.addRecord(T0 + 120_000, 60, [ch(5, 0), ch(10, 0), ch(10, 0)]);
    assert.deepEqual(ledger.totals, { imp: 645, exp: 40, netImp: 25, netExp: 10 });
    assert.deepEqual(ledger.state.device, [ch(105, 40), ch(220, 0), ch(320, 0)]);
  });

  void it('adds nothing for a counter that went back or jumped, and takes the new base', () => {
    const ledger = new EnergyLedger(EnergyLedger.begin(T0, [ch(1_000, 0)]), 10_000);
    const reset = ledger.observe(T0 + 10_000, [ch(3, 0)]);
    assert.match(reset[0] ?? '', /went back from 1000 to 3 Wh/);
    assert.equal(ledger.totals.imp, 1_000);
    assert.deepEqual(ledger.observe(T0 + 20_000, [ch(13, 0)]), []);
    assert.equal(ledger.totals.imp, 1_010);
    // 10 kW for 10 s is 27.8 Wh at most: a step of 1 MWh is a glitch.
    assert.match(ledger.observe(T0 + 30_000, [ch(1_000_013, 0)])[0] ?? '', /jumped/);
    assert.equal(ledger.totals.imp, 1_010);
    // Rounding between a record's and the status's decimals is not a reset.
    assert.deepEqual(ledger.observe(T0 + 40_000, [ch(1_000_012.5, 0)]), []);
  });

  void it('refuses a negative or missing record value', () => {
    const ledger = new EnergyLedger(EnergyLedger.begin(T0, [ch(0, 0), ch(0, 0)]), 10_000);
    const problems = ledger.addRecord(T0 + 60_000, 60, [ch(-5, 0), ch(Number.NaN, 1)]);
    assert.equal(problems.length, 2);
    assert.deepEqual(ledger.totals, { imp: 0, exp: 1, netImp: 0, netExp: 1 });
  });
});
