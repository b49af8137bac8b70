// The API's word on the limits, on a clock the test moves: a 429 stops every call until the
// limitReset of its body (just after 00:00 UTC for the daily limit), and its requestCountLimit
// replaces the configured daily limit. An expired refresh token becomes auth-failed and costs no
// further call — not an API call, not a second refresh — until someone logs in again.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import {
  deadLetters,
  eventually,
  natsFixture,
  serviceFixture,
  type NatsFixture,
  type ServiceFixture,
} from '@heatstream/testkit';
import type { ViessmannApiSimulator } from '../../simulators/src/viessmann/api.ts';
import { CallBudget, DAY } from '../src/budget.ts';
import { acqViessmannService } from '../src/service.ts';
import {
  ManualClock,
  logIn,
  readings,
  recordEvents,
  replicaConfig,
  startSimulator,
  states,
  type Seen,
} from './helpers.ts';

const budget = { perTenMinutes: 120, daily: 1_450, reserve: 50 };
const interval = new CallBudget(undefined as never, budget, new ManualClock()).intervalMs(1, budget.daily);
let clock: ManualClock;
let nats: NatsFixture;
let sim: ViessmannApiSimulator;
let recorder: { seen: Seen[] };
let svc: ServiceFixture | undefined;

beforeEach(async () => {
  clock = new ManualClock();
  nats = await natsFixture();
  recorder = await recordEvents(nats);
});

afterEach(async () => {
  await svc?.[Symbol.asyncDispose]();
  svc = undefined;
  await sim.stop();
  await nats[Symbol.asyncDispose]();
});

/** The service sleeps on the clock: everything due until now has been called. */
const idle = (what: string) =>
  eventually(`the service idle: ${what}`, () => clock.nextWake !== undefined && clock.nextWake > clock.t);

async function start(more: Record<string, unknown> = {}): Promise<void> {
  svc = await serviceFixture(acqViessmannService(clock), {
    argv: ['--config', await replicaConfig(nats, sim, budget, more)],
    env: {},
  });
}

/** Moves the clock one wake-up at a time until `until`, letting the service work at each. */
async function runUntil(until: number): Promise<void> {
  for (;;) {
    await idle(`before ${new Date(clock.t).toISOString()}`);
    const next = clock.nextWake ?? until;
    if (next > until) {
      clock.advance(until - clock.t);
      return;
    }
    clock.advance(next - clock.t);
  }
}

void it('a 429 pauses every call until limitReset, and its requestCountLimit becomes the daily limit', async () => {
  // The API allows 4 calls a day although 1450 are configured: a paid plan ended, say.
  sim = await startSimulator(clock, { perTenMinutes: 120, daily: 4 });
  await logIn(nats, sim, clock);
  await start();
  await runUntil(clock.t + 3 * interval);
  // Discovery and three polls, then a 429 (counted by the API, not answered).
  assert.equal(sim.answered.features, 3);
  assert.equal(sim.rateLimited, 1);
  const calls = sim.apiCalls;
  const midnight = clock.t - (clock.t % DAY) + DAY;
  await runUntil(midnight);
  assert.equal(sim.apiCalls, calls, 'no call before limitReset (just after 00:00 UTC)');
  assert.ok(states(recorder.seen).includes('unavailable'));
  const answeredBefore = sim.answered.features + sim.answered.installations;
  await runUntil(midnight + 2 * interval);
  assert.ok(sim.apiCalls > calls, 'calls resume after limitReset');
  await eventually('a reading on the new day', () =>
    readings(recorder.seen).some((r) => Date.parse(r.event.time) > midnight),
  );
  // The rest of the new day: the API's limit (4) binds, not 1450 — so no second 429.
  await runUntil(midnight + DAY - 60_000);
  assert.equal(sim.rateLimited, 1, 'the reported limit replaced the configured one');
  const answered = sim.answered.features + sim.answered.installations - answeredBefore;
  assert.ok(answered >= 2 && answered <= 4, `${answered} calls answered on the new day`);
});

