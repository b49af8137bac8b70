import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { makeEvent, type EventOf } from '@heatstream/contracts';

export function reading(device: string, i: number, site = 'site1'): EventOf<'heatstream.reading.v1'> {
  return makeEvent('heatstream.reading.v1', {
    source: 'runtime-test',
    subject: device,
    time: new Date(Date.UTC(2026, 0, 15, 6, 0, i)),
    data: {
      site,
      device,
      model: 'test-model',
      metrics: { flow_temp: 30 + i / 10, outside_temp: -7.5, elec_power: 1200 + i },
    },
  });
}

export interface Record {
  phase: 'start' | 'done';
  id: string;
  seq: number;
  delivery: number;
  at: number;
  traceparent: string;
  traceId: string;
}

export function records(file: string): Record[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record);
}

export async function eventually<T>(
  what: string,
  probe: () => T | Promise<T>,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Child {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

const children = new Set<Child>();

/** Kills what a failed test left running, so the test process can end. */
export async function killChildren(): Promise<void> {
  for (const { child, exited } of children) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Runs a service's main file in its own Node process, as a deployment would. */
export function runChild(mainFile: string, env: NodeJS.ProcessEnv): Child {
  const child = spawn(process.execPath, [fileURLToPath(new URL(mainFile, import.meta.url))], {
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
  children.add(handle);
  void exited.then(() => children.delete(handle));
  return handle;
}
