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

  void it('applies a window counted in requests to exactly those requests', () => {
    const plan = new FaultPlan([{ mode: 'disconnect', atRequest: 3, forRequests: 2 }], 0);
    // Time does not matter: the same reads are hit at any polling speed.
    const modes = [0, 5_000, 5_001, 60_000, 60_001].map((t) => plan.pick(1, t)?.mode);
    assert.deepEqual(modes, [undefined, undefined, 'disconnect', 'disconnect', undefined]);
  });

  void it('draws garbage from the seeded source, so a run repeats', () => {
    const run = () => {
      const plan = new FaultPlan([], 0, seededRandom(7));
      plan.set([{ mode: 'garbage', rate: 0.5 }]);
      return Array.from({ length: 20 }, () => (plan.pick(1, 0) ? plan.garbage(4) : []));
    };
    const first = run();
    assert.deepEqual(run(), first);
    const words = first.flat();
    assert.ok(words.length > 0 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff));
    assert.notDeepEqual(
      new FaultPlan([], 0, seededRandom(8)).garbage(4),
      new FaultPlan([], 0, seededRandom(7)).garbage(4),
      'another seed, other garbage',
    );
  });
});
