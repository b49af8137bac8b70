// acq-modbus against the simulator with a fault schedule: a Modbus exception, garbage, slow replies
// and dropped connections, one after the other. The service keeps running, each fault becomes its
// device state, the device comes back online after each, and readings resume.
//
// The schedule counts requests, not seconds: each fault hits the same reads however fast or slow
// this machine polls, and garbage comes from the simulator's seeded source, so a run repeats.
// Nothing here waits on a time it does not control; the one deadline only ends a hung run.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import {
  eventually,
  freePort,
  natsFixture,
  portOpen,
  serviceFixture,
  spawnServer,
  tempDir,
  waitUntil,
  type NatsFixture,
  type ServerProcess,
  type ServiceFixture,
} from '@heatstream/testkit';
import { acqModbus } from '../src/service.ts';
import { readingsOf, recordEvents, type Seen } from './helpers.ts';

// A separate deployable, run as its own process: services meet on the wire, not through imports.
const simulatorMain = fileURLToPath(new URL('../../simulators/src/main.ts', import.meta.url));

// A Stiebel poll is three block reads, a failed one two attempts (retries 1) of its first block:
// thirty clean reads between faults are ten good polls, four faulty reads two failed polls, nine
// garbage reads three garbage replies.
const schedule = [
  { mode: 'exception', atRequest: 31, forRequests: 4 },
  { mode: 'garbage', atRequest: 65, forRequests: 9 },
  { mode: 'slow', slowMs: 3_000, atRequest: 104, forRequests: 4 },
  { mode: 'disconnect', atRequest: 138, forRequests: 4 },
];

let nats: NatsFixture;
let simulator: ServerProcess;
let svc: ServiceFixture;
let recorder: { seen: Seen[] };

before(async () => {
  nats = await natsFixture();
  const port = await freePort();
  simulator = spawnServer(process.execPath, [simulatorMain], {
    HS_NATS__URL: nats.url,
    HS_MODBUS__PORT: String(port),
    HS_FAULTS: JSON.stringify(schedule),
    // A hot-water draw at 07:00 runs the heat pump at full output from the start: at 60 times real
    // time its counters step by a whole kWh every few seconds, between polls 200 ms apart.
    HS_MODEL__SPEED: '60',
    HS_MODEL__START: '2026-01-15T06:59:00Z',
    HS_LOG__LEVEL: 'warn',
  });
  await waitUntil('simulator', () => portOpen(port), simulator, 20_000);
  recorder = await recordEvents(nats);
  svc = await serviceFixture(acqModbus, {
    env: nats.env({
      // Nested settings are set one key at a time from the environment.
      HS_MODBUS__TIMEOUT_MS: '1000',
      HS_OUTBOX__DIR: await tempDir('acq-modbus-faults-outbox'),
      HS_MODBUS__RETRIES: '1',
      HS_MODBUS__RETRY_DELAY_MS: '20',
      HS_MODBUS__BACKOFF_INITIAL_MS: '100',
      HS_MODBUS__BACKOFF_MAX_MS: '400',
      // Every poll with rejections reports them, so each garbage reply's reason is seen.
      HS_MODBUS__STATUS_EVERY_MS: '0',
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
    }),
  });
});

after(async () => {
  await svc[Symbol.asyncDispose]();
  await simulator.stop(2_000);
  await nats[Symbol.asyncDispose]();
});

interface Status {
  state: string;
  reason: string;
  rejectedReadings: number;
  time: string;
}

const statusesOf = (seen: readonly Seen[]): Status[] =>
  seen
    .filter((s) => s.event.type === 'heatstream.device-status.v1' && s.event.data.device === 'wpm')
    .map((s) => ({
      state: String(s.event.data.state),
      reason: typeof s.event.data.reason === 'string' ? s.event.data.reason : '',
      rejectedReadings: Number(s.event.data.rejectedReadings),
      time: s.event.time,
    }));

/** Each fault's state, in schedule order, each followed by the device back online. */
const expected: { what: string; state: string; reason?: RegExp }[] = [
  { what: 'the exception', state: 'unavailable', reason: /Modbus exception 4/ },
  { what: 'online after the exception', state: 'online' },
  { what: 'the garbage', state: 'bad-data', reason: /implausible/ },
  { what: 'online after the garbage', state: 'online' },
  { what: 'the slow replies', state: 'unavailable', reason: /no answer within 1000 ms/ },
  { what: 'online after the slow replies', state: 'online' },
  { what: 'the dropped connections', state: 'unavailable', reason: /closed by the peer/ },
  { what: 'online after the dropped connections', state: 'online' },
];

