// cop.v2 arrives where cop.v1 was: a DERIVED stream and ingest-derived consumer as they were before
// cop.v2 (cop.v1.> only, one stored v1 event) converge when ingest starts, nothing stored is lost,
// and both the old v1 event (upcast) and a new v2 event become rows of the cop table with the
// v2 columns.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckPolicy, DeliverPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { encodeEvent, subjectOf } from '@heatstream/contracts';
import { sql, walSettled } from '@heatstream/questdb';
import {
  consumerIdle,
  copEvent,
  copV2Event,
  deadLetters,
  eventually,
  natsFixture,
  questDbFixture,
  serviceFixture,
} from '@heatstream/testkit';
import { service } from '../src/service.ts';

test('an existing cop.v1-only DERIVED converges; v1 and v2 events both land in the cop table', async () => {
  await using nats = await natsFixture({ own: true });
  await using questdb = await questDbFixture({ own: true });
  await nats.jsm.streams.add({
    name: 'DERIVED',
    subjects: ['cop.v1.>'],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
  });
  await nats.jsm.consumers.add('DERIVED', {
    durable_name: 'ingest-derived',
    filter_subject: 'cop.v1.>',
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
  });
  const v1 = copEvent(
    { site: 'old', device: 'hp1', heatKwh: 30, elecKwh: 10, defrostHeatKwh: -1 },
    { time: Date.UTC(2026, 0, 10) },
  );
  await nats.js.publish(subjectOf(v1), encodeEvent(v1));

  await using ingest = await serviceFixture(service, {
    env: nats.env({ HS_QUESTDB__URL: questdb.conn.url, HS_RETENTION__RAW_DAYS: '0' }),
  });
  const stream = (await nats.jsm.streams.info('DERIVED')).config;
  assert.deepEqual(stream.subjects, ['cop.v1.>', 'cop.v2.>']);
  const consumer = (await nats.jsm.consumers.info('DERIVED', 'ingest-derived')).config;
  assert.deepEqual(consumer.filter_subjects, ['cop.v1.>', 'cop.v2.>']);

  const v2 = copV2Event(
    {
      site: 'new',
      device: 'hp2',
      category: 'hot_water',
      heatKwh: -0.5,
      elecKwh: 1,
      cop: -0.5,
      defrostHeatKwh: -2,
    },
    { time: Date.UTC(2026, 0, 11) },
  );
  await nats.js.publish(subjectOf(v2), encodeEvent(v2));
  await eventually('ingest caught up', async () =>
    (await consumerIdle(nats.jsm, 'DERIVED', 'ingest-derived')) ? walSettled(questdb.conn) : false,
  );
  assert.deepEqual(await deadLetters(nats.js, 'ingest'), []);
  assert.equal((await nats.jsm.streams.info('DERIVED')).state.messages, 2, 'the v1 event is still stored');

  const rows = await sql(
    questdb.conn,
    'SELECT site, category, heat_kwh, cop, defrost_heat_kwh, standby_kwh, partial, boundary, heat_source, outside_temp_c FROM cop ORDER BY site',
  );
  assert.deepEqual(rows, [
    ['new', 'hot_water', -0.5, -0.5, -2, 0.5, false, 'H4', 'flow-dt', 2.5],
    ['old', 'combined', 30, 3, -1, null, false, null, 'heat-meter', null],
  ]);
  assert.equal(await ingest.stop(), 0);
});
