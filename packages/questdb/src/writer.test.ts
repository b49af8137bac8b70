// The writer and the schema against a real QuestDB.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makeEvent, type Envelope } from '@heatstream/contracts';
import { eventually, fileFixture, fileSetUp, questDbFixture, readingEvent } from '@heatstream/testkit';
import { sql, sqlRows, sqlString, type QuestDbConnection } from './connection.ts';
import { declareSchema, defaultRetention } from './schema.ts';
import type { TableDef } from './columns.ts';
import { readings, tableOf } from './tables.ts';
import { walSettled } from './wal.ts';
import { QuestDbWriter } from './writer.ts';

const questdb = fileFixture(() => questDbFixture({ own: true }));
let conn: QuestDbConnection;
fileSetUp(() => {
  conn = questdb.conn;
});

function reading(device: string, i: number, time = new Date(Date.UTC(2026, 0, 15, 6, 0, i))): Envelope {
  // The builder gives a time before 1970 a valid id too (a ULID cannot hold one).
  return readingEvent(
    {
      site: 'site1',
      device,
      model: 'm',
      metrics: { flow_temp: 30 + i, compressor_on: i % 2, elec_energy: 1000 + i },
    },
    { time, source: 'questdb-test' },
  );
}

async function settled(): Promise<void> {
  await eventually('the WAL to settle', () => walSettled(conn), 20_000);
}

