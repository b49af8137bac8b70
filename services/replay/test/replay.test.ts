// replay against real NATS and QuestDB, with ingest running as its own process: rebuild a dropped
// day, replay over live data without duplicates, interrupt and resume, play into the live channel,
// and ask a derivation over request/reply.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { coreSubjects, encodeEvent, events, subjects, type EventOf } from '@heatstream/contracts';
import { sql, walSettled, type QuestDbConnection } from '@heatstream/questdb';
import type { NatsClient } from '@heatstream/runtime';
import {
  consumerIdle,
  eventually,
  natsFixture,
  questDbFixture,
  readingEvent,
  runNode,
  tempDir,
  type NatsFixture,
  type NodeProcess,
  type QuestDbFixture,
} from '@heatstream/testkit';
import { parsePlan } from '../src/plan.ts';
import { runReplay, type ReplayReport } from '../src/run.ts';
import { deriveTarget } from '../src/targets/derive.ts';
import { liveTarget } from '../src/targets/live.ts';
import { questDbTarget } from '../src/targets/questdb.ts';
import type { ReplayTarget } from '../src/targets/target.ts';

const metricList = ['flow_temp', 'outside_temp', 'elec_power', 'elec_energy', 'compressor_on'] as const;

let nats: NatsFixture;
let questdb: QuestDbFixture;
let client: NatsClient;
let conn: QuestDbConnection;
let ingest: NodeProcess;
let dir: string;
const sent: EventOf<'heatstream.reading.v1'>[] = [];

/** Two days, 10 devices, one reading a minute; values in quarters so sums are exact. */
function reading(i: number): EventOf<'heatstream.reading.v1'> {
  const device = `dev-${i % 10}`;
  const n = Math.floor(i / 10);
  return readingEvent(
    {
      site: 'replay',
      device,
      metrics: {
        flow_temp: 30 + (i % 40) * 0.25,
        outside_temp: -5 + (i % 60) * 0.25,
        elec_power: 800 + (i % 100),
        elec_energy: 1_000 + n,
        compressor_on: i % 2,
      },
    },
    { time: Date.UTC(2026, 0, 15) + n * 60_000, source: 'replay-test' },
  );
}

async function settled(): Promise<boolean> {
  return (await consumerIdle(nats.jsm, 'READINGS', 'ingest-readings')) && walSettled(conn);
}

/** Row count, per-metric sums, minima and maxima of one day. */
async function dayFigures(day: string): Promise<unknown[]> {
  const aggregates = metricList.flatMap((m) => [`sum(${m})`, `min(${m})`, `max(${m})`]);
  const [row] = await sql(
    conn,
    `SELECT count(), ${aggregates.join(', ')} FROM readings WHERE site = 'replay' AND ts IN '${day}'`,
  );
  return row ?? [];
}

const silent = (): void => undefined;

async function replay(
  argv: string[],
  target: ReplayTarget,
  signal = new AbortController().signal,
): Promise<ReplayReport> {
  const plan = parsePlan([...argv, '--checkpoint', join(dir, `${argv[0] ?? ''}.json`)], dir);
  try {
    return await runReplay(plan, { source: client, events, target, say: silent, signal });
  } finally {
    await target.close();
  }
}

before(async () => {
  [nats, questdb] = await Promise.all([natsFixture({ own: true }), questDbFixture({ own: true })]);
  // Replay's own client, with replay's rights from contracts (the test connection has all).
  client = await nats.serviceClient('replay');
  conn = questdb.conn;
  dir = await tempDir('replay-test');
  ingest = runNode(
    new URL('../../ingest/src/main.ts', import.meta.url),
    nats.env({ HS_QUESTDB__URL: conn.url, HS_LOG__LEVEL: 'warn' }),
  );
  // ingest provisions the streams; wait for its consumer before publishing.
  await eventually('ingest to start', () =>
    nats.jsm.consumers.info('READINGS', 'ingest-readings').then(
      () => true,
      () => false,
    ),
  );
  const js = nats.js;
  for (let i = 0; i < 2 * 1440 * 10; i++) sent.push(reading(i));
  for (let i = 0; i < sent.length; i += 500)
    await Promise.all(
      sent
        .slice(i, i + 500)
        .map((e) => js.publish(subjects.reading('replay', e.subject), encodeEvent(e), { msgID: e.id })),
    );
  await eventually(
    'ingest to store both days',
    async () => (await settled()) && (await dayFigures('2026-01-16'))[0] === 14_400,
  );
});

after(async () => {
  ingest.child.kill('SIGTERM');
  await ingest.exited;
  await Promise.all([nats[Symbol.asyncDispose](), questdb[Symbol.asyncDispose]()]);
});

