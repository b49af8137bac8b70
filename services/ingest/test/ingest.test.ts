// ingest against real NATS and QuestDB: every event table declared and filled, duplicates
// collapse, a poison message is dead-lettered with the reason while the stream behind it goes on;
// an unreachable QuestDB fails start-up with the reason.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  encodeEvent,
  events,
  makeEvent,
  newEventId,
  subjectOf,
  subjects,
  type EventOf,
} from '@heatstream/contracts';
import { sql, walSettled, type QuestDbConnection } from '@heatstream/questdb';
import { DependencyUnavailableError, runService, type RunningService } from '@heatstream/runtime';
import {
  freePort,
  startNats,
  startQuestDb,
  type NatsServer,
  type QuestDbServer,
  eventually,
} from '@heatstream/testkit';
import { service } from '../src/service.ts';
import { drained, expectedTotals, publishAll, reading, storedTotals } from './helpers.ts';

let nats: NatsServer;
let questdb: QuestDbServer;
let nc: NatsConnection;
let jsm: JetStreamManager;
let conn: QuestDbConnection;
let ingest: RunningService;

before(async () => {
  [nats, questdb] = await Promise.all([startNats({ own: true }), startQuestDb({ own: true })]);
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
  conn = { url: questdb.httpUrl };
  ingest = await runService(service, {
    argv: [],
    env: { HS_NATS__URL: nats.url, HS_QUESTDB__URL: questdb.httpUrl, HS_LOG__LEVEL: 'silent' },
  });
});

after(async () => {
  await ingest.stop();
  await nc.close();
  await Promise.all([nats.stop(), questdb.stop()]);
});

async function deadLetters(): Promise<EventOf<'heatstream.rejected.v1'>[]> {
  const consumer = await jetstream(nc).consumers.get('REJECTED', {
    filter_subjects: [subjects.rejected('ingest')],
  });
  const out: EventOf<'heatstream.rejected.v1'>[] = [];
  for (;;) {
    const msg = await consumer.next({ expires: 1_000 });
    if (!msg) break;
    out.push(events.decode(msg.data) as EventOf<'heatstream.rejected.v1'>);
  }
  return out;
}