describe('QuestDB schema and writer', () => {
  test('declaring is idempotent and adds a new metric column to an existing table', async () => {
    await declareSchema(conn, defaultRetention);
    const again = await declareSchema(conn, defaultRetention);
    assert.deepEqual(again.warnings, []);
    const withNewMetric: TableDef = {
      ...readings,
      columns: {
        ...readings.columns,
        brand_new_metric: { name: 'brand_new_metric', type: 'DOUBLE', read: () => undefined },
      },
    };
    await declareSchema(conn, defaultRetention, [withNewMetric]);
    await settled(); // DDL on a WAL table is applied asynchronously too
    const columns = await sql(
      conn,
      'SELECT "column", type FROM table_columns(\'readings\') WHERE "column" = \'brand_new_metric\'',
    );
    assert.deepEqual(columns, [['brand_new_metric', 'DOUBLE']]);
    const [row] = await sql(
      conn,
      "SELECT dedup, ttlValue, ttlUnit, partitionBy, walEnabled FROM tables() WHERE table_name = 'readings'",
    );
    assert.deepEqual(row, [true, 30, 'DAY', 'DAY', true]);
    // Roll-ups refresh on a timer, not after every transaction of the raw table.
    const refresh = await sql(
      conn,
      'SELECT view_name, refresh_type FROM materialized_views() ORDER BY view_name',
    );
    assert.deepEqual(refresh, [
      ['readings_1d', 'timer'],
      ['readings_1h', 'timer'],
    ]);
  });

  test('retention follows the configuration, 0 clears a table TTL, and as-is leaves it alone', async () => {
    const ttls = async (): Promise<unknown[][]> =>
      sql(
        conn,
        "SELECT table_name, ttlValue, ttlUnit FROM tables() WHERE table_name IN ('readings', 'readings_1h', 'readings_1d') ORDER BY table_name",
      );
    // QuestDB shows a TTL in the largest whole unit: 7 days as 1 week, 12 months as 1 year.
    const first = await declareSchema(conn, { rawDays: 7, hourlyMonths: 0, dailyYears: 2 });
    await declareSchema(conn, 'as-is');
    await settled();
    assert.deepEqual(await ttls(), [
      ['readings', 1, 'WEEK'],
      ['readings_1d', 2, 'YEAR'],
      ['readings_1h', 1, 'YEAR'],
    ]);
    assert.match(first.warnings.join('\n'), /readings_1h keeps its TTL/);
    await declareSchema(conn, { ...defaultRetention, rawDays: 0 });
    await settled();
    assert.equal((await ttls())[0]?.[1], 0, 'a table TTL is cleared');
    await declareSchema(conn, defaultRetention);
  });

  test('every column holds what its declaration reads from the event', async () => {
    const device = 'dev-columns';
    const time = new Date(Date.UTC(2026, 0, 15, 7));
    const init = { source: 'questdb-test', subject: device, time };
    const samples: Envelope[] = [
      reading(device, 1, time),
      makeEvent('heatstream.device-status.v1', {
        ...init,
        data: { site: 'site1', device, state: 'bad-data', reason: "counter's jump", rejectedReadings: 3 },
      }),
      makeEvent('heatstream.alert.v1', {
        ...init,
        data: {
          site: 'site1',
          device,
          alertId: 'a-columns',
          rule: 'flow-temp-high',
          severity: 'critical',
          state: 'acknowledged',
          message: 'flow temperature high',
          metric: 'flow_temp',
          value: 61.5,
          threshold: 60,
          acknowledgedBy: 'anna',
        },
      }),
      makeEvent('heatstream.cop.v2', {
        ...init,
        data: {
          site: 'site1',
          device,
          period: 'day',
          periodStart: '2026-01-14T00:00:00Z',
          periodEnd: '2026-01-15T00:00:00Z',
          category: 'running',
          heatKwh: 40.5,
          elecKwh: 10,
          cop: 4.05,
          defrostHeatKwh: -1.25,
          standbyKwh: 0.75,
          starts: 7,
          startsPerHour: 0.3,
          dataSeconds: 84_000,
          coverage: 0.98,
          dataDays: null,
          partial: true,
          partialReason: 'coverage 89 % of the day',
          counters: { elecKwh: 10.2, heatKwh: 41, cop: 4.02 },
          method: {
            heatSource: 'heat-meter',
            heatFrom: 'power',
            elecFrom: 'counter',
            startingPowerW: 100,
            gridSeconds: 60,
            bridgeSeconds: 900,
            cpJPerKgK: null,
          },
          boundary: 'H2',
          metering: { elecMeterClass: 'MID B (1 %)', heatMeterClass: '2', backupHeater: 'outside' },
          outsideTempC: -2.5,
          flowTempC: 41.25,
        },
      }),
    ];
    const writer = new QuestDbWriter(conn);
    for (const event of samples)
      assert.deepEqual(await writer.write(tableOf(event.type)!, [event]), [undefined], event.type);
    await writer.close();
    await settled();
    const instant = (v: unknown): number => Date.parse(String(v));
    for (const event of samples) {
      const table = tableOf(event.type)!;
      const rows = await sqlRows(
        conn,
        `SELECT * FROM ${table.name} WHERE ${table.column.device} = ${sqlString(device)}`,
      );
      assert.equal(rows.length, 1, table.name);
      const row = rows[0]!;
      const ts = table === tableOf('heatstream.cop.v2') ? '2026-01-14T00:00:00Z' : time.toISOString();
      assert.equal(instant(row.ts), instant(ts), `${table.name}.ts`);
      for (const column of Object.values(table.columns)) {
        const read = column.read as (e: Envelope) => unknown;
        const expected = read(event) ?? null;
        const actual = row[column.name];
        if (column.type === 'TIMESTAMP') assert.equal(instant(actual), instant(expected), column.name);
        else assert.deepEqual(actual, expected, `${table.name}.${column.name}`);
      }
    }
    assert.deepEqual(await sqlRows(conn, `SELECT ${sqlString("it's")} quoted`), [{ quoted: "it's" }]);
  });

  test('the same events written twice leave one row each', async () => {
    const writer = new QuestDbWriter(conn);
    const events = Array.from({ length: 50 }, (_, i) => reading('dev-twice', i));
    assert.deepEqual(
      await writer.write(readings, events),
      events.map(() => undefined),
    );
    await writer.write(readings, events.slice(10, 30));
    await settled();
    const [[count, sum, on]] = (await sql(
      conn,
      "SELECT count(), sum(flow_temp), sum(compressor_on) FROM readings WHERE device = 'dev-twice'",
    )) as [[number, number, number]];
    assert.equal(count, 50);
    assert.equal(
      sum,
      events.reduce((s, _, i) => s + 30 + i, 0),
    );
    assert.equal(on, 25);
    await writer.close();
  });

  test('a row QuestDB refuses is isolated with its error; the rest of the batch is stored', async () => {
    const writer = new QuestDbWriter(conn);
    const events = Array.from({ length: 40 }, (_, i) => reading('dev-poison', i));
    events[17] = reading('dev-poison', 17, new Date(Date.UTC(1960, 0, 1)));
    const result = await writer.write(readings, events);
    assert.match(result[17] ?? '', /QuestDB refused the row: .*designated timestamp before 1970/);
    assert.deepEqual(result.filter((r) => r !== undefined).length, 1);
    await settled();
    const [[count]] = (await sql(conn, "SELECT count() FROM readings WHERE device = 'dev-poison'")) as [
      [number],
    ];
    assert.equal(count, 39);
    await writer.close();
  });

  test('an unreachable QuestDB is waited out until the signal gives up', async () => {
    const writer = new QuestDbWriter({ url: 'http://127.0.0.1:1' }, { retryMinMs: 10, retryMaxMs: 20 });
    const attempts: number[] = [];
    const controller = new AbortController();
    const writing = writer.write(readings, [reading('dev-away', 1)], controller.signal);
    const unavailable = new QuestDbWriter(
      { url: 'http://127.0.0.1:1' },
      { onUnavailable: (_, n) => attempts.push(n), retryMinMs: 10 },
    );
    const second = unavailable.write(readings, [reading('dev-away', 2)], AbortSignal.timeout(3_000));
    controller.abort();
    await assert.rejects(writing, { name: 'QuestDbUnavailableError' });
    await assert.rejects(second, { name: 'QuestDbUnavailableError' });
    assert.ok(attempts.length >= 1);
    await writer.close();
    await unavailable.close();
  });
});
