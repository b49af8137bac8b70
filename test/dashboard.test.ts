// The dashboard in a real Chromium against a real gateway, NATS and QuestDB: log in, see a live
// value change after a reading is published, open a device, change the range, acknowledge an alert.
// Screenshots go to test-results/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { events, subjects, type EventOf } from '@heatstream/contracts';
import {
  alertEvent,
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

before(async () => {
  dist = await buildDashboard();
  // Our own QuestDB: a test stops and restarts it.
  [nats, questdb] = await Promise.all([natsFixture({ own: true }), questDbFixture({ own: true })]);
  const now = Date.now();
  await seed(questdb.conn, [
    ...Array.from({ length: 120 }, (_, i) =>
      readingEvent(
        {
          site: 'home',
          device: 'wpm1',
          model: 'stiebel-wpm',
          metrics: {
            flow_temp: 32 + (i % 6),
            return_temp: 27 + (i % 6),
            outside_temp: -3.5,
            elec_power: 900 + i,
            heat_power: 3100 + i * 3,
            compressor_on: i % 40 < 30 ? 1 : 0,
          },
        },
        { time: now - (120 - i) * 60_000 },
      ),
    ),
    statusEvent({ site: 'home', device: 'wpm1', state: 'online' }, { time: now - 7_200_000 }),
    alertEvent(
      {
        site: 'home',
        device: 'wpm1',
        alertId: 'hp-1',
        rule: 'pressure-high',
        severity: 'critical',
        state: 'raised',
        message: 'high pressure above limit',
        metric: 'pressure_high',
        value: 41,
        threshold: 40,
      },
      { time: now - 600_000 },
    ),
    // Over before the test: only the alerts page's history shows it.
    alertEvent(
      {
        site: 'home',
        device: 'wpm1',
        alertId: 'hp-0',
        rule: 'voltage_high',
        severity: 'warning',
        state: 'resolved',
        message: 'Voltage back to 231 V',
      },
      { time: now - 3_600_000 },
    ),
  ]);
  ({ svc, base } = await startGateway(nats, questdb.conn, {
    HS_API__PUBLIC_DIR: dist,
  }));
  await addInstaller(nats);
  browser = await launchChromium();
});

after(() => closeStack(browser, svc, nats, questdb, dist));

test('log in, see a live value change within 2 s, open a device, change the range, acknowledge an alert', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(base);
  await page.getByLabel('Password').waitFor();
  await page.screenshot({ path: join(shots, '1-login.png') });
  await logIn(page, base);
  const card = page.locator('[data-device="wpm1"]');
  await card.waitFor();
  await page.locator('#conn.live').waitFor();
  assert.equal(await card.locator('.state').textContent(), 'online');

  const published = readingEvent(
    {
      site: 'home',
      device: 'wpm1',
      model: 'stiebel-wpm',
      metrics: { elec_power: 4321, heat_power: 13000, flow_temp: 44.5 },
    },
    { source: 'browser-test' },
  );
  // Core publish: live push subscribes to the subject, so no stream is needed here.
  nats.nc.publish(subjects.reading('home', 'wpm1'), JSON.stringify(published));
  await card.locator('[data-metric="elec_power"]', { hasText: '4.3 kW' }).waitFor({ timeout: 2_000 });
  await page.screenshot({ path: join(shots, '2-overview-live.png'), fullPage: true });

  await card.click();
  await page.locator('.card.metric[data-metric="flow_temp"]').waitFor();
  // Filled from the last day's history once it has arrived (the cards show before it).
  await page
    .locator('[data-state="compressor_on"] .since', { hasText: /^changed \d+ (s|min|h) ago$/ })
    .waitFor({ timeout: 30_000 });
  await page.locator('.chart canvas').first().waitFor();
  await page.locator('.u-title', { hasText: 'Power · 24h' }).waitFor();
  await page.locator('button[data-range="7d"]').click();
  await page.locator('.u-title', { hasText: 'Power · 7d' }).waitFor();
  assert.equal(await page.locator('button[data-range="7d"]').getAttribute('aria-pressed'), 'true');
  await page.screenshot({ path: join(shots, '3-device-7d.png'), fullPage: true });

  const acknowledged = nats.nc.subscribe(subjects.alert('home', 'wpm1'), { max: 1 });
  const alert = page.locator('[data-alert="hp-1"]');
  await alert.getByRole('button', { name: 'Acknowledge' }).click();
  await alert.locator('.alert-state', { hasText: 'acknowledged' }).waitFor();
  assert.equal(await alert.getByRole('button').count(), 0, 'no second acknowledgement');
  for await (const msg of acknowledged) {
    const event = events.decode(msg.data) as EventOf<'heatstream.alert.v1'>;
    assert.deepEqual(
      [event.data.alertId, event.data.state, event.data.acknowledgedBy],
      ['hp-1', 'acknowledged', 'installer'],
    );
  }
  await page.screenshot({ path: join(shots, '4-alert-acknowledged.png'), fullPage: true });
  await page.close();
});

