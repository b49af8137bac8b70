// What the dashboard's browser tests share: the build, the first user, the log-in, the teardown.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { build } from 'vite';
import { repoRoot, type NatsFixture, type QuestDbFixture, type ServiceFixture } from '@heatstream/testkit';
import { UserStore } from '../services/gateway/src/users.ts';

export const shots = join(repoRoot, 'test-results/screenshots');
export const dashboardDir = join(repoRoot, 'services/dashboard');
export const PASSWORD = 'a long enough password';

/**
 * Builds the dashboard into a folder of its own (browser test files run in parallel; a shared
 * dist/ would be rewritten under another file's gateway) and makes the screenshot folder.
 */
export async function buildDashboard(): Promise<string> {
  await mkdir(shots, { recursive: true });
  const outDir = await mkdtemp(join(tmpdir(), 'hs-dashboard-'));
  await build({ configFile: join(dashboardDir, 'vite.config.ts'), build: { outDir }, logLevel: 'warn' });
  return outDir;
}

/** The admin user `installer` the tests log in as. */
export async function addInstaller(nats: NatsFixture): Promise<void> {
  await using admin = await nats.serviceClient('admin');
  await (await UserStore.open(admin)).createUser('installer', PASSWORD, 'admin');
}

/**
 * Logs in as `installer` the way a person would: when the gateway's login limit (5 at once, then
 * 10 a minute per address) says to wait, it waits as long as the page says and tries again. A file
 * that opens more than five pages in a few seconds meets the limit on a fast machine and not on a
 * slow one; without the retry its last log-in failed by timing alone.
 */
export async function logIn(page: Page, base: string, user = 'installer'): Promise<void> {
  await page.goto(base);
  for (let attempt = 1; ; attempt++) {
    await page.getByLabel('User').fill(user);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.evaluate("document.querySelector('.login .error')?.replaceChildren()");
    await page.getByRole('button', { name: 'Log in' }).click();
    const outcome = await Promise.race([
      page
        .locator('#who', { hasText: user })
        .waitFor()
        .then(() => ''),
      page
        .locator('.login .error:not(:empty)')
        .waitFor()
        .then(async () => (await page.locator('.login .error').textContent()) ?? ''),
    ]);
    if (!outcome) return;
    const wait = /^Too many login attempts\. Try again in (\d+) s\.$/.exec(outcome);
    if (!wait || attempt === 3) throw new Error(`log-in as ${user} failed: ${outcome}`);
    await new Promise((resolve) => setTimeout(resolve, Number(wait[1]) * 1000 + 200));
  }
}

export async function closeStack(
  browser: Browser,
  svc: ServiceFixture,
  nats: NatsFixture,
  questdb: QuestDbFixture,
  dist: string,
): Promise<void> {
  await browser.close();
  await svc[Symbol.asyncDispose]();
  await Promise.all([nats[Symbol.asyncDispose](), questdb[Symbol.asyncDispose]()]);
  await rm(dist, { recursive: true, force: true });
}
