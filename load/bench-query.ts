// Latency and history benchmarks (DESIGN §9), against a real nats-server and QuestDB with ingest as
// its own process:
//   - publish → queryable in QuestDB, p99 ≤ 2 s, at 1,000 and at 20,000 readings/s;
//   - 30 days of 10 s readings of one device downsampled to 1,000 points (the gateway's own
//     history query), p95 ≤ 150 ms; and a year of the 1 h roll-up downsampled the same way.
//   npm run bench:query -- [--seconds 10] [--queries 50]
// Bounded: every wait has a deadline; the run stops by itself.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { connect } from '@nats-io/transport-node';
import { encodeEvent, subjects, type Envelope } from '@heatstream/contracts';
import {
  declareSchema,
  QuestDbWriter,
  readings,
  sql,
  walSettled,
  type QuestDbConnection,
} from '@heatstream/questdb';
import { freePort, repoRoot, startNats, startQuestDb, syntheticReading } from '@heatstream/testkit';
import { History } from '../services/gateway/src/history.ts';
import { figure, load1, writeResults, type Figure } from './results.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    queries: { type: 'string', default: '50' },
  },
});
const seconds = Number(values.seconds);
const queries = Number(values.queries);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const quantile = (xs: number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};
async function until(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`benchmark gave up waiting for ${what}`);
    await sleep(100);
  }
}

