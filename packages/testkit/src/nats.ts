import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  findTool,
  portOpen,
  freePort,
  removeDir,
  repoRoot,
  spawnServer,
  tempDir,
  waitUntil,
  type ServerProcess,
} from './process.ts';

export interface NatsServer {
  readonly url: string;
  /** False when the address came from NATS_URL: the server is not ours to stop or restart. */
  readonly owned: boolean;
  /** Stops the server keeping its JetStream store, as after a crash or an outage. */
  kill(): Promise<void>;
  /** Starts it again on the same port and store. */
  restart(): Promise<void>;
  /** Stops it and removes its store. */
  stop(): Promise<void>;
}

export interface NatsOptions {
  /** Extra nats-server configuration text (accounts, users), appended to the generated file. */
  config?: string;
  /** Use this server even when NATS_URL is set (tests that restart or kill the server). */
  own?: boolean;
}

function natsServerBinary(): string {
  return findTool(
    'HS_NATS_SERVER',
    [join(repoRoot, '.tools/bin/nats-server'), 'nats-server'],
    'run `bash scripts/provision.sh` (it builds the pinned nats-server with go install)',
  );
}

/** A real nats-server with JetStream on a free loopback port and a temporary store. */
export async function startNats(options: NatsOptions = {}): Promise<NatsServer> {
  const external = process.env.NATS_URL;
  if (external && !options.own) {
    const refuse = (): Promise<void> => Promise.reject(new Error('NATS_URL server is not owned by the test'));
    return { url: external, owned: false, kill: refuse, restart: refuse, stop: () => Promise.resolve() };
  }
  const binary = natsServerBinary();
  const dir = await tempDir('nats');
  const port = await freePort();
  const configFile = join(dir, 'nats.conf');
  await writeFile(
    configFile,
    [
      `listen: "127.0.0.1:${port}"`,
      `jetstream { store_dir: "${join(dir, 'store')}" }`,
      options.config ?? '',
    ].join('\n'),
  );
  let server: ServerProcess | undefined;
  const start = async (): Promise<void> => {
    server = spawnServer(binary, ['-c', configFile]);
    const current = server;
    await waitUntil('nats-server', () => portOpen(port), current, 30_000);
    // The port opens before JetStream has recovered its store; the log line says when it has.
    await waitUntil(
      'nats-server JetStream',
      () => Promise.resolve(current.output().includes('Server is ready')),
      current,
      30_000,
    );
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    owned: true,
    kill: async () => server?.kill(),
    restart: start,
    stop: async () => {
      await server?.stop();
      await removeDir(dir);
    },
  };
}
