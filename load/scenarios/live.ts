// Socket.IO subscribers for the live push (issue 16), the sockets of `npm run bench:live`
// (load/harness/live-sockets.ts) against the whole system: load devices send one-reading batches
// to acq-cellular's HTTP endpoint at a fixed rate, and the latency is device send → the reading on
// every dashboard socket in that device's room (acq-cellular → JetStream → gateway → socket).
import { batch } from '../../services/acq-cellular/test/wire.ts';
import { readingId } from '../../services/acq-cellular/src/readings.ts';
import { subscribe } from '../harness/live-sockets.ts';
import { LOAD_SITE, type LoadDevice } from '../harness/system.ts';
import { check, ErrorCounter, latencyOf, type ScenarioResult } from '../harness/stats.ts';
import { load1 } from '../results.ts';

export interface LiveOptions {
  gateway: string;
  cellularHttp: string;
  token: string;
  devices: readonly LoadDevice[];
  sockets: number;
  rate: number;
  seconds: number;
  startS: number;
  progress: (line: string) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function live(o: LiveOptions): Promise<ScenarioResult> {
  const sent = new Map<string, { at: number }>();
  const latencies: number[] = [];
  const errors = new ErrorCounter();
  const subscribers = await subscribe(
    o.gateway,
    o.token,
    o.sockets,
    o.devices.map((d) => d.id),
    (id, at) => {
      const s = sent.get(id);
      if (s) latencies.push(at - s.at);
    },
  );
  o.progress(
    `live: ${o.sockets} sockets on ${o.devices.length} devices; ${o.rate} readings/s for ${o.seconds} s`,
  );
  const total = o.rate * o.seconds;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  let expected = 0;
  for (let n = 0; n < total; n++) {
    const wait = started + (n / o.rate) * 1000 - performance.now();
    if (wait > 1) await sleep(wait);
    const room = n % o.devices.length;
    const d = o.devices[room] as LoadDevice;
    const timeS = o.startS + Math.floor(n / o.devices.length) * 10;
    const id = readingId(LOAD_SITE, d.id, timeS * 1000);
    // Socket i is in room i % devices (live-sockets.ts).
    const socketsInRoom =
      Math.floor(o.sockets / o.devices.length) + (room < o.sockets % o.devices.length ? 1 : 0);
    sent.set(id, { at: performance.now() });
    expected += socketsInRoom;
    pending.push(
      fetch(`${o.cellularHttp}/v1/devices/${d.id}/batch`, {
        method: 'POST',
        headers: { authorization: `Bearer ${d.secret}`, 'content-type': 'application/json' },
        body: JSON.stringify(batch(d.id, 1, timeS)),
      }).then(
        async (r) => {
          await r.arrayBuffer();
          if (!r.ok) errors.add(`HTTP ${r.status}`);
        },
        (error: unknown) => {
          errors.add((error as Error).message.slice(0, 60));
        },
      ),
    );
  }
  await Promise.all(pending);
  // Bounded: the last readings get 5 s to reach their sockets.
  for (let i = 0; i < 50 && latencies.length < expected; i++) await sleep(100);
  subscribers.close();
  const seconds = (performance.now() - started) / 1000;
  const latency = latencyOf(latencies);
  const delivered = (latencies.length / Math.max(1, expected)) * 100;
  o.progress(`live: ${latencies.length}/${expected} deliveries, p99 ${latency.p99.toFixed(1)} ms`);
  return {
    name: 'live',
    title: 'Live push: device batch → dashboard sockets (Socket.IO)',
    throughput: latencies.length / seconds,
    throughputUnit: 'deliveries/s',
    seconds,
    latency,
    ok: latencies.length,
    errors: errors.total,
    load: load1(),
    thresholds: [
      check({ name: 'delivered', value: Number(delivered.toFixed(2)), op: '==', limit: 100, unit: '%' }),
      check({ name: 'device → socket p99', value: latency.p99, op: '<=', limit: 1000, unit: 'ms' }),
      check({ name: 'device batches refused', value: errors.total, op: '==', limit: 0, unit: '' }),
    ],
    details: {
      sockets: o.sockets,
      devices: o.devices.length,
      'readings/s': o.rate,
      readings: total,
      expected,
    },
    notes: [`errors: ${errors.toString()}`],
  };
}
