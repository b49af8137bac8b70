// Test helpers shared by every package's tests: waiting for a condition, running a service's
// main file as its own process (as deployed), and Debian's Chromium for browser tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { TestkitError } from './process.ts';

/** Polls `probe` until it returns something truthy, and returns that. */
export async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  timeoutMs = 60_000,
): Promise<Exclude<NonNullable<T>, false | '' | 0>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as Exclude<NonNullable<T>, false | '' | 0>;
    if (Date.now() > deadline) throw new TestkitError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface NodeProcess {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  exited: Promise<number | null>;
}

const running = new Set<NodeProcess>();

/** Runs a TypeScript main file in its own Node process with only PATH and `env` as environment. */
export function runNode(
  main: string | URL,
  env: NodeJS.ProcessEnv = {},
  args: readonly string[] = [],
): NodeProcess {
  const file = main instanceof URL ? fileURLToPath(main) : main;
  const child = spawn(process.execPath, [file, ...args], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (c: Buffer): void => {
    output += c.toString();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', resolve);
  });
  const handle = { child, output: () => output, exited };
  running.add(handle);
  void exited.then(() => running.delete(handle));
  return handle;
}

/** Kills what a test left running (call it in an after hook), so the test process can end. */
export async function killNodeProcesses(): Promise<void> {
  for (const { child, exited } of running) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Debian's Chromium, headless, with the flags this machine's closed network needs. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = process.env.HS_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(executablePath))
    throw new TestkitError(`Chromium not found at ${executablePath}: run ./heatstream provision`);
  return chromium.launch({
    executablePath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}
