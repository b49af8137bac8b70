// Issue 14, part B, in a real Chromium against a real gateway, NATS and QuestDB: the fleet view an
// installer starts on (more than three sites) with the demo sites home and cabin — their readings
// from the simulators' own per-site houses (deploy/config/simulators.yaml) — and 30 more; sorting,
// filters in a shareable URL, pages, CSV, the phone layout, refilling after a dropped socket; and a
// replay that plays on the Replay page while another user's overview stays live. Screenshots:
// test-results/screenshots/fleet-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { headers } from '@nats-io/transport-node';
import type { Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Browser, Page } from 'playwright-core';
import { parse } from 'yaml';
import { ReplayHeader, coreSubjects, subjects, type Envelope } from '@heatstream/contracts';
import {
  alertEvent,
  copV2Event,
  launchChromium,
  natsFixture,
  questDbFixture,
  readingEvent,
  repoRoot,
  statusEvent,
  type NatsFixture,
  type QuestDbFixture,
  type ServiceFixture,
} from '@heatstream/testkit';
import { simulatorConfig, type SiteModel } from '../services/simulators/src/config.ts';
import { HeatPumpHouse } from '../services/simulators/src/model/house.ts';
import { metricValues } from '../services/simulators/src/model/metrics.ts';
import { siteHouse } from '../services/simulators/src/sites.ts';
import { UserStore } from '../services/gateway/src/users.ts';
import { seed, startGateway } from '../services/gateway/test/fixtures.ts';
import { PASSWORD, addInstaller, buildDashboard, closeStack, logIn, shots } from './dashboard-stack.ts';

const DAY = 86_400_000;
let nats: NatsFixture;
let questdb: QuestDbFixture;
let svc: ServiceFixture;
let browser: Browser;
let base: string;
let dist: string;
/** Set once the dashboard is built, just before the events are stored. */
let now = 0;
let today = 0;
const iso = (t: number): string => new Date(t).toISOString();

/** The demo sites' values now, from the houses the simulators build for them. */
function demoValues(site: 'home' | 'cabin'): ReturnType<typeof metricValues> {
  const demo = parse(demoYaml) as { model?: unknown; sites: Record<string, Static<typeof SiteModel>> };
  const model = Value.Default(simulatorConfig.model, structuredClone(demo.model ?? {})) as Static<
    typeof simulatorConfig.model
  >;
  const changes = demo.sites[site];
  assert.ok(changes, `deploy/config/simulators.yaml has site ${site}`);
  const options = siteHouse(model, changes);
  const house = new HeatPumpHouse(now - 2 * 3_600_000, options);
  return metricValues(house.advanceTo(now - 60_000), options);
}
let demoYaml = '';

function cop(site: string, device: string, period: 'day' | '7d' | '365d', value: number, partial = false) {
  const length = { day: 1, '7d': 7, '365d': 365 }[period];
  return copV2Event(
    {
      site,
      device,
      period,
      periodStart: iso(today - length * DAY),
      periodEnd: iso(today),
      heatKwh: value * 10,
      elecKwh: 10,
      coverage: partial ? 0.3 : 0.98,
      partial,
      partialReason: partial ? `${Math.round(length * 0.3)} of ${length} days with data` : null,
      boundary: 'H4',
      ...(period === 'day' ? {} : { dataDays: partial ? Math.round(length * 0.3) : length }),
    },
    { time: today },
  );
}

