// The dashboard in a real Chromium under the gateway's CSP, against a real gateway, NATS and a
// QuestDB of its own that the test stops and starts: during a history outage the page keeps live
// values and says history is unavailable and retried; when QuestDB is back it loads history by
// itself, without a reload. Also: no source maps, no connection badge before login, logout, and a
// login page that says when the rate limit is hit and when to retry. Screenshots go to
// test-results/screenshots/.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { subjects } from '@heatstream/contracts';
import {
  eventually,
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
  [nats, questdb] = await Promise.all([natsFixture({ own: true }), questDbFixture({ own: true })]);
  const now = Date.now();
  await seed(questdb.conn, [
    ...Array.from({ length: 90 }, (_, i) =>
      readingEvent(
        {
          site: 'home',
          device: 'wpm1',
          model: 'stiebel-wpm',
          metrics: { flow_temp: 32 + (i % 6), outside_temp: -3.5, elec_power: 900 + i, heat_power: 3100 },
        },
        { time: now - (90 - i) * 60_000 },
      ),
    ),
    statusEvent({ site: 'home', device: 'wpm1', state: 'online' }, { time: now - 7_200_000 }),
  ]);
  ({ svc, base } = await startGateway(nats, questdb.conn, { HS_API__PUBLIC_DIR: dist }));
  await addInstaller(nats);
  browser = await launchChromium();
});

after(() => closeStack(browser, svc, nats, questdb, dist));

