import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { StoreHealth } from './store-health.ts';

test('readiness follows the probe and what the writers report', async () => {
  let answer: string | undefined = 'connection refused';
  const health = new StoreHealth({
    probe: () => Promise.resolve(answer),
    intervalMs: 60_000,
    log: pino({ level: 'silent' }),
  });
  await health.start();
  assert.equal(health.check(), 'QuestDB: connection refused');
  answer = undefined;
  await health.probeNow();
  assert.equal(health.check(), undefined);
  health.down('HTTP 401');
  assert.equal(health.check(), 'QuestDB: HTTP 401');
  health.up();
  assert.equal(health.check(), undefined);
  health.stop();
});
