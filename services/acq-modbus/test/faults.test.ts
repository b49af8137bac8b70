// acq-modbus against the simulator with a fault schedule: Modbus exceptions, garbage, slow replies
// and dropped connections, each for two seconds. The service keeps running, reports every state
// change, and readings resume once the device recovers.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  freePort,
  spawnServer,
  startNats,
  waitUntil,
  type NatsServer,
  type ServerProcess,
  eventually,
  portOpen,
} from '@heatstream/testkit';
import { runService, type RunningService } from '@heatstream/runtime';
import { acqModbus } from '../src/service.ts';
import { readingsOf, recordEvents, statesOf, type Seen } from './helpers.ts';

// A separate deployable, run as its own process: services meet on the wire, not through imports.
const simulatorMain = fileURLToPath(new URL('../../simulators/src/main.ts', import.meta.url));

const schedule = [
  { mode: 'exception', atS: 3, forS: 2 },
  { mode: 'garbage', atS: 6.5, forS: 2 },
  { mode: 'slow', slowMs: 2_000, atS: 10, forS: 2 },
  { mode: 'disconnect', atS: 13.5, forS: 2 },
];
const END_OF_FAULTS_MS = 15_500;

let nats: NatsServer;
let simulator: ServerProcess;
let svc: RunningService;
let recorder: { seen: Seen[]; nc: NatsConnection };
let simulatorStarted: number;

before(async () => {
  nats = await startNats();
  const port = await freePort();
  simulatorStarted = Date.now();
  simulator = spawnServer(process.execPath, [simulatorMain], {
    HS_NATS__URL: nats.url,
    HS_MODBUS__PORT: String(port),
    HS_FAULTS: JSON.stringify(schedule),
    HS_MODEL__SPEED: '60',
    HS_LOG__LEVEL: 'warn',
  });
  await waitUntil('simulator', () => portOpen(port), simulator, 20_000);
  recorder = await recordEvents(nats.url);
  svc = await runService(acqModbus, {
    argv: [],
    env: {
      HS_NATS__URL: nats.url,
      HS_LOG__LEVEL: 'silent',
      // Nested settings are set one key at a time from the environment.
      HS_MODBUS__TIMEOUT_MS: '400',
      HS_MODBUS__RETRIES: '1',
      HS_MODBUS__RETRY_DELAY_MS: '20',
      HS_MODBUS__BACKOFF_INITIAL_MS: '100',
      HS_MODBUS__BACKOFF_MAX_MS: '400',
      HS_DEVICES: JSON.stringify([
        {
          id: 'wpm',
          site: 'sim',
          definition: 'stiebel-eltron-wpm',
          host: '127.0.0.1',
          port,
          intervalMs: 200,
        },
      ]),
    },
  });
});

after(async () => {
  await svc.stop();
  await recorder.nc.close();
  await simulator.stop(2_000);
  await nats.stop();
});

/** Is `sub` a subsequence of `seq`? */
const contains = (seq: readonly string[], sub: readonly string[]): boolean => {
  let i = 0;
  for (const s of seq) if (s === sub[i]) i++;
  return i === sub.length;
};

test('faults become device states, the service keeps running, readings resume', async () => {
  const expected = [
    'online',
    'unavailable',
    'online',
    'bad-data',
    'online',
    'unavailable',
    'online',
    'unavailable',
    'online',
  ];
  await eventually(
    `states ${expected.join(' → ')}`,
    () =>
      Date.now() - simulatorStarted > END_OF_FAULTS_MS + 1_000 &&
      contains(statesOf(recorder.seen, 'wpm'), expected),
    30_000,
  ).catch((error: unknown) => {
    const trail = recorder.seen
      .filter((s) => s.event.type === 'heatstream.device-status.v1')
      .map(
        (s) =>
          `${Date.parse(s.event.time) - simulatorStarted} ms ${String(s.event.data.state)} ${String(s.event.data.reason)}`,
      );
    throw new Error(
      `${(error as Error).message}; saw\n${trail.join('\n')}\n${simulator.output().slice(-3000)}`,
    );
  });

  const statuses = recorder.seen.filter((s) => s.event.type === 'heatstream.device-status.v1');
  const reasons = statuses.map((s) => String(s.event.data.reason));
  // One reason per fault: exception, garbage, slow reply, dropped connection.
  for (const expected of [
    /Modbus exception 4/,
    /implausible/,
    /no answer within 400 ms/,
    /closed by the peer/,
  ]) {
    assert.ok(
      reasons.some((r) => expected.test(r)),
      `${String(expected)} in\n${reasons.join('\n')}`,
    );
  }
  const badData = statuses.find((s) => s.event.data.state === 'bad-data');
  assert.ok(Number(badData?.event.data.rejectedReadings) >= 1);

  const after = readingsOf(recorder.seen, 'wpm').filter(
    (r) => Date.parse(r.event.time) > simulatorStarted + END_OF_FAULTS_MS + 500,
  );
  assert.ok(after.length > 0, 'readings resume');
  const outside = (after.at(-1)?.event.data.metrics as { outside_temp?: number }).outside_temp;
  assert.ok(outside !== undefined && outside > -30 && outside < 30, `outside ${outside}`);
  assert.equal(
    (await fetch(`http://127.0.0.1:${svc.httpPort}/readyz`)).status,
    200,
    'still running and ready',
  );
});
