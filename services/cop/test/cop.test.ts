// cop against a real nats-server: readings in, cop.v2 day rows out with the figures the fixture
// implies; a restart half-way keeps them (state in cop_state); readings seen twice count once; a
// re-derivation through the replay CLI gives the same rows; a bad source fails start-up by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  consumers,
  encodeEvent,
  events,
  subjects,
  type CopV2Data,
  type ReadingV1,
} from '@heatstream/contracts';
import { runService, type Clock } from '@heatstream/runtime';
import {
  consumerIdle,
  deadLetters,
  eventually,
  natsFixture,
  readingEvent,
  type NatsFixture,
} from '@heatstream/testkit';
import { copService } from '../src/service.ts';

type JetStreamClient = NatsFixture['js'];

const DAY = 86_400_000;
const MIN = 60_000;
/** 2026-01-14, a UTC day the fixture fills with a reading a minute from each input. */
const D = Date.UTC(2026, 0, 14);

/** A clock standing still after the fixture, so the service's tick closes nothing the test sends. */
const clock: Clock = { now: () => D + DAY + 30 * MIN, sleep: () => Promise.resolve() };

const sources = [
  {
    site: 'home',
    device: 'hp',
    elec: { device: 'meter' },
    heat: { method: 'heat-meter', device: 'hm' },
    timeZone: 'UTC',
  },
];

function env(url: string, more: Record<string, string> = {}): Record<string, string> {
  return {
    HS_NATS__URL: url,
    HS_LOG__LEVEL: 'silent',
    HS_HTTP__PORT: '0',
    HS_SOURCES: JSON.stringify(sources),
    HS_TICK_MS: '3600000',
    ...more,
  };
}

/**
 * Day D at 1000 W in and 3000 W of heat, one reading a minute each, then 20 minutes of day D+1 so
 * day D closes: 24 kWh electric, 72 kWh heat, COP 3, coverage 1.
 */
function fixture(): ReadingV1[] {
  const out: ReadingV1[] = [];
  for (let t = D; t < D + DAY + 20 * MIN; t += MIN) {
    const time = new Date(t).toISOString();
    out.push(readingEvent({ site: 'home', device: 'meter', metrics: { elec_power: 1000 } }, { time }));
    out.push(readingEvent({ site: 'home', device: 'hm', metrics: { heat_power: 3000 } }, { time }));
  }
  return out;
}

/** Publishes readings; `msgId` distinct per call so JetStream stores a repeat and cop sees it. */
async function publish(js: JetStreamClient, list: readonly ReadingV1[], tag = ''): Promise<void> {
  for (let i = 0; i < list.length; i += 200) {
    await Promise.all(
      list.slice(i, i + 200).map((e) =>
        js.publish(subjects.reading(e.data.site, e.data.device), encodeEvent(e), {
          msgID: `${tag}${e.id}`,
        }),
      ),
    );
  }
}

/** Every cop event stored on DERIVED (as v2), oldest first. */
async function derived(js: JetStreamClient): Promise<CopV2Data[]> {
  const consumer = await js.consumers.get('DERIVED');
  const out: CopV2Data[] = [];
  for (;;) {
    const msg = await consumer.next({ expires: 1_000 });
    if (!msg) break;
    out.push((events.decode(msg.data) as { data: CopV2Data }).data);
  }
  return out;
}

const dayRow = (rows: readonly CopV2Data[], category: string): CopV2Data[] =>
  rows.filter((r) => r.period === 'day' && r.category === category);

