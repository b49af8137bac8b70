// The session lifetime in config (api.sessionTtlHours) is the TTL of the gateway_sessions bucket:
// a changed setting reaches the existing bucket at the next start, and the admin CLI's way of
// opening the buckets leaves it as the gateway set it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NatsClient } from '@heatstream/runtime';
import { fileFixture, fileSetUp, freePort, natsFixture, serviceFixture } from '@heatstream/testkit';
import { gateway } from '../src/service.ts';
import { UserStore } from '../src/users.ts';

const HOUR = 3_600_000;
const nats = fileFixture(() => natsFixture({ own: true }));
let admin: NatsClient;
fileSetUp(async () => {
  admin = await nats.serviceClient('admin');
});

async function startAndStop(env: Record<string, string> = {}): Promise<void> {
  await using svc = await serviceFixture(gateway, {
    env: nats.env({
      // Sessions need no QuestDB: nothing listens here, and the gateway starts degraded.
      HS_QUESTDB__URL: 'http://127.0.0.1:9',
      HS_API__PORT: String(await freePort()),
      HS_LOG__LEVEL: 'error',
      ...env,
    }),
  });
  assert.equal(await svc.stop(), 0);
}

/** The bucket's TTL as it is now: opening without a TTL of one's own leaves it unchanged. */
const sessionsTtl = async (): Promise<number> => (await admin.kv('gateway_sessions')).ttlMs;

test('a changed api.sessionTtlHours reaches the sessions bucket at the next start', async () => {
  await startAndStop();
  assert.equal(await sessionsTtl(), 12 * HOUR, 'the default of 12 h');
  await startAndStop({ HS_API__SESSION_TTL_HOURS: '1' });
  assert.equal(await sessionsTtl(), HOUR);
  await startAndStop({ HS_API__SESSION_TTL_HOURS: '36' });
  assert.equal(await sessionsTtl(), 36 * HOUR);
});

test('the admin CLI’s store keeps the TTL the gateway set, and sessions last that long', async () => {
  await startAndStop({ HS_API__SESSION_TTL_HOURS: '2' });
  const now = Date.parse('2026-01-15T06:00:00Z');
  const users = await UserStore.open(admin, { now: () => now });
  assert.equal(await sessionsTtl(), 2 * HOUR);
  await users.createUser('sam', 'a long enough password', 'viewer');
  const user = await users.authenticate('sam', 'a long enough password');
  assert.ok(user);
  const secret = await users.createSession(user);
  assert.deepEqual(await users.fromSession(secret), { username: 'sam', role: 'viewer', via: 'session' });
  const later = await UserStore.open(admin, { now: () => now + 2 * HOUR + 1 });
  assert.equal(await later.fromSession(secret), undefined, 'expired after the bucket’s TTL');
});
