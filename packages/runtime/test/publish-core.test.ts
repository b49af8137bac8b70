// ctx.publishCore against a real nats-server: a valid event reaches a core subscriber with the
// trace context in its headers; an invalid one, one outside the service's corePublishes, and one
// on a subject a stream stores are refused before anything leaves; the server, run with the
// generated permissions, lets the cop user core-publish the live COP and nothing stored beside it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AccessError,
  ContractError,
  access as contractAccess,
  events,
  natsPermissions,
  subjects,
  type EventOf,
} from '@heatstream/contracts';
import { access, copLiveEvent, eventually, fileFixture, natsFixture } from '@heatstream/testkit';
import {
  PublishError,
  defineService,
  runService,
  type PublishCore,
  type RunningService,
} from '../src/mod.ts';
import { reading } from './helpers.ts';

const nats = fileFixture(() => natsFixture({ own: true }));

/** A service that only hands out its publishCore. */
async function publisher(
  rights = access({ corePublishes: ['cop-live.v1.>'] }),
): Promise<{ svc: RunningService; publishCore: PublishCore }> {
  let publishCore: PublishCore | undefined;
  const svc = await runService(
    defineService({
      name: 'live-publisher',
      init(ctx) {
        publishCore = ctx.publishCore;
        return undefined;
      },
    }),
    { argv: [], env: nats.env(), access: rights },
  );
  assert.ok(publishCore);
  return { svc, publishCore };
}

describe('ctx.publishCore', () => {
  test('publishes a valid event on its own subject with a traceparent, stored nowhere', async () => {
    const { svc, publishCore } = await publisher();
    try {
      const got: { subject: string; event: EventOf<'heatstream.cop-live.v1'>; traceparent: string }[] = [];
      const sub = nats.nc.subscribe('cop-live.v1.>', {
        callback: (_err, msg) => {
          got.push({
            subject: msg.subject,
            event: events.decode(msg.data) as EventOf<'heatstream.cop-live.v1'>,
            traceparent: msg.headers?.get('traceparent') ?? '',
          });
        },
      });
      await nats.nc.flush();
      const event = copLiveEvent({ site: 'home', device: 'wpm', heatW: 7980, elecW: 2500 });
      const subject = publishCore(event, { headers: { 'x-test': 'live' } });
      assert.equal(subject, subjects.copLive('home', 'wpm'));
      await eventually('the live COP arrives', () => got.length === 1);
      const [first] = got;
      assert.ok(first);
      assert.equal(first.subject, 'cop-live.v1.home.wpm');
      assert.deepEqual(first.event, event);
      assert.match(first.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      sub.unsubscribe();
    } finally {
      await svc.stop();
    }
  });

  test('refuses an invalid event, a subject outside corePublishes and a stored subject', async () => {
    const { svc, publishCore } = await publisher(
      access({ corePublishes: ['cop-live.v1.home.>', 'readings.v1.>'] }),
    );
    try {
      const seen: string[] = [];
      const sub = nats.nc.subscribe('>', {
        callback: (_err, msg) => {
          if (!msg.subject.startsWith('$') && !msg.subject.startsWith('_INBOX')) seen.push(msg.subject);
        },
      });
      await nats.nc.flush();
      const bad = { ...copLiveEvent(), data: { ...copLiveEvent().data, cop: -1 } };
      assert.throws(() => publishCore(bad), ContractError);
      assert.throws(
        () => publishCore(copLiveEvent({ site: 'cabin' })),
        (e: unknown) =>
          e instanceof AccessError &&
          /live-publisher may not core-publish to cop-live\.v1\.cabin\.hp1/.test(e.message),
      );
      assert.throws(
        () => publishCore(reading('a', 1)),
        (e: unknown) =>
          e instanceof PublishError && /stream READINGS stores it; use ctx\.publish/.test(e.message),
      );
      // The one allowed publish arrives, and nothing before it did.
      publishCore(copLiveEvent({ site: 'home', device: 'last' }));
      await eventually('the allowed publish', () => seen.length > 0);
      await nats.nc.flush();
      assert.deepEqual(seen, ['cop-live.v1.home.last']);
      sub.unsubscribe();
    } finally {
      await svc.stop();
    }
  });

  test('grants the cop user the live COP subjects on the server, none a stream stores', () => {
    const cop = contractAccess.cop;
    assert.ok(cop);
    assert.deepEqual(cop.corePublishes, ['cop-live.v1.*.*']);
    const p = natsPermissions('cop', cop);
    assert.ok(p.publish.includes('cop-live.v1.*.*'));
    // corePublishes provision no stream: cop's streams are those of cop.v1 and its consumer.
    assert.ok(!p.publish.some((s) => s.includes('cop-live') && s.startsWith('$JS')));
  });
});
