import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pino from 'pino';
import type { Clock } from './clock.ts';
import {
  DependencyCheck,
  DependencyUnavailableError,
  dependencyProblems,
  type DependencySpec,
} from './dependency.ts';

/** A clock whose sleeps pass at once, moving its time on. */
function steppingClock(): Clock & { slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: (ms) => {
      slept.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

/** A logger whose lines are kept as their messages. */
function recordingLog(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push((JSON.parse(chunk.toString()) as { msg: string }).msg);
      done();
    },
  });
  return { log: pino(stream), lines };
}

const spec = (probe: (signal: AbortSignal) => Promise<string | undefined>): DependencySpec => ({
  name: 'questdb',
  probe,
  intervalMs: 1_000,
});

test('the state follows probes and what users report, each transition logged once', async () => {
  let answer: string | undefined = 'connection refused';
  const { log, lines } = recordingLog();
  const store = new DependencyCheck(
    spec(() => Promise.resolve(answer)),
    log,
  );
  assert.equal(store.problem, 'not probed yet');
  assert.equal(dependencyProblems([store]), 'questdb: not probed yet');
  assert.equal(await store.probeNow(), 'connection refused');
  await store.probeNow();
  assert.equal(dependencyProblems([store]), 'questdb: connection refused');
  answer = undefined;
  assert.equal(await store.probeNow(), undefined);
  assert.equal(dependencyProblems([store]), undefined);
  store.down('HTTP 401');
  store.down('HTTP 401');
  assert.equal(dependencyProblems([store]), 'questdb: HTTP 401');
  store.up();
  assert.equal(store.problem, undefined);
  assert.deepEqual(lines, [
    'questdb unavailable: not ready',
    'questdb available again: ready',
    'questdb unavailable: not ready',
    'questdb available again: ready',
  ]);
});

test('a probe that throws counts as down with its message', async () => {
  const store = new DependencyCheck(
    spec(() => Promise.reject(new Error('socket hang up'))),
    pino({ level: 'silent' }),
  );
  assert.equal(await store.probeNow(), 'socket hang up');
  assert.equal(store.problem, 'socket hang up');
});

test('readiness names every dependency that is down', () => {
  const log = pino({ level: 'silent' });
  const a = new DependencyCheck({ ...spec(() => Promise.resolve(undefined)), name: 'a' }, log);
  const b = new DependencyCheck({ ...spec(() => Promise.resolve(undefined)), name: 'b' }, log);
  const c = new DependencyCheck({ ...spec(() => Promise.resolve(undefined)), name: 'c' }, log);
  a.down('timeout');
  b.up();
  c.down('HTTP 401');
  assert.equal(dependencyProblems([a, b, c]), 'a: timeout; c: HTTP 401');
});

test('waitUntilUp probes with backoff and fails after its timeout with the last reason', async () => {
  const clock = steppingClock();
  let probes = 0;
  const store = new DependencyCheck(
    spec(() => Promise.resolve(`connection refused (${++probes})`)),
    pino({ level: 'silent' }),
    clock,
  );
  await assert.rejects(
    store.waitUntilUp(3_000),
    (error: unknown) =>
      error instanceof DependencyUnavailableError &&
      error.message === 'questdb not available after 3000 ms: connection refused (4)',
  );
  assert.deepEqual(clock.slept, [500, 1_000, 1_500], 'doubling, the last wait cut to the deadline');
});

test('waitUntilUp returns once the dependency answers', async () => {
  const answers = ['starting', 'starting', undefined];
  const store = new DependencyCheck(
    spec(() => Promise.resolve(answers.shift())),
    pino({ level: 'silent' }),
    steppingClock(),
  );
  await store.waitUntilUp(60_000);
  assert.equal(store.problem, undefined);
  assert.deepEqual(answers, []);
});

test('waitUntilUp ends when its signal aborts', async () => {
  const store = new DependencyCheck(
    spec(() => Promise.resolve('connection refused')),
    pino({ level: 'silent' }),
    steppingClock(),
  );
  await assert.rejects(
    store.waitUntilUp(60_000, AbortSignal.abort()),
    /questdb not available: stopped while waiting \(connection refused\)/,
  );
});

test('stop ends the probing, also while a probe does not answer', async () => {
  let signal: AbortSignal | undefined;
  const store = new DependencyCheck(
    spec((probeSignal) => {
      signal = probeSignal;
      return new Promise(() => undefined);
    }),
    pino({ level: 'silent' }),
  );
  store.start();
  assert.ok(signal, 'the first probe runs at once');
  await store.stop();
  assert.equal(signal.aborted, true, 'the probe was told to give up');
  assert.equal(store.problem, 'not probed yet', 'an abandoned probe changes nothing');
});
