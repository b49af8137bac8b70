// KV buckets through the runtime: created from their declaration, converged at the next start
// (a changed TTL, history or description reaches the existing bucket), refused when the server
// holds something incompatible or the service has no right to the bucket.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { Type } from '@sinclair/typebox';
import type { BucketSpec, ServiceAccess } from '@heatstream/contracts';
import { access as rightsOf, fileFixture, natsFixture } from '@heatstream/testkit';
import {
  ProvisioningError,
  StartupError,
  connectClient,
  defineService,
  runService,
  type Kv,
  type ServiceContext,
} from '../src/mod.ts';

const HOUR = 3_600_000;
const rights: ServiceAccess = rightsOf({ kv: ['test_settings', 'test_sessions'] });

const declared = (more: Partial<BucketSpec> = {}): BucketSpec => ({
  name: 'test_settings',
  description: 'runtime test settings',
  history: 1,
  ttlMs: HOUR,
  maxBytes: -1,
  replicas: 1,
  users: ['kv-user'],
  ...more,
});
const sessions = declared({ name: 'test_sessions', ttlMs: 12 * HOUR, ttlSetting: 'ttlHours' });

type Ctx = ServiceContext<{ ttlHours?: number }>;

/** Runs a service whose init does `body` with its context, then stops it. */
async function withService(
  body: (ctx: Ctx) => Promise<unknown>,
  {
    buckets = [declared(), sessions],
    access = rights,
    env = {},
  }: { buckets?: BucketSpec[]; access?: ServiceAccess; env?: Record<string, string> } = {},
): Promise<void> {
  const svc = await runService(
    defineService({
      name: 'kv-user',
      config: { ttlHours: Type.Optional(Type.Number({ exclusiveMinimum: 0 })) },
      async init(ctx) {
        await body(ctx);
        return undefined;
      },
    }),
    { argv: [], env: nats.env(env), buckets, access },
  );
  assert.equal(await svc.stop(), 0);
}

const nats = fileFixture(() => natsFixture({ own: true }));

const streamOf = async (bucket: string) => (await nats.jsm.streams.info(`KV_${bucket}`)).config;
const strings = async (keys: AsyncIterable<string>): Promise<string[]> => {
  const out: string[] = [];
  for await (const key of keys) out.push(key);
  return out.sort();
};

