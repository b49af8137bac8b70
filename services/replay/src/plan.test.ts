import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlanError, parsePlan, rangeKey } from './plan.ts';

test('a plan from the command line, with defaults', () => {
  const plan = parsePlan(
    ['questdb', '--stream', 'READINGS', '--from', '2026-01-15T00:00:00Z', '--to', '2026-01-16T00:00:00Z'],
    '/repo',
  );
  assert.equal(plan.target, 'questdb');
  assert.deepEqual(plan.subjects, ['readings.v1.>']);
  assert.equal(plan.from?.toISOString(), '2026-01-15T00:00:00.000Z');
  assert.equal(plan.batch, 4_000);
  assert.equal(plan.checkpointFile, '/repo/.data/replay/questdb-READINGS.json');
  assert.equal(plan.resume, false);
});

test('every problem is reported together', () => {
  assert.throws(
    () =>
      parsePlan(['derive', '--stream', 'NOPE', '--from', 'yesterday', '--from-seq', '0', '--speed=-1'], '/r'),
    (error: unknown) => {
      assert.ok(error instanceof PlanError);
      assert.equal(error.problems.length, 5, error.problems.join('\n'));
      assert.ok(error.problems.some((p) => p.includes('--derivation')));
      return true;
    },
  );
});

test('the range key tells runs apart, so a checkpoint only resumes its own range', () => {
  const a = parsePlan(['live', '--stream', 'READINGS', '--from-seq', '10'], '/r');
  const b = parsePlan(['live', '--stream', 'READINGS', '--from-seq', '11'], '/r');
  const a2 = parsePlan(
    ['live', '--stream', 'READINGS', '--from-seq', '10', '--speed', '5', '--resume'],
    '/r',
  );
  assert.notEqual(rangeKey(a), rangeKey(b));
  assert.equal(rangeKey(a), rangeKey(a2), 'speed and --resume do not change the range');
});
