// The runtime against a real nats-server: publish with trace context, consume, dead letters,
// redelivery with backoff, crash recovery and de-duplication.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { subjects } from '@heatstream/contracts';
import { consumerIdle as idle, deadLetters, eventually, runNode } from '@heatstream/testkit';
import { defineService, runService, type RunningService } from '../src/mod.ts';
import { recorder, recorderConsumer } from './recorder-service.ts';
import { reading, records, recorderFixtures } from './helpers.ts';
import { probe } from './publish-probe.ts';

const recorderMain = new URL('./recorder-main.ts', import.meta.url);
const { nats, files } = recorderFixtures('runtime-test');

const consumerIdle = (): Promise<boolean> =>
  idle(nats.jsm, recorderConsumer.stream, recorderConsumer.durable);
const rejectedFor = (service: string) => deadLetters(nats.js, service);

async function startRecorder(
  name: string,
  extra: Record<string, string> = {},
): Promise<{ svc: RunningService; file: string }> {
  const file = join(files.dir, `${name}.jsonl`);
  const svc = await runService(recorder, {
    argv: [],
    env: { HS_NATS__URL: nats.url, HS_RECORD_FILE: file, HS_LOG__LEVEL: 'error', ...extra },
  });
  return { svc, file };
}

describe('runtime over a real nats-server', () => {
  test('a published reading reaches the consumer with its trace parent intact', async () => {
    const { svc, file } = await startRecorder('trace');
    // The recorder registered the process's tracer provider; the publish runs under a parent span, the poll.
    const { publish } = probe(nats.nc);
    const event = reading('dev-trace', 1);
    const traceId = await trace.getTracer('test').startActiveSpan('poll', async (span) => {
      await publish(subjects.reading('site1', 'dev-trace'), event);
      span.end();
      return span.spanContext().traceId;
    });
    const seen = await eventually('the reading', () =>
      records(file).find((r) => r.id === event.id && r.phase === 'done'),
    );
    assert.match(seen.traceparent, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    assert.equal(seen.traceId, traceId, 'the handler runs inside the same trace');
    assert.equal(await svc.stop(), 0);
  });

  test('an invalid payload is dead-lettered with the validation error and the original bytes', async () => {
    const { svc } = await startRecorder('invalid');
    const bad = reading('dev-bad', 2) as unknown as { data: { metrics: Record<string, unknown> } };
    bad.data.metrics.flow_temp = 'hot';
    bad.data.metrics.not_a_metric = 1;
    const bytes = new TextEncoder().encode(JSON.stringify(bad));
    await nats.js.publish(subjects.reading('site1', 'dev-bad'), bytes);
    const [dead] = await eventually('the dead letter', async () => {
      const found = (await rejectedFor('recorder')).filter(
        (r) => r.data.originalSubject === 'readings.v1.site1.dev-bad',
      );
      return found.length > 0 ? found : undefined;
    });
    assert.ok(dead);
    assert.match(dead.data.reason, /^invalid payload/);
    assert.ok(
      dead.data.errors?.some((e) => e.path.includes('flow_temp')),
      JSON.stringify(dead.data.errors),
    );
    assert.ok(
      dead.data.errors?.some((e) => e.path.includes('not_a_metric') || e.message.includes('not_a_metric')),
      JSON.stringify(dead.data.errors),
    );
    assert.deepEqual(Buffer.from(dead.data.payload, 'base64'), Buffer.from(bytes));
    await eventually('the consumer to settle', consumerIdle);
    assert.equal(await svc.stop(), 0);
  });

  test('a handler that throws is redelivered with backoff, then dead-lettered', async () => {
    const { svc, file } = await startRecorder('failing', { HS_FAIL_DEVICE: 'dev-fail' });
    const event = reading('dev-fail', 3);
    const { publish } = probe(nats.nc);
    await publish(subjects.reading('site1', 'dev-fail'), event);
    const dead = await eventually('the dead letter', async () =>
      (await rejectedFor('recorder')).find((r) => r.data.originalSubject === 'readings.v1.site1.dev-fail'),
    );
    assert.match(dead.data.reason, /handler failed on delivery 3 of 3: device dev-fail always fails/);
    assert.equal(dead.data.deliveries, 3);
    const attempts = records(file).filter((r) => r.id === event.id);
    assert.deepEqual(
      attempts.map((a) => a.delivery),
      [1, 2, 3],
    );
    const [a1, a2, a3] = attempts.map((a) => a.at) as [number, number, number];
    assert.ok(
      a2 - a1 >= 200 && a3 - a2 >= 400,
      `redeliveries follow the backoff [200, 400]: ${a2 - a1}, ${a3 - a2}`,
    );
    await eventually('the consumer to settle', consumerIdle);
    assert.equal(await svc.stop(), 0);
  });

  test('a consumer killed with SIGKILL mid-stream and restarted loses nothing', async () => {
    const file = join(files.dir, 'killed.jsonl');
    const env = {
      HS_NATS__URL: nats.url,
      HS_RECORD_FILE: file,
      HS_HANDLER_DELAY_MS: '5',
      HS_LOG__LEVEL: 'warn',
    };
    const first = runNode(recorderMain, env);
    const js = nats.js;
    const sent = Array.from({ length: 300 }, (_, i) => reading('dev-kill', i));
    await Promise.all(
      sent.map((e) => js.publish(subjects.reading('site1', 'dev-kill'), JSON.stringify(e), { msgID: e.id })),
    );
    await eventually('some progress', () => records(file).filter((r) => r.phase === 'done').length >= 50);
    first.child.kill('SIGKILL');
    await first.exited;
    const beforeRestart = new Set(
      records(file)
        .filter((r) => r.phase === 'done')
        .map((r) => r.id),
    );
    assert.ok(beforeRestart.size < sent.length, 'killed mid-stream');
    const second = runNode(recorderMain, env);
    await eventually('the backlog to drain', consumerIdle, 60_000);
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0, second.output());
    const handled = new Set(
      records(file)
        .filter((r) => r.phase === 'done')
        .map((r) => r.id),
    );
    const missing = sent.filter((e) => !handled.has(e.id));
    assert.deepEqual(missing, [], 'every reading was handled');
  });

  test('the consumer is looked up once per loop, not on every pull', async () => {
    const spec = {
      ...recorderConsumer,
      durable: 'runtime-test-lookups',
      filterSubjects: [subjects.reading('site1', 'dev-lookup')],
    };
    // Every CONSUMER.INFO request and every pull request of this consumer, as NATS carries them.
    const count = (subject: string): (() => number) => {
      let n = 0;
      nats.nc.subscribe(subject, {
        callback: () => {
          n++;
        },
      });
      return () => n;
    };
    const infos = count(`$JS.API.CONSUMER.INFO.${spec.stream}.${spec.durable}`);
    const pulls = count(`$JS.API.CONSUMER.MSG.NEXT.${spec.stream}.${spec.durable}`);
    await nats.nc.flush();
    const handled = new Set<string>();
    const svc = await runService(
      defineService({
        name: 'lookups',
        init(ctx) {
          ctx.consume(
            spec,
            (event) => {
              handled.add(event.id);
              return Promise.resolve();
            },
            { batch: 1 },
          );
          return undefined;
        },
      }),
      { argv: [], env: nats.env() },
    );
    const { publish } = probe(nats.nc);
    const sent = Array.from({ length: 30 }, (_, i) => reading('dev-lookup', i));
    for (const event of sent) await publish(subjects.reading('site1', 'dev-lookup'), event);
    await eventually('every reading', () => sent.every((e) => handled.has(e.id)));
    assert.equal(await svc.stop(), 0);
    assert.ok(pulls() >= sent.length, `one message per pull: ${pulls()} pulls`);
    assert.equal(infos(), 2, 'one lookup by provisioning, one by the loop');
  });

  test('a publisher that retries the same message id is stored once', async () => {
    const { publish } = probe(nats.nc);
    const event = reading('dev-dup', 4);
    const subject = subjects.reading('site1', 'dev-dup');
    const first = await publish(subject, event);
    const retry = await publish(subject, event);
    assert.equal(first.duplicate, false);
    assert.equal(retry.duplicate, true);
    assert.equal(retry.seq, first.seq);
    const info = await nats.jsm.streams.info('READINGS', { subjects_filter: subject });
    assert.equal(info.state.subjects?.[subject], 1);
  });

  test('SIGTERM during a handler: the message finishes, is acked, and the process exits 0', async () => {
    const file = join(files.dir, 'sigterm.jsonl');
    const child = runNode(recorderMain, {
      HS_NATS__URL: nats.url,
      HS_RECORD_FILE: file,
      HS_HANDLER_DELAY_MS: '1500',
      HS_SHUTDOWN_GRACE_MS: '10000',
    });
    const event = reading('dev-term', 5);
    await nats.js.publish(subjects.reading('site1', 'dev-term'), JSON.stringify(event), {
      msgID: event.id,
    });
    await eventually('the handler to start', () =>
      records(file).some((r) => r.id === event.id && r.phase === 'start'),
    );
    child.child.kill('SIGTERM');
    assert.equal(await child.exited, 0, child.output());
    assert.ok(
      records(file).some((r) => r.id === event.id && r.phase === 'done'),
      'the in-flight message finished',
    );
    assert.ok(await consumerIdle(), 'and was acked');
  });
});
