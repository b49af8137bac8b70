// Zero loss across failures: QuestDB down for a minute in the middle of a 100k-reading stream, and
// ingest killed with SIGKILL mid-stream. Afterwards every reading is in QuestDB exactly once.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { QuestDbConnection } from '@heatstream/questdb';
import { runService, sleep } from '@heatstream/runtime';
import {
  startNats,
  startQuestDb,
  type NatsServer,
  type QuestDbServer,
  eventually,
  killNodeProcesses,
} from '@heatstream/testkit';
import { service } from '../src/service.ts';
import { drained, expectedTotals, publishAll, reading, runIngest, storedTotals } from './helpers.ts';

let nats: NatsServer;
let questdb: QuestDbServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let conn: QuestDbConnection;

before(async () => {
  [nats, questdb] = await Promise.all([startNats({ own: true }), startQuestDb({ own: true })]);
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
  conn = { url: questdb.httpUrl };
});

after(async () => {
  await killNodeProcesses();
  await nc.close();
  await Promise.all([nats.stop(), questdb.stop()]);
});

const env = (): NodeJS.ProcessEnv => ({
  HS_NATS__URL: nats.url,
  HS_QUESTDB__URL: questdb.httpUrl,
  HS_QUESTDB__PROBE_INTERVAL_MS: '200',
  HS_LOG__LEVEL: 'silent',
});

describe('ingest recovers without loss or duplicates', () => {
  test('QuestDB stopped for 60 s mid-stream of 100k readings, then restarted', async () => {
    const svc = await runService(service, { argv: [], env: env() });
    const readyz = async (): Promise<number> =>
      (await fetch(`http://127.0.0.1:${svc.httpPort}/readyz`)).status;
    const reason = async (): Promise<string | undefined> =>
      ((await (await fetch(`http://127.0.0.1:${svc.httpPort}/readyz`)).json()) as { reason?: string }).reason;
    await eventually('ingest ready', async () => (await readyz()) === 200);
    const sent = Array.from({ length: 100_000 }, (_, i) => reading('outage', i));
    const publishing = publishAll(jetstream(nc), sent);
    await eventually('some readings stored', async () => (await storedTotals(conn, 'outage')).count > 5_000);
    await questdb.kill();
    await eventually('readiness to fail while QuestDB is down', async () => (await readyz()) === 503);
    assert.match((await reason()) ?? '', /^questdb: /, 'readiness names QuestDB');
    await publishing;
    await sleep(60_000);
    const pendingDuringOutage = await jsm.consumers.info('READINGS', 'ingest-readings');
    assert.ok(pendingDuringOutage.num_pending > 0, 'the backlog waited in JetStream');
    await questdb.restart();
    await eventually('readiness back', async () => (await readyz()) === 200, 30_000);
    await eventually('the backlog to be ingested', () => drained(jsm, conn), 120_000);
    assert.deepEqual(await storedTotals(conn, 'outage'), expectedTotals(sent));
    const info = await jsm.streams.info('REJECTED');
    assert.equal(info.state.messages, 0, 'nothing was dead-lettered');
    assert.equal(await svc.stop(), 0);
  });

  test('ingest killed with SIGKILL mid-stream and restarted', async () => {
    const sent = Array.from({ length: 100_000 }, (_, i) => reading('killed', i));
    await publishAll(jetstream(nc), sent);
    const first = runIngest(env());
    await eventually('some readings stored', async () => (await storedTotals(conn, 'killed')).count > 5_000);
    first.child.kill('SIGKILL');
    await first.exited;
    assert.ok((await storedTotals(conn, 'killed')).count < sent.length, 'killed mid-stream');
    const second = runIngest(env());
    await eventually('the backlog to be ingested', () => drained(jsm, conn), 120_000);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.output());
    assert.deepEqual(await storedTotals(conn, 'killed'), expectedTotals(sent));
  });
});