describe('ingest', () => {
  test('start-up gives up on an unreachable QuestDB with the reason', async () => {
    const port = await freePort();
    await assert.rejects(
      runService(service, {
        argv: [],
        env: {
          HS_NATS__URL: nats.url,
          HS_QUESTDB__URL: `http://127.0.0.1:${port}`,
          HS_QUESTDB__START_TIMEOUT_MS: '0',
          HS_LOG__LEVEL: 'silent',
        },
      }),
      (error: unknown) =>
        error instanceof DependencyUnavailableError &&
        /^questdb not available after 0 ms: .*unreachable/.test(error.message),
    );
  });

  test('declares its tables: WAL, partitioned by day, deduplicated', async () => {
    const rows = await sql(
      conn,
      "SELECT table_name, partitionBy, walEnabled, dedup FROM tables() WHERE table_name IN ('readings', 'device_status', 'alerts', 'cop') ORDER BY table_name",
    );
    assert.deepEqual(rows, [
      ['alerts', 'DAY', true, true],
      ['cop', 'DAY', true, true],
      ['device_status', 'DAY', true, true],
      ['readings', 'DAY', true, true],
    ]);
    const views = await sql(conn, 'SELECT view_name FROM materialized_views() ORDER BY view_name');
    assert.deepEqual(views, [['readings_1d'], ['readings_1h']]);
  });

  test('the same events published twice are stored once', async () => {
    const sent = Array.from({ length: 2_000 }, (_, i) => reading('twice', i));
    const js = jetstream(nc);
    await publishAll(js, sent);
    // Different message ids: JetStream stores both copies, so de-duplication is QuestDB's.
    await publishAll(js, sent, (e) => `again-${e.id}`);
    await eventually('the stream to be ingested', () => drained(jsm, conn));
    assert.deepEqual(await storedTotals(conn, 'twice'), expectedTotals(sent));
  });

  test('device status, alerts and COP land in their tables', async () => {
    const time = '2026-01-15T08:00:00.000Z';
    const js = jetstream(nc);
    const status = makeEvent('heatstream.device-status.v1', {
      source: 'test',
      subject: 'hp1',
      time,
      data: { site: 'other', device: 'hp1', state: 'unavailable', reason: 'timeout' },
    });
    const alert = makeEvent('heatstream.alert.v1', {
      source: 'test',
      subject: 'hp1',
      time,
      data: {
        site: 'other',
        device: 'hp1',
        alertId: 'a-1',
        rule: 'flow_temp_high',
        severity: 'warning',
        state: 'raised',
        message: 'flow too hot',
        metric: 'flow_temp',
        value: 61,
        threshold: 60,
      },
    });
    const copEvent = makeEvent('heatstream.cop.v1', {
      source: 'test',
      subject: 'hp1',
      time,
      data: {
        site: 'other',
        device: 'hp1',
        period: 'day',
        periodStart: '2026-01-14T00:00:00Z',
        periodEnd: '2026-01-15T00:00:00Z',
        category: 'combined',
        heatKwh: 40,
        elecKwh: 10,
        cop: 4,
        coverage: 0.98,
        heatSource: 'heat-meter',
      },
    });
    for (const e of [status, alert, copEvent]) await js.publish(subjectOf(e), encodeEvent(e));
    const query = async (): Promise<unknown[][] | undefined> => {
      if (!(await walSettled(conn))) return undefined;
      const rows = [
        ...(await sql(conn, "SELECT state, reason FROM device_status WHERE device = 'hp1'")),
        ...(await sql(conn, "SELECT alert_id, state, value FROM alerts WHERE device = 'hp1'")),
        ...(await sql(conn, "SELECT ts, cop, period_end FROM cop WHERE device = 'hp1'")),
      ];
      return rows.length === 3 ? rows : undefined;
    };
    assert.deepEqual(await eventually('the three rows', query), [
      ['unavailable', 'timeout'],
      ['a-1', 'raised', 61],
      ['2026-01-14T00:00:00.000000Z', 4, '2026-01-15T00:00:00.000000Z'],
    ]);
  });

  test('a poison message is dead-lettered with the reason; the stream behind it is ingested', async () => {
    const js = jetstream(nc);
    const before = Array.from({ length: 300 }, (_, i) => reading('poison', i));
    const behind = Array.from({ length: 300 }, (_, i) => reading('poison', 300 + i));
    // A valid envelope QuestDB cannot store: a designated timestamp before 1970.
    const ancient = makeEvent('heatstream.reading.v1', {
      source: 'test',
      subject: 'dev-0',
      time: '1969-07-20T20:17:00Z',
      id: newEventId(0),
      data: { site: 'poison', device: 'dev-0', model: 'test-model', metrics: { flow_temp: 1 } },
    });
    await publishAll(js, before);
    await js.publish(subjects.reading('poison', 'dev-0'), encodeEvent(ancient));
    await js.publish(subjects.reading('poison', 'dev-1'), new TextEncoder().encode('{"not":"an event"'));
    await publishAll(js, behind);
    await eventually('the stream to be ingested', () => drained(jsm, conn));
    assert.deepEqual(await storedTotals(conn, 'poison'), expectedTotals([...before, ...behind]));
    const dead = await deadLetters();
    const refused = dead.find((d) => d.data.originalSubject === 'readings.v1.poison.dev-0');
    assert.match(refused?.data.reason ?? '', /QuestDB refused the row: .*before 1970/);
    assert.deepEqual(Buffer.from(refused?.data.payload ?? '', 'base64'), Buffer.from(encodeEvent(ancient)));
    const invalid = dead.find((d) => d.data.originalSubject === 'readings.v1.poison.dev-1');
    assert.match(invalid?.data.reason ?? '', /^invalid payload/);
  });
});
