// Live push benchmark (DESIGN §9): reading published to NATS → received on a dashboard socket.
//   npm run bench:live -- [--sockets 1000] [--devices 100] [--rate 1000] [--seconds 20]
// A real nats-server and the gateway as its own process; sockets and the publisher here.
// Each socket follows one device room; every reading goes to the sockets of its device.
// Prints p50/p95/p99/max latency and delivered/expected. Loopback only, bounded, stops by itself.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { connect } from '@nats-io/transport-node';
import { makeEvent, subjects } from '@heatstream/contracts';
import { connectClient } from '@heatstream/runtime';
import { freePort, repoRoot, startNats } from '@heatstream/testkit';
import { UserStore } from '../services/gateway/src/users.ts';
import { subscribe } from './harness/live-sockets.ts';
import { figure, writeResults } from './results.ts';

const { values } = parseArgs({
  options: {
    sockets: { type: 'string', default: '1000' },
    devices: { type: 'string', default: '100' },
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '20' },
  },
});
const sockets = Number(values.sockets);
const devices = Number(values.devices);
const rate = Number(values.rate);
const seconds = Number(values.seconds);

const nats = await startNats({ own: true });
const nc = await connect({ servers: nats.url });
const token = await (async () => {
  await using admin = await connectClient({ nats: { url: nats.url } }, 'admin');
  const users = await UserStore.open(admin);
  await users.createUser('bench', 'benchmark-password', 'viewer');
  return await users.createToken('bench', 'bench-live');
})();
const port = await freePort();
const gateway = spawn(process.execPath, [`${repoRoot}/services/gateway/src/main.ts`], {
  env: {
    PATH: process.env.PATH,
    HS_NATS__URL: nats.url,
    HS_QUESTDB__URL: 'http://127.0.0.1:9',
    HS_API__PORT: String(port),
    HS_LOG__LEVEL: 'error',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  if (
    await fetch(`${base}/api/openapi.json`).then(
      (r) => r.ok,
      () => false,
    )
  )
    break;
  if (i > 100) throw new Error('gateway did not start');
  await new Promise((r) => setTimeout(r, 100));
}

const published = new Map<string, number>();
const latencies: number[] = [];
const subscribers = await subscribe(
  base,
  token,
  sockets,
  Array.from({ length: devices }, (_, i) => `dev${i}`),
  (id, at) => {
    const sent = published.get(id);
    if (sent !== undefined) latencies.push(at - sent);
  },
);
console.log(
  `${sockets} sockets connected, ${devices} devices; publishing ${rate} readings/s for ${seconds} s`,
);

const total = rate * seconds;
const started = performance.now();
for (let n = 0; n < total; n++) {
  const due = started + (n / rate) * 1000;
  const wait = due - performance.now();
  if (wait > 1) await new Promise((r) => setTimeout(r, wait));
  const device = `dev${n % devices}`;
  const event = makeEvent('heatstream.reading.v1', {
    source: 'bench-live',
    subject: device,
    data: { site: 'bench', device, model: 'bench', metrics: { elec_power: 1000 + (n % 500), flow_temp: 35 } },
  });
  published.set(event.id, performance.now());
  nc.publish(subjects.reading('bench', device), JSON.stringify(event));
}
await nc.flush();
await new Promise((r) => setTimeout(r, 2_000));

const expected = total * (sockets / devices);
latencies.sort((a, b) => a - b);
const pct = (p: number): string =>
  (latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN).toFixed(1);
console.log(`publish → socket latency over ${latencies.length} deliveries (expected ${expected}):`);
console.log(`  p50 ${pct(50)} ms  p95 ${pct(95)} ms  p99 ${pct(99)} ms  max ${pct(100)} ms`);
console.log(
  `  delivered ${((latencies.length / expected) * 100).toFixed(2)} %; targets: p99 ≤ 250 ms at 1,000 sockets × 1,000 readings/s, ≤ 100 ms for one socket`,
);

const p99 = Number(pct(99));
const target = sockets === 1 ? 100 : 250;
writeResults(
  'live',
  'Live push: reading published → dashboard socket',
  [
    figure(`publish → socket p99, ${sockets} sockets × ${rate} readings/s`, p99, 'ms', {
      target: `≤ ${target}`,
      met: p99 <= target && latencies.length === expected,
      note: `p50 ${pct(50)} ms, max ${pct(100)} ms, ${((latencies.length / expected) * 100).toFixed(2)} % delivered`,
    }),
  ],
  [`${seconds} s, ${devices} devices, one room per device.`],
);

subscribers.close();
gateway.kill('SIGTERM');
await new Promise((r) => gateway.once('exit', r));
await nc.close();
await nats.stop();
