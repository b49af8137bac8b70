// Fleet view benchmark (issue 14: 500 sites render in under a second): the built dashboard in the
// project's Chromium against a real gateway, NATS and QuestDB holding 500 sites (a heat pump and a
// meter each, their status, COP of the day, 7 days and 365 days, some alerts).
//   npm run bench:fleet -- [--sites 500] [--runs 5]
// Measures, in the page, from navigation start to every row drawn (the whole table on one page:
// #/fleet?size=<sites>), over a full load and over a switch from another page; prints the median
// and worst of each beside the 1 s target, and how a full load splits into the gateway's answer
// (its QuestDB queries) and drawing. Loopback only, bounded, stops by itself.
import { parseArgs } from 'node:util';
import type { Envelope } from '@heatstream/contracts';
import {
  alertEvent,
  copV2Event,
  launchChromium,
  natsFixture,
  questDbFixture,
  readingEvent,
  statusEvent,
} from '@heatstream/testkit';
import { seed, startGateway } from '../services/gateway/test/fixtures.ts';
import { addInstaller, buildDashboard, logIn } from '../test/dashboard-stack.ts';

const { values } = parseArgs({
  options: { sites: { type: 'string', default: '500' }, runs: { type: 'string', default: '5' } },
});
const sites = Number(values.sites);
const runs = Number(values.runs);
const TARGET_MS = 1000;
const DAY = 86_400_000;

function fleetEvents(now: number): Envelope[] {
  const today = Math.floor(now / DAY) * DAY;
  const events: Envelope[] = [];
  for (let i = 0; i < sites; i++) {
    const site = `site-${String(i).padStart(3, '0')}`;
    const hp = `hp-${i}`;
    const lg = i % 3 === 0;
    events.push(
      readingEvent(
        {
          site,
          device: hp,
          model: lg ? 'lg-therma-v-r290' : 'stiebel-eltron-wpm',
          metrics: { heat_power: 2000 + (i % 50) * 80, flow_temp: 35 },
        },
        { time: now - (i % 7) * 60_000 },
      ),
      readingEvent(
        { site, device: `meter-${i}`, model: 'wago-879-30xx', metrics: { elec_power: 600 + (i % 40) * 10 } },
        { time: now - 30_000 },
      ),
      statusEvent({ site, device: hp, state: i % 23 === 0 ? 'unavailable' : 'online' }, { time: now - DAY }),
    );
    for (const [period, length] of [
      ['day', 1],
      ['7d', 7],
      ['365d', 365],
    ] as const) {
      const partial = period === '365d' && i % 4 === 0;
      events.push(
        copV2Event(
          {
            site,
            device: hp,
            period,
            periodStart: new Date(today - length * DAY).toISOString(),
            periodEnd: new Date(today).toISOString(),
            heatKwh: 30 + (i % 17),
            elecKwh: 10,
            coverage: partial ? 0.4 : 0.97,
            partial,
            partialReason: partial ? '146 of 365 days with data; 365d needs more than 330' : null,
            boundary: 'H4',
            ...(period === 'day' ? {} : { dataDays: partial ? 146 : length }),
          },
          { time: today },
        ),
      );
    }
    if (i % 37 === 0)
      events.push(
        alertEvent(
          {
            site,
            device: hp,
            alertId: `bench-${i}`,
            rule: 'pressure-high',
            severity: 'critical',
            state: 'raised',
            message: 'high pressure',
          },
          { time: now - 600_000 },
        ),
      );
  }
  return events;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const dist = await buildDashboard();
await using nats = await natsFixture({ own: true });
await using questdb = await questDbFixture();
await seed(questdb.conn, fleetEvents(Date.now()));
await using gateway = await startGateway(nats, questdb.conn, { HS_API__PUBLIC_DIR: dist });
await addInstaller(nats);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await logIn(page, gateway.base);
  await page.locator('table.fleet').waitFor();
  const url = `${gateway.base}/#/fleet?size=${sites}`;
  // When every row is in the table, the page notes the time since navigation start.
  const allRows = `new Promise((resolve) => {
    const check = () => document.querySelectorAll('table.fleet tbody tr').length >= ${sites}
      ? resolve(performance.now()) : requestAnimationFrame(check);
    check();
  })`;
  const load: number[] = [];
  const switched: number[] = [];
  /** The page's wait for GET /api/fleet (request start → answer read), and drawing after it. */
  const answer: number[] = [];
  const drawing: number[] = [];
  const fleetCall = `(() => { const e = performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/fleet')).at(-1);
    return e ? [e.startTime, e.responseEnd] : [NaN, NaN]; })()`;
  for (let run = 0; run < runs; run++) {
    await page.goto(url);
    await page.reload();
    const drawn = await page.evaluate<number>(allRows);
    load.push(drawn);
    const [start, end] = await page.evaluate<[number, number]>(fleetCall);
    answer.push(end - start);
    drawing.push(drawn - end);
    // In the app: from the Replay page to the fleet, timed from the hash change.
    await page.evaluate(`location.hash = '#/replay'`);
    await page.locator('h1', { hasText: 'Replay' }).waitFor();
    switched.push(
      await page.evaluate<number>(
        `(() => { const start = performance.now(); location.hash = '#/fleet?size=${sites}';
          return ${allRows}.then((end) => end - start); })()`,
      ),
    );
  }
  const line = (name: string, xs: number[]): string =>
    `${name.padEnd(34)} median ${median(xs).toFixed(0).padStart(5)} ms  worst ${Math.max(...xs)
      .toFixed(0)
      .padStart(5)} ms  target < ${TARGET_MS} ms  ${median(xs) < TARGET_MS ? 'met' : 'NOT MET'}`;
  process.stdout.write(
    [
      `fleet view, ${sites} sites on one page, ${runs} runs (Chromium, gateway, NATS, QuestDB on this machine)`,
      line('full load → every row drawn', load),
      line('switch from another page → drawn', switched),
      line('  of a full load: GET /api/fleet', answer),
      line('  of a full load: drawing after it', drawing),
      '',
    ].join('\n'),
  );
} finally {
  await browser.close();
}
