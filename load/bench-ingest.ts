// Ingest benchmark (DESIGN §9): sustained committed readings/s from a JetStream backlog into
// QuestDB, beside the raw ceilings measured in the same run on the same machine:
//   1. JetStream consume with no work (a pull consumer, no acks, payloads not even parsed);
//   2. QuestDB ingest of pre-encoded ILP bytes (the server's own limit: no encoding timed);
//   and, for reference, `@questdb/nodejs-client`'s row API writing the same rows.
// Each phase also reports the CPU each process used per reading (/proc), because on a shared
// machine wall-clock rates say as much about the neighbours as about heatstream.
//   npm run bench:ingest -- [--count 1000000] [--batch 4000] [--devices 100] [--instances 1]
// (--instances N runs N ingest processes on the one durable consumer, as a scaled deployment would.)
// Real nats-server and QuestDB from the testkit on loopback; ingest runs as its own process.
// Zero loss is checked: every reading is counted in QuestDB at the end. Bounded, stops by itself.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Sender } from '@questdb/nodejs-client';
import { CpuMeter, figure, load1, writeResults, type Figure } from './results.ts';
import { encodeEvent, streams, subjects, type Envelope } from '@heatstream/contracts';
import {
  createTableSql,
  declareSchema,
  IlpBuffer,
  ilpEncoder,
  readings,
  senderConfig,
  sql,
  walSettled,
  type QuestDbConnection,
  type TableDef,
} from '@heatstream/questdb';
import { freePort, repoRoot, startNats, startQuestDb, syntheticReading } from '@heatstream/testkit';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    batch: { type: 'string', default: '4000' },
    devices: { type: 'string', default: '100' },
    instances: { type: 'string', default: '1' },
    'timeout-s': { type: 'string', default: '1800' },
  },
});
const count = Number(values.count);
const batch = Number(values.batch);
const devices = Number(values.devices);
const instances = Number(values.instances);
const deadline = Date.now() + Number(values['timeout-s']) * 1000;

const start = Date.UTC(2026, 0, 1);
/** Reading i: `devices` devices, one reading each per 10 s, 12 metrics. */
const reading = (i: number): Envelope =>
  syntheticReading(i, { site: 'bench', devices, start, source: 'bench', model: 'bench-model' });

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
function checkDeadline(what: string): void {
  if (Date.now() > deadline) throw new Error(`benchmark timed out during ${what}`);
}

