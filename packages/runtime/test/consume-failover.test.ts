// Batch consume mode on a three-node cluster: a pull that fails part-way because the consumer's
// leader changes (JetStream ends the pull with 409 "leadership change") has already handed over
// messages; they must go back for redelivery, not stay held and kept alive by the batch loop for
// ever. The leader steps down on request, so the pull fails at a moment the test chooses (a
// killed leader sends nothing; the pull would then end by its heartbeats, at a moment it does not).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subjects, type ConsumerSpec } from '@heatstream/contracts';
import { consumerIdle, eventually, natsClusterFixture } from '@heatstream/testkit';
import { defineService, ok, runService } from '../src/mod.ts';
import { reading } from './helpers.ts';

const consumer: ConsumerSpec = {
  stream: 'READINGS',
  durable: 'batch-failover',
  filterSubjects: [subjects.reading('site1', 'dev-failover')],
  description: 'runtime failover test',
  ackWaitMs: 5_000,
  maxDeliver: 5,
  backoffMs: [100, 200],
  maxAckPending: 1_000,
};

test('messages of a pull cut short by a change of the consumer’s leader are redelivered and handled', async () => {
  await using cluster = await natsClusterFixture({ nodes: 3 });
  const seen = new Set<string>();
  const svc = await runService(
    defineService({
      name: 'batcher',
      init(ctx) {
        // One pull asks for far more than is published and waits 8 s for the rest: the messages
        // sit in the open pull, not yet a batch, when the leader steps down.
        ctx.consumeBatch(
          consumer,
          (items) => {
            for (const { event } of items) seen.add(event.id);
            return Promise.resolve(items.map(() => ok));
          },
          { batch: 1_000, maxWaitMs: 8_000 },
        );
        return undefined;
      },
    }),
    { argv: [], env: cluster.env({ HS_JETSTREAM__REPLICAS: '3' }), consumers: [consumer] },
  );
  try {
    const sent = Array.from({ length: 30 }, (_, i) => reading('dev-failover', i));
    await Promise.all(
      sent.map((e) =>
        cluster.js.publish(subjects.reading('site1', 'dev-failover'), JSON.stringify(e), { msgID: e.id }),
      ),
    );
    await eventually(
      'the pull to hold every message',
      async () => (await cluster.jsm.consumers.info('READINGS', 'batch-failover')).num_ack_pending === 30,
      10_000,
    );
    assert.equal(seen.size, 0, 'no batch was handled yet');
    const leader = await cluster.consumerLeader('READINGS', 'batch-failover');
    await cluster.nc.request('$JS.API.CONSUMER.LEADER.STEPDOWN.READINGS.batch-failover', '', {
      timeout: 10_000,
    });
    await eventually(
      'another leader of the consumer',
      () =>
        cluster.consumerLeader('READINGS', 'batch-failover').then(
          (l) => l !== leader,
          () => false,
        ),
      10_000,
    );
    await eventually('every message handled', () => sent.every((e) => seen.has(e.id)), 30_000);
    await eventually(
      'every message acked',
      () => consumerIdle(cluster.jsm, 'READINGS', 'batch-failover'),
      30_000,
    );
  } finally {
    assert.equal(await svc.stop(), 0);
  }
});
