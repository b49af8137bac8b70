// The fast encoder writes the bytes the client's row API writes (protocol v2), for every golden
// event of every table and for values that need escaping; a row it cannot encode leaves nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sender } from '@questdb/nodejs-client';
import type { Envelope } from '@heatstream/contracts';
import { goldenEvents, readingEvent, alertEvent } from '@heatstream/testkit';
import { IlpBuffer, IlpEncodeError, ilpEncoder } from './ilp.ts';
import { tableOf, readings, alerts } from './tables.ts';

/** What the client puts in its buffer for these events (no server: the protocol is given). */
async function clientBytes(
  events: readonly Envelope[],
  table = tableOf(events[0]?.type ?? ''),
): Promise<Buffer> {
  assert.ok(table);
  const sender = await Sender.fromConfig('http::addr=127.0.0.1:1;protocol_version=2;auto_flush=off;');
  for (const event of events) await table.row(sender, event, table.name);
  const buffer = (sender as unknown as { buffer: { toBufferView(): Buffer } }).buffer.toBufferView();
  return Buffer.from(buffer);
}

function fastBytes(events: readonly Envelope[], table = tableOf(events[0]?.type ?? '')): Buffer {
  assert.ok(table);
  const encode = ilpEncoder(table);
  const out = new IlpBuffer(16); // small, so growing is exercised too
  for (const event of events) encode(out, event);
  assert.equal(out.rows, events.length);
  return Buffer.from(out.bytes());
}

test('every golden event of a table encodes to the bytes the client writes', async () => {
  const golden = goldenEvents().filter((g) => tableOf(g.event.type) !== undefined);
  const types = new Set(golden.map((g) => g.event.type));
  assert.ok(types.size >= 4, `golden events of every table, got ${[...types].join(', ')}`);
  for (const type of types) {
    const events = golden.filter((g) => g.event.type === type).map((g) => g.event);
    // Twice: the second pass takes the symbol prefixes from the cache.
    const twice = [...events, ...events];
    assert.deepEqual(fastBytes(twice), await clientBytes(twice), type);
  }
});

test('symbols and strings that need escaping, and non-ASCII text, match the client', async () => {
  // Site and device ids are restricted by the contract; the encoder does not rely on it.
  const base = readingEvent(
    { model: 'Vitocal 250-A', metrics: { flow_temp: -0.5 } },
    { source: 'src "q"', time: new Date(Date.UTC(2026, 0, 1, 0, 0, 1, 250)) },
  );
  const tricky: Envelope[] = [
    { ...base, data: { ...base.data, site: 'a site, with=signs', device: 'd\\1\nx' } },
    {
      ...base,
      data: {
        ...base.data,
        site: 'größe',
        device: '暖房',
        metrics: { compressor_on: 1, elec_energy: 12.25 },
      },
    },
  ];
  assert.deepEqual(fastBytes(tricky, readings), await clientBytes(tricky, readings));
  const alert = alertEvent({ message: 'flow "hot", 80 °C\nsecond line \\ end' });
  assert.deepEqual(fastBytes([alert], alerts), await clientBytes([alert], alerts));
});

test('a row that cannot be encoded throws and leaves the rows before it intact', () => {
  const encode = ilpEncoder(readings);
  const out = new IlpBuffer();
  const good = readingEvent({ site: 's', device: 'd', model: 'm', metrics: { flow_temp: 30 } });
  encode(out, good);
  const before = Buffer.from(out.bytes());
  const badTime = { ...good, time: 'not a time' };
  assert.throws(() => {
    encode(out, badTime);
  }, IlpEncodeError);
  const badValue = { ...good, data: { ...good.data, metrics: { flow_temp: 'hot' } } } as unknown as Envelope;
  assert.throws(() => {
    encode(out, badValue);
  }, /flow_temp: not a number/);
  const unknownMetric = {
    ...good,
    data: { ...good.data, metrics: { no_such_metric: 1 } },
  } as unknown as Envelope;
  assert.throws(() => {
    encode(out, unknownMetric);
  }, /no_such_metric is not a column of readings/);
  assert.equal(out.rows, 1);
  assert.deepEqual(Buffer.from(out.bytes()), before);
});
