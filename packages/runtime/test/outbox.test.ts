// The outbox against a real nats-server that is killed and restarted, with the publishing service
// as its own process (as deployed), so that a restart of the service is a restart of a process:
// publishes while NATS is down are kept on disk, across a restart of the service too; once NATS is
// back every one arrives in the order it was made, none twice; the bound drops the oldest, loudly.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { subjects } from '@heatstream/contracts';
import { eventually, freePort, runNode, serviceFixture, type NodeProcess } from '@heatstream/testkit';
import { Outbox } from '../src/outbox.ts';
import { recorderFixtures } from './helpers.ts';
import { ticker, tickerStreams } from './ticker-service.ts';

const tickerMain = new URL('./ticker-main.ts', import.meta.url);
const { nats, files } = recorderFixtures('outbox-test', {
  own: true,
  connect: { maxReconnectAttempts: -1, reconnectTimeWait: 100 },
});

interface Line {
  msg: string;
  level: number;
  published?: string;
  queued?: boolean;
  reason?: string;
  dropped?: number;
  droppedTotal?: number;
  oldest?: { msgId: string };
  newest?: { msgId: string };
}
const lines = (p: NodeProcess): Line[] =>
  p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Line);
const published = (p: NodeProcess) =>
  lines(p).flatMap((l) =>
    l.msg === 'published' ? [{ id: l.published ?? '', queued: l.queued === true, reason: l.reason }] : [],
  );

interface Ticker {
  process: NodeProcess;
  port: number;
}

async function startTicker(device: string, dir: string, env: Record<string, string> = {}): Promise<Ticker> {
  const port = await freePort();
  const process = runNode(tickerMain, {
    HS_NATS__URL: nats.url,
    HS_HTTP__PORT: String(port),
    HS_OUTBOX__DIR: dir,
    HS_DEVICE: device,
    HS_LOG__LEVEL: 'info',
    ...env,
  });
  await eventually(
    'start-up',
    () => process.output().includes('"msg":"started"') || process.output().includes('cannot start'),
  );
  return { process, port };
}

async function readyz(t: Ticker): Promise<{ status: string; reason?: string; outbox: Outbox['fill'] }> {
  const res = await fetch(`http://127.0.0.1:${t.port}/readyz`);
  return (await res.json()) as { status: string; reason?: string; outbox: Outbox['fill'] };
}

async function stopTicker(t: Ticker): Promise<void> {
  t.process.child.kill('SIGTERM');
  assert.equal(await t.process.exited, 0, t.process.output());
}

/** The event ids stored for a device, in stream order. */
async function storedIds(device: string): Promise<string[]> {
  const subject = subjects.reading('site1', device);
  const info = await nats.jsm.streams.info('READINGS');
  const ids: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const m = await nats.jsm.streams.getMessage('READINGS', { seq }).catch(() => null);
    if (m?.subject === subject) ids.push(m.json<{ id: string }>().id);
  }
  return ids;
}