/** home and cabin as the demo runs them, and 30 more sites: Stiebel and LG, one offline, one faulty. */
function fleetEvents() {
  const { elec_power: homeElec, ...home } = demoValues('home');
  const { elec_power: cabinElec, ...cabin } = demoValues('cabin');
  const reading = (site: string, device: string, model: string, metrics: object, ago = 30_000) =>
    readingEvent({ site, device, model, metrics }, { time: now - ago });
  const events: Envelope[] = [
    reading('home', 'wpm', 'stiebel-eltron-wpm', home),
    reading('home', 'meter', 'wago-879-30xx', { elec_power: homeElec }),
    reading('cabin', 'lg', 'lg-therma-v-r290', cabin),
    reading('cabin', 'cabin-meter', 'wago-879-30xx', { elec_power: cabinElec }),
    ...['wpm', 'meter', 'lg', 'cabin-meter'].map((device) =>
      statusEvent(
        { site: device === 'wpm' || device === 'meter' ? 'home' : 'cabin', device, state: 'online' },
        { time: now - DAY },
      ),
    ),
    cop('home', 'wpm', 'day', 4.1),
    cop('home', 'wpm', '7d', 3.9),
    cop('home', 'wpm', '365d', 3.6, true),
    cop('cabin', 'lg', 'day', 3.1),
    cop('cabin', 'lg', '7d', 2.9),
    cop('cabin', 'lg', '365d', 3.0),
  ];
  for (let i = 1; i <= 30; i++) {
    const site = `site-${String(i).padStart(2, '0')}`;
    const lg = i % 3 === 0;
    const device = `hp-${String(i).padStart(2, '0')}`;
    events.push(
      reading(
        site,
        device,
        lg ? 'lg-therma-v-r290' : 'stiebel-eltron-wpm',
        { heat_power: 2000 + i * 100, elec_power: 500 + i * 10 },
        i === 5 ? 3 * 3_600_000 : 20_000 + i * 1000,
      ),
      statusEvent({ site, device, state: i === 8 ? 'unavailable' : 'online' }, { time: now - DAY }),
      cop(site, device, 'day', 3 + i / 30),
      cop(site, device, '7d', 2.5 + i / 20),
      cop(site, device, '365d', 3.2, i % 4 === 0),
    );
  }
  events.push(
    alertEvent(
      {
        site: 'site-07',
        device: 'hp-07',
        alertId: 'f-1',
        rule: 'pressure-high',
        severity: 'critical',
        state: 'raised',
        message: 'high pressure',
      },
      { time: now - 300_000 },
    ),
  );
  return events;
}

before(async () => {
  demoYaml = await readFile(join(repoRoot, 'deploy/config/simulators.yaml'), 'utf8');
  dist = await buildDashboard();
  now = Date.now();
  today = Math.floor(now / DAY) * DAY;
  [nats, questdb] = await Promise.all([natsFixture({ own: true }), questDbFixture()]);
  await seed(questdb.conn, fleetEvents());
  ({ svc, base } = await startGateway(nats, questdb.conn, { HS_API__PUBLIC_DIR: dist }));
  await addInstaller(nats);
  await using admin = await nats.serviceClient('admin');
  await (await UserStore.open(admin)).createUser('owner', PASSWORD, 'viewer');
  browser = await launchChromium();
});

after(() => closeStack(browser, svc, nats, questdb, dist));

const rowsShown = (page: Page) => page.locator('table.fleet tbody tr');
const sitesShown = async (page: Page): Promise<string[]> => {
  const rows = rowsShown(page);
  const sites: string[] = [];
  for (let i = 0; i < (await rows.count()); i++)
    sites.push((await rows.nth(i).getAttribute('data-site')) ?? '');
  return sites;
};