const [nats, questdb] = await Promise.all([startNats({ own: true }), startQuestDb({ own: true })]);
const nc = await connect({ servers: nats.url });
const conn: QuestDbConnection = { url: questdb.httpUrl };
const ingests: ReturnType<typeof spawn>[] = [];
const figures: Figure[] = [];
const notes: string[] = [];
const pids = {
  bench: () => process.pid,
  nats: () => nats.pid(),
  questdb: () => questdb.pid(),
  ingest: () => undefined,
};
/** µs of CPU per reading of each process in a phase, as one note. */
function cpuNote(phase: string, n: number, cpuS: Record<string, number>): string {
  const parts = Object.entries(cpuS)
    .filter(([, s]) => s > 0)
    .map(([k, s]) => `${k} ${((s / n) * 1e6).toFixed(1)} µs`);
  const note = `${phase}: CPU per reading ${parts.join(', ')}`;
  console.log(`  ${note}`);
  notes.push(note);
  return note;
}
try {
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const spec = streams.find((s) => s.name === 'READINGS');
  if (!spec) throw new Error('READINGS is not in contracts');
  await jsm.streams.add({
    name: spec.name,
    subjects: [...spec.subjects],
    duplicate_window: spec.duplicateWindowMs * 1_000_000,
    max_age: spec.maxAgeMs * 1_000_000,
  });

  // Fill the backlog.
  let t0 = performance.now();
  const window = 2_000;
  for (let i = 0; i < count; i += window) {
    const acks = [];
    for (let j = i; j < Math.min(count, i + window); j++) {
      const e = reading(j);
      acks.push(js.publish(subjects.reading('bench', e.subject), encodeEvent(e), { msgID: e.id }));
    }
    await Promise.all(acks);
    checkDeadline('the fill');
  }
  const fillRate = count / ((performance.now() - t0) / 1000);
  const info = await jsm.streams.info('READINGS');
  if (info.state.messages !== count)
    throw new Error(`READINGS holds ${info.state.messages}, expected ${count}`);
  console.log(
    `filled READINGS with ${fmt(count)} readings (${fmt(fillRate)}/s, ${fmt(info.state.bytes / count)} B each)`,
  );

  // Ceiling 1: JetStream consume, no work, no acks.
  await jsm.consumers.add('READINGS', {
    durable_name: 'bench-raw',
    ack_policy: AckPolicy.None,
    deliver_policy: DeliverPolicy.All,
  });
  const raw = await js.consumers.get('READINGS', 'bench-raw');
  const jsMeter = new CpuMeter(pids);
  jsMeter.start();
  t0 = performance.now();
  let seen = 0;
  const messages = await raw.consume({ max_messages: 2 * batch });
  for await (const msg of messages) {
    if (msg.seq > 0 && ++seen >= count) break;
    if ((seen & 0xffff) === 0) checkDeadline('the JetStream ceiling');
  }
  const jsCeiling = count / ((performance.now() - t0) / 1000);
  const jsCpu = jsMeter.stop().cpuS;
  await jsm.consumers.delete('READINGS', 'bench-raw');
  figures.push(
    figure('ceiling: JetStream consume, no work', jsCeiling, 'msgs/s', {
      note: cpuNote('JetStream ceiling', count, jsCpu),
    }),
  );

  // Ceiling 2: QuestDB taking pre-encoded ILP (the encoder ingest uses; encoding not timed),
  // `batch` rows per POST, two POSTs in flight as ingest has, into a table of its own.
  await declareSchema(conn);
  const noTtl = { rawDays: 0, hourlyMonths: 0, dailyYears: 0 };
  const rawTable: TableDef = { ...readings, name: 'readings_raw_ceiling' };
  await sql(conn, createTableSql(rawTable, noTtl));
  const encode = ilpEncoder(rawTable);
  const bodies: Buffer[] = [];
  for (let i = 0; i < count; i += batch) {
    const out = new IlpBuffer(batch * 400);
    for (let k = i; k < Math.min(count, i + batch); k++) encode(out, reading(k));
    bodies.push(Buffer.from(out.bytes()));
  }
  const post = async (body: Buffer): Promise<void> => {
    const response = await fetch(`${questdb.httpUrl}/write?precision=n`, { method: 'POST', body });
    if (!response.ok) throw new Error(`QuestDB refused the ceiling's rows: ${await response.text()}`);
  };
  const rawMeter = new CpuMeter(pids);
  rawMeter.start();
  let nextBody = 0;
  await Promise.all(
    [0, 1].map(async () => {
      while (nextBody < bodies.length) {
        await post(bodies[nextBody++] as Buffer);
        checkDeadline('the QuestDB ceiling');
      }
    }),
  );
  const rawRun = rawMeter.stop();
  const ilpCeiling = count / rawRun.wallS;
  bodies.length = 0;
  figures.push(
    figure('ceiling: QuestDB ILP/HTTP, pre-encoded bytes', ilpCeiling, 'rows/s', {
      note: cpuNote('QuestDB ceiling', count, rawRun.cpuS),
    }),
  );

  // For reference: the client's row API, same rows and batch size, encoding and flushing timed
  // (not making the events). Bounded to 200,000 rows: it is the slow path this run is not about.
  const clientCount = Math.min(count, 200_000);
  const ceilingTable: TableDef = { ...readings, name: 'readings_ceiling' };
  await sql(conn, createTableSql(ceilingTable, noTtl));
  const sender = await Sender.fromConfig(senderConfig(conn, { auto_flush: 'off', request_timeout: 60_000 }));
  let clientMs = 0;
  for (let i = 0; i < clientCount; i += batch) {
    const rows = Array.from({ length: Math.min(batch, clientCount - i) }, (_, k) => reading(i + k));
    const t = performance.now();
    for (const e of rows) await ceilingTable.row(sender, e, ceilingTable.name);
    await sender.flush();
    clientMs += performance.now() - t;
    checkDeadline('the client ceiling');
  }
  await sender.close();
  figures.push(
    figure('reference: @questdb/nodejs-client row API → QuestDB', clientCount / (clientMs / 1000), 'rows/s'),
  );

  // The pipeline: ingest drains the backlog into QuestDB.
  for (let i = 0; i < instances; i++) {
    const httpPort = await freePort();
    ingests.push(
      spawn(
        process.execPath,
        [
          ...(process.env.INGEST_NODE_ARGS ?? '').split(' ').filter(Boolean),
          `${repoRoot}/services/ingest/src/main.ts`,
        ],
        {
          env: {
            PATH: process.env.PATH,
            HS_NATS__URL: nats.url,
            HS_QUESTDB__URL: questdb.httpUrl,
            HS_HTTP__PORT: String(httpPort),
            HS_BATCH__SIZE: String(batch),
            HS_LOG__LEVEL: 'warn',
          },
          stdio: ['ignore', 'inherit', 'inherit'],
        },
      ),
    );
  }
  const ingestMeter = new CpuMeter({
    ...pids,
    ...Object.fromEntries(
      ingests.map((child, i) => [`ingest${instances > 1 ? `-${i + 1}` : ''}`, () => child.pid]),
    ),
  });
  ingestMeter.start();
  const startedAt = performance.now();
  let firstAck: number | undefined;
  let ackedAtFirst = 0;
  let acked = 0;
  for (;;) {
    const c = await jsm.consumers.info('READINGS', 'ingest-readings').catch(() => undefined);
    if (c) {
      acked = c.ack_floor.stream_seq;
      if (firstAck === undefined && acked > 0) {
        firstAck = performance.now();
        ackedAtFirst = acked;
      }
      if (c.num_pending === 0 && c.num_ack_pending === 0 && acked >= count) break;
    }
    checkDeadline('the ingest run');
    await sleep(100);
  }
  const committedAt = performance.now();
  const ingestRun = ingestMeter.stop();
  const rate = (acked - ackedAtFirst) / ((committedAt - (firstAck ?? startedAt)) / 1000);
  while (!(await walSettled(conn, ['readings']))) {
    checkDeadline('QuestDB applying the WAL');
    await sleep(200);
  }
  const appliedAt = performance.now();
  const [[stored]] = (await sql(conn, "SELECT count() FROM readings WHERE site = 'bench'")) as [[number]];
  const lower = Math.min(jsCeiling, ilpCeiling);
  const label = `${instances} process${instances > 1 ? 'es' : ''}`;
  figures.push(
    figure(`ingest: backlog → committed in QuestDB (${label})`, rate, 'readings/s', {
      target: '≥ 100,000',
      met: rate >= 100_000,
      note: cpuNote(`ingest (${label})`, count, ingestRun.cpuS),
    }),
  );
  figures.push(
    figure(
      'ingest including WAL apply, from process start',
      count / ((appliedAt - startedAt) / 1000),
      'readings/s',
    ),
  );
  figures.push(
    figure(
      `ratio to the lower ceiling (${jsCeiling < ilpCeiling ? 'JetStream' : 'QuestDB'})`,
      (rate / lower) * 100,
      '%',
      {
        target: '≥ 70',
        met: rate / lower >= 0.7,
      },
    ),
  );
  // What two otherwise idle cores would give: the CPU the whole pipeline spent per reading, and
  // the busiest single-threaded part (a Node process) per reading.
  const cpuTotal = Object.values(ingestRun.cpuS).reduce((a, b) => a + b, 0) - (ingestRun.cpuS.bench ?? 0);
  const ingestCpu = Object.entries(ingestRun.cpuS)
    .filter(([k]) => k.startsWith('ingest'))
    .reduce((a, [, v]) => Math.max(a, v), 0);
  const capacity = Math.min(2 / (cpuTotal / count), (1 / (ingestCpu / count)) * instances);
  figures.push(
    figure('ingest, CPU-bound estimate on 2 idle cores', capacity, 'readings/s', {
      target: '≥ 100,000',
      met: capacity >= 100_000,
      note: `min(2 cores / ${((cpuTotal / count) * 1e6).toFixed(1)} µs of CPU per reading over nats-server + QuestDB + ingest, ${instances} × one ingest core)`,
    }),
  );
  figures.push(
    figure('stored / published', stored, `of ${count}`, { target: `= ${count}`, met: stored === count }),
  );
  console.log(
    `stored ${fmt(stored)} of ${fmt(count)} readings${stored === count ? ' — none lost' : ' — LOSS'}`,
  );
  // Disk: what the readings table takes per million rows of this shape (WAL applied; the
  // materialized views and the ceilings' own tables not counted).
  try {
    const [[bytes]] = (await sql(
      conn,
      "SELECT sum(diskSize) FROM table_storage() WHERE tableName = 'readings'",
    )) as [[number]];
    figures.push(
      figure('QuestDB disk per million readings (readings table)', ((bytes / count) * 1e6) / 2 ** 20, 'MB'),
    );
  } catch (error) {
    notes.push(`disk size not measured: ${(error as Error).message}`);
  }
  notes.push(
    `${fmt(count)} readings of 12 metrics from ${devices} devices, ${batch} a batch, fill ${fmt(fillRate)}/s; load average ${load1()} at the end.`,
  );
  writeResults(
    instances > 1 ? `ingest-${instances}` : 'ingest',
    `Ingest: JetStream backlog → QuestDB (${label})`,
    figures,
    notes,
  );
  process.exitCode = stored === count ? 0 : 1;
} finally {
  await Promise.all(
    ingests
      .filter((child) => child.exitCode === null)
      .map((child) => {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        return exited;
      }),
  );
  await nc.close();
  await Promise.all([nats.stop(), questdb.stop()]);
}
