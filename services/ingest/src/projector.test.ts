// The projection of one table against a real QuestDB: a stored event is ok, a refused one is a
// reject with QuestDB's reason; nothing else of the batch is lost.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { makeEvent, newEventId, type Envelope } from '@heatstream/contracts';
import { QuestDbWriter, declareSchema, readings, sql, walSettled } from '@heatstream/questdb';
import type { BatchItem } from '@heatstream/runtime';
import { eventually, startQuestDb, type QuestDbServer } from '@heatstream/testkit';
import { projector } from './projector.ts';

let questdb: QuestDbServer;
before(async () => {
  questdb = await startQuestDb();
  await declareSchema({ url: questdb.httpUrl });
});
after(() => questdb.stop());

function item(i: number, time: string): BatchItem {
  const event: Envelope = makeEvent('heatstream.reading.v1', {
    source: 'projector-test',
    subject: 'p1',
    time,
    id: newEventId(Date.UTC(2026, 0, 1)),
    data: { site: 'projector', device: 'p1', model: 'm', metrics: { flow_temp: i } },
  });
  const log = pino({ level: 'silent' });
  return {
    event,
    delivery: {
      subject: 'readings.v1.projector.p1',
      streamSeq: i,
      deliveryCount: 1,
      header: () => undefined,
      log,
    },
  };
}

test('stored events are ok, a refused one is rejected with the reason', async () => {
  const conn = { url: questdb.httpUrl };
  const writer = new QuestDbWriter(conn);
  const handle = projector(readings, writer);
  const items = [
    item(1, '2026-01-01T00:00:01Z'),
    item(2, '1969-12-31T23:59:59Z'),
    item(3, '2026-01-01T00:00:03Z'),
  ];
  const outcomes = await handle(items, new AbortController().signal);
  assert.deepEqual(outcomes[0], { status: 'ok' });
  const refused = outcomes[1];
  assert.ok(refused?.status === 'reject');
  assert.match(refused.reason, /QuestDB refused the row/);
  assert.deepEqual(outcomes[2], { status: 'ok' });
  await eventually('QuestDB to apply the rows', () => walSettled(conn));
  assert.deepEqual(await sql(conn, "SELECT flow_temp FROM readings WHERE site = 'projector' ORDER BY ts"), [
    [1],
    [3],
  ]);
  await writer.close();
});