test('an installer starts on the fleet view: sort, filter in the URL, pages, CSV', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await logIn(page, base);
  await page.locator('table.fleet').waitFor();
  assert.equal(
    await page.locator('h1').textContent(),
    'Fleet',
    'more than three sites: the fleet view first',
  );
  assert.equal(await rowsShown(page).count(), 32);
  assert.match((await page.locator('.fleet-count').textContent()) ?? '', /32 of 32 sites/);

  // The demo sites differ: their own houses give other power and COP figures.
  const home = page.locator('tr[data-site="home"]');
  const cabin = page.locator('tr[data-site="cabin"]');
  assert.equal(await home.locator('[data-col="make"]').textContent(), 'Stiebel Eltron');
  assert.equal(await cabin.locator('[data-col="make"]').textContent(), 'LG');
  assert.notEqual(
    await home.locator('[data-col="heatW"]').textContent(),
    await cabin.locator('[data-col="heatW"]').textContent(),
  );
  assert.equal(await home.locator('[data-col="boundary"]').textContent(), 'H4');
  assert.equal(await home.locator('[data-col="status"]').textContent(), 'ok');
  assert.equal(await page.locator('tr[data-site="site-05"] [data-col="status"]').textContent(), 'offline');
  assert.equal(await page.locator('tr[data-site="site-05"] .dot').getAttribute('aria-label'), 'old');
  // Fresh (2 min) or stale (15 min) by how long the machine took since the readings were stored.
  assert.notEqual(await home.locator('.dot').getAttribute('aria-label'), 'old');
  assert.equal(await page.locator('tr[data-site="site-08"] [data-col="status"]').textContent(), 'fault');
  assert.match(
    (await page.locator('tr[data-site="site-07"] [data-col="alerts"]').textContent()) ?? '',
    /1 \(1 critical\)/,
  );
  // A partial SCOP is greyed and says why.
  const scop = home.locator('[data-col="scop"]');
  assert.equal(await scop.getAttribute('data-partial'), 'true');
  assert.match((await scop.textContent()) ?? '', /3\.6.*30 %.*partial: 110 of 365 days with data/);
  assert.notEqual(
    await page.evaluate(
      `getComputedStyle(document.querySelector('tr[data-site="home"] [data-col="scop"]')).backgroundColor`,
    ),
    await page.evaluate(
      `getComputedStyle(document.querySelector('tr[data-site="cabin"] [data-col="scop"]')).backgroundColor`,
    ),
  );
  await page.screenshot({ path: join(shots, 'fleet-1-desktop.png'), fullPage: true });

  // Sorted by the week's COP, best first.
  await page.locator('button[data-sort="copPeriod"]').click();
  await page.locator('button[data-sort="copPeriod"]').click();
  assert.equal(
    await page.locator('th[aria-sort="descending"] button').getAttribute('data-sort'),
    'copPeriod',
  );
  assert.equal((await sitesShown(page))[0], 'site-30');
  assert.match(page.url(), /#\/fleet\?sort=copPeriod&desc=1$/);

  // Only LG, and the link opens the same view for someone else.
  await page.locator('select[name="make"]').selectOption('LG');
  const lgSites = await sitesShown(page);
  assert.equal(lgSites.length, 11, lgSites.join(' '));
  assert.ok(lgSites.includes('cabin'));
  assert.match(page.url(), /make=LG/);
  const shared = page.url();
  const other = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await logIn(other, base);
  await other.locator('table.fleet').waitFor();
  await other.goto(shared);
  await other.locator('.fleet-count', { hasText: /^11 of 32 sites$/ }).waitFor();
  assert.deepEqual(await sitesShown(other), lgSites, 'the shared URL shows the same rows in the same order');
  assert.equal(await other.locator('select[name="make"]').inputValue(), 'LG');
  await other.close();

  // CSV of the filtered rows (all pages), with coverage and the partial reason.
  const [download] = await Promise.all([page.waitForEvent('download'), page.locator('.fleet-csv').click()]);
  const csv = await readFile(await download.path(), 'utf8');
  const lines = csv.trim().split(/\r?\n/);
  assert.equal(lines.length, 1 + 11);
  assert.match(
    lines[0] ?? '',
    /^site,status,last_seen,heat_source,make,model,heat_w,elec_w,cop_day,cop_day_coverage/,
  );
  assert.match(lines[0] ?? '', /cop_7d,cop_7d_coverage,cop_7d_partial_reason,scop_365d/);
  assert.ok(lines.some((l) => l.startsWith('cabin,ok,')));

  // Pages of 10: the site filter narrows, the pager moves.
  await page.goto(`${base}/#/fleet?size=10`);
  await page.locator('.fleet-count', { hasText: 'page 1 of 4' }).waitFor();
  await page.locator('.fleet-pager button', { hasText: 'Next' }).click();
  await page.locator('.fleet-count', { hasText: 'page 2 of 4' }).waitFor();
  assert.equal(await rowsShown(page).count(), 10);
  await page.locator('input[name="site"]').fill('site-2');
  await page.locator('.fleet-count', { hasText: /^10 of 32 sites$/ }).waitFor();
  assert.match(page.url(), /site=site-2/);
  await page.close();
});

