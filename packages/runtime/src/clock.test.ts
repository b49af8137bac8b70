import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WaitAbortedError, abortable, backoffDelay, sleep } from './clock.ts';

test('backoff doubles from the first delay and stops at the cap', () => {
  const options = { initialMs: 250, maxMs: 10_000 };
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5, 6, 7, 100].map((n) => backoffDelay(n, options)),
    [0, 250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000],
  );
});

test('sleep ends as soon as its signal aborts, and at once when already aborted', async () => {
  const controller = new AbortController();
  const started = performance.now();
  const waiting = sleep(60_000, controller.signal);
  setImmediate(() => {
    controller.abort();
  });
  await waiting;
  assert.ok(performance.now() - started < 5_000, 'an aborted sleep returns long before its delay');
  await sleep(60_000, controller.signal);
});

test('abortable passes the result through, and ends the wait when its signal aborts', async () => {
  const controller = new AbortController();
  assert.equal(await abortable(Promise.resolve(7), controller.signal), 7);
  await assert.rejects(abortable(Promise.reject(new Error('refused')), controller.signal), /refused/);
  const never = new Promise<number>(() => undefined);
  const waiting = abortable(never, controller.signal);
  controller.abort(new Error('stopping'));
  await assert.rejects(waiting, WaitAbortedError);
  await assert.rejects(abortable(Promise.resolve(1), controller.signal), WaitAbortedError);
});