describe('ctx.kv', () => {
  test('creates a bucket from its declaration; values round-trip', async () => {
    const spec = declared({ name: 'test_settings', history: 3, maxBytes: 1024 ** 2 });
    let seen: unknown[] = [];
    await withService(
      async (ctx) => {
        const kv: Kv = await ctx.kv('test_settings');
        assert.equal(kv.ttlMs, HOUR);
        await kv.put('plain', 'text');
        await kv.putJson('doc', { a: 1 });
        const created = await kv.createJson('once', { first: true });
        const again = await kv.createJson('once', { first: false });
        await kv.put('gone', 'x');
        await kv.delete('gone');
        seen = [
          (await kv.get('plain'))?.string(),
          await kv.getJson('doc'),
          created,
          again,
          await kv.getJson('once'),
          await kv.get('gone'),
          await kv.get('never'),
          await strings(kv.keys()),
          // A deleted key has no value: create may write it again.
          await kv.create('gone', 'back'),
        ];
        // Compare-and-set: a write on the revision read succeeds once; one on a stale revision
        // (another replica wrote meanwhile) writes nothing.
        const read = await kv.get('doc');
        const first = await kv.updateJson('doc', { a: 2 }, read?.revision ?? 0);
        const stale = await kv.updateJson('doc', { a: 3 }, read?.revision ?? 0);
        seen.push(first, stale, await kv.getJson('doc'));
      },
      { buckets: [spec] },
    );
    assert.deepEqual(seen, [
      'text',
      { a: 1 },
      true,
      false,
      { first: true },
      undefined,
      undefined,
      ['doc', 'once', 'plain'],
      true,
      true,
      false,
      { a: 2 },
    ]);
    const config = await streamOf('test_settings');
    assert.equal(config.description, 'runtime test settings');
    assert.equal(config.max_msgs_per_subject, 3);
    assert.equal(config.max_age, nanos(HOUR));
    assert.equal(config.max_bytes, 1024 ** 2);
    assert.equal(config.storage, StorageType.File);
  });

  test('a changed declaration reaches the existing bucket at the next start, keeping its values', async () => {
    await withService(async (ctx) => {
      await (await ctx.kv('test_settings')).put('kept', 'yes');
    });
    let kept: string | undefined;
    const changed = declared({ ttlMs: 2 * HOUR, history: 5, description: 'changed settings' });
    await withService(
      async (ctx) => {
        const kv = await ctx.kv('test_settings');
        assert.equal(kv.ttlMs, 2 * HOUR);
        kept = (await kv.get('kept'))?.string();
      },
      { buckets: [changed] },
    );
    assert.equal(kept, 'yes');
    const config = await streamOf('test_settings');
    assert.equal(config.max_age, nanos(2 * HOUR));
    assert.equal(config.max_msgs_per_subject, 5);
    assert.equal(config.description, 'changed settings');
  });

  test('config sets the TTL where the declaration lets it; other openers leave it as set', async () => {
    const open = (ctx: Ctx) =>
      ctx.kv('test_sessions', ctx.config.ttlHours ? { ttlMs: ctx.config.ttlHours * HOUR } : {});
    await withService((ctx) => open(ctx), { env: { HS_TTL_HOURS: '2' } });
    assert.equal((await streamOf('test_sessions')).max_age, nanos(2 * HOUR));
    // Below JetStream's 2 min duplicate window, which must then shrink with it.
    await withService((ctx) => open(ctx), { env: { HS_TTL_HOURS: '0.01' } });
    assert.equal((await streamOf('test_sessions')).max_age, nanos(36_000));
    const client = await connectClient({ nats: { url: nats.url } }, 'kv-user', {
      buckets: [sessions],
      access: rights,
    });
    const kv = await client.kv('test_sessions');
    await client.close();
    assert.equal(kv.ttlMs, 36_000, 'the TTL the owner set');
    assert.equal((await streamOf('test_sessions')).max_age, nanos(36_000));
  });

  test('an incompatible bucket fails start-up naming the bucket and the setting', async () => {
    await nats.jsm.streams.add({
      name: 'KV_test_memory',
      subjects: ['$KV.test_memory.>'],
      storage: StorageType.Memory,
      retention: RetentionPolicy.Limits,
      allow_rollup_hdrs: true,
      max_msgs_per_subject: 1,
    });
    await nats.jsm.streams.add({ name: 'KV_test_plain', subjects: ['plain.>'], storage: StorageType.File });
    const buckets = [declared({ name: 'test_memory' }), declared({ name: 'test_plain' })];
    const access = rightsOf({ kv: ['test_memory', 'test_plain'] });
    await assert.rejects(
      withService((ctx) => ctx.kv('test_memory'), { buckets, access }),
      (error: unknown) =>
        error instanceof ProvisioningError &&
        /bucket test_memory exists with storage=memory \(contracts want file\)/.test(error.message),
    );
    await assert.rejects(
      withService((ctx) => ctx.kv('test_plain'), { buckets, access }),
      (error: unknown) =>
        error instanceof ProvisioningError &&
        /bucket test_plain: stream KV_test_plain exists but is not a KV bucket \(subjects=\["plain\.>"\]/.test(
          error.message,
        ),
    );
  });

  test('a service opens only declared buckets its rights name, and sets only a configurable TTL', async () => {
    const refused = async (body: (ctx: Ctx) => Promise<unknown>, reason: RegExp): Promise<void> => {
      await assert.rejects(
        withService((ctx) => body(ctx), {
          access: rightsOf({ kv: ['test_settings'] }),
        }),
        (error: unknown) => error instanceof StartupError && reason.test(error.message),
      );
    };
    await refused(
      (ctx) => ctx.kv('test_sessions'),
      /kv-user may not open KV bucket test_sessions: contracts\/src\/buckets\.ts does not name it/,
    );
    await refused(
      (ctx) => ctx.kv('nope'),
      /unknown KV bucket nope: declare it in contracts\/src\/buckets\.ts/,
    );
    await refused(
      (ctx) => ctx.kv('test_settings', { ttlMs: HOUR }),
      /bucket test_settings: its TTL is fixed in contracts\/src\/buckets\.ts/,
    );
  });
});
