// `npm run load` (issue 16): starts heatstream with its simulators on a temporary data folder and
// free loopback ports, runs every load scenario against it — HTTP batch ingest, MQTT devices with a
// reconnect storm, live-push sockets, REST history — and writes load/results/load.md and .json with
// each scenario's throughput, latency percentiles, errors and thresholds, the ceilings of this
// machine and a capacity model. Exits non-zero when a threshold is missed. Bounded: every scenario
// has a count and a time limit, and the whole run a watchdog (--max-minutes).
//   npm run load -- [--http-stages 100,1000,10000] [--mqtt-stages 100,250,500] [--users 10] [--queries 500]
//                   [--live-sockets 100] [--live-devices 10] [--live-rate 20] [--live-seconds 15]
//                   [--run-ingest-bench] [--ingest-count 20000] [--max-minutes 14]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { capacity, type Assumptions, type StageCost } from './harness/capacity.ts';
import { generatorCeiling, ingestCeilings } from './harness/ceilings.ts';
import { machine, writeReport } from './harness/report.ts';
import { check, passed, type ScenarioResult } from './harness/stats.ts';
import { pidsNow, readingsDisk, startSystem, type RunningSystem } from './harness/system.ts';
import { CpuMeter, figure, load1, type Figure } from './results.ts';
import { history } from './scenarios/history.ts';
import { httpBatch } from './scenarios/http-batch.ts';
import { live } from './scenarios/live.ts';
import { mqttSwarm } from './scenarios/mqtt-swarm.ts';

const { values } = parseArgs({
  options: {
    'http-stages': { type: 'string', default: '100,1000,10000' },
    'http-connections': { type: 'string', default: '16' },
    'mqtt-stages': { type: 'string', default: '100,250,500' },
    users: { type: 'string', default: '10' },
    queries: { type: 'string', default: '500' },
    'live-sockets': { type: 'string', default: '100' },
    'live-devices': { type: 'string', default: '10' },
    'live-rate': { type: 'string', default: '20' },
    'live-seconds': { type: 'string', default: '15' },
    'run-ingest-bench': { type: 'boolean', default: false },
    'ingest-count': { type: 'string', default: '20000' },
    'max-minutes': { type: 'string', default: '14' },
  },
});
const list = (s: string): number[] => s.split(',').map(Number);
const o = {
  httpStages: list(values['http-stages']),
  httpConnections: Number(values['http-connections']),
  mqttStages: list(values['mqtt-stages']),
  users: Number(values.users),
  queries: Number(values.queries),
  liveSockets: Number(values['live-sockets']),
  liveDevices: Number(values['live-devices']),
  liveRate: Number(values['live-rate']),
  liveSeconds: Number(values['live-seconds']),
  runIngestBench: values['run-ingest-bench'],
  ingestCount: Number(values['ingest-count']),
  maxMinutes: Number(values['max-minutes']),
};
for (const [k, v] of Object.entries(o))
  if (typeof v === 'number' ? !(v > 0) : Array.isArray(v) && !v.every((n) => n > 0))
    throw new Error(`--${k}: a positive number (list) expected`);

