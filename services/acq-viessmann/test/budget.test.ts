// The call budget is shared through KV: two replicas polling one account, then a restart of both,
// never make the simulated API refuse a call — its own count of calls per 10 minutes (6 here, so
// the limit binds) is the judge — and a device is never polled twice within one interval.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { eventually, natsFixture, serviceFixture, type NatsFixture } from '@heatstream/testkit';
import type { ViessmannApiSimulator } from '../../simulators/src/viessmann/api.ts';
import { acqViessmannService } from '../src/service.ts';
import { CallBudget } from '../src/budget.ts';
import {
  logIn,
  readings,
  recordEvents,
  replicaConfig,
  scaledClock,
  startSimulator,
  type Seen,
} from './helpers.ts';

// 200 simulated seconds per second: 10 minutes pass in 3 s.
const clock = scaledClock(200);
const budget = { perTenMinutes: 6, daily: 1_450, reserve: 50 };
let nats: NatsFixture;
let sim: ViessmannApiSimulator;
let recorder: { seen: Seen[] };

before(async () => {
  nats = await natsFixture();
  sim = await startSimulator(clock, { perTenMinutes: 6, daily: 1_450 });
  recorder = await recordEvents(nats);
  await logIn(nats, sim, clock);
});

after(async () => {
  await sim.stop();
  await nats[Symbol.asyncDispose]();
});

const replicas = async () =>
  Promise.all(
    [1, 2].map(async () =>
      serviceFixture(acqViessmannService(clock), {
        argv: ['--config', await replicaConfig(nats, sim, budget)],
        env: {},
      }),
    ),
  );

void it('two replicas and a restart of both stay inside the limits the API counts', async () => {
  const first = await replicas();
  await eventually('8 readings from two replicas', () => readings(recorder.seen).length >= 8, 30_000);
  await Promise.all(first.map((r) => r.stop('restart')));
  const before = readings(recorder.seen).length;
  const second = await replicas();
  await eventually(
    '8 more readings after the restart',
    () => readings(recorder.seen).length >= before + 8,
    30_000,
  );
  await Promise.all(second.map((r) => r.stop('end')));

  assert.equal(sim.rateLimited, 0, `the API refused ${sim.rateLimited} of ${sim.apiCalls} calls`);
  // Discovery only at the first start (by one replica, or both when they start together): the
  // restart took the devices from KV, not from the API.
  assert.ok(sim.answered.installations <= 2, `${sim.answered.installations} installation listings`);
  await eventually(
    'every answered poll recorded',
    () => readings(recorder.seen).length === sim.answered.features,
  );
  const interval = new CallBudget(undefined as never, budget, clock).intervalMs(1, budget.daily);
  const times = readings(recorder.seen)
    .map((r) => Date.parse(r.event.time))
    .sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++)
    assert.ok(
      times[i]! - times[i - 1]! >= interval,
      `polls ${times[i]! - times[i - 1]!} ms apart, interval ${interval}`,
    );
  const reading = readings(recorder.seen)[0];
  assert.equal(reading?.subject, 'readings.v1.villa.villa-vitocal');
});