test('each site shows heat output, electrical input and COP now from the live COP, also on a page opened later', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, base);
  const site = page.locator('[data-site-cop="home"]');
  await page.locator('#conn.live').waitFor();
  const running = copLiveEvent({
    site: 'home',
    device: 'wpm1',
    heatW: 7980,
    elecW: 2500,
    cop: 3.192,
    window: {
      start: new Date(Date.now() - 1_800_000).toISOString(),
      end: new Date().toISOString(),
      runningSeconds: 1800,
      heatKwh: 3.99,
      elecKwh: 1.25,
      cop: 3.192,
    },
  });
  nats.nc.publish(subjects.copLive('home', 'wpm1'), JSON.stringify(running));
  await site.locator('[data-cop="now"]', { hasText: '3.2' }).waitFor({ timeout: 30_000 });
  const shown = async (): Promise<string[]> =>
    Promise.all(
      ['heat', 'elec', 'now', 'window'].map(
        async (k) => (await site.locator(`[data-cop="${k}"]`).textContent()) ?? '',
      ),
    );
  assert.deepEqual(await shown(), ['8.0 kW', '2.5 kW', '3.2', '3.2']);
  assert.equal(await site.locator('dt').nth(3).textContent(), 'COP 30 min');
  await page.screenshot({ path: join(shots, '8-overview-cop-now.png'), fullPage: true });

  // A page opened now gets the figure on joining, without waiting for the next one.
  const later = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(later, base);
  await later
    .locator('[data-site-cop="home"] [data-cop="now"]', { hasText: '3.2' })
    .waitFor({ timeout: 30_000 });
  await later.close();

  const off = copLiveEvent(
    {
      site: 'home',
      device: 'wpm1',
      heatW: 0,
      elecW: 12,
      cop: null,
      reason: 'below-starting-power',
      window: {
        start: new Date(Date.now() - 1_800_000).toISOString(),
        end: new Date().toISOString(),
        runningSeconds: 0,
        heatKwh: 0,
        elecKwh: 0,
        cop: null,
      },
    },
    { time: Date.now() + 1_000 },
  );
  nats.nc.publish(subjects.copLive('home', 'wpm1'), JSON.stringify(off));
  await site.locator('[data-cop="now"]', { hasText: 'compressor off' }).waitFor({ timeout: 30_000 });
  assert.deepEqual(await shown(), ['0 W', '12 W', '— compressor off', '— no running in 30 min']);
  const box = await site.boundingBox();
  const reason = await site.locator('[data-cop="window"] small').boundingBox();
  assert.ok(
    box && reason && reason.x + reason.width <= box.x + box.width,
    'the reason stays inside the card',
  );
  await page.screenshot({ path: join(shots, '9-overview-compressor-off.png'), fullPage: true });
  await page.close();
});

test('after a dropped connection the device page catches up from the history API', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, base);
  await page.locator('[data-device="wpm1"]').click();
  const flow = page.locator('.card.metric[data-metric="flow_temp"] .value');
  await flow.waitFor();
  await page.locator('#conn.live').waitFor();
  // The device page wires its reconnect catch-up once its history calls have answered (charts
  // drawn, alerts shown); a gateway stopped before that, as happened on a loaded machine, is the
  // case of a page still loading, which this test is not about (noted in the closing note).
  await page.locator('.charts .uplot').first().waitFor();
  await page.locator('.device-alerts > *').first().waitFor();
  // The gateway goes away; a reading is stored meanwhile; the gateway comes back on its port.
  const port = new URL(base).port;
  await svc.stop();
  await page.locator('#conn.offline').waitFor();
  await seed(questdb.conn, [
    readingEvent({ site: 'home', device: 'wpm1', model: 'stiebel-wpm', metrics: { flow_temp: 47.3 } }),
  ]);
  ({ svc } = await startGateway(nats, questdb.conn, {
    HS_API__PORT: port,
    HS_API__PUBLIC_DIR: dist,
  }));
  await page.locator('#conn.live').waitFor({ timeout: 30_000 });
  // The cards catch up with a QuestDB query once the socket is back: generous for a loaded machine.
  await flow.filter({ hasText: '47.3 °C' }).waitFor({ timeout: 60_000 });
  await page.screenshot({ path: join(shots, '6-caught-up-after-reconnect.png'), fullPage: true });
  await page.close();
});

