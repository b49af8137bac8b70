// The owner's site view, charts and badges in a real Chromium against a real gateway, NATS and
// QuestDB: today's kWh and starts, COP now from cop-live, temperatures and the operating state;
// a phone layout; a 24 h chart that spans 24 h one minute after a device's first reading, with
// units, latest values and drag zoom; a meter page without operating states; the overview
// refilled after a dropped socket with labelled badges; gzip, immutable assets and uPlot only
// where a chart is drawn. Screenshots go to test-results/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { subjects } from '@heatstream/contracts';
import {
  copLiveEvent,
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

let nats: NatsFixture;
let questdb: QuestDbFixture;
let svc: ServiceFixture;
let browser: Browser;
let base: string;
let dist: string;
const SITE = 'villa';

before(async () => {
  dist = await buildDashboard();
  [nats, questdb] = await Promise.all([natsFixture({ own: true }), questDbFixture({ own: true })]);
  const now = Date.now();
  // Since a bit before the browser's midnight could be: the last 20 minutes, one reading a minute.
  const minute = (i: number): number => now - (20 - i) * 60_000;
  await seed(questdb.conn, [
    ...Array.from({ length: 20 }, (_, i) =>
      readingEvent(
        {
          site: SITE,
          device: 'villa-hp',
          model: 'stiebel-wpm',
          metrics: {
            flow_temp: 35.2,
            return_temp: 30.1,
            outside_temp: 2.4,
            dhw_temp: 48.7,
            flow_rate: 10,
            compressor_on: i >= 4 ? 1 : 0,
            defrost: 0,
            dhw_mode: 0,
          },
        },
        { time: minute(i) },
      ),
    ),
    ...Array.from({ length: 20 }, (_, i) =>
      readingEvent(
        {
          site: SITE,
          device: 'villa-meter',
          model: 'wago-879-30xx',
          metrics: { elec_power: 2500, power_factor: 0.97, elec_energy: 10_000 + i * 42 },
        },
        { time: minute(i) + 500 },
      ),
    ),
    statusEvent({ site: SITE, device: 'villa-hp', state: 'online' }, { time: now - 3_600_000 }),
    // A first start one minute ago: its only data is the last minute.
    ...[60, 30, 0].map((s) =>
      readingEvent(
        { site: 'new', device: 'fresh', model: 'stiebel-wpm', metrics: { flow_temp: 30 + s / 60 } },
        { time: now - s * 1_000 },
      ),
    ),
  ]);
  ({ svc, base } = await startGateway(nats, questdb.conn, { HS_API__PUBLIC_DIR: dist }));
  await addInstaller(nats);
  browser = await launchChromium();
});

after(() => closeStack(browser, svc, nats, questdb, dist));

/**
 * "Today" is the browser's day: a time zone whose midnight is hours behind, so the seeded last
 * 20 minutes all fall on the same day whenever the test runs.
 */
const utcHour = new Date().getUTCHours();
const timezoneId = utcHour >= 2 && utcHour <= 22 ? 'UTC' : 'Etc/GMT+4';

const copLive = (): string =>
  JSON.stringify(
    copLiveEvent({
      site: SITE,
      device: 'villa-hp',
      heatW: 7980,
      elecW: 2500,
      cop: 3.192,
      window: {
        start: new Date(Date.now() - 1_800_000).toISOString(),
        end: new Date().toISOString(),
        runningSeconds: 1800,
        heatKwh: 3.99,
        elecKwh: 1.25,
        cop: 3.1,
      },
    }),
  );

test('the site view: power in and out with units, COP, today in kWh, starts, temperatures, state; also on a phone', async () => {
  for (const viewport of [
    { width: 1280, height: 900 },
    { width: 390, height: 844 },
  ]) {
    const phone = viewport.width < 500;
    const page = await browser.newPage({ viewport, isMobile: phone, hasTouch: phone, timezoneId });
    await logIn(page, base);
    await page.locator('#conn.live', { hasText: 'Live' }).waitFor();
    await page.getByRole('link', { name: `Site ${SITE}` }).click();
    const figure = (key: string) => page.locator(`[data-figure="${key}"] .value`);
    await figure('elec-today').filter({ hasText: 'kWh' }).waitFor();
    // Before any live COP (or on a site with none): electrical input from the meter's readings.
    assert.equal(await figure('elec').textContent(), '2.5 kW');
    assert.equal(await page.locator('[data-figure="elec"] .detail').textContent(), 'villa-meter');
    nats.nc.publish(subjects.copLive(SITE, 'villa-hp'), copLive());
    await figure('heat').filter({ hasText: '8.0 kW' }).waitFor({ timeout: 30_000 });
    assert.equal(await figure('elec').textContent(), '2.5 kW');
    assert.equal(await figure('cop-now').textContent(), '3.2');
    assert.equal(await figure('cop-window').textContent(), '3.1');
    // About 20 minutes at 2.5 kW: decimals, not "0 kWh"; from the meter only.
    assert.match((await figure('elec-today').textContent()) ?? '', /^0\.\d\d kWh$/);
    const heat = Number(((await figure('heat-today').textContent()) ?? '').replace(' kWh', ''));
    assert.ok(heat > 0.5 && heat < 2, `flow × ΔT heat today ${heat}`);
    assert.match((await figure('starts').textContent()) ?? '', /^\d+\.\d$/);
    assert.match(
      (await page.locator('[data-figure="starts"] .detail').textContent()) ?? '',
      /^(1 start|0 starts) since midnight$/,
    );
    assert.equal(await figure('flow_temp').textContent(), '35.2 °C');
    assert.equal(await figure('return_temp').textContent(), '30.1 °C');
    assert.equal(await figure('outside_temp').textContent(), '2.4 °C');
    assert.equal(await figure('dhw_temp').textContent(), '48.7 °C');
    assert.equal(await figure('state').textContent(), 'space heating');
    assert.match(
      (await page.locator('[data-figure="state"] .detail').textContent()) ?? '',
      /^for \d+ (s|min)$/,
    );
    await page.locator('[data-device="villa-meter"]').waitFor();
    if (phone) {
      const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
      assert.ok(width <= 390, `no horizontal scrolling (content ${width}px wide)`);
    }
    await page.screenshot({
      path: join(shots, phone ? 'site-2-phone.png' : 'site-1-view.png'),
      fullPage: true,
    });
    await page.close();
  }
});

test('a 24 h chart one minute after the first start spans 24 h, with units, latest values and drag zoom', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, base);
  await page.locator('#conn.live').waitFor();
  // The start page first: a route still loading could otherwise draw over the next (a known race
  // of the dashboard's router, see the closing note).
  await page.locator('[data-device="fresh"]').waitFor();
  await page.goto(`${base}/#/device/fresh`);
  const chart = page.locator('[data-chart="Temperatures"]');
  await chart.locator('canvas').waitFor();
  const span = async (): Promise<number> =>
    Number(await chart.getAttribute('data-x-max')) - Number(await chart.getAttribute('data-x-min'));
  const full = await span();
  assert.ok(Math.abs(full - 86_400) < 120, `the 24 h chart spans ${full} s`);
  assert.equal(await chart.getAttribute('data-unit'), '°C', 'the y-axis is labelled in °C');
  // The latest value before any hovering, not "--" (the last bucket's mean of the seeded minute).
  assert.match(
    (await chart.locator('.u-legend .u-series').nth(1).locator('.u-value').textContent()) ?? '',
    /^3\d\.\d °C$/,
  );
  await page.screenshot({ path: join(shots, 'chart-1-24h-after-first-minute.png'), fullPage: true });
  const box = await chart.locator('.u-over').boundingBox();
  assert.ok(box);
  await page.mouse.move(box.x + box.width * 0.2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  const zoomed = await span();
  assert.ok(zoomed < full * 0.6, `zoomed to ${zoomed} s of ${full} s`);
  await page.close();
});

