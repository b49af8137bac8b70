import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { access } from './access.ts';
import { buckets, bucketsOf } from './buckets.ts';

void describe('buckets', () => {
  void it('have unique names NATS accepts as bucket names', () => {
    assert.equal(new Set(buckets.map((b) => b.name)).size, buckets.length);
    for (const b of buckets) assert.match(b.name, /^[A-Za-z0-9_-]+$/, b.name);
  });

  void it('keep limits JetStream accepts for a KV bucket', () => {
    for (const b of buckets) {
      assert.ok(Number.isInteger(b.history) && b.history >= 1 && b.history <= 64, b.name);
      assert.ok(b.ttlMs >= 0, b.name);
      assert.ok(b.maxBytes === -1 || b.maxBytes > 0, b.name);
      assert.ok(b.replicas >= 1, b.name);
      assert.ok(b.description.length > 0, b.name);
      // A TTL setting overrides a TTL: a bucket that keeps entries forever has none to override.
      if (b.ttlSetting !== undefined) assert.ok(b.ttlMs > 0, b.name);
    }
  });

  void it('are used by services that exist, and rights follow the declarations', () => {
    for (const b of buckets) {
      assert.ok(b.users.length > 0, b.name);
      for (const user of b.users) assert.ok(access[user], `${b.name}: unknown service ${user}`);
    }
    for (const [service, rights] of Object.entries(access)) {
      assert.deepEqual(rights.kv, bucketsOf(service), service);
    }
    assert.deepEqual(access.gateway?.kv, ['gateway_users', 'gateway_tokens', 'gateway_sessions']);
  });

  void it('let the gateway configure the session TTL, and no other', () => {
    const sessions = buckets.find((b) => b.name === 'gateway_sessions');
    assert.equal(sessions?.ttlMs, 12 * 3_600_000);
    assert.equal(sessions.ttlSetting, 'api.sessionTtlHours');
    assert.deepEqual(
      buckets.filter((b) => b.ttlSetting !== undefined).map((b) => b.name),
      ['gateway_sessions'],
    );
  });
});
