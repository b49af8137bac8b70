import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Sender } from '@questdb/nodejs-client';
import { eventually, startQuestDb, type QuestDbServer } from './mod.ts';

let questdb: QuestDbServer;
before(async () => {
  questdb = await startQuestDb();
});
after(async () => {
  await questdb.stop();
});

test('QuestDB from the testkit accepts a row over ILP/HTTP and returns it through SQL', async () => {
  const table = `testkit_${Date.now()}`;
  const sender = await Sender.fromConfig(`http::addr=${new URL(questdb.httpUrl).host};`);
  await sender
    .table(table)
    .symbol('device', 'wpm-1')
    .floatColumn('flow_temp', 34.5)
    .floatColumn('outside_temp', -7.25)
    .at(Date.UTC(2026, 0, 15, 6), 'ms');
  await sender.flush();
  await sender.close();
  // ILP/HTTP commits before answering, but a WAL table applies the commit asynchronously.
  const rows = await eventually('the row to be applied', async () => {
    const found = await questdb
      .query(`select device, flow_temp, outside_temp, timestamp from '${table}'`)
      .catch(() => []);
    return found.length > 0 && found;
  });
  assert.deepEqual(rows, [['wpm-1', 34.5, -7.25, '2026-01-15T06:00:00.000000Z']]);
});

test('a stopped QuestDB restarts on the same ports and keeps its data', async (t) => {
  if (!questdb.owned) {
    t.diagnostic('QUESTDB_HTTP_URL given: the server is not ours to restart');
    return;
  }
  await questdb.query(`create table keep_me (x long, ts timestamp) timestamp(ts) partition by day wal`);
  await questdb.query(`insert into keep_me values (42, '2026-01-15T06:00:00.000000Z')`);
  await questdb.kill();
  await questdb.restart();
  const rows = await eventually('the kept row after the restart', async () => {
    const found = await questdb.query('select x from keep_me');
    return found.length > 0 && found;
  });
  assert.deepEqual(rows, [[42]]);
});
