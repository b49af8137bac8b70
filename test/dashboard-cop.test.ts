// The heat pump's COP panel in a real Chromium against a real gateway, NATS and QuestDB: daily COP
// bars by category with coverage, SCOP and SPF with their method and coverage (the partial one
// greyed with its reason), the 7/30/90-day table, defrost and standby. Screenshot:
// test-results/screenshots/8-device-cop.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import {
  copV2Event,
  launchChromium,
  natsFixture,
  questDbFixture,
  readingEvent,
  statusEvent,
  type NatsFixture,
  type QuestDbFixture,
  type ServiceFixture,
} from '@heatstream/testkit';
import { seed, startGateway } from '../services/gateway/test/fixtures.ts';
import { addInstaller, buildDashboard, closeStack, logIn, shots } from './dashboard-stack.ts';

const DAY = 86_400_000;
let nats: NatsFixture;
let questdb: QuestDbFixture;
let svc: ServiceFixture;
let browser: Browser;
let base: string;
let dist: string;

const hp = { site: 'home', device: 'wpm1' } as const;
const now = Date.now();
const today = Date.UTC(
  new Date(now).getUTCFullYear(),
  new Date(now).getUTCMonth(),
  new Date(now).getUTCDate(),
);
const iso = (t: number) => new Date(t).toISOString();

/** Ten days: space heating COP 3.6–4.5, hot water 2.6; the oldest day only 40 % covered (partial). */
function days() {
  return Array.from({ length: 10 }, (_, i) => {
    const time = today - (10 - i) * DAY;
    const partial = i === 0;
    const common = {
      ...hp,
      coverage: partial ? 0.4 : 0.99,
      partial,
      partialReason: partial ? 'coverage 40 % of the day; a day needs 90 %' : null,
      defrostHeatKwh: -0.4,
      standbyKwh: 0.6,
    };
    const space = 36 + i;
    return [
      copV2Event({ ...common, heatKwh: space + 13, elecKwh: 15 }, { time }),
      copV2Event({ ...common, category: 'running', heatKwh: space + 13, elecKwh: 14.4 }, { time }),
      copV2Event({ ...common, category: 'space_heating', heatKwh: space, elecKwh: 10 }, { time }),
      copV2Event({ ...common, category: 'hot_water', heatKwh: 13, elecKwh: 5 }, { time }),
    ];
  }).flat();
}

function period(p: '7d' | '30d' | '90d' | '365d' | 'season', daysOfData: number, partial: boolean) {
  const length = { '7d': 7, '30d': 30, '90d': 90, '365d': 365, season: 212 }[p];
  return copV2Event(
    {
      ...hp,
      period: p,
      periodStart: iso(today - length * DAY),
      periodEnd: iso(today),
      heatKwh: 52.5 * daysOfData,
      elecKwh: 15 * daysOfData,
      cop: 3.5,
      coverage: daysOfData / length,
      dataDays: daysOfData,
      defrostHeatKwh: -0.4 * daysOfData,
      standbyKwh: 0.6 * daysOfData,
      partial,
      partialReason: partial ? `${daysOfData} of ${length} days with data; ${p} needs more than 330` : null,
      counters: { elecKwh: 15.2 * daysOfData, heatKwh: 52 * daysOfData, cop: 3.42 },
    },
    { time: today },
  );
}

before(async () => {
  dist = await buildDashboard();
  [nats, questdb] = await Promise.all([natsFixture({ own: true }), questDbFixture()]);
  await seed(questdb.conn, [
    readingEvent(
      { ...hp, model: 'stiebel-wpm', metrics: { flow_temp: 35, outside_temp: 1.5, elec_power: 1200 } },
      { time: now - 60_000 },
    ),
    statusEvent({ ...hp, state: 'online' }, { time: now - 3_600_000 }),
    ...days(),
    period('7d', 7, false),
    period('30d', 10, true),
    period('90d', 10, true),
    period('365d', 340, false),
    period('season', 150, true),
  ]);
  ({ svc, base } = await startGateway(nats, questdb.conn, {
    HS_API__PUBLIC_DIR: dist,
  }));
  await addInstaller(nats);
  browser = await launchChromium();
});

after(() => closeStack(browser, svc, nats, questdb, dist));

test('the device page shows daily COP by category, SCOP and SPF with method and coverage', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, base);
  await page.locator('[data-device="wpm1"]').waitFor();
  await page.goto(`${base}/#/device/wpm1`);

  const scop = page.locator('[data-figure="SCOP 365 d"]');
  await scop.waitFor();
  assert.equal(await scop.locator('.value').textContent(), '3.50');
  assert.equal(await scop.getAttribute('data-partial'), 'false');
  assert.match((await scop.textContent()) ?? '', /coverage 93 %.*340 days of data/);
  assert.match(
    (await scop.locator('.method').textContent()) ?? '',
    /flow × ΔT, cp 4150 J\/\(kg·K\).*boundary H4/,
  );
  const spf = page.locator('[data-figure="SPF season"]');
  assert.equal(await spf.getAttribute('data-partial'), 'true');
  assert.match((await spf.locator('.reason').textContent()) ?? '', /partial: 150 of 212 days with data/);
  const opacity: unknown = await page.evaluate(
    `getComputedStyle(document.querySelector('[data-figure="SPF season"]')).opacity`,
  );
  assert.equal(opacity, '0.5', 'a partial figure is greyed');

  // Ten days of bars; each day has combined, space heating and hot water, no cooling.
  assert.equal(await page.locator('.cop-bars .day').count(), 10);
  assert.equal(await page.locator('.cop-bars .bar.cooling').count(), 0);
  const lastDay = page.locator('.cop-bars .day').last();
  // The newest day: space heating 45 / 10, hot water 13 / 5, combined 58 / 15.
  const bars = lastDay.locator('.bar');
  const seen: [string | null, string | null][] = [];
  for (let i = 0; i < (await bars.count()); i++)
    seen.push([await bars.nth(i).getAttribute('data-category'), await bars.nth(i).getAttribute('data-cop')]);
  assert.deepEqual(seen, [
    ['combined', '3.87'],
    ['space_heating', '4.50'],
    ['hot_water', '2.60'],
  ]);
  assert.equal(await lastDay.locator('.coverage').textContent(), '99 %');
  assert.equal(await page.locator('.cop-bars .day.partial').count(), 1);
  assert.equal(await page.locator('.cop-bars .day.partial .coverage').textContent(), '40 %');

  assert.match(
    (await page.locator('.cop-losses').textContent()) ?? '',
    /defrost -4 kWh of heat, standby 6 kWh of electricity/,
  );
  const rows = page.locator('.cop-periods tr[data-period]');
  const periods: (string | null)[] = [];
  for (let i = 0; i < (await rows.count()); i++) periods.push(await rows.nth(i).getAttribute('data-period'));
  assert.deepEqual(periods, ['7d', '30d', '90d', '365d', 'season']);
  assert.equal(await page.locator('.cop-periods tr.partial').count(), 3);
  await page.locator('.cop-daily').scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(shots, '8-device-cop.png'), fullPage: true });
  await page.close();
});
