// Core subscriptions through the runtime: events decoded and validated (invalid ones skipped and
// counted), the publisher's trace continued, a failing handler survived, and the subscriptions
// closed on shutdown before the service's stop hook runs.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { headers } from '@nats-io/transport-node';
import { encodeEvent } from '@heatstream/contracts';
import { access, eventually, fileFixture, natsFixture } from '@heatstream/testkit';
import { StartupError, activeTraceIds, defineService, runService, type Subscription } from '../src/mod.ts';
import { reading } from './helpers.ts';

const rights = access({ subscribes: ['readings.v1.>'] });
const env = (): NodeJS.ProcessEnv => nats.env();

const nats = fileFixture(() => natsFixture({ own: true }));

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';

describe('ctx.subscribe', () => {
  test('decodes and validates, skips invalid events, survives a failing handler, continues the trace', async () => {
    const seen: {
      device: string;
      traceId: string | undefined;
      logged: string | undefined;
      tag: string | undefined;
    }[] = [];
    let sub: Subscription | undefined;
    const svc = await runService(
      defineService({
        name: 'listener',
        init(ctx) {
          sub = ctx.subscribe('readings.v1.>', (event, message) => {
            const { device } = event.data as { device: string };
            seen.push({
              device,
              traceId: message.span.spanContext().traceId,
              logged: activeTraceIds()?.traceId,
              tag: message.header('x-test'),
            });
            if (device === 'boom') throw new Error('handler fails on boom');
          });
          return undefined;
        },
      }),
      { argv: [], env: env(), access: rights },
    );
    const traced = headers();
    traced.set('traceparent', `00-${TRACE_ID}-00f067aa0ba902b7-01`);
    traced.set('x-test', 'tagged');
    nats.nc.publish('readings.v1.site1.a', encodeEvent(reading('a', 1)), { headers: traced });
    nats.nc.publish('readings.v1.site1.x', '{"not":"an event"}');
    nats.nc.publish('readings.v1.site1.boom', encodeEvent(reading('boom', 2)));
    nats.nc.publish('readings.v1.site1.b', encodeEvent(reading('b', 3)));
    await nats.nc.flush();
    await eventually('four messages', () => (sub?.stats.received ?? 0) >= 4);
    assert.deepEqual(
      seen.map((s) => s.device),
      ['a', 'boom', 'b'],
    );
    assert.deepEqual(sub?.stats, { received: 4, handled: 2, invalid: 1, failed: 1 });
    const [first, , third] = seen;
    assert.ok(first && third);
    assert.equal(first.traceId, TRACE_ID, 'the span continues the publisher’s trace');
    assert.equal(first.logged, TRACE_ID, 'log lines in the handler carry it');
    assert.equal(first.tag, 'tagged');
    assert.notEqual(third.traceId, TRACE_ID, 'an untraced message starts its own trace');
    assert.equal(await svc.stop(), 0, 'a failing handler is no failed shutdown');
  });

  test('closes on shutdown after the message in hand, before the stop hook', async () => {
    const order: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const svc = await runService(
      defineService({
        name: 'listener',
        init(ctx) {
          ctx.subscribe('readings.v1.>', async () => {
            order.push('handling');
            await gate;
            order.push('handled');
          });
          return { stop: () => void order.push('stop hook') };
        },
      }),
      { argv: [], env: env(), access: rights },
    );
    nats.nc.publish('readings.v1.site1.a', encodeEvent(reading('a', 1)));
    await eventually('the handler to start', () => order.includes('handling'));
    const stopped = svc.stop();
    setImmediate(release);
    assert.equal(await stopped, 0);
    assert.deepEqual(order, ['handling', 'handled', 'stop hook']);
  });

  test('a subject outside the service’s rights fails start-up with the reason', async () => {
    await assert.rejects(
      runService(
        defineService({
          name: 'listener',
          init(ctx) {
            ctx.subscribe('alerts.v1.>', () => undefined);
            return undefined;
          },
        }),
        { argv: [], env: env(), access: rights },
      ),
      (error: unknown) =>
        error instanceof StartupError &&
        /listener may not subscribe to alerts\.v1\.>: its subscribes in contracts\/src\/access\.ts are \["readings\.v1\.>"\]/.test(
          error.message,
        ),
    );
  });
});
