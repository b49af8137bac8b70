import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FaultPlan, seededRandom } from './faults.ts';

void describe('FaultPlan', () => {
  void it('applies scheduled faults in their window and to their unit only', () => {
    const plan = new FaultPlan([{ mode: 'exception', atS: 10, forS: 5, unitId: 2 }], 0);
    assert.equal(plan.pick(2, 9_999), undefined);
    assert.equal(plan.pick(2, 10_000)?.mode, 'exception');
    assert.equal(plan.pick(1, 12_000), undefined);
    assert.equal(plan.pick(2, 15_000), undefined);
  });

  void it('hits the share of requests its rate asks for, repeatably', () => {
    const plan = new FaultPlan([], 0, seededRandom(42));
    plan.set([{ mode: 'garbage', rate: 0.25 }]);
    const hits = Array.from({ length: 4000 }, () => plan.pick(1, 0)).filter(Boolean).length;
    assert.ok(hits > 850 && hits < 1150, `${hits}`);
    plan.set([]);
    assert.equal(plan.pick(1, 0), undefined);
  });
});
