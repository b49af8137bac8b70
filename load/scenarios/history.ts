// REST history queries (issue 16): concurrent users of the gateway, each with its own viewer user
// and API token (the gateway limits requests per user), asking for mixed ranges (1 h to 7 days)
// of mixed devices — load devices the ingest scenarios filled and the simulators' demo devices.
import type { LoadDevice } from '../harness/system.ts';
import { httpLoad } from '../harness/http-load.ts';
import { check, latencyOf, type ScenarioResult } from '../harness/stats.ts';
import { load1 } from '../results.ts';

export interface HistoryOptions {
  url: string;
  tokens: readonly string[];
  devices: readonly LoadDevice[];
  queries: number;
  maxSeconds: number;
  progress: (line: string) => void;
}

const HOUR = 3_600_000;
const RANGES_H = [1, 6, 24, 24 * 7];
const METRICS = ['elec_power,flow_temp', 'return_temp,outside_temp,compressor_temp', 'elec_power'];
const DEMO_DEVICES = ['wpm', 'meter', 'lg', 'villa-meter', 'villa-vitocal'];

export async function history(o: HistoryOptions): Promise<ScenarioResult> {
  const now = Date.now();
  const devices = [...DEMO_DEVICES, ...o.devices.slice(0, 50).map((d) => d.id)];
  o.progress(`history: ${o.queries} queries by ${o.tokens.length} users`);
  const r = await httpLoad({
    url: o.url,
    connections: o.tokens.length,
    amount: o.queries,
    maxSeconds: o.maxSeconds,
    next: (n) => {
      const hours = RANGES_H[n % RANGES_H.length] ?? 1;
      const device = devices[(n * 7) % devices.length] ?? 'wpm';
      const metrics = METRICS[n % METRICS.length] ?? 'elec_power';
      const from = new Date(now - hours * HOUR).toISOString();
      const to = new Date(now).toISOString();
      return {
        method: 'GET',
        path: `/api/devices/${device}/readings?from=${from}&to=${to}&metrics=${metrics}&points=500`,
        headers: { authorization: `Bearer ${o.tokens[n % o.tokens.length] ?? ''}` },
      };
    },
  });
  const latency = latencyOf(r.latencies);
  o.progress(`history: ${r.ok}/${o.queries} in ${r.seconds.toFixed(1)} s, p95 ${latency.p95.toFixed(0)} ms`);
  return {
    name: 'history',
    title: 'REST history queries (gateway, API tokens, mixed ranges and devices)',
    throughput: r.ok / r.seconds,
    throughputUnit: 'queries/s',
    seconds: r.seconds,
    latency,
    ok: r.ok,
    errors: r.errors.total,
    load: load1(),
    thresholds: [
      check({
        name: 'error rate',
        value: (r.errors.total / Math.max(1, r.sent)) * 100,
        op: '<=',
        limit: 1,
        unit: '%',
      }),
      check({ name: 'queries answered', value: r.ok + r.errors.total, op: '==', limit: o.queries, unit: '' }),
      check({ name: 'latency p95', value: latency.p95, op: '<=', limit: 1000, unit: 'ms' }),
    ],
    details: { users: o.tokens.length, queries: o.queries, ranges: RANGES_H.map((h) => `${h} h`).join(', ') },
    notes: [`errors: ${r.errors.toString()}`],
  };
}