test('the fleet view on a phone (390 × 844): a card per site, no sideways scrolling', async () => {
  const page = await browser.newPage({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  await logIn(page, base);
  await page.locator('table.fleet').waitFor();
  const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
  assert.ok(width <= 390, `no horizontal scrolling (content ${width}px wide)`);
  assert.equal(
    await page.locator('tr[data-site="cabin"] [data-col="scop"]').getAttribute('data-label'),
    'SCOP',
  );
  await page.screenshot({ path: join(shots, 'fleet-2-phone.png'), fullPage: false });
  await page.close();
});

test('a replay plays on the Replay page and leaves another user’s overview live', async () => {
  const watcher = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  await logIn(watcher, base);
  await watcher.locator('table.fleet').waitFor();
  await watcher.goto(`${base}/#/replay`);
  await watcher.locator('h1', { hasText: 'Replay' }).waitFor();

  const owner = await browser.newPage({ viewport: { width: 1000, height: 800 } });
  await logIn(owner, base, 'owner');
  await owner.locator('table.fleet').waitFor();
  await owner.goto(`${base}/#/overview`);
  const flow = owner.locator('[data-device="wpm"] [data-metric="flow_temp"]');
  await flow.waitFor();
  await owner.locator('#conn.live').waitFor();
  // Everything the owner's page ever shows for wpm's flow and in the badge, to prove the replay never got there.
  await owner.evaluate(`
    window.seen = [];
    new MutationObserver(() => {
      window.seen.push(document.querySelector('[data-device="wpm"] [data-metric="flow_temp"]')?.textContent ?? '');
      window.seen.push(document.getElementById('conn')?.textContent ?? '');
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  `);

  const live = (flowTemp: number) =>
    readingEvent({
      site: 'home',
      device: 'wpm',
      model: 'stiebel-eltron-wpm',
      metrics: { flow_temp: flowTemp },
    });
  nats.nc.publish(subjects.reading('home', 'wpm'), JSON.stringify(live(40.2)));
  await flow.filter({ hasText: '40.2' }).waitFor();

  const old = readingEvent(
    {
      site: 'home',
      device: 'wpm',
      model: 'stiebel-eltron-wpm',
      metrics: { flow_temp: 11.1, heat_power: 900 },
    },
    { time: Date.parse('2026-01-15T07:30:00Z') },
  );
  const h = headers();
  h.set(ReplayHeader.subject, subjects.reading('home', 'wpm'));
  h.set(ReplayHeader.speed, '60');
  nats.nc.publish(coreSubjects.replay('home', 'wpm'), JSON.stringify(old), { headers: h });
  await watcher.locator('[data-device="wpm"] [data-metric="flow_temp"]', { hasText: '11.1' }).waitFor();
  assert.equal(await watcher.locator('[data-replay="speed"]').textContent(), '60×');
  assert.equal(await watcher.locator('[data-replay="time"]').getAttribute('data-at'), old.time);
  assert.equal(await watcher.locator('#conn').textContent(), 'Replay');

  // The replay went out before this reading was published; a socket's messages keep their order,
  // so had the replay reached the owner, it would have shown before 41.3.
  nats.nc.publish(subjects.reading('home', 'wpm'), JSON.stringify(live(41.3)));
  await flow.filter({ hasText: '41.3' }).waitFor();
  const seen = await owner.evaluate<string[]>('window.seen');
  assert.ok(seen.some((s) => s.includes('41.3')));
  assert.ok(
    !seen.some((s) => s.includes('11.1')),
    `the owner saw only live values: ${[...new Set(seen)].join(' | ')}`,
  );
  assert.ok(!seen.includes('Replay'), 'the owner’s badge never said replay');
  assert.equal(await owner.locator('#conn').textContent(), 'Live');
  await watcher.screenshot({ path: join(shots, 'fleet-3-replay-page.png'), fullPage: true });
  await owner.screenshot({ path: join(shots, 'fleet-4-overview-stays-live.png'), fullPage: false });
  await Promise.all([watcher.close(), owner.close()]);
});

test('after a dropped connection the fleet view refills', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await logIn(page, base);
  const heat = page.locator('tr[data-site="site-01"] [data-col="heatW"]');
  await heat.waitFor();
  assert.equal(await heat.textContent(), '2.1 kW');
  await page.locator('#conn.live').waitFor();
  const port = new URL(base).port;
  await svc.stop();
  await page.locator('#conn.offline').waitFor();
  await seed(questdb.conn, [
    readingEvent({
      site: 'site-01',
      device: 'hp-01',
      model: 'stiebel-eltron-wpm',
      metrics: { heat_power: 7700 },
    }),
  ]);
  ({ svc } = await startGateway(nats, questdb.conn, { HS_API__PORT: port, HS_API__PUBLIC_DIR: dist }));
  await page.locator('#conn.live').waitFor({ timeout: 30_000 });
  await heat.filter({ hasText: '7.7 kW' }).waitFor({ timeout: 60_000 });
  await page.screenshot({ path: join(shots, 'fleet-5-refilled.png'), fullPage: false });
  await page.close();
});