/** Where each expected status first appears after the one before, as far as the run has got. */
function match(statuses: readonly Status[]): number[] {
  const found: number[] = [];
  let from = 0;
  for (const e of expected) {
    const i = statuses.findIndex(
      (s, k) => k >= from && s.state === e.state && (e.reason === undefined || e.reason.test(s.reason)),
    );
    if (i === -1) break;
    found.push(i);
    from = i + 1;
  }
  return found;
}

/** Runs of consecutive bad-data statuses, as [first, last] indices. */
function badDataRuns(statuses: readonly Status[]): [number, number][] {
  const runs: [number, number][] = [];
  statuses.forEach((s, i) => {
    if (s.state !== 'bad-data') return;
    const last = runs.at(-1);
    if (last && last[1] === i - 1) last[1] = i;
    else runs.push([i, i]);
  });
  return runs;
}

/**
 * Bad data may come only from the garbage: a finished run of bad-data statuses without an
 * implausible value in it is a false alarm (a counter stepping by its resolution was one).
 */
function falseBadData(statuses: readonly Status[]): Status | undefined {
  for (const [first, last] of badDataRuns(statuses)) {
    const run = statuses.slice(first, last + 1);
    const ended = last < statuses.length - 1;
    if (ended && !run.some((s) => /implausible/.test(s.reason))) return run[0];
  }
  return undefined;
}

test('faults become device states, the service keeps running, readings resume', async () => {
  const trail = (): string =>
    statusesOf(recorder.seen)
      .map((s) => `${s.time} ${s.state} ${s.reason}`)
      .join('\n');
  // Done when every fault has had its state, the device is back online and a reading followed.
  const backOnline = await eventually(
    'every fault as its device state, each followed by online, then a reading',
    () => {
      const statuses = statusesOf(recorder.seen);
      const falseAlarm = falseBadData(statuses);
      if (falseAlarm) throw new Error(`bad data outside the garbage: ${falseAlarm.reason}`);
      const found = match(statuses);
      const last = found.length === expected.length ? statuses[found.at(-1) ?? -1] : undefined;
      const resumed =
        last !== undefined &&
        readingsOf(recorder.seen, 'wpm').some((r) => Date.parse(r.event.time) >= Date.parse(last.time));
      return resumed && last;
    },
    120_000,
  ).catch((error: unknown) => {
    const statuses = statusesOf(recorder.seen);
    const missing = expected[match(statuses).length]?.what ?? 'a reading after the last fault';
    throw new Error(
      `${(error as Error).message}; missing ${missing}; saw\n${trail()}\n${simulator.output().slice(-3000)}`,
    );
  });

  const statuses = statusesOf(recorder.seen);
  const garbage = match(statuses)[2] ?? -1;
  // Bad data only from the garbage, in one run: a counter stepping by its resolution is no fault.
  const runs = badDataRuns(statuses);
  assert.equal(runs.length, 1, `one run of bad data, the garbage's:\n${trail()}`);
  assert.ok(runs[0]![0] <= garbage && garbage <= runs[0]![1], trail());
  assert.ok(statuses[garbage]!.rejectedReadings >= 1, 'the garbage reply’s rejections are counted');

  const resumed = readingsOf(recorder.seen, 'wpm').filter(
    (r) => Date.parse(r.event.time) >= Date.parse(backOnline.time),
  );
  const outside = (resumed.at(-1)?.event.data.metrics as { outside_temp?: number }).outside_temp;
  assert.ok(outside !== undefined && outside > -30 && outside < 30, `outside ${outside}`);
  assert.ok(
    readingsOf(recorder.seen, 'wpm').some(
      (r) => (r.event.data.metrics as { heat_energy?: number }).heat_energy,
    ),
    'the heat counter was read',
  );
  assert.equal(
    (await fetch(`http://127.0.0.1:${svc.httpPort}/readyz`)).status,
    200,
    'still running and ready',
  );
});
