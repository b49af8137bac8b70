// ingest against real NATS and QuestDB: every event table declared and filled, duplicates
// collapse, a poison message is dead-lettered with the reason while the stream behind it goes on;
// an unreachable QuestDB fails start-up with the reason.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEvent, subjectOf, subjects } from '@heatstream/contracts';
import { sql, walSettled } from '@heatstream/questdb';
import { DependencyUnavailableError, runService } from '@heatstream/runtime';
import {
  alertEvent,
  copEvent,
  deadLetters,
  eventually,
  fileFixture,
  freePort,
  natsFixture,
  questDbFixture,
  readingEvent,
  serviceFixture,
  statusEvent,
} from '@heatstream/testkit';
import { service } from '../src/service.ts';
import { drained, expectedTotals, publishAll, reading, storedTotals } from './helpers.ts';

const nats = fileFixture(() => natsFixture({ own: true }));
const questdb = fileFixture(() => questDbFixture({ own: true }));
fileFixture(() => serviceFixture(service, { env: nats.env({ HS_QUESTDB__URL: questdb.conn.url }) }));

describe('ingest', () => {
  test('start-up gives up on an unreachable QuestDB with the reason', async () => {
    const port = await freePort();
    await assert.rejects(
      runService(service, {
        argv: [],
        env: nats.env({ HS_QUESTDB__URL: `http://127.0.0.1:${port}`, HS_QUESTDB__START_TIMEOUT_MS: '0' }),
      }),
      (error: unknown) =>
        error instanceof DependencyUnavailableError &&
        /^questdb not available after 0 ms: .*unreachable/.test(error.message),
    );
  });

  test('declares its tables: WAL, partitioned by day, deduplicated', async () => {
    const rows = await sql(
      questdb.conn,
      "SELECT table_name, partitionBy, walEnabled, dedup FROM tables() WHERE table_name IN ('readings', 'device_status', 'alerts', 'cop') ORDER BY table_name",
    );
    assert.deepEqual(rows, [
      ['alerts', 'DAY', true, true],
      ['cop', 'DAY', true, true],
      ['device_status', 'DAY', true, true],
      ['readings', 'DAY', true, true],
    ]);
    const views = await sql(questdb.conn, 'SELECT view_name FROM materialized_views() ORDER BY view_name');
    assert.deepEqual(views, [['readings_1d'], ['readings_1h']]);
  });

  test('the same events published twice are stored once', async () => {
    const sent = Array.from({ length: 2_000 }, (_, i) => reading('twice', i));
    const js = nats.js;
    await publishAll(js, sent);
    // Different message ids: JetStream stores both copies, so de-duplication is QuestDB's.
    await publishAll(js, sent, (e) => `again-${e.id}`);
    await eventually('the stream to be ingested', () => drained(nats.jsm, questdb.conn));
    assert.deepEqual(await storedTotals(questdb.conn, 'twice'), expectedTotals(sent));
  });

  test('device status, alerts and COP land in their tables', async () => {
    const time = '2026-01-15T08:00:00.000Z';
    const js = nats.js;
    const status = statusEvent(
      { site: 'other', device: 'hp1', state: 'unavailable', reason: 'timeout' },
      { time },
    );
    const alert = alertEvent(
      {
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
      { time },
    );
    const cop = copEvent(
      {
        site: 'other',
        device: 'hp1',
        periodStart: '2026-01-14T00:00:00Z',
        periodEnd: '2026-01-15T00:00:00Z',
        heatKwh: 40,
        elecKwh: 10,
        cop: 4,
        coverage: 0.98,
      },
      { time },
    );
    for (const e of [status, alert, cop]) await js.publish(subjectOf(e), encodeEvent(e));
    const query = async (): Promise<unknown[][] | undefined> => {
      if (!(await walSettled(questdb.conn))) return undefined;
      const rows = [
        ...(await sql(questdb.conn, "SELECT state, reason FROM device_status WHERE device = 'hp1'")),
        ...(await sql(questdb.conn, "SELECT alert_id, state, value FROM alerts WHERE device = 'hp1'")),
        ...(await sql(questdb.conn, "SELECT ts, cop, period_end FROM cop WHERE device = 'hp1'")),
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
    const js = nats.js;
    const before = Array.from({ length: 300 }, (_, i) => reading('poison', i));
    const behind = Array.from({ length: 300 }, (_, i) => reading('poison', 300 + i));
    // A valid envelope QuestDB cannot store: a designated timestamp before 1970.
    const ancient = readingEvent(
      { site: 'poison', device: 'dev-0', metrics: { flow_temp: 1 } },
      { time: '1969-07-20T20:17:00Z' },
    );
    await publishAll(js, before);
    await js.publish(subjects.reading('poison', 'dev-0'), encodeEvent(ancient));
    await js.publish(subjects.reading('poison', 'dev-1'), new TextEncoder().encode('{"not":"an event"'));
    await publishAll(js, behind);
    await eventually('the stream to be ingested', () => drained(nats.jsm, questdb.conn));
    assert.deepEqual(await storedTotals(questdb.conn, 'poison'), expectedTotals([...before, ...behind]));
    const dead = await deadLetters(nats.js, 'ingest');
    const refused = dead.find((d) => d.data.originalSubject === 'readings.v1.poison.dev-0');
    assert.match(refused?.data.reason ?? '', /QuestDB refused the row: .*before 1970/);
    assert.deepEqual(Buffer.from(refused?.data.payload ?? '', 'base64'), Buffer.from(encodeEvent(ancient)));
    const invalid = dead.find((d) => d.data.originalSubject === 'readings.v1.poison.dev-1');
    assert.match(invalid?.data.reason ?? '', /^invalid payload/);
  });
});
