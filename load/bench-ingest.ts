// Ingest benchmark (DESIGN §9): sustained committed readings/s from a JetStream backlog into
// QuestDB, beside the two raw ceilings measured in the same run on the same machine:
//   1. JetStream consume with no work (a pull consumer, no acks, payloads not even parsed);
//   2. QuestDB ILP/HTTP ingest by the client directly (same rows, same batch size, own table).
//   npm run bench:ingest -- [--count 1000000] [--batch 4000] [--devices 100] [--instances 1]
// (--instances N runs N ingest processes on the one durable consumer, as a scaled deployment would.)
// Real nats-server and QuestDB from the testkit on loopback; ingest runs as its own process.
// Zero loss is checked: every reading is counted in QuestDB at the end. Bounded, stops by itself.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Sender } from '@questdb/nodejs-client';
import { encodeEvent, streams, subjects, type Envelope } from '@heatstream/contracts';
import {
  createTableSql,
  declareSchema,
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
  t0 = performance.now();
  let seen = 0;
  const messages = await raw.consume({ max_messages: 2 * batch });
  for await (const msg of messages) {
    if (msg.seq > 0 && ++seen >= count) break;
    if ((seen & 0xffff) === 0) checkDeadline('the JetStream ceiling');
  }
  const jsCeiling = count / ((performance.now() - t0) / 1000);
  await jsm.consumers.delete('READINGS', 'bench-raw');
  console.log(`ceiling: JetStream consume, no work      ${fmt(jsCeiling)} msgs/s`);

  // Ceiling 2: the QuestDB client writing the same rows directly, same batch size and encoding,
  // into a table of its own. Only encoding and flushing are timed, not making the events.
  await declareSchema(conn);
  const ceilingTable: TableDef = { ...readings, name: 'readings_ceiling' };
  await sql(conn, createTableSql(ceilingTable, { rawDays: 0, hourlyMonths: 0, dailyYears: 0 }));
  const sender = await Sender.fromConfig(senderConfig(conn, { auto_flush: 'off', request_timeout: 60_000 }));
  let ilpMs = 0;
  for (let i = 0; i < count; i += batch) {
    const rows = Array.from({ length: Math.min(batch, count - i) }, (_, k) => reading(i + k));
    const t = performance.now();
    for (const e of rows) await ceilingTable.row(sender, e, ceilingTable.name);
    await sender.flush();
    ilpMs += performance.now() - t;
    checkDeadline('the QuestDB ceiling');
  }
  const ilpCeiling = count / (ilpMs / 1000);
  await sender.close();
  console.log(`ceiling: QuestDB ILP/HTTP, client direct  ${fmt(ilpCeiling)} rows/s`);

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
  const rate = (acked - ackedAtFirst) / ((committedAt - (firstAck ?? startedAt)) / 1000);
  while (!(await walSettled(conn, ['readings']))) {
    checkDeadline('QuestDB applying the WAL');
    await sleep(200);
  }
  const appliedAt = performance.now();
  const [[stored]] = (await sql(conn, "SELECT count() FROM readings WHERE site = 'bench'")) as [[number]];
  const lower = Math.min(jsCeiling, ilpCeiling);
  console.log(
    `ingest: backlog → committed in QuestDB      ${fmt(rate)} readings/s (acked after commit; ${instances} process${instances > 1 ? 'es' : ''})`,
  );
  console.log(
    `        including WAL apply                ${fmt(count / ((appliedAt - startedAt) / 1000))} readings/s (from process start)`,
  );
  console.log(
    `stored ${fmt(stored)} of ${fmt(count)} readings${stored === count ? ' — none lost' : ' — LOSS'}`,
  );
  console.log(
    `ratio to the lower ceiling (${jsCeiling < ilpCeiling ? 'JetStream' : 'QuestDB'}): ${((rate / lower) * 100).toFixed(1)} %` +
      `   targets: ≥ 100,000 readings/s and ≥ 70 %`,
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
