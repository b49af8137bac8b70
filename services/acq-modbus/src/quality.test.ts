import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stiebelEltronWpm, wago87930xx } from '@heatstream/devices';
import { QualityGuard } from './quality.ts';

void describe('QualityGuard', () => {
  void it('ignores a lone power reading below 1 W, accepts it when the next is low too', () => {
    const guard = new QualityGuard();
    assert.deepEqual(guard.filter({ elec_power: 1500 }).accepted, { elec_power: 1500 });
    const spike = guard.filter({ elec_power: 3.67e-27, flow_temp: 30 });
    assert.deepEqual(spike.accepted, { flow_temp: 30 });
    assert.deepEqual(spike.rejected, [{ metric: 'elec_power', value: 3.67e-27, reason: 'spike' }]);
    assert.deepEqual(
      guard.filter({ elec_power: 0 }).accepted,
      { elec_power: 0 },
      'second low reading stands',
    );
    assert.deepEqual(guard.filter({ elec_power: 0.5 }).accepted, { elec_power: 0.5 });
    assert.deepEqual(guard.filter({ elec_power: 900 }).accepted, { elec_power: 900 });
  });

  void it('rejects the first reading when it is low: no history to confirm it', () => {
    const guard = new QualityGuard();
    assert.equal(guard.filter({ elec_power_l1: 0 }).rejected.length, 1);
    assert.equal(guard.filter({ elec_power_l1: 0 }).rejected.length, 0);
  });

  void it('lets a negative (export) power above 1 W through, and leaves temperatures alone', () => {
    const guard = new QualityGuard();
    assert.deepEqual(guard.filter({ elec_power: -75.4, outside_temp: 0 }).accepted, {
      elec_power: -75.4,
      outside_temp: 0,
    });
  });

  void it('never lets an energy counter go backwards', () => {
    const guard = new QualityGuard();
    assert.deepEqual(guard.filter({ elec_energy: 1000, heat_energy: 4000 }).accepted, {
      elec_energy: 1000,
      heat_energy: 4000,
    });
    const back = guard.filter({ elec_energy: 999, heat_energy: 4000 });
    assert.deepEqual(back.accepted, { heat_energy: 4000 });
    assert.deepEqual(back.rejected, [
      { metric: 'elec_energy', value: 999, reason: 'counter-backwards', last: 1000 },
    ]);
    assert.equal(guard.filter({ elec_energy: 0 }).rejected.length, 1, 'a zero after a total is garbage too');
    assert.deepEqual(guard.filter({ elec_energy: 1001 }).accepted, { elec_energy: 1001 });
  });

  void it('refuses an energy counter that rises faster than any supply could count, and keeps its baseline', () => {
    const guard = new QualityGuard();
    const t0 = Date.UTC(2026, 0, 15);
    guard.filter({ elec_energy: 1000 }, t0);
    // 10 s later: 1 MW could count 2.8 kWh; 69 GWh is a garbage reply.
    const jump = guard.filter({ elec_energy: 69_324_133_000 }, t0 + 10_000);
    assert.deepEqual(jump.rejected, [
      { metric: 'elec_energy', value: 69_324_133_000, reason: 'counter-jump', last: 1000 },
    ]);
    assert.deepEqual(
      guard.filter({ elec_energy: 1002 }, t0 + 20_000).accepted,
      { elec_energy: 1002 },
      'the true value after it stands',
    );
    assert.deepEqual(
      guard.filter({ elec_energy: 3_000 }, t0 + 30_000).accepted,
      { elec_energy: 3_000 },
      '2 kWh in 10 s is possible',
    );
  });

  void it('takes one step of a counter’s resolution between polls a moment apart as plausible', () => {
    // The flaky fault test's finding: a Stiebel counter shows whole kWh, so 0 → 1000 Wh between
    // two polls 200 ms apart is one step of its resolution, not 18 MW.
    const t0 = Date.UTC(2026, 0, 15);
    const stiebel = new QualityGuard(stiebelEltronWpm);
    stiebel.filter({ heat_energy: 0 }, t0);
    assert.deepEqual(stiebel.filter({ heat_energy: 1000 }, t0 + 200), {
      accepted: { heat_energy: 1000 },
      rejected: [],
    });
    // A counter without a definition is exact: the same rise is more than 1 MW could count.
    const exact = new QualityGuard();
    exact.filter({ heat_energy: 0 }, t0);
    assert.equal(exact.filter({ heat_energy: 1000 }, t0 + 200).rejected[0]?.reason, 'counter-jump');
  });

  void it('applies the 1 MW rule beyond the resolution: heating and DHW counters may each step once', () => {
    const t0 = Date.UTC(2026, 0, 15);
    const guard = new QualityGuard(stiebelEltronWpm);
    guard.filter({ heat_energy: 12_345_000 }, t0);
    // heat_energy sums two kWh counters (heating, DHW): both may step between two polls.
    assert.deepEqual(guard.filter({ heat_energy: 12_347_000 }, t0 + 1_000).accepted, {
      heat_energy: 12_347_000,
    });
    // Three steps in a second: one kWh more than the two steps, and 1 MW counts 278 Wh a second.
    assert.deepEqual(guard.filter({ heat_energy: 12_350_000 }, t0 + 2_000).rejected, [
      { metric: 'heat_energy', value: 12_350_000, reason: 'counter-jump', last: 12_347_000 },
    ]);
    // Ten seconds after the last accepted value 1 MW counts 2.8 kWh, plus the two steps.
    assert.deepEqual(guard.filter({ heat_energy: 12_351_000 }, t0 + 11_000).accepted, {
      heat_energy: 12_351_000,
    });
  });

  void it('gives a float32 meter the resolution its decoded value has at that magnitude', () => {
    const t0 = Date.UTC(2026, 0, 15);
    const guard = new QualityGuard(wago87930xx);
    // 12 345.67 kWh to 7 significant digits steps by 10 Wh; 1 MW counts 278 Wh in a second.
    guard.filter({ elec_energy: 12_345_670 }, t0);
    assert.deepEqual(guard.filter({ elec_energy: 12_345_950 }, t0 + 1_000).accepted, {
      elec_energy: 12_345_950,
    });
    assert.equal(guard.filter({ elec_energy: 12_346_950 }, t0 + 2_000).rejected[0]?.reason, 'counter-jump');
  });
});