void describe('the outbox across NATS outages', () => {
  test('kept on disk while NATS is down, across a restart of the service; then sent in order, none twice', async () => {
    const device = 'dev-outage';
    const dir = join(files.dir, 'outage');
    const a = await startTicker(device, dir);
    await eventually(
      'three readings stored',
      () => published(a.process).filter((p) => !p.queued).length >= 3,
    );
    const [first] = await storedIds(device);
    const stored = await nats.jsm.streams.getMessage('READINGS', {
      last_by_subj: subjects.reading('site1', device),
    });
    assert.ok(first && stored);

    await nats.server.kill();
    await eventually(
      'five readings kept in the outbox',
      () => published(a.process).filter((p) => p.queued).length >= 5,
    );
    const whileDown = await readyz(a);
    assert.equal(whileDown.status, 'unavailable');
    assert.equal(whileDown.reason, 'NATS disconnected');
    assert.ok(whileDown.outbox.messages >= 5, JSON.stringify(whileDown));
    await stopTicker(a);
    const keptByA = published(a.process).filter((p) => p.queued).length;
    assert.ok(!a.process.output().includes('publish failed'), a.process.output());

    // Restarted while NATS is still down: start-up fails (the runtime needs NATS to start) and the
    // outbox is untouched.
    const b = await startTicker(device, dir);
    assert.equal(await b.process.exited, 1);
    assert.match(b.process.output(), /cannot connect to NATS/);
    const onDisk = new Outbox(dir, 256 * 1024 ** 2);
    assert.equal(onDisk.fill.messages, keptByA, 'every kept reading is on disk');
    // As a crash after JetStream stored a message but before the outbox let go of it would leave it.
    onDisk.append(
      {
        subject: stored.subject,
        msgId: stored.header.get('Nats-Msg-Id'),
        data: stored.data,
        headers: {},
      },
      Date.now(),
    );
    onDisk.close();

    await nats.server.restart();
    const c = await startTicker(device, dir);
    await eventually('the outbox sent and three readings published directly again', async () => {
      const fill = (await readyz(c)).outbox;
      const direct = published(c.process).filter((p) => !p.queued).length;
      return fill.messages === 0 && direct >= 3;
    });
    await stopTicker(c);
    assert.ok(c.process.output().includes('outbox sent: publishing directly again'), c.process.output());

    const expected = [...published(a.process), ...published(c.process)].map((p) => p.id);
    assert.deepEqual(await storedIds(device), expected, 'every reading, in the order taken, once');
  });

  test('at its bound the outbox drops its oldest entries and says so; the rest arrive', async () => {
    const device = 'dev-bound';
    const d = await startTicker(device, join(files.dir, 'bound'), { HS_OUTBOX__MAX_BYTES: '4096' });
    await eventually('two readings stored', () => published(d.process).filter((p) => !p.queued).length >= 2);
    await nats.server.kill();
    await eventually(
      'three drops',
      () => lines(d.process).filter((l) => l.msg.startsWith('outbox full')).length >= 3,
    );
    const full = await readyz(d);
    assert.ok(full.outbox.dropped >= 3, JSON.stringify(full));
    assert.ok(full.outbox.bytes <= 4096, JSON.stringify(full));
    await nats.server.restart();
    await eventually('the outbox sent and two readings published directly again', async () => {
      const fill = (await readyz(d)).outbox;
      return (
        fill.messages === 0 &&
        published(d.process).filter((p, i, all) => !p.queued && all.slice(0, i).some((q) => q.queued))
          .length >= 2
      );
    });
    await stopTicker(d);

    const all = published(d.process).map((p) => p.id);
    const drops = lines(d.process).filter((l) => l.msg.startsWith('outbox full'));
    for (const drop of drops) assert.equal(drop.level, 50, 'an error');
    const droppedIds = new Set(
      drops.flatMap((l) =>
        all.slice(all.indexOf(l.oldest?.msgId ?? ''), all.indexOf(l.newest?.msgId ?? '') + 1),
      ),
    );
    assert.equal(
      droppedIds.size,
      drops.reduce((n, l) => n + (l.dropped ?? 0), 0),
      'each drop line names its range',
    );
    assert.equal(drops.at(-1)?.droppedTotal, droppedIds.size);
    // A reading whose one publish attempt timed out may have been stored all the same (the client
    // sends what it buffered once it reconnects): dropped from the outbox, it may still arrive.
    const mayHaveArrived = new Set(
      published(d.process).flatMap((p) =>
        p.queued && p.reason !== 'NATS disconnected' && p.reason !== 'the outbox is being sent' ? [p.id] : [],
      ),
    );
    assert.deepEqual(
      (await storedIds(device)).filter((id) => !(droppedIds.has(id) && mayHaveArrived.has(id))),
      all.filter((id) => !droppedIds.has(id)),
      'the rest, in order, once',
    );
  });

  test('metrics: what was queued, dropped and is waiting', async () => {
    const reader = new PeriodicExportingMetricReader({
      exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
      exportIntervalMillis: 3_600_000,
    });
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    const dir = join(files.dir, 'metrics');
    const svc = await serviceFixture(ticker, {
      env: nats.env({ HS_OUTBOX__DIR: dir, HS_DEVICE: 'dev-metrics', HS_OUTBOX__MAX_BYTES: '4096' }),
      streams: tickerStreams,
    });
    await nats.server.kill();
    const value = async (name: string): Promise<number> => {
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics
        .flatMap((s) => s.metrics)
        .find((m) => m.descriptor.name === name);
      return (metric?.dataPoints.at(0)?.value as number | undefined) ?? 0;
    };
    await eventually('drops', async () => (await value('heatstream.outbox.dropped')) >= 3);
    assert.equal(await svc.stop(), 0);
    await nats.server.restart();
    const onDisk = new Outbox(dir, 4096);
    const waiting = onDisk.fill.messages;
    onDisk.close();
    assert.ok(waiting > 0);
    assert.equal(await value('heatstream.outbox.messages'), waiting);
    assert.ok((await value('heatstream.outbox.bytes')) <= 4096);
    assert.equal(
      await value('heatstream.outbox.queued'),
      waiting + (await value('heatstream.outbox.dropped')),
      'queued = waiting + dropped: nothing was sent while NATS was down',
    );
  });
});
