import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress, formatDuration } from './progress.ts';

test('progress: rate, share done and time left from a controlled clock', () => {
  let now = 1_000_000;
  const progress = new Progress(101, 300, () => now);
  assert.equal(progress.snapshot().leftMs, undefined);
  now += 2_000;
  progress.advance(150, 50);
  const s = progress.snapshot();
  assert.equal(s.perSecond, 25);
  assert.equal(s.done, 0.25);
  assert.equal(s.leftMs, 6_000);
  assert.equal(progress.line(), '50 events, 25/s, 25.0 % done, 6 s left');
});

test('durations read as people say them', () => {
  assert.equal(formatDuration(59_400), '59 s');
  assert.equal(formatDuration(61_000), '1 min 1 s');
  assert.equal(formatDuration(3_720_000), '1 h 2 min');
});