test('a site whose devices measure no heat or electricity says so instead of waiting for data', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, base);
  await page.locator('[data-device="fresh"]').waitFor();
  await page.goto(`${base}/#/site/new`);
  const detail = (key: string) => page.locator(`[data-figure="${key}"] .detail`);
  await page.locator('[data-figure="flow_temp"] .value').filter({ hasText: '°C' }).waitFor();
  await page.screenshot({ path: join(shots, 'site-without-heat.png'), fullPage: true });
  assert.equal(await detail('heat').textContent(), 'no heat measured');
  assert.equal(await detail('elec').textContent(), 'no electricity measured');
  assert.equal(await page.locator('[data-figure="flow_temp"] .value').textContent(), '30.0 °C');
  await page.close();
});

test('a device without a reading yet says so, and its page fills in when the first arrives', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, base);
  await page.locator('[data-device="villa-meter"]').waitFor();
  await page.goto(`${base}/#/device/late-1`);
  await page.locator('p.waiting', { hasText: 'No readings from late-1 yet' }).waitFor();
  assert.equal(await page.locator('p.error').count(), 0, 'not an error');
  await seed(questdb.conn, [
    readingEvent({ site: 'remote', device: 'late-1', model: 'esp32-sim800c', metrics: { flow_temp: 35.5 } }),
  ]);
  // The page looks again every 5 s by itself.
  await page
    .locator('.card.metric[data-metric="flow_temp"] .value', { hasText: '35.5' })
    .waitFor({ timeout: 30_000 });
  await page.close();
});

