import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AckPolicy } from '@nats-io/jetstream';
import { encodeEvent, eventTypeNames, events, makeEvent, subjects } from '@heatstream/contracts';
import { alertEvent, copEvent, readingEvent, statusEvent } from './events.ts';
import { natsFixture } from './fixtures.ts';
import { goldenEvents } from './golden.ts';
import { consumerIdle, deadLetters } from './inspect.ts';
import { portOpen } from './process.ts';

test('a NATS fixture serves JetStream to its client and is gone at the end of its scope', async () => {
  let port: number;
  {
    await using nats = await natsFixture({ own: true });
    port = Number(new URL(nats.url).port);
    const info = await nats.jsm.getAccountInfo();
    assert.equal(info.streams, 0);
  }
  assert.equal(await portOpen(port), false, 'the server stopped when the scope ended');
});

test('deadLetters reads what a service rejected; consumerIdle follows a durable consumer', async () => {
  await using nats = await natsFixture({ own: true });
  await nats.jsm.streams.add({ name: 'REJECTED', subjects: ['rejected.v1.>'] });
  await nats.jsm.streams.add({ name: 'READINGS', subjects: ['readings.v1.>'] });
  await nats.jsm.consumers.add('READINGS', { durable_name: 'probe', ack_policy: AckPolicy.Explicit });
  assert.equal(await consumerIdle(nats.jsm, 'READINGS', 'probe'), true);

  const reading = readingEvent({ site: 'home', device: 'wpm1' });
  await nats.js.publish(subjects.reading('home', 'wpm1'), encodeEvent(reading));
  assert.equal(await consumerIdle(nats.jsm, 'READINGS', 'probe'), false, 'one message pending');

  const rejected = makeEvent('heatstream.rejected.v1', {
    source: 'test',
    subject: 'ingest',
    data: {
      service: 'ingest',
      reason: 'invalid payload',
      originalSubject: 'readings.v1.home.wpm1',
      stream: 'READINGS',
      streamSeq: 1,
      deliveries: 1,
      payload: Buffer.from('{').toString('base64'),
      payloadEncoding: 'base64',
    },
  });
  await nats.js.publish(subjects.rejected('ingest'), encodeEvent(rejected));
  await nats.js.publish(subjects.rejected('gateway'), encodeEvent({ ...rejected, id: `${rejected.id}x` }));
  const letters = await deadLetters(nats.js, 'ingest');
  assert.deepEqual(
    letters.map((l) => l.data.reason),
    ['invalid payload'],
  );
});

test('event builders make valid events of every live type with the fields a test names', () => {
  const time = '2026-01-15T10:00:00.000Z';
  const built = [
    readingEvent({ device: 'wpm1', metrics: { flow_temp: 41.5 } }, { time }),
    statusEvent({ device: 'wpm1', state: 'unavailable', reason: 'timeout' }, { time }),
    alertEvent({ device: 'wpm1', severity: 'critical' }, { time }),
    copEvent({ device: 'wpm1', heatKwh: 32, elecKwh: 10 }, { time }),
  ];
  for (const event of built) {
    assert.deepEqual(events.validate(event.type, event), [], event.type);
    assert.equal(event.time, time);
    assert.equal(event.subject, 'wpm1');
  }
  assert.equal(built[3]?.type === 'heatstream.cop.v1' ? built[3].data.cop : undefined, 3.2);
  assert.equal(
    built[3]?.type === 'heatstream.cop.v1' ? built[3].data.periodStart : '',
    '2026-01-15T00:00:00.000Z',
  );
});

test('golden events load for every registered event type', () => {
  const golden = goldenEvents();
  assert.deepEqual([...new Set(golden.map((g) => g.type))].sort(), [...eventTypeNames].sort());
  // Decoding upcasts: a fixture of an older version comes out as the newest of its family.
  for (const g of golden) {
    const family = events.types().find((t) => t.type === g.type)?.family ?? g.type;
    assert.equal(g.event.type, events.latest(family).type, g.file);
  }
});