/** A page that records every Content-Security-Policy violation it meets. */
async function newPage(): Promise<{ page: Page; violations: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  // Injected by the browser's debugging protocol, which the page's CSP does not govern.
  await page.exposeFunction('reportViolation', (v: string) => violations.push(v));
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) =>
      window.reportViolation(e.violatedDirective + ' ' + e.blockedURI));`,
  });
  return { page, violations };
}

const publish = (flowTemp: number): void => {
  const event = readingEvent({
    site: 'home',
    device: 'wpm1',
    model: 'stiebel-wpm',
    metrics: { flow_temp: flowTemp, elec_power: 1234 },
  });
  nats.nc.publish(subjects.reading('home', 'wpm1'), JSON.stringify(event));
};

test('a history outage keeps live values, says so and recovers without a reload', async () => {
  const { page, violations } = await newPage();
  await page.goto(base);
  await page.getByLabel('Password').waitFor();
  assert.equal(await page.locator('#conn').isHidden(), true, 'no connection badge before login');
  assert.equal(await page.getByRole('button', { name: 'Log out' }).isHidden(), true);
  await logIn(page, base);
  await page.locator('[data-device="wpm1"]').click();
  await page.locator('.chart canvas').first().waitFor();
  await page.locator('#conn.live').waitFor();

  await questdb.server.kill();
  // What the issue saw: a page (re)loaded while the store is down.
  await page.reload();
  const notice = page.locator('.history-unavailable');
  await notice.waitFor({ timeout: 30_000 });
  assert.match(
    (await notice.textContent()) ?? '',
    /History is unavailable.*Live values keep updating; retrying/,
  );
  const flow = page.locator('.live-only [data-device="wpm1"] [data-metric="flow_temp"]');
  // Published until the reading arrives: the socket joins its room on its own time after the reload.
  const liveValue = (value: number, text: string): Promise<unknown> =>
    eventually(
      `${text} on the page during the outage`,
      async () => {
        publish(value);
        return (await flow.textContent({ timeout: 1_000 }).catch(() => '')) === text;
      },
      30_000,
    );
  await liveValue(44.5, '44.5 °C');
  await page.screenshot({ path: join(shots, 'resilience-1-history-unavailable.png'), fullPage: true });
  // The overview too: it joins the rooms of the sites it showed before the outage.
  await page.getByRole('link', { name: 'heatstream' }).click();
  await page.locator('h1', { hasText: 'Overview' }).waitFor();
  await notice.waitFor();
  await liveValue(45.5, '45.5 °C');
  await page.screenshot({ path: join(shots, 'resilience-1b-overview-unavailable.png'), fullPage: true });
  await page.goBack();
  await page.locator('h1', { hasText: 'wpm1' }).waitFor();
  await notice.waitFor();
  // A mark on this document: a reload would lose it.
  await page.evaluate('window.notReloaded = true');

  await questdb.server.restart();
  // The page retries every 5 s; QuestDB itself takes a while to start again.
  await page.locator('.chart canvas').first().waitFor({ timeout: 120_000 });
  await page.locator('.card.metric[data-metric="flow_temp"]').waitFor();
  assert.equal(await notice.count(), 0, 'the notice is gone');
  assert.equal(await page.evaluate('window.notReloaded'), true, 'the same page, not reloaded');
  await page.screenshot({ path: join(shots, 'resilience-2-history-back.png'), fullPage: true });
  assert.deepEqual(violations, [], 'nothing the CSP blocked');
  // The policy is enforced in the page, and the listener above would have seen a violation.
  await page.evaluate(
    "const s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; document.body.append(s)",
  );
  await eventually('the inline script reported', () => violations.some((v) => /^script-src/.test(v)), 10_000);
  assert.equal(await page.evaluate('window.inlineRan'), undefined, 'the inline script did not run');
  await page.close();
});

test('the served build has no source maps, and the gateway serves none', async () => {
  assert.deepEqual(
    (await readdir(join(dist, 'assets'))).filter((f) => f.endsWith('.map')),
    [],
  );
  const html = await (await fetch(base)).text();
  const scripts = [...html.matchAll(/<script[^>]*src="\.?\/?([^"]+)"/g)].map((m) => m[1]);
  assert.equal(scripts.length, 1, html);
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  assert.doesNotMatch(html, /<style|style=/, 'no inline style');
  const js = await (await fetch(`${base}/${scripts[0]}`)).text();
  assert.doesNotMatch(js, /sourceMappingURL/);
  assert.equal((await fetch(`${base}/${scripts[0]}.map`)).status, 404);
});

test('a session ended elsewhere, and logout, bring back the login page; it says when the rate limit lets it retry', async () => {
  const { page, violations } = await newPage();
  await logIn(page, base);
  await page.locator('[data-device="wpm1"]').waitFor();
  await page.locator('#conn.live').waitFor();
  // Logged out in another tab (or on another replica): the gateway ends the page's socket.
  const [first] = (await page.context().cookies()).filter((c) => c.name === 'hs_session');
  assert.ok(first);
  const out = await fetch(`${base}/api/logout`, {
    method: 'POST',
    headers: { cookie: `hs_session=${first.value}` },
  });
  assert.equal(out.status, 200);
  await page.getByLabel('Password').waitFor({ timeout: 10_000 });
  assert.equal(await page.locator('#conn').isHidden(), true, 'no badge once logged out');

  await logIn(page, base);
  await page.locator('[data-device="wpm1"]').waitFor();
  const session = (await page.context().cookies()).find((c) => c.name === 'hs_session');
  assert.ok(session);
  const cookie = `${session.name}=${session.value}`;
  assert.equal((await fetch(`${base}/api/me`, { headers: { cookie } })).status, 200);
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel('Password').waitFor();
  assert.equal(await page.locator('#conn').isHidden(), true);
  assert.equal((await fetch(`${base}/api/me`, { headers: { cookie } })).status, 401, 'the session is over');
  await page.reload();
  await page.getByLabel('Password').waitFor({ timeout: 10_000 });
  const error = page.locator('.login .error');
  let message = '';
  for (let i = 0; i < 12 && !message.startsWith('Too many'); i++) {
    await page.evaluate("document.querySelector('.login .error').textContent = ''");
    await page.getByLabel('User').fill('installer');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('.login .error:not(:empty)').waitFor();
    message = (await error.textContent()) ?? '';
    assert.match(message, /^(Wrong user name or password\.|Too many login attempts\. Try again in \d+ s\.)$/);
  }
  assert.match(message, /^Too many login attempts\. Try again in \d+ s\.$/);
  await page.screenshot({ path: join(shots, 'resilience-3-login-rate-limited.png'), fullPage: true });
  assert.deepEqual(violations, []);
  await page.close();
});
