import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from './backoff.ts';

test('backoff doubles from the initial delay and stops at the cap', () => {
  const options = { initialMs: 500, maxMs: 30_000 };
  assert.deepEqual(
    [0, 1, 2, 3, 6, 7, 100].map((n) => backoffDelay(n, options)),
    [0, 500, 1000, 2000, 16_000, 30_000, 30_000],
  );
});
