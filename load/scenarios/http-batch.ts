// HTTP batch ingest (issue 16): acq-cellular's POST /v1/devices/<id>/batch, gzip, each device's
// bearer token; the number of devices ramps by stage (default 100 → 1,000 → 10,000), each device
// sending one 5-minute batch of 30 readings per stage, the stages 5 minutes apart in measurement
// time so no reading repeats another (a repeat would be dropped as a duplicate, not counted).
import { gzipSync } from 'node:zlib';
import { batch } from '../../services/acq-cellular/test/wire.ts';
import type { LoadDevice } from '../harness/system.ts';
import { httpLoad } from '../harness/http-load.ts';
import { check, ErrorCounter, latencyOf, type ScenarioResult } from '../harness/stats.ts';
import { load1 } from '../results.ts';

export interface HttpBatchOptions {
  url: string;
  devices: readonly LoadDevice[];
  stages: readonly number[];
  connections: number;
  /** Unix seconds of the first reading: readings of this run stay apart from any other's. */
  startS: number;
  /** The time limit of the stage about to start (the run's own time left bounds it). */
  stageSeconds: () => number;
  progress: (line: string) => void;
}

export const READINGS_PER_BATCH = 30;

export async function httpBatch(o: HttpBatchOptions): Promise<ScenarioResult & { storedReadings: number }> {
  const latencies: number[] = [];
  const errors = new ErrorCounter();
  let ok = 0;
  let stored = 0;
  let seconds = 0;
  const details: Record<string, string | number> = {};
  let slowest = 0;
  for (const [s, wanted] of o.stages.entries()) {
    const devices = o.devices.slice(0, wanted);
    // Bodies made before the stage, so the generator's own gzip is not in the timed part.
    const bodies = devices.map((d) =>
      gzipSync(JSON.stringify(batch(d.id, READINGS_PER_BATCH, o.startS + s * 300))),
    );
    o.progress(`http-batch: stage ${s + 1}/${o.stages.length}, ${devices.length} devices`);
    const r = await httpLoad({
      url: o.url,
      connections: Math.min(o.connections, devices.length),
      amount: devices.length,
      maxSeconds: o.stageSeconds(),
      next: (n) => {
        const d = devices[n % devices.length] as LoadDevice;
        return {
          method: 'POST',
          path: `/v1/devices/${d.id}/batch`,
          headers: {
            authorization: `Bearer ${d.secret}`,
            'content-type': 'application/json',
            'content-encoding': 'gzip',
          },
          body: bodies[n % devices.length],
        };
      },
      onBody: (body) => {
        stored += (JSON.parse(body) as { stored?: number }).stored ?? 0;
      },
    });
    latencies.push(...r.latencies);
    for (const [cause, n] of r.errors.byCause) errors.add(cause, n);
    ok += r.ok;
    seconds += r.seconds;
    slowest = Math.max(slowest, r.seconds);
    const stageLatency = latencyOf(r.latencies);
    details[`stage ${s + 1}: devices`] = devices.length;
    details[`stage ${s + 1}: batches/s`] = Number((r.ok / r.seconds).toFixed(1));
    details[`stage ${s + 1}: p99 ms`] = Number(stageLatency.p99.toFixed(0));
    details[`stage ${s + 1}: seconds`] = Number(r.seconds.toFixed(1));
    details[`stage ${s + 1}: not answered`] = devices.length - r.ok - r.errors.total;
    o.progress(
      `http-batch: ${r.ok}/${devices.length} batches in ${r.seconds.toFixed(1)} s, p99 ${stageLatency.p99.toFixed(0)} ms, errors ${r.errors.toString()}`,
    );
  }
  const batches = o.stages.reduce((a, n) => a + Math.min(n, o.devices.length), 0);
  const latency = latencyOf(latencies);
  return {
    name: 'http-batch',
    title: 'HTTP batch ingest (acq-cellular, gzip, 30 readings a batch)',
    throughput: (stored || ok * READINGS_PER_BATCH) / seconds,
    throughputUnit: 'readings/s',
    seconds,
    latency,
    ok,
    errors: errors.total,
    load: load1(),
    thresholds: [
      check({ name: 'batches answered 200', value: ok, op: '==', limit: batches, unit: 'batches' }),
      check({ name: 'latency p99', value: latency.p99, op: '<=', limit: 2000, unit: 'ms' }),
      // Each device sends a batch every 5 minutes: a stage that takes longer falls behind them.
      check({ name: 'slowest stage', value: slowest, op: '<=', limit: 300, unit: 's' }),
      check({
        name: 'readings stored (acq-cellular answers)',
        value: stored,
        op: '==',
        limit: batches * READINGS_PER_BATCH,
        unit: 'readings',
      }),
    ],
    details: { ...details, 'batches/s overall': Number((ok / seconds).toFixed(1)) },
    notes: [`errors: ${errors.toString()}`],
    storedReadings: stored,
  };
}
