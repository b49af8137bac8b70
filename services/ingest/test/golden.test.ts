// Every golden event of contracts/fixtures goes through ingest into its table: a fixture the
// tables cannot hold (a metric without a column, a field the row leaves out) fails here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeEvent, events, subjectOf } from '@heatstream/contracts';
import { sql, tableOf, walSettled } from '@heatstream/questdb';
import {
  consumerIdle,
  deadLetters,
  eventually,
  goldenEvents,
  natsFixture,
  questDbFixture,
  serviceFixture,
} from '@heatstream/testkit';
import { service } from '../src/service.ts';

test('every golden event of a stored type becomes one row of its table, none dead-lettered', async () => {
  await using nats = await natsFixture({ own: true });
  await using questdb = await questDbFixture({ own: true });
  // The fixtures span 2025; raw retention (relative to the newest row) would drop the older ones.
  await using ingest = await serviceFixture(service, {
    env: nats.env({ HS_QUESTDB__URL: questdb.conn.url, HS_RETENTION__RAW_DAYS: '0' }),
  });
  // Older versions (cop.v1) are stored upcast, in the table of their family's newest version.
  const tableOfFixture = (g: { event: unknown }) => tableOf(events.decode(JSON.stringify(g.event)).type);
  const stored = goldenEvents().filter((g) => tableOfFixture(g) !== undefined);
  assert.ok(
    stored.some((g) => g.type === 'heatstream.cop.v1') && stored.some((g) => g.type === 'heatstream.cop.v2'),
  );
  assert.ok(stored.length >= 4, 'fixtures of readings, status, alerts and COP');
  for (const { event } of stored) await nats.js.publish(subjectOf(event), encodeEvent(event));

  const durables = [
    ['READINGS', 'ingest-readings'],
    ['DEVICES', 'ingest-devices'],
    ['ALERTS', 'ingest-alerts'],
    ['DERIVED', 'ingest-derived'],
  ] as const;
  await eventually('ingest caught up with every stream', async () => {
    for (const [stream, durable] of durables)
      if (!(await consumerIdle(nats.jsm, stream, durable))) return false;
    return walSettled(questdb.conn);
  });
  assert.deepEqual(await deadLetters(nats.js, 'ingest'), []);
  // One row per fixture: the fixtures are distinct devices or times, so none collapses into another.
  const byTable = Map.groupBy(stored, (g) => tableOfFixture(g)?.name ?? '');
  for (const [table, fixtures] of byTable) {
    const [[count] = []] = await sql(questdb.conn, `SELECT count() FROM ${table}`);
    assert.equal(count, fixtures.length, `${table}: ${fixtures.map((f) => f.file).join(', ')}`);
  }
  assert.equal(await ingest.stop(), 0);
});
