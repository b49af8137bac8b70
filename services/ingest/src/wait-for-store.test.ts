import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { StartupError } from '@heatstream/runtime';
import { waitForStore } from './wait-for-store.ts';

test('start-up gives up on an unreachable QuestDB with the reason', async () => {
  await assert.rejects(
    waitForStore({ url: 'http://127.0.0.1:1' }, 0, pino({ level: 'silent' })),
    (error: unknown) =>
      error instanceof StartupError && /QuestDB not available after 0 ms: .*unreachable/.test(error.message),
  );
});