describe('replay', () => {
  test('drop a day of readings, replay that day: the same query results as before', async () => {
    const before15 = await dayFigures('2026-01-15');
    const before16 = await dayFigures('2026-01-16');
    assert.equal(before15[0], 14_400);
    await sql(conn, "ALTER TABLE readings DROP PARTITION LIST '2026-01-15'");
    await eventually(
      'the day to be gone',
      async () => (await walSettled(conn)) && (await dayFigures('2026-01-15'))[0] === 0,
    );
    const report = await replay(
      [
        'questdb',
        '--stream',
        'READINGS',
        '--from',
        '2026-01-15T00:00:00Z',
        '--to',
        '2026-01-16T00:00:00Z',
        '--refresh-views',
      ],
      await questDbTarget(conn, true),
    );
    assert.equal(report.completed, true);
    assert.equal(report.delivered, 14_400, 'only that day is written');
    assert.ok(
      report.lines.some((l) => l.includes('wrote 14,400 rows to readings')),
      report.lines.join('\n'),
    );
    await eventually('the rebuild to be applied', settled);
    assert.deepEqual(await dayFigures('2026-01-15'), before15);
    assert.deepEqual(await dayFigures('2026-01-16'), before16);
    await eventually('the roll-ups to be valid again', async () => {
      const views = await sql(conn, 'SELECT view_status FROM materialized_views()');
      return views.length === 2 && views.every(([status]) => status === 'valid');
    });
  });

  test('replaying the whole stream over live data adds no duplicates', async () => {
    const before15 = await dayFigures('2026-01-15');
    const before16 = await dayFigures('2026-01-16');
    const report = await replay(['questdb', '--stream', 'READINGS'], await questDbTarget(conn, false));
    assert.equal(report.delivered, sent.length);
    await eventually('the replay to be applied', settled);
    assert.deepEqual(await dayFigures('2026-01-15'), before15);
    assert.deepEqual(await dayFigures('2026-01-16'), before16);
  });

  test('an interrupted replay resumes from its checkpoint and covers the range once', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const counting = (abortAfter: number): ReplayTarget => ({
      take(batch) {
        for (const e of batch) seen.push(e.seq);
        if (seen.length >= abortAfter) controller.abort();
        return Promise.resolve();
      },
      finish: () => Promise.resolve(),
      close: () => Promise.resolve(),
      summary: () => [],
    });
    const argv = ['derive', '--stream', 'READINGS', '--derivation', 'count', '--batch', '1000'];
    const first = await replay(argv, counting(3_000), controller.signal);
    assert.equal(first.completed, false);
    assert.ok(first.lastSeq >= 3_000 && first.lastSeq < sent.length, `stopped at ${first.lastSeq}`);
    const second = await replay([...argv, '--resume'], counting(Infinity));
    assert.equal(second.completed, true);
    assert.equal(second.firstSeq, first.lastSeq + 1);
    assert.deepEqual(
      seen,
      sent.map((_, i) => i + 1),
      'every sequence exactly once, in order',
    );
  });

  test('live: the range is played to replay.v1.<site>.<device> with the original bytes', async () => {
    const received: { subject: string; original: string | undefined; id: string }[] = [];
    const sub = nats.nc.subscribe('replay.v1.>', {
      callback: (_, msg) => {
        received.push({
          subject: msg.subject,
          original: msg.headers?.get('Hs-Replay-Subject'),
          id: (events.decode(msg.data) as { id: string }).id,
        });
      },
    });
    const report = await replay(
      [
        'live',
        '--stream',
        'READINGS',
        '--from',
        '2026-01-15T00:00:00Z',
        '--to',
        '2026-01-15T00:10:00Z',
        '--speed',
        '0',
      ],
      liveTarget(client, 0),
    );
    await nats.nc.flush();
    await eventually('all played events', () => received.length === report.delivered);
    sub.unsubscribe();
    assert.equal(report.delivered, 100);
    assert.deepEqual(
      received.map((r) => r.id),
      sent.slice(0, 100).map((e) => e.id),
    );
    const fourth = received[3];
    assert.ok(fourth);
    assert.equal(fourth.subject, 'replay.v1.replay.dev-3');
    assert.equal(fourth.original, 'readings.v1.replay.dev-3');
  });

  test('derive asks whoever serves the derivation, and says so when nobody does', async () => {
    const asked: string[] = [];
    const sub = nats.nc.subscribe(coreSubjects.derive('test-cop'), {
      callback: (_, msg) => {
        asked.push(msg.headers?.get('Hs-Replay-Seq') ?? '');
        msg.respond(JSON.stringify({ ok: true }));
      },
    });
    const argv = [
      'derive',
      '--stream',
      'READINGS',
      '--derivation',
      'test-cop',
      '--from-seq',
      '1',
      '--to-seq',
      '50',
    ];
    const report = await replay(argv, deriveTarget(client, 'test-cop', 'READINGS'));
    sub.unsubscribe();
    assert.equal(report.completed, true);
    assert.deepEqual(
      asked,
      Array.from({ length: 50 }, (_, i) => String(i + 1)),
    );
    await assert.rejects(
      replay([...argv.slice(0, 4), 'nobody', ...argv.slice(5)], deriveTarget(client, 'nobody', 'READINGS')),
      /nothing serves the derivation "nobody" on derive\.v1\.nobody/,
    );
  });

  test('the command line: runs with settings from the environment and says what it did', async () => {
    const cli = spawn(
      process.execPath,
      [
        fileURLToPath(new URL('../src/cli.ts', import.meta.url)),
        'questdb',
        '--stream',
        'READINGS',
        '--subject',
        'readings.v1.replay.dev-7',
        '--from',
        '2026-01-16T23:00:00Z',
        '--checkpoint',
        join(dir, 'cli.json'),
      ],
      {
        env: { PATH: process.env.PATH, HS_NATS__URL: nats.url, HS_QUESTDB__URL: conn.url },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    cli.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise((r) => cli.once('exit', r));
    assert.equal(code, 0, output);
    assert.match(
      output,
      /replayed questdb from READINGS \(readings\.v1\.replay\.dev-7, measured from 2026-01-16T23:00:00\.000Z\).* 60 in range/,
    );
    assert.match(output, /wrote 60 rows to readings/);
  });
});
