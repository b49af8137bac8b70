// The runtime's own metrics scraped from a real service's probe server (`http.metrics` on) against
// a real nats-server: counters that rise by what the test publishes, the consumer's lag while a
// handler holds the loop, batch histograms, and device states from the device-status it publishes.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { subjects, type ConsumerSpec } from '@heatstream/contracts';
import {
  eventually,
  fileFixture,
  natsFixture,
  readingEvent,
  scrape,
  serviceFixture,
  statusEvent,
  type Scrape,
} from '@heatstream/testkit';
import { defineService, ok } from './mod.ts';

const nats = fileFixture(() => natsFixture({ own: true }));

const consumer = (durable: string, device: string): ConsumerSpec => ({
  stream: 'READINGS',
  durable,
  filterSubjects: [subjects.reading('site1', device)],
  description: 'runtime metrics tests',
  ackWaitMs: 10_000,
  maxDeliver: 2,
  backoffMs: [100],
  maxAckPending: 1_000,
});
const each = consumer('metrics-each', 'dev-each');
const batched = consumer('metrics-batch', 'dev-batch');

// The handler of `each` waits on this gate for readings of flow_temp 99, so the test sees the lag.
let release: () => void = () => undefined;
let gate: Promise<void> = Promise.resolve();
const hold = (): void => {
  gate = new Promise((resolve) => (release = resolve));
};
after(() => {
  release();
});

const svc = defineService({
  name: 'metered',
  init(ctx) {
    ctx.consume(
      each,
      async (event) => {
        const data = event.data as { metrics: Record<string, number> };
        if (data.metrics.flow_temp === 99) await gate;
        if (data.metrics.flow_temp === -1) throw new Error('this reading always fails');
        // A reading of 50 °C takes the device offline: the state gauge follows.
        if (data.metrics.flow_temp === 50)
          await ctx.publish(
            subjects.deviceStatus('site1', 'dev-each'),
            statusEvent({ site: 'site1', device: 'dev-each', state: 'unavailable' }),
          );
      },
      // One message per pull: num_pending is then the whole lag behind the message in hand.
      { batch: 1 },
    );
    ctx.consumeBatch(batched, (items) => Promise.resolve(items.map(() => ok)), {
      batch: 100,
      maxWaitMs: 1_000,
    });
    return {
      start: async () => {
        await ctx.publish(
          subjects.deviceStatus('site1', 'dev-each'),
          statusEvent({ site: 'site1', device: 'dev-each', state: 'online' }),
        );
      },
    };
  },
});

const publishReading = async (device: string, flow: number): Promise<void> => {
  const event = readingEvent({ site: 'site1', device, metrics: { flow_temp: flow } });
  await nats.js.publish(subjects.reading('site1', device), JSON.stringify(event));
};

describe('runtime metrics at /metrics', () => {
  test('consume counters, lag, batches and device states are served in Prometheus text', async () => {
    const env = nats.env({ HS_HTTP__METRICS: 'true' });
    let running = await serviceFixture(svc, { env });
    try {
      const on = (c: ConsumerSpec) => ({ consumer: c.durable, stream: c.stream });
      const at = async (what: string, probe: (s: Scrape) => boolean): Promise<Scrape> =>
        eventually(what, async () => {
          const s = await scrape(`http://127.0.0.1:${running.httpPort}/metrics`);
          return probe(s) ? s : undefined;
        });

      const first = await at(
        'the device state online',
        (s) => s.value('heatstream_device_state', { device: 'dev-each', state: 'online' }) === 1,
      );
      assert.match(first.contentType ?? '', /^text\/plain/);
      assert.equal(first.family('heatstream_device_state')?.type, 'gauge');
      assert.equal(first.value('heatstream_device_state', { device: 'dev-each', state: 'unavailable' }), 0);
      assert.equal(first.series('heatstream_device_state', { device: 'dev-each' })?.labels.site, 'site1');
      assert.equal(
        first.value('heatstream_events_published_total', { type: 'heatstream.device-status.v1' }),
        1,
      );

      // Five readings: consumed and acked rise by five.
      for (let i = 0; i < 5; i++) await publishReading('dev-each', 30 + i);
      const five = await at('five acked', (s) => s.value('heatstream_consumer_acked_total', on(each)) === 5);
      assert.equal(five.family('heatstream_consumer_consumed_total')?.type, 'counter');
      assert.equal(five.value('heatstream_consumer_consumed_total', on(each)), 5);
      assert.equal(five.value('heatstream_consumer_pending', on(each)), 0, 'caught up');
      const durations = five.histogram('heatstream_consumer_handler_duration', on(each));
      assert.ok(durations, 'a handler-duration histogram');
      assert.equal(durations.count, 5, JSON.stringify(durations));
      assert.equal(durations.buckets['+Inf'], 5);

      // Four readings wait while the service is away; back, its handler holds on the first of
      // them (one message per pull): the three behind it are the consumer's lag.
      await running.stop();
      for (const flow of [99, 40, 41, 42]) await publishReading('dev-each', flow);
      hold();
      running = await serviceFixture(svc, { env });
      await at('a lag of three', (s) => s.value('heatstream_consumer_pending', on(each)) === 3);
      release();
      const drained = await at(
        'nine acked',
        (s) => s.value('heatstream_consumer_acked_total', on(each)) === 9,
      );
      assert.equal(drained.value('heatstream_consumer_pending', on(each)), 0);

      // A reading that always fails: retried once, redelivered once, then dead-lettered.
      await publishReading('dev-each', -1);
      const failed = await at(
        'one rejected',
        (s) => s.value('heatstream_consumer_rejected_total', on(each)) === 1,
      );
      assert.equal(failed.value('heatstream_consumer_retried_total', on(each)), 1);
      assert.equal(failed.value('heatstream_consumer_redelivered_total', on(each)), 1);
      assert.equal(failed.value('heatstream_consumer_consumed_total', on(each)), 11);

      // The device state follows the newest device-status the service published.
      await publishReading('dev-each', 50);
      const offline = await at(
        'the device state unavailable',
        (s) => s.value('heatstream_device_state', { device: 'dev-each', state: 'unavailable' }) === 1,
      );
      assert.equal(offline.value('heatstream_device_state', { device: 'dev-each', state: 'online' }), 0);

      // Batches: seven readings, acked together, in at most seven batches.
      for (let i = 0; i < 7; i++) await publishReading('dev-batch', 20 + i);
      const batches = await at(
        'seven batch acks',
        (s) => s.value('heatstream_consumer_acked_total', on(batched)) === 7,
      );
      const sizes = batches.histogram('heatstream_consumer_batch_size', on(batched));
      assert.equal(batches.family('heatstream_consumer_batch_size')?.type, 'histogram');
      assert.ok(sizes, 'a batch-size histogram');
      assert.equal(sizes.sum, 7, JSON.stringify(sizes));
      assert.ok(sizes.count >= 1 && sizes.count <= 7, JSON.stringify(sizes));
    } finally {
      release();
      await running.stop();
    }
  });

  test('without http.metrics the probe server has no /metrics', async () => {
    await using running = await serviceFixture(defineService({ name: 'unmetered', init: () => undefined }), {
      env: nats.env(),
    });
    const res = await fetch(`http://127.0.0.1:${running.httpPort}/metrics`);
    assert.equal(res.status, 404);
    await res.body?.cancel();
  });
});