const t0 = performance.now();
const log = (line: string): void => {
  const s = Math.round((performance.now() - t0) / 1000);
  const at = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  console.log(`[load ${at}] ${line}   (load ${load1()})`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** Seconds left before the scenarios must stop: 90 s are kept for stopping and the report. */
const remainingS = (): number => (t0 + o.maxMinutes * 60_000 - 90_000 - performance.now()) / 1000;
class OutOfTime extends Error {}
const enoughTime = (what: string, seconds: number): void => {
  if (remainingS() < seconds)
    throw new OutOfTime(`out of time before ${what} (--max-minutes ${o.maxMinutes})`);
};

let system: RunningSystem | undefined;
// The watchdog, should a scenario overstay its own bounds: stop the system and fail, never hang.
const watchdog = setTimeout(() => {
  log(`over ${o.maxMinutes} minutes: stopping`);
  void (system?.stop() ?? Promise.resolve()).finally(() => process.exit(2));
}, o.maxMinutes * 60_000);
watchdog.unref();

/** Waits (bounded) until QuestDB holds `expected` load readings; returns the count it reached. */
async function storedReach(s: RunningSystem, expected: number, timeoutS: number): Promise<number> {
  const deadline = Date.now() + Math.max(0, Math.min(timeoutS, remainingS())) * 1000;
  let n = 0;
  for (;;) {
    n = await s.storedReadings().catch(() => n);
    if (n >= expected || Date.now() > deadline) return n;
    await sleep(1000);
  }
}

const scenarios: ScenarioResult[] = [];
const ceilings: Figure[] = [];
const notes: string[] = [];
let costs: StageCost[] = [];
let diskMbPerMillion = Number.NaN;
try {
  const deviceCount = Math.max(...o.httpStages, ...o.mqttStages, o.liveDevices);
  system = await startSystem(deviceCount, log);
  const s = system;
  log(`system up: gateway ${s.gateway}, acq-cellular ${s.cellularHttp}, MQTT ${s.mqtt}`);
  const startS = Math.floor(Date.now() / 1000) - 2 * 3600;

  log('ceiling: autocannon against a trivial endpoint');
  ceilings.push(await generatorCeiling(o.httpConnections, 20_000));
  ceilings.push(...ingestCeilings(o.runIngestBench, o.ingestCount, log));

  const before = await readingsDisk(s);
  const pids = await pidsNow(s);
  const stages = ['acq-cellular', 'nats', 'ingest', 'questdb'] as const;
  const meter = new CpuMeter(Object.fromEntries(stages.map((k) => [k, () => pids[k]])));
  meter.start();
  const http = await httpBatch({
    url: s.cellularHttp,
    devices: s.devices,
    stages: o.httpStages,
    connections: o.httpConnections,
    startS,
    // A stage must be taken within the devices' batch interval, or they fall behind.
    stageSeconds: () => Math.max(1, Math.min(300, remainingS() - 120)),
    progress: log,
  });
  log(`http-batch: waiting for ${http.storedReadings} readings in QuestDB`);
  const httpStored = await storedReach(s, http.storedReadings, 240);
  const cpu = meter.stop();
  http.thresholds.push(
    check({
      name: 'readings in QuestDB',
      value: httpStored,
      op: '==',
      limit: http.storedReadings,
      unit: 'readings',
    }),
  );
  http.details['acq-cellular → QuestDB readings/s'] = Number((httpStored / cpu.wallS).toFixed(0));
  costs = stages.map((stage) => ({ stage, cpuUs: ((cpu.cpuS[stage] ?? 0) / Math.max(1, httpStored)) * 1e6 }));
  scenarios.push(http);

  enoughTime('mqtt-swarm', 60);
  const mqtt = await mqttSwarm({
    url: s.mqtt,
    devices: s.devices,
    stages: o.mqttStages,
    startS: startS + 3000,
    concurrency: 50,
    progress: log,
  });
  log(`mqtt: waiting for ${mqtt.publishedReadings} readings in QuestDB`);
  const mqttStored = (await storedReach(s, httpStored + mqtt.publishedReadings, 240)) - httpStored;
  mqtt.thresholds.push(
    check({
      name: 'readings in QuestDB',
      value: mqttStored,
      op: '==',
      limit: mqtt.publishedReadings,
      unit: 'readings',
    }),
  );
  // Where missing readings went: Mosquitto says when it drops QoS 1 messages of a full session queue.
  const dropped = readFileSync(join(s.data, 'logs/mosquitto.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('messages are being dropped'));
  if (dropped.length > 0)
    mqtt.notes.push(
      `Mosquitto logged: "${dropped[0]?.replace(/^\d+: /, '') ?? ''}" (${dropped.length}×): the service's session queue overflowed (max_queued_messages) while acq-cellular caught up`,
    );
  scenarios.push(mqtt);

  enoughTime('live', o.liveSeconds + 30);
  const [liveToken, ...tokens] = await s.tokens(o.users + 1);
  scenarios.push(
    await live({
      gateway: s.gateway,
      cellularHttp: s.cellularHttp,
      token: liveToken ?? '',
      devices: s.devices.slice(0, o.liveDevices),
      sockets: o.liveSockets,
      rate: o.liveRate,
      seconds: o.liveSeconds,
      startS: startS + 6000,
      progress: log,
    }),
  );
  enoughTime('history', 30);
  scenarios.push(
    await history({
      url: s.gateway,
      tokens,
      devices: s.devices,
      queries: o.queries,
      maxSeconds: Math.min(120, remainingS()),
      progress: log,
    }),
  );

  // QuestDB's disk per million readings: what the readings table grew by over the scenarios.
  enoughTime('the disk measurement', 5);
  const after = await readingsDisk(s);
  diskMbPerMillion =
    after.rows > before.rows
      ? ((after.kb - before.kb) / 1024 / (after.rows - before.rows)) * 1e6
      : Number.NaN;
  ceilings.push(
    figure('QuestDB disk per million readings (this run)', diskMbPerMillion, 'MB', {
      note: `the readings table grew ${after.kb - before.kb} kB for ${after.rows - before.rows} rows`,
    }),
  );
} catch (error) {
  notes.push(`the run stopped early: ${(error as Error).message.split('\n')[0] ?? ''}`);
  if (!(error instanceof OutOfTime)) console.error(error);
} finally {
  log('stopping the system');
  await system?.stop();
}

const assumptions: Assumptions = {
  cores: 2,
  utilisation: 0.7,
  readingIntervalS: 10,
  replicas: 3,
  diskMbPerMillion: Number.isFinite(diskMbPerMillion) ? diskMbPerMillion : 0,
  retentionDays: 365,
};
notes.push(
  'Other work shared the machine during this run (load average beside each figure): throughput is a floor, not this machine kind’s capacity; the CPU-per-reading figures are the better guide.',
);
const path = writeReport({
  at: new Date().toISOString(),
  machine: machine(),
  options: o,
  scenarios,
  ceilings,
  costs,
  assumptions,
  capacity: capacity(costs, assumptions),
  notes,
});
const failed = scenarios.filter((r) => !passed(r)).map((r) => r.name);
const incomplete = scenarios.length < 4;
log(
  `report in ${path}; ${failed.length === 0 && !incomplete ? 'all thresholds met' : `FAILED: ${[...failed, ...(incomplete ? ['incomplete run'] : [])].join(', ')}`}`,
);
process.exit(failed.length === 0 && !incomplete ? 0 : 1);
