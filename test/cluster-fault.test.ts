// The distributed engine under faults, short version: a three-node JetStream cluster on loopback
// (the k3s overlay's topology), its streams with three replicas, ingest (as deployed, its own
// process) writing into a real QuestDB while readings arrive at a steady rate. Mid-run one node
// that does not lead READINGS is killed with SIGKILL and later restarted; then the node that
// leads READINGS is killed and restarted. Every reading must be in QuestDB exactly once, the
// stream must hold each once (the publisher's retries de-duplicated on their message id), and
// the time without writes during each fault is reported.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { walSettled } from '@heatstream/questdb';
import { sleep } from '@heatstream/runtime';
import {
  consumerIdle,
  eventually,
  killNodeProcesses,
  natsClusterFixture,
  questDbFixture,
  runNode,
} from '@heatstream/testkit';
import { longestGap, publishSteadily, sampleWrites } from './cluster-load.ts';

after(killNodeProcesses);

const SITE = 'cluster-fault';
const COUNT = 4_000;
const PER_SECOND = 100;
/** How long a node stays down, and the calm between the first node's return and the second kill. */
const DOWN_MS = 6_000;
const CALM_MS = 4_000;

test('a three-replica cluster loses a follower, then the leader of READINGS, and QuestDB holds every reading once', async (t) => {
  await using cluster = await natsClusterFixture({ nodes: 3 });
  await using questdb = await questDbFixture();
  const ingest = runNode(new URL('../services/ingest/src/main.ts', import.meta.url), {
    ...cluster.env({ HS_QUESTDB__URL: questdb.conn.url, HS_LOG__LEVEL: 'warn' }),
    // On a server without users ingest converges its streams and consumers itself: three copies.
    HS_JETSTREAM__REPLICAS: '3',
  });
  await eventually(
    'ingest to provision READINGS and its consumer',
    () => cluster.jsm.consumers.info('READINGS', 'ingest-readings').then(Boolean, () => false),
    90_000,
  );
  await eventually(
    'ingest to declare the readings table',
    () => questdb.server.query('SELECT count() FROM readings').then(Boolean, () => false),
    90_000,
  );
  const stream = await cluster.jsm.streams.info('READINGS');
  assert.equal(stream.config.num_replicas, 3, 'READINGS has three replicas');
  assert.equal(stream.cluster?.replicas?.length, 2, 'two followers besides the leader');
  const consumer = await cluster.jsm.consumers.info('READINGS', 'ingest-readings');
  assert.equal(consumer.cluster?.replicas?.length, 2, 'the consumer is replicated with its stream');

  const writes = sampleWrites(questdb.conn, SITE);
  try {
    const began = Date.now();
    const publishing = publishSteadily(cluster.js, {
      site: SITE,
      count: COUNT,
      perSecond: PER_SECOND,
      giveUpMs: 45_000,
    });
    publishing.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile

    await sleep(DOWN_MS);
    const firstLeader = await cluster.streamLeader('READINGS');
    const consumerLeaderAtFirst = await cluster.consumerLeader('READINGS', 'ingest-readings');
    // A node that does not lead READINGS; the one leading ingest's consumer if that is another,
    // so the consumer's leader moves too.
    const follower =
      consumerLeaderAtFirst !== firstLeader
        ? consumerLeaderAtFirst
        : cluster.nodes.findIndex((_, i) => i !== firstLeader);
    const followerKilled = Date.now();
    await cluster.kill(follower);
    await sleep(DOWN_MS);
    await cluster.restart(follower);
    const followerBack = Date.now();

    await sleep(CALM_MS);
    const leader = await cluster.streamLeader('READINGS');
    const consumerLeaderAtSecond = await cluster.consumerLeader('READINGS', 'ingest-readings');
    const leaderKilled = Date.now();
    await cluster.kill(leader);
    let newLeader = leader;
    await eventually(
      'READINGS to elect another leader',
      async () => {
        newLeader = await cluster.streamLeader('READINGS').catch(() => leader);
        return newLeader !== leader;
      },
      30_000,
    );
    await sleep(DOWN_MS);
    await cluster.restart(leader);
    const leaderBack = Date.now();

    const published = await publishing;
    const lastAck = Math.max(...published.ackTimes);
    await eventually(
      'ingest to store every reading',
      async () =>
        (await consumerIdle(cluster.jsm, 'READINGS', 'ingest-readings')) && (await walSettled(questdb.conn)),
      60_000,
    ).catch(async (error: unknown) => {
      const c = await cluster.jsm.consumers.info('READINGS', 'ingest-readings').catch(String);
      const state = typeof c === 'string' ? c : JSON.stringify({ ...c, config: undefined });
      throw new Error(
        `${(error as Error).message}\nconsumer: ${state}\ningest's output:\n${ingest.output()}`,
        {
          cause: error,
        },
      );
    });
    await writes.stop();

    // Zero lost, zero duplicated: QuestDB's dedup keys would hide a reading stored twice, so the
    // stream's own count says that JetStream stored each once despite the retries.
    const after = await cluster.jsm.streams.info('READINGS');
    assert.equal(after.state.messages, COUNT, 'READINGS holds every reading once');
    const [[rows]] = (await questdb.server.query(`SELECT count() FROM readings WHERE site = '${SITE}'`)) as [
      [number],
    ];
    const [[distinct]] = (await questdb.server.query(
      `SELECT count() FROM (SELECT DISTINCT ts, device FROM readings WHERE site = '${SITE}')`,
    )) as [[number]];
    assert.equal(rows, COUNT, 'QuestDB holds every reading');
    assert.equal(distinct, COUNT, 'one row per reading (time, device)');
    const rejected = await cluster.jsm.streams.info('REJECTED');
    assert.equal(rejected.state.messages, 0, 'nothing was dead-lettered');
    assert.ok(cluster.running(follower) && cluster.running(leader), 'both nodes are back');
    assert.equal(after.cluster?.replicas?.filter((r) => r.current).length, 2, 'both followers caught up');

    const writeTimes = writes.increases.map(([at]) => at);
    const figure = (from: number, to: number): string =>
      `${longestGap(writeTimes, from, to)} ms without writes ` +
      `(${longestGap(published.ackTimes, from, to)} ms without publish confirmations)`;
    const name = (i: number): string => cluster.nodes[i]?.name ?? String(i);
    t.diagnostic(
      `${COUNT} readings at ${PER_SECOND}/s over ${Math.round((lastAck - began) / 1000)} s; ` +
        `${published.retried} publishes retried, ${published.duplicates} acked as duplicates`,
    );
    const firstWrite = writes.increases.find(([, rows]) => rows > 0)?.[0] ?? began;
    t.diagnostic(`before the faults: ${figure(firstWrite, followerKilled)}`);
    t.diagnostic(
      `follower ${name(follower)} killed (READINGS led by ${name(firstLeader)}, ingest-readings by ` +
        `${name(consumerLeaderAtFirst)}), back after ${followerBack - followerKilled} ms: ` +
        figure(followerKilled, leaderKilled),
    );
    t.diagnostic(
      `leader ${name(leader)} of READINGS killed (ingest-readings led by ${name(consumerLeaderAtSecond)}; ` +
        `${name(newLeader)} took over), back after ${leaderBack - leaderKilled} ms: ` +
        figure(leaderKilled, lastAck),
    );
  } finally {
    await writes.stop();
    ingest.child.kill('SIGTERM');
    await ingest.exited;
  }
});
