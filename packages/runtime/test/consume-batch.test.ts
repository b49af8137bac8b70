// Batch consume mode against a real nats-server: batches bounded by size, a quiet stream still
// handled, per-item outcomes (ack, redeliver, dead letter), and the batch in hand finishing on stop.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { subjects, type ConsumerSpec } from '@heatstream/contracts';
import {
  consumerIdle,
  deadLetters as deadLettersOf,
  eventually,
  fileFixture,
  natsFixture,
} from '@heatstream/testkit';
import { defineService, ok, runService, sleep, type BatchHandler } from '../src/mod.ts';
import { reading } from './helpers.ts';

const nats = fileFixture(() => natsFixture({ own: true }));

function spec(durable: string, device: string): ConsumerSpec {
  return {
    stream: 'READINGS',
    durable,
    filterSubjects: [subjects.reading('site1', device)],
    description: 'runtime batch tests',
    ackWaitMs: 10_000,
    maxDeliver: 3,
    backoffMs: [100, 200],
    maxAckPending: 1_000,
  };
}

async function start(consumer: ConsumerSpec, handler: BatchHandler, batch = 50, concurrency = 1) {
  const svc = defineService({
    name: 'batcher',
    init(ctx) {
      ctx.consumeBatch(consumer, handler, { batch, maxWaitMs: 1_000, concurrency });
      return undefined;
    },
  });
  return runService(svc, { argv: [], env: nats.env() });
}

async function publish(device: string, count: number): Promise<string[]> {
  const js = nats.js;
  const sent = Array.from({ length: count }, (_, i) => reading(device, i));
  await Promise.all(
    sent.map((e) => js.publish(subjects.reading('site1', device), JSON.stringify(e), { msgID: e.id })),
  );
  return sent.map((e) => e.id);
}

const idle = (consumer: ConsumerSpec): Promise<boolean> =>
  consumerIdle(nats.jsm, consumer.stream, consumer.durable);
const deadLetters = () => deadLettersOf(nats.js, 'batcher');

describe('batch consume mode', () => {
  test('with a concurrency of 2 the next batch reaches the handler while the first is still held, and both are acked', async () => {
    const consumer = spec('batch-concurrent', 'dev-conc');
    const seen = new Set<string>();
    let second: () => void = () => undefined;
    const secondArrived = new Promise<void>((resolve) => (second = resolve));
    let batches = 0;
    const svc = await start(
      consumer,
      async (items) => {
        for (const { event } of items) seen.add(event.id);
        batches++;
        // The first batch is held until another batch arrives: one batch at a time never would.
        if (batches === 1) await secondArrived;
        else second();
        return items.map(() => ok);
      },
      10,
      2,
    );
    const ids = await publish('dev-conc', 40);
    await eventually('every event', () => ids.every((id) => seen.has(id)));
    await eventually('every event acked', () => idle(consumer));
    assert.ok(batches >= 2, `${batches} batches`);
    assert.equal(await svc.stop(), 0);
  });

  test('events arrive in batches no larger than the limit, and a quiet stream is still handled', async () => {
    const consumer = spec('batch-sizes', 'dev-size');
    const sizes: number[] = [];
    const seen = new Set<string>();
    const svc = await start(
      consumer,
      (items) => {
        sizes.push(items.length);
        for (const { event } of items) seen.add(event.id);
        return Promise.resolve(items.map(() => ok));
      },
      50,
    );
    const ids = await publish('dev-size', 230);
    await eventually('every event', () => ids.every((id) => seen.has(id)));
    assert.ok(Math.max(...sizes) <= 50, `batches ${sizes.join(',')}`);
    assert.ok(
      sizes.some((n) => n > 1),
      'events are handed over together',
    );
    // A lone event on an otherwise quiet stream is handled without more traffic behind it.
    const late = reading('dev-size', 999);
    await nats.js.publish(subjects.reading('site1', 'dev-size'), JSON.stringify(late), {
      msgID: late.id,
    });
    await eventually('the lone event', () => seen.has(late.id));
    await eventually('the consumer to settle', () => idle(consumer));
    assert.equal(await svc.stop(), 0);
  });

  test('per-item outcomes: ok is acked, reject is dead-lettered at once, retry is redelivered', async () => {
    const consumer = spec('batch-outcomes', 'dev-out');
    const attempts = new Map<string, number>();
    const ids = await publish('dev-out', 10);
    const [rejectId, retryId] = [ids[3], ids[6]];
    const svc = await start(consumer, (items) =>
      Promise.resolve(
        items.map(({ event, delivery }) => {
          attempts.set(event.id, delivery.deliveryCount);
          if (event.id === rejectId)
            return { status: 'reject', reason: 'the store refused it: bad value' } as const;
          if (event.id === retryId && delivery.deliveryCount < 2)
            return { status: 'retry', error: new Error('store busy') } as const;
          return ok;
        }),
      ),
    );
    await eventually(
      'the consumer to settle',
      async () => (await idle(consumer)) && attempts.get(retryId!) === 2,
    );
    const dead = await deadLetters();
    assert.deepEqual(
      dead.map((d) => d.data.reason),
      ['the store refused it: bad value'],
    );
    assert.equal(dead[0]?.data.streamSeq !== undefined, true);
    assert.equal(attempts.get(rejectId!), 1, 'a rejected event is not retried');
    for (const id of ids) if (id !== retryId) assert.equal(attempts.get(id), 1, 'the rest is handled once');
    assert.equal(await svc.stop(), 0);
  });

  test('a handler that throws naks the whole batch with backoff and acks nothing; the last delivery dead-letters', async () => {
    const consumer = spec('batch-throws', 'dev-throw');
    let calls = 0;
    const ids = await publish('dev-throw', 5);
    const svc = await start(consumer, () => {
      calls++;
      return Promise.reject(new Error('store down'));
    });
    const dead = await eventually('five dead letters', async () => {
      const found = (await deadLetters()).filter((d) => d.data.originalSubject.endsWith('dev-throw'));
      return found.length === ids.length ? found : undefined;
    });
    assert.ok(dead.every((d) => d.data.reason === 'handler failed on delivery 3 of 3: store down'));
    assert.ok(calls >= 3);
    assert.equal(await svc.stop(), 0);
  });

  test('a batch held past its ack wait is not redelivered meanwhile', async () => {
    const consumer = { ...spec('batch-held', 'dev-held'), ackWaitMs: 1_000 };
    const deliveries: number[] = [];
    const ids = await publish('dev-held', 5);
    const svc = await start(consumer, async (items) => {
      for (const { delivery } of items) deliveries.push(delivery.deliveryCount);
      await sleep(3_000);
      return items.map(() => ok);
    });
    await eventually(
      'the consumer to settle',
      async () => deliveries.length >= ids.length && (await idle(consumer)),
    );
    assert.deepEqual(
      deliveries,
      ids.map(() => 1),
      'each event delivered once',
    );
    assert.equal(await svc.stop(), 0);
  });

  test('stop during a batch: the batch finishes and is acked', async () => {
    const consumer = spec('batch-stop', 'dev-stop');
    let started!: () => void;
    const inHandler = new Promise<void>((r) => (started = r));
    let finished = 0;
    const svc = await start(consumer, async (items) => {
      started();
      await sleep(1_000);
      finished += items.length;
      return items.map(() => ok);
    });
    await publish('dev-stop', 20);
    await inHandler;
    assert.equal(await svc.stop(), 0);
    assert.ok(finished > 0);
    const info = await nats.jsm.consumers.info(consumer.stream, consumer.durable);
    assert.equal(info.num_ack_pending, 0, 'nothing left unacknowledged');
  });
});
