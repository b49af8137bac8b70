import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter } from './ratelimit.ts';

test('a burst is allowed, then requests wait for the refill', () => {
  let now = 0;
  const limiter = new RateLimiter(60, 3, () => now);
  assert.deepEqual(
    [1, 2, 3, 4].map(() => limiter.take('a')),
    [true, true, true, false],
  );
  assert.equal(limiter.take('b'), true, 'keys are limited apart');
  now += 1_000;
  assert.equal(limiter.take('a'), true, 'one token back after a second at 60/min');
  assert.equal(limiter.take('a'), false);
  assert.equal(limiter.retryInMs('a'), 1_000, 'a second until the next token at 60/min');
  now += 400;
  assert.equal(limiter.retryInMs('a'), 600);
  assert.equal(limiter.retryInMs('b'), 0, 'b has tokens left');
  assert.equal(limiter.retryInMs('unknown'), 0);
});