test('works on a phone-sized screen', async () => {
  const page = await browser.newPage({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
  });
  await logIn(page, base);
  await page.locator('[data-device="wpm1"]').waitFor();
  const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
  assert.ok(width <= 390, `no horizontal scrolling (content ${width}px wide)`);
  await page.screenshot({ path: join(shots, '5-phone-overview.png'), fullPage: true });
  await page.close();
});

test('the alerts page: active alerts to acknowledge, and the last 30 days', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, base);
  await page.locator('[data-device="wpm1"]').waitFor();
  await page.getByRole('link', { name: 'Alerts' }).click();
  await page.locator('table.alert-history').waitFor();
  const history = page.locator('table.alert-history');
  assert.equal(await history.locator('[data-alert="hp-0"] .alert-state').textContent(), 'resolved');
  assert.equal(await history.locator('[data-alert="hp-1"]').count(), 1);
  const active = page.locator('.active-alerts');
  assert.equal(await active.locator('[data-alert="hp-0"]').count(), 0, 'a resolved alert is not active');
  const item = active.locator('[data-alert="hp-1"]');
  await item.getByRole('button', { name: 'Acknowledge' }).click();
  await item.locator('.alert-state', { hasText: 'acknowledged' }).waitFor();
  await page.screenshot({ path: join(shots, '7-alerts-page.png'), fullPage: true });
  await page.close();
});

test('a device that first reports after the overview opened appears on it, with its site', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, base);
  await page.locator('[data-device="wpm1"]').waitFor();
  assert.equal(await page.locator('[data-device="late-meter"]').count(), 0);
  await seed(questdb.conn, [
    readingEvent({
      site: 'annex',
      device: 'late-meter',
      model: 'wago-879-30xx',
      metrics: { elec_power: 640 },
    }),
  ]);
  await page.locator('[data-site="annex"] [data-device="late-meter"]').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('[data-device="wpm1"]').count(), 1, 'drawn anew, not twice');
  await page.close();
});

test('a catch-up that meets a history outage is retried until the history store is back', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, base);
  await page.locator('[data-device="wpm1"]').click();
  const flow = page.locator('.card.metric[data-metric="flow_temp"] .value');
  await flow.waitFor();
  await page.locator('#conn.live').waitFor({ timeout: 30_000 });
  const port = new URL(base).port;
  await svc.stop();
  await page.locator('#conn.offline').waitFor();
  await seed(questdb.conn, [
    readingEvent({ site: 'home', device: 'wpm1', model: 'stiebel-wpm', metrics: { flow_temp: 51.6 } }),
  ]);
  // The gateway comes back while QuestDB is down: the page's first catch-up gets a 503.
  await questdb.server.kill();
  const refused = page.waitForResponse(
    (r) => r.url().includes('/api/devices/wpm1/readings/latest') && r.status() === 503,
    { timeout: 60_000 },
  );
  ({ svc } = await startGateway(nats, questdb.conn, {
    HS_API__PORT: port,
    HS_API__PUBLIC_DIR: dist,
  }));
  await page.locator('#conn.live').waitFor({ timeout: 30_000 });
  await refused;
  await questdb.server.restart();
  // Retried with a delay doubling up to 10 s; the 90 s bound is for a loaded machine's QuestDB restart.
  await flow.filter({ hasText: '51.6 °C' }).waitFor({ timeout: 90_000 });
  await page.close();
});

// Last: it leaves more than three sites, so the start page is the fleet from here on.
test('the start page turns into the fleet when sites that report after it opened make more than three', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await logIn(page, base);
  await page.locator('[data-device="wpm1"]').waitFor();
  assert.equal(await page.locator('table.fleet').count(), 0, 'two sites: the overview');
  await seed(
    questdb.conn,
    ['barn', 'mill'].map((site) =>
      readingEvent({ site, device: `${site}-meter`, model: 'wago-879-30xx', metrics: { elec_power: 410 } }),
    ),
  );
  for (const site of ['home', 'annex', 'barn', 'mill'])
    await page.locator(`table.fleet tr[data-site="${site}"]`).waitFor({ timeout: 60_000 });
  await page.close();
});