const figures: Figure[] = [];
const notes: string[] = [];
const [nats, questdb] = await Promise.all([startNats({ own: true }), startQuestDb({ own: true })]);
const conn: QuestDbConnection = { url: questdb.httpUrl };
const nc = await connect({ servers: nats.url });
const ingest = spawn(process.execPath, [`${repoRoot}/services/ingest/src/main.ts`], {
  env: {
    PATH: process.env.PATH,
    HS_NATS__URL: nats.url,
    HS_QUESTDB__URL: questdb.httpUrl,
    HS_HTTP__PORT: String(await freePort()),
    HS_LOG__LEVEL: 'warn',
    // The history data reaches back a year: raw retention must not drop it under the benchmark.
    HS_RETENTION__RAW_DAYS: '0',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
try {
  await until(
    'ingest to declare the tables',
    async () =>
      (
        await sql(conn, "SELECT count() FROM tables() WHERE table_name = 'readings'").catch(() => [[0]])
      )[0]?.[0] === 1,
    120_000,
  );

  // Publish → queryable. Readings are published at a steady rate (core publish into the stream,
  // so the publisher is not the limit); QuestDB is polled every 100 ms, and reading i counts as
  // queryable at the first poll that sees at least i + 1 of the run's readings (ingest commits
  // batches in about publish order; the poll interval bounds the resolution).
  for (const rate of [1_000, 20_000]) {
    const site = `lat${rate}`;
    const total = rate * seconds;
    const publishedAt = new Float64Array(total);
    const seenAt = new Float64Array(total).fill(NaN);
    let seen = 0;
    const poll = (async () => {
      const deadline = Date.now() + (seconds + 120) * 1000;
      while (seen < total && Date.now() < deadline) {
        const [[count]] = (await sql(conn, `SELECT count() FROM readings WHERE site = '${site}'`)) as [
          [number],
        ];
        const now = performance.now();
        for (; seen < Math.min(count, total); seen++) seenAt[seen] = now;
        await sleep(100);
      }
    })();
    const tickMs = 10;
    const perTick = rate / (1000 / tickMs);
    const t0 = performance.now();
    for (let i = 0; i < total;) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / tickMs + 1) * perTick));
      for (; i < due; i++) {
        const e = syntheticReading(i, {
          site,
          devices: 100,
          start: Date.UTC(2026, 1, 1),
          source: 'bench',
          model: 'm',
        });
        const h = natsHeaders();
        h.set('Nats-Msg-Id', e.id);
        nc.publish(subjects.reading(site, e.subject), encodeEvent(e), { headers: h });
        publishedAt[i] = performance.now();
      }
      await sleep(tickMs);
    }
    const publishRate = total / ((performance.now() - t0) / 1000);
    await poll;
    const latencies = Array.from(seenAt, (s, i) => s - (publishedAt[i] ?? 0)).filter((x) => !Number.isNaN(x));
    const p99 = quantile(latencies, 0.99);
    figures.push(
      figure(`publish → queryable in QuestDB p99 at ${rate.toLocaleString('en-US')}/s`, p99, 'ms', {
        target: '≤ 2,000',
        met: p99 <= 2_000 && latencies.length === total,
        note: `p50 ${Math.round(quantile(latencies, 0.5))} ms; ${latencies.length} of ${total} queryable; published at ${Math.round(publishRate)}/s`,
      }),
    );
  }

  // History: 30 days of one device at 10 s (259,200 rows), written by the ingest writer directly
  // (this measures the query, not ingestion), and a year at 10 min for the 1 h roll-up (the
  // roll-up holds one row per hour whatever the raw density).
  await declareSchema(conn, { rawDays: 0, hourlyMonths: 0, dailyYears: 0 });
  const writer = new QuestDbWriter(conn);
  const end = Date.UTC(2026, 0, 31);
  const write = async (device: string, from: number, stepMs: number, n: number): Promise<void> => {
    for (let i = 0; i < n; i += 10_000) {
      const events: Envelope[] = [];
      for (let k = i; k < Math.min(n, i + 10_000); k++) {
        const e = syntheticReading(k, { site: 'hist', devices: 1, start: 0, source: 'bench', model: 'm' });
        events.push({
          ...e,
          subject: device,
          time: new Date(from + k * stepMs).toISOString(),
          data: { ...e.data, device },
        });
      }
      const refused = (await writer.write(readings, events)).filter((r) => r !== undefined);
      if (refused.length > 0) throw new Error(`QuestDB refused history rows: ${refused[0]}`);
    }
  };
  const monthRows = 30 * 8_640;
  await write('month', end - 30 * 86_400_000, 10_000, monthRows);
  await until('QuestDB to apply the month', () => walSettled(conn), 300_000);
  const history = new History(conn);
  const metricsOf = [
    'flow_temp',
    'return_temp',
    'outside_temp',
    'elec_power',
    'heat_power',
    'elec_energy',
  ] as const;
  const timed = async (run: () => Promise<unknown>): Promise<number[]> => {
    await run(); // warm-up: the first query compiles and pages in
    const times: number[] = [];
    for (let q = 0; q < queries; q++) {
      const t = performance.now();
      await run();
      times.push(performance.now() - t);
    }
    return times;
  };
  const month = await timed(async () => {
    const h = await history.readings('month', end - 30 * 86_400_000, end, metricsOf, 1_000);
    if (h.rows.length < 900) throw new Error(`history answered ${h.rows.length} points`);
  });
  const monthP95 = quantile(month, 0.95);
  figures.push(
    figure('30 days of 10 s data → 1,000 points, p95 (gateway query)', monthP95, 'ms', {
      target: '≤ 150',
      met: monthP95 <= 150,
      note: `p50 ${quantile(month, 0.5).toFixed(1)} ms over ${queries} queries, ${monthRows.toLocaleString('en-US')} rows, ${metricsOf.length} metrics`,
    }),
  );
  // The roll-up refreshes in the background; on a loaded machine it may not finish in time, and
  // then this figure is missing with the reason instead of the whole run failing.
  await write('year', end - 365 * 86_400_000, 600_000, 365 * 144);
  await until('QuestDB to apply the year', () => walSettled(conn), 300_000);
  await sql(conn, 'REFRESH MATERIALIZED VIEW readings_1h FULL');
  const hours = async (): Promise<number> =>
    Number((await sql(conn, "SELECT count() FROM readings_1h WHERE device = 'year'"))[0]?.[0]);
  try {
    await until('the 1 h roll-up of the year', async () => (await hours()) >= 365 * 24 - 24, 120_000);
  } catch (error) {
    notes.push(`${(error as Error).message}: ${await hours()} hourly rows of 8,760 after 120 s`);
  }
  if (!notes.some((n) => n.includes('roll-up of the year'))) {
    const bucket = Math.ceil((365 * 24) / 1_000);
    const yearSql = `SELECT ts, ${metricsOf.map((m) => (m === 'elec_energy' ? `last(${m}_last) ${m}` : `avg(${m}_avg) ${m}, min(${m}_min) ${m}_min, max(${m}_max) ${m}_max`)).join(', ')} FROM readings_1h WHERE device = 'year' AND ts >= '${new Date(end - 365 * 86_400_000).toISOString()}' SAMPLE BY ${bucket}h ALIGN TO CALENDAR`;
    const year = await timed(async () => {
      const rows = await sql(conn, yearSql);
      if (rows.length < 900) throw new Error(`the year query answered ${rows.length} points`);
    });
    const yearP95 = quantile(year, 0.95);
    figures.push(
      figure('a year of the 1 h roll-up → ~1,000 points, p95', yearP95, 'ms', {
        target: '≤ 150',
        met: yearP95 <= 150,
        note: `p50 ${quantile(year, 0.5).toFixed(1)} ms over ${queries} queries`,
      }),
    );
  }
  await writer.close();
  notes.push(`publish phases of ${seconds} s each; load average ${load1()} at the end.`);
  writeResults('query', 'Publish → queryable, and history queries', figures, notes);
} finally {
  const exited = new Promise((r) => ingest.once('exit', r));
  ingest.kill('SIGTERM');
  await exited;
  await nc.close();
  await Promise.all([nats.stop(), questdb.stop()]);
}
