import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
});