void it('an expired refresh token raises auth-failed once and stops every call until a new login', async () => {
  sim = await startSimulator(clock);
  await logIn(nats, sim, clock);
  await start();
  await eventually('online', () => states(recorder.seen).includes('online'));
  sim.revokeRefreshTokens();
  // Past the access token's lifetime: the service must refresh, and the IAM refuses.
  await runUntil(clock.t + 3_700_000);
  await eventually('auth-failed', () => states(recorder.seen).at(-1) === 'auth-failed');
  const calls = sim.apiCalls;
  assert.equal(sim.tokenRequests.refreshToken, 1);
  // Two hours: 480 of its 15 s looks at the tokens, each of which could have called.
  await runUntil(clock.t + 2 * 3_600_000);
  assert.equal(sim.apiCalls, calls, 'no API call after the refused refresh');
  assert.equal(sim.tokenRequests.refreshToken, 1, 'no second refresh: no retry storm');
  assert.equal(
    states(recorder.seen).filter((s) => s === 'auth-failed').length,
    1,
    'one status, not one per poll',
  );
  // A new login (what ./heatstream viessmann login writes) lets it call again, without a restart.
  await logIn(nats, sim, clock);
  await runUntil(clock.t + 60_000);
  await eventually('online again', () => states(recorder.seen).at(-1) === 'online');
  assert.ok(sim.apiCalls > calls);
});

void it('a features answer that is no JSON is dead-lettered with its bytes, and polling goes on', async () => {
  sim = await startSimulator(clock);
  await logIn(nats, sim, clock);
  await start();
  await eventually('online', () => states(recorder.seen).includes('online'));
  sim.faults.malformedNext = true;
  await runUntil(clock.t + interval);
  const [letter] = await eventually('a dead letter', async () => {
    const letters = await deadLetters(nats.js, 'acq-viessmann');
    return letters.length > 0 ? letters : undefined;
  });
  assert.match(letter!.data.reason, /no JSON/);
  assert.equal(Buffer.from(letter!.data.payload, 'base64').toString(), '{"data":[{"feature":');
  assert.match(letter!.data.originalSubject, /^GET \/iot\/v2\/features\/installations\/4711\//);
  await eventually('bad-data', () => states(recorder.seen).includes('bad-data'));
  await runUntil(clock.t + interval);
  await eventually('online again', () => states(recorder.seen).at(-1) === 'online');
});

void it('a 410 names the retired endpoint in the device status', async () => {
  sim = await startSimulator(clock);
  await logIn(nats, sim, clock);
  await start();
  await eventually('online', () => states(recorder.seen).includes('online'));
  sim.faults.gone = true;
  await runUntil(clock.t + interval);
  const status = await eventually('unavailable', () =>
    recorder.seen.find(
      (s) => s.event.type === 'heatstream.device-status.v1' && s.event.data.state === 'unavailable',
    ),
  );
  assert.match(
    String(status.event.data.reason),
    /^GET \/iot\/v2\/features\/installations\/4711\/gateways\/\d+\/devices\/0\/features is gone \(sunset 2025-10-31/,
  );
});

void it('summaries that stop moving while the compressor runs become bad-data naming the feature', async () => {
  sim = await startSimulator(clock);
  await logIn(nats, sim, clock);
  await start({ frozenAfterMs: 600_000 });
  await eventually('online', () => states(recorder.seen).includes('online'));
  sim.faults.freezeSummaries = true;
  // A January morning: the model's compressor runs far longer than 10 minutes in 3 hours.
  await runUntil(clock.t + 3 * 3_600_000);
  const status = await eventually('bad-data', () =>
    recorder.seen.find(
      (s) => s.event.type === 'heatstream.device-status.v1' && s.event.data.state === 'bad-data',
    ),
  );
  assert.match(
    String(status.event.data.reason),
    /frozen while the compressor runs: heating\.power\.consumption\.summary/,
  );
  sim.faults.freezeSummaries = false;
  await runUntil(clock.t + 2 * interval);
  await eventually('online again', () => states(recorder.seen).at(-1) === 'online');
});