test('readings in, day rows out; a restart half-way and repeated readings change nothing', async () => {
  await using nats = await natsFixture();
  const readings = fixture();
  const half = readings.findIndex((e) => Date.parse(e.time) >= D + DAY / 2);

  let cop = await runService(copService(clock), { argv: [], env: env(nats.url) });
  try {
    await publish(nats.js, readings.slice(0, half));
    await eventually('cop took the first half', () => consumerIdle(nats.jsm, 'READINGS', 'cop-readings'));
  } finally {
    await cop.stop();
  }
  cop = await runService(copService(clock), { argv: [], env: env(nats.url) });
  try {
    // The first hour again (already closed: late) and the last hour again (still open: duplicate).
    const again = [
      ...readings.slice(0, 120),
      ...readings.filter((e) => Date.parse(e.time) >= D + DAY / 2 - 60 * MIN).slice(0, 120),
    ];
    await publish(nats.js, again, 'again-');
    await publish(nats.js, readings.slice(half));
    await eventually('cop took the rest', () => consumerIdle(nats.jsm, 'READINGS', 'cop-readings'));
    const rows = await eventually('the day row of D', async () => {
      const all = await derived(nats.js);
      return dayRow(all, 'combined').length > 0 ? all : undefined;
    });
    const [combined] = dayRow(rows, 'combined');
    assert.equal(dayRow(rows, 'combined').length, 1);
    assert.deepEqual(
      {
        start: combined?.periodStart,
        end: combined?.periodEnd,
        elec: combined?.elecKwh,
        heat: combined?.heatKwh,
        cop: combined?.cop,
        coverage: combined?.coverage,
        heatSource: combined?.method.heatSource,
      },
      {
        start: new Date(D).toISOString(),
        end: new Date(D + DAY).toISOString(),
        elec: 24,
        heat: 72,
        cop: 3,
        coverage: 1,
        heatSource: 'heat-meter',
      },
    );
    const [running] = dayRow(rows, 'running');
    assert.equal(running?.elecKwh, 24);
    // The periods are re-summed from the one day: the 7-day figure is that day's.
    const week = rows.find((r) => r.period === '7d' && r.category === 'combined');
    assert.deepEqual([week?.elecKwh, week?.heatKwh, week?.cop], [24, 72, 3]);
    assert.deepEqual(await deadLetters(nats.js, 'cop'), []);
  } finally {
    await cop.stop();
  }
});

test('replay derive over the stored range gives the same day rows', async () => {
  await using nats = await natsFixture();
  // The live consumer follows nothing here, so every row comes from the re-derivation.
  const quiet = consumers.map((c) =>
    c.durable === 'cop-readings' ? { ...c, filterSubjects: ['readings.v1.nobody.>'] } : c,
  );
  const cop = await runService(copService(clock), { argv: [], env: env(nats.url), consumers: quiet });
  try {
    await publish(nats.js, fixture());
    const cli = spawn(
      process.execPath,
      [
        fileURLToPath(new URL('../../replay/src/cli.ts', import.meta.url)),
        'derive',
        '--stream',
        'READINGS',
        '--derivation',
        'cop',
      ],
      { env: { PATH: process.env.PATH, HS_NATS__URL: nats.url }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    cli.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise((r) => cli.once('exit', r));
    assert.equal(code, 0, output);
    assert.match(output, /asked derive\.v1\.cop to re-derive 2,920 events/);
    assert.doesNotMatch(output, /refused/);
    const rows = await derived(nats.js);
    const [combined] = dayRow(rows, 'combined');
    assert.equal(dayRow(rows, 'combined').length, 1);
    assert.deepEqual(
      [combined?.periodStart, combined?.elecKwh, combined?.heatKwh, combined?.cop, combined?.coverage],
      [new Date(D).toISOString(), 24, 72, 3, 1],
    );
  } finally {
    await cop.stop();
  }
});

test('a bad heat source fails start-up naming every field', async () => {
  await using nats = await natsFixture();
  const bad = [{ site: 'home', device: 'hp', elec: {}, heat: { method: 'guess', device: 'hm' } }];
  await assert.rejects(
    runService(copService(clock), {
      argv: [],
      env: env(nats.url, { HS_SOURCES: JSON.stringify(bad) }),
    }),
    (error: Error) => {
      // init's ConfigError reaches the caller as the runtime's StartupError, message kept.
      assert.equal(error.name, 'StartupError');
      assert.match(error.message, /invalid configuration \(cop sources\)/);
      assert.match(error.message, /sources\[0\]\.elec\.device/);
      assert.match(error.message, /sources\[0\]\.heat\.method/);
      return true;
    },
  );
});
