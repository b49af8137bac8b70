// Zero loss across failures: a QuestDB outage longer than the consumer's ack wait allows for all of
// a message's deliveries, in the middle of a 100k-reading stream, and ingest killed with SIGKILL
// mid-stream — once, and at several random points while readings are still being published, with
// small batches so that several are in flight at each kill. Afterwards every reading is in QuestDB
// exactly once and nothing is dead-lettered.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { consumers, type ConsumerSpec } from '@heatstream/contracts';
import { sleep } from '@heatstream/runtime';
import {
  eventually,
  fileFixture,
  killNodeProcesses,
  natsFixture,
  questDbFixture,
  serviceFixture,
} from '@heatstream/testkit';
import { service } from '../src/service.ts';
import { drained, expectedTotals, publishAll, reading, runIngest, storedTotals } from './helpers.ts';

const nats = fileFixture(() => natsFixture({ own: true }));
const questdb = fileFixture(() => questDbFixture({ own: true }));
after(killNodeProcesses);

const env = (): NodeJS.ProcessEnv =>
  nats.env({ HS_QUESTDB__URL: questdb.conn.url, HS_QUESTDB__PROBE_INTERVAL_MS: '200' });

// The outage test's consumer redelivers after 1 s instead of 30 s, so an outage of 8 s outlasts
// every one of a message's deliveries (maxDeliver × ack wait): a message the service did not keep
// alive would be dead-lettered long before QuestDB returns — the same case as a minute's outage
// against the deployed 30 s ack wait.
const ACK_WAIT_MS = 1_000;
const withShortAckWait: readonly ConsumerSpec[] = consumers.map((c) =>
  c.durable === 'ingest-readings' ? { ...c, ackWaitMs: ACK_WAIT_MS } : c,
);
const readingsConsumer = withShortAckWait.find((c) => c.durable === 'ingest-readings');
const OUTAGE_MS = (readingsConsumer?.maxDeliver ?? 5) * ACK_WAIT_MS + 3_000;

describe('ingest recovers without loss or duplicates', () => {
  test('QuestDB stopped mid-stream of 100k readings for longer than every delivery’s ack wait, then restarted', async () => {
    await using svc = await serviceFixture(service, { env: env(), consumers: withShortAckWait });
    const readyz = async (): Promise<number> =>
      (await fetch(`http://127.0.0.1:${svc.httpPort}/readyz`)).status;
    const reason = async (): Promise<string | undefined> =>
      ((await (await fetch(`http://127.0.0.1:${svc.httpPort}/readyz`)).json()) as { reason?: string }).reason;
    await eventually('ingest ready', async () => (await readyz()) === 200);
    const info = await nats.jsm.consumers.info('READINGS', 'ingest-readings');
    assert.equal(info.config.ack_wait, ACK_WAIT_MS * 1_000_000, 'the consumer runs with the short ack wait');
    const sent = Array.from({ length: 100_000 }, (_, i) => reading('outage', i));
    const publishing = publishAll(nats.js, sent);
    await eventually(
      'some readings stored',
      async () => (await storedTotals(questdb.conn, 'outage')).count > 5_000,
    );
    await questdb.server.kill();
    await eventually('readiness to fail while QuestDB is down', async () => (await readyz()) === 503);
    assert.match((await reason()) ?? '', /^questdb: /, 'readiness names QuestDB');
    await publishing;
    await sleep(OUTAGE_MS);
    const pendingDuringOutage = await nats.jsm.consumers.info('READINGS', 'ingest-readings');
    assert.ok(pendingDuringOutage.num_pending > 0, 'the backlog waited in JetStream');
    await questdb.server.restart();
    await eventually('readiness back', async () => (await readyz()) === 200, 30_000);
    await eventually('the backlog to be ingested', () => drained(nats.jsm, questdb.conn), 120_000);
    assert.deepEqual(await storedTotals(questdb.conn, 'outage'), expectedTotals(sent));
    const rejected = await nats.jsm.streams.info('REJECTED');
    assert.equal(rejected.state.messages, 0, 'nothing was dead-lettered');
    assert.equal(await svc.stop(), 0);
  });

  test('ingest killed with SIGKILL mid-stream and restarted', async () => {
    const sent = Array.from({ length: 100_000 }, (_, i) => reading('killed', i));
    await publishAll(nats.js, sent);
    const first = runIngest(env());
    await eventually(
      'some readings stored',
      async () => (await storedTotals(questdb.conn, 'killed')).count > 5_000,
    );
    first.child.kill('SIGKILL');
    await first.exited;
    assert.ok((await storedTotals(questdb.conn, 'killed')).count < sent.length, 'killed mid-stream');
    const second = runIngest(env());
    await eventually('the backlog to be ingested', () => drained(nats.jsm, questdb.conn), 120_000);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.output());
    assert.deepEqual(await storedTotals(questdb.conn, 'killed'), expectedTotals(sent));
  });

  test('ingest killed with SIGKILL at random points of a high-rate run, with batches in flight, and restarted each time', async () => {
    const kills = 3;
    const sent = Array.from({ length: 60_000 }, (_, i) => reading('chaos', i));
    // Small batches, two in flight: each kill lands among several uncommitted and unacked ones.
    const chaosEnv = { ...env(), HS_BATCH__SIZE: '500', HS_BATCH__CONCURRENCY: '2' };
    // Kill points: after a random share of the readings is stored, plus a random few milliseconds,
    // so a kill can fall in a pull, an encode, a POST or a run of acks. Logged for a rerun.
    const points = Array.from({ length: kills }, (_, k) =>
      Math.round(((k + 0.2 + 0.6 * Math.random()) / (kills + 1)) * sent.length),
    );
    const jitters = points.map(() => Math.floor(Math.random() * 300));
    console.info(
      `kill points (stored readings + ms): ${points.map((p, k) => `${p}+${jitters[k]}`).join(', ')}`,
    );
    let publishing: Promise<void> | undefined;
    for (const [k, point] of points.entries()) {
      const ingest = runIngest(chaosEnv);
      // The first ingest provisions the streams; readings go out while it and its successors run.
      publishing ??= eventually(
        'READINGS provisioned',
        () =>
          nats.jsm.streams.info('READINGS').then(
            () => true,
            () => false,
          ),
        60_000,
      ).then(() => publishAll(nats.js, sent));
      await eventually(
        `${point} readings stored`,
        async () => (await storedTotals(questdb.conn, 'chaos')).count >= point,
        120_000,
      );
      await sleep(jitters[k] ?? 0);
      ingest.child.kill('SIGKILL');
      await ingest.exited;
    }
    await publishing;
    const last = runIngest(chaosEnv);
    await eventually('the backlog to be ingested', () => drained(nats.jsm, questdb.conn), 120_000);
    last.child.kill('SIGTERM');
    assert.equal(await last.exited, 0, last.output());
    // Exactly once: the count is every reading, and the exact sums (multiples of 1/4) rule out a
    // reading stored twice making up for one lost.
    assert.deepEqual(await storedTotals(questdb.conn, 'chaos'), expectedTotals(sent));
    const [[distinct]] = (await questdb.server.query(
      "SELECT count() FROM (SELECT DISTINCT ts, device FROM readings WHERE site = 'chaos')",
    )) as [[number]];
    assert.equal(distinct, sent.length, 'one row per reading');
    const rejected = await nats.jsm.streams.info('REJECTED');
    assert.equal(rejected.state.messages, 0, 'nothing was dead-lettered, though redelivered after each kill');
  });
});