test('a meter page has no operating states; its power factor keeps two places', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, base);
  await page.locator('#conn.live').waitFor();
  // The start page first: a route still loading could otherwise draw over the next (a known race
  // of the dashboard's router, see the closing note).
  await page.locator('[data-device="villa-meter"]').waitFor();
  await page.goto(`${base}/#/device/villa-meter`);
  await page.locator('.card.metric[data-metric="power_factor"]').waitFor();
  assert.equal(await page.locator('.card.metric[data-metric="power_factor"] .value').textContent(), '0.97');
  assert.equal(await page.getByRole('heading', { name: 'Operating states' }).count(), 0);
  assert.equal(await page.locator('.card.metric[data-metric="elec_power"] .value').textContent(), '2.5 kW');
  await page.close();
});

test('after a dropped socket the overview refills, and the badge says reconnecting, offline, live', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, base);
  const meter = page.locator('[data-device="villa-meter"] [data-metric="elec_power"]');
  await meter.waitFor();
  await page.locator('#conn.live').waitFor();
  // Every badge change, in order: a transient state is recorded, not raced.
  await page.evaluate(`
    window.badges = [];
    new MutationObserver(() => window.badges.push(document.getElementById('conn').textContent))
      .observe(document.getElementById('conn'), { childList: true, characterData: true, subtree: true });
  `);
  const port = new URL(base).port;
  await svc.stop();
  await page.locator('#conn.offline', { hasText: 'Offline' }).waitFor({ timeout: 30_000 });
  await page.screenshot({ path: join(shots, 'site-3-overview-offline.png'), fullPage: true });
  await seed(questdb.conn, [
    readingEvent({ site: SITE, device: 'villa-meter', model: 'wago-879-30xx', metrics: { elec_power: 777 } }),
  ]);
  ({ svc } = await startGateway(nats, questdb.conn, { HS_API__PORT: port, HS_API__PUBLIC_DIR: dist }));
  await page.locator('#conn.live', { hasText: 'Live' }).waitFor({ timeout: 30_000 });
  await meter.filter({ hasText: '777 W' }).waitFor({ timeout: 60_000 });
  const badges = await page.evaluate<string[]>('window.badges');
  assert.deepEqual(badges.filter((b, i) => b !== badges[i - 1]).slice(0, 3), [
    'Reconnecting…',
    'Offline',
    'Live',
  ]);
  await page.screenshot({ path: join(shots, 'site-4-overview-refilled.png'), fullPage: true });
  await page.close();
});

test('assets are gzipped and cached as immutable, the page revalidated; uPlot loads only with a chart', async () => {
  const html = await fetch(base, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(html.headers.get('cache-control'), 'no-cache');
  const script = /src="\.?\/?(assets\/[^"]+\.js)"/.exec(await html.text())?.[1];
  assert.ok(script);
  const asset = await fetch(`${base}/${script}`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(asset.headers.get('content-encoding'), 'gzip');
  assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const loaded: string[] = [];
  page.on('response', (r) => loaded.push(r.url()));
  await logIn(page, base);
  await page.locator(`[data-device="villa-hp"]`).waitFor();
  const charts = (): string[] => loaded.filter((u) => /\/assets\/charts-[^/]*\.js$/.test(u));
  assert.deepEqual(charts(), [], 'no chart code on the overview');
  await page.locator(`[data-device="villa-hp"]`).click();
  await page.locator('.chart canvas').first().waitFor();
  assert.equal(charts().length, 1, 'the chart code with the first chart');
  await page.close();
});
