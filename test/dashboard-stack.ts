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

export async function logIn(page: Page, base: string): Promise<void> {
  await page.goto(base);
  await page.getByLabel('User').fill('installer');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Log in' }).click();
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
