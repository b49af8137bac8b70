// Lighthouse (desktop and mobile presets) and axe-core against the logged-in dashboard, in the
// project's Chromium: npm run bench:lighthouse [-- --pages overview,site,device,alerts] [--runs 3]
// With --runs N each page and preset is the run of median performance (its TBT swings with the
// machine's load: on a busy shared machine one run is not a measurement).
// A real nats-server, QuestDB and gateway (this process) with a day of one minute readings of a
// heat pump and its meter; the built dashboard. Prints each page's four Lighthouse scores beside
// the target and axe's violations; exits 1 when a score is below the target or axe finds any.
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import AxeBuilder from '@axe-core/playwright';
import lighthouse, { type Flags } from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { chromium } from 'playwright-core';
import { subjects } from '@heatstream/contracts';
import {
  copLiveEvent,
  freePort,
  natsFixture,
  questDbFixture,
  readingEvent,
  statusEvent,
} from '@heatstream/testkit';
import { seed, startGateway } from '../services/gateway/test/fixtures.ts';
import { PASSWORD, addInstaller, buildDashboard } from '../test/dashboard-stack.ts';

const TARGET = 98;
const CATEGORIES = ['performance', 'accessibility', 'best-practices', 'seo'] as const;
const PAGES: Readonly<Record<string, string>> = {
  overview: '#/',
  site: '#/site/home',
  device: '#/device/wpm',
  alerts: '#/alerts',
};
const { values } = parseArgs({
  options: {
    pages: { type: 'string', default: Object.keys(PAGES).join(',') },
    // Lighthouse's own advice for noisy machines: the median of several runs.
    runs: { type: 'string', default: '1' },
  },
});
const runs = Math.max(1, Number(values.runs));
const pages = values.pages.split(',').filter((p) => p in PAGES);

const dist = await buildDashboard();
await using nats = await natsFixture({ own: true });
await using questdb = await questDbFixture({ own: true });
const now = Date.now();
const minutes = 24 * 60;
await seed(questdb.conn, [
  ...Array.from({ length: minutes }, (_, i) => {
    const on = i % 50 < 35 ? 1 : 0;
    return readingEvent(
      {
        site: 'home',
        device: 'wpm',
        model: 'stiebel-wpm',
        metrics: {
          flow_temp: 30 + on * 5 + Math.sin(i / 90),
          return_temp: 27 + on * 1.5,
          outside_temp: 2 + 4 * Math.sin((i / minutes) * 2 * Math.PI),
          dhw_temp: 47,
          flow_rate: on * 14,
          compressor_on: on,
          defrost: 0,
          dhw_mode: 0,
        },
      },
      { time: now - (minutes - i) * 60_000 },
    );
  }),
  ...Array.from({ length: minutes }, (_, i) =>
    readingEvent(
      {
        site: 'home',
        device: 'meter',
        model: 'wago-879-30xx',
        metrics: { elec_power: i % 50 < 35 ? 1900 : 15, power_factor: 0.97, elec_energy: 1e6 + i * 25 },
      },
      { time: now - (minutes - i) * 60_000 + 500 },
    ),
  ),
  statusEvent({ site: 'home', device: 'wpm', state: 'online' }, { time: now - 2 * 86_400_000 }),
]);
await using gateway = await startGateway(nats, questdb.conn, { HS_API__PUBLIC_DIR: dist });
await addInstaller(nats);
const copLive = setInterval(() => {
  const event = copLiveEvent({ site: 'home', device: 'wpm', heatW: 6100, elecW: 1900, cop: 3.2 });
  nats.nc.publish(subjects.copLive('home', 'wpm'), JSON.stringify(event));
}, 5_000);

// One persistent profile: Lighthouse opens its tabs in it, so they carry the session cookie of
// the log-in done here (Lighthouse's storage reset is off for that reason).
const port = await freePort();
const profile = await mkdtemp(join(tmpdir(), 'hs-lighthouse-'));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.HS_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', `--remote-debugging-port=${port}`],
});
const failures: string[] = [];
try {
  const page = await context.newPage();
  await page.goto(gateway.base);
  await page.getByLabel('User').fill('installer');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.locator('[data-device="wpm"]').waitFor();

  const rows: string[] = [];
  for (const name of pages) {
    const url = `${gateway.base}/${PAGES[name] ?? ''}`;
    for (const preset of ['desktop', 'mobile'] as const) {
      const flags: Flags = {
        port,
        output: 'json',
        logLevel: 'error',
        disableStorageReset: true,
        onlyCategories: [...CATEGORIES],
      };
      const results: NonNullable<Awaited<ReturnType<typeof lighthouse>>>[] = [];
      for (let run = 0; run < runs; run++) {
        const result = await lighthouse(url, flags, preset === 'desktop' ? desktopConfig : undefined);
        if (!result) throw new Error(`Lighthouse gave no result for ${url}`);
        results.push(result);
      }
      // The run with the median performance score stands for the page.
      const perf = (r: (typeof results)[number]): number => r.lhr.categories.performance?.score ?? 0;
      const result = results.sort((a, b) => perf(a) - perf(b))[Math.floor(results.length / 2)];
      if (!result) throw new Error(`no Lighthouse run for ${url}`);
      const scores = CATEGORIES.map((c) => Math.round((result.lhr.categories[c]?.score ?? 0) * 100));
      scores.forEach((s, i) => {
        if (s < TARGET) failures.push(`${name} ${preset} ${CATEGORIES[i] ?? ''} ${s}`);
      });
      const shown = (id: string): string => result.lhr.audits[id]?.displayValue?.toString() ?? '?';
      const timings = `LCP ${shown('largest-contentful-paint')}  TBT ${shown('total-blocking-time')}  CLS ${shown('cumulative-layout-shift')}`;
      const failed = Object.values(result.lhr.audits)
        .filter((a) => a.score !== null && a.score < 0.9 && a.scoreDisplayMode !== 'informative')
        .map((a) => a.id);
      rows.push(
        `${name.padEnd(9)} ${preset.padEnd(8)} ${scores.map((s) => String(s).padStart(5)).join(' ')}   ${timings}${failed.length ? `   below 0.9: ${failed.join(', ')}` : ''}`,
      );
    }
    await page.goto(url);
    await page.locator('main h1').first().waitFor();
    await page.waitForLoadState('networkidle');
    const axe = await new AxeBuilder({ page }).analyze();
    for (const v of axe.violations)
      failures.push(
        `${name} axe ${v.id} (${v.impact ?? '?'}): ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`,
      );
    rows.push(
      `${name.padEnd(9)} axe      ${axe.violations.length} violations, ${axe.passes.length} rules passed`,
    );
  }
  process.stdout.write(
    `${runs} run(s) each, median by performance; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ' ',
      )} on ${availableParallelism()} cores\npage      preset   ${CATEGORIES.map((c) => c.slice(0, 5).padStart(5)).join(' ')}   (target ≥ ${TARGET} each, 0 axe violations)\n${rows.join('\n')}\n`,
  );
  if (failures.length) process.stdout.write(`\nbelow target:\n  ${failures.join('\n  ')}\n`);
} finally {
  clearInterval(copLive);
  await context.close();
  await rm(profile, { recursive: true, force: true });
  await rm(dist, { recursive: true, force: true });
}
process.exitCode = failures.length ? 1 : 0;
