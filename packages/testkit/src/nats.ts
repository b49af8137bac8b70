import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  findTool,
  notOwned,
  ownedServer,
  portOpen,
  freePort,
  repoRoot,
  spawnServer,
  tempDir,
  waitUntil,
  type TestServer,
} from './process.ts';

/** `owned` is false when the address came from NATS_URL; kill keeps the JetStream store. */
export interface NatsServer extends TestServer {
  readonly url: string;
}

export interface NatsOptions {
  /** Extra nats-server configuration text (accounts, users), appended to the generated file. */
  config?: string;
  /** Use this server even when NATS_URL is set (tests that restart or kill the server). */
  own?: boolean;
}

/** The provisioned nats-server (HS_NATS_SERVER, .tools/, or PATH). */
export function natsServerBinary(): string {
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
    return { url: external, ...notOwned('NATS_URL') };
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
  const lifecycle = await ownedServer(
    dir,
    () => spawnServer(binary, ['-c', configFile]),
    async (server) => {
      await waitUntil('nats-server', () => portOpen(port), server, 30_000);
      // The port opens before JetStream has recovered its store; the log line says when it has.
      await waitUntil(
        'nats-server JetStream',
        () => Promise.resolve(server.output().includes('Server is ready')),
        server,
        30_000,
      );
    },
  );
  return { url: `nats://127.0.0.1:${port}`, ...lifecycle };
}
