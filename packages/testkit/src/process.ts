// A child server process owned by a test: started, awaited until ready, stopped and cleaned up,
// also when the test that started it fails or the test process exits early.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { connect as netConnect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export class TestkitError extends Error {
  override name = 'TestkitError';
}

/** The repository root, found from this file, so tools in `.tools/` resolve without configuration. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Locates a provisioned tool: an explicit environment variable, then `.tools/`, then PATH. */
export function findTool(envName: string, candidates: readonly string[], hint: string): string {
  const fromEnv = process.env[envName];
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const candidate of candidates) if (existsSync(candidate)) return candidate;
  for (const dir of (process.env.PATH ?? '').split(':')) {
    for (const candidate of candidates) {
      const path = join(dir, candidate.split('/').pop() ?? candidate);
      if (existsSync(path)) return path;
    }
  }
  throw new TestkitError(`${candidates[0] ?? envName} not found: ${hint}`);
}

export function newestFile(dir: string, pattern: RegExp): string | undefined {
  if (!existsSync(dir)) return undefined;
  const names = readdirSync(dir)
    .filter((n) => pattern.test(n))
    .sort();
  const last = names.at(-1);
  return last === undefined ? undefined : join(dir, last);
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolvePort(port);
      });
    });
  });
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();
// Last resort when a test process ends without its after() hooks having run.
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

export async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `heatstream-${prefix}-`));
  dirs.add(dir);
  return dir;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  /** Everything the process wrote, for error messages. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

export function spawnServer(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): ServerProcess {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  const exited = new Promise<void>((done) => {
    child.once('exit', () => {
      live.delete(child);
      done();
    });
  });
  const gone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const stop = async (graceMs = 10_000): Promise<void> => {
    if (gone()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    child,
    output: () => output,
    stop,
    kill: async () => {
      if (gone()) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls `probe` until it resolves true, failing with the server's output after `timeoutMs`. */
export async function waitUntil(
  what: string,
  probe: () => Promise<boolean>,
  server: ServerProcess | undefined,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server && (server.child.exitCode !== null || server.child.signalCode !== null)) {
      throw new TestkitError(`${what} exited before it was ready:\n${server.output()}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new TestkitError(`${what} not ready after ${timeoutMs} ms:\n${server?.output() ?? ''}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

export async function portOpen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = netConnect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}

/** A server a test started (or was given): what a test may do with it. */
export interface TestServer {
  /** False when the address came from the environment: the server is not ours to stop or restart. */
  readonly owned: boolean;
  /** Stops the server keeping its data, as after a crash or an outage. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data. */
  restart(): Promise<void>;
  /** Stops it and removes its data. */
  stop(): Promise<void>;
  /** What the running process wrote to stdout and stderr, its last 20 kB ('' when not owned). */
  output(): string;
  /** The running process's id, for benchmarks that account its CPU and memory (undefined when not owned). */
  pid(): number | undefined;
}

/** The lifecycle of a server named by `envName`: kill and restart refused, stop does nothing. */
export function notOwned(envName: string): TestServer {
  const refuse = (): Promise<void> =>
    Promise.reject(new TestkitError(`${envName} server is not owned by the test`));
  return {
    owned: false,
    kill: refuse,
    restart: refuse,
    stop: () => Promise.resolve(),
    output: () => '',
    pid: () => undefined,
  };
}

/**
 * The lifecycle of a server the test spawns with its data in `dir`: `ready` waits until it
 * serves; restart spawns it again on the same ports and data; stop removes `dir` as well.
 */
export async function ownedServer(
  dir: string,
  spawn: () => ServerProcess,
  ready: (server: ServerProcess) => Promise<void>,
  stopGraceMs?: number,
): Promise<TestServer> {
  let server: ServerProcess | undefined;
  const start = async (): Promise<void> => {
    server = spawn();
    await ready(server);
  };
  await start();
  return {
    owned: true,
    kill: async () => server?.kill(),
    restart: start,
    stop: async () => {
      await server?.stop(stopGraceMs);
      await removeDir(dir);
    },
    output: () => server?.output() ?? '',
    pid: () => server?.child.pid,
  };
}
