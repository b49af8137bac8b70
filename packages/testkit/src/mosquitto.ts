import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  findTool,
  portOpen,
  freePort,
  removeDir,
  spawnServer,
  tempDir,
  waitUntil,
  type ServerProcess,
} from './process.ts';

export interface MosquittoServer {
  readonly url: string;
  readonly owned: boolean;
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface MosquittoOptions {
  /** Extra mosquitto.conf lines (password_file, acl_file); without them the broker is anonymous, loopback only. */
  config?: string;
  own?: boolean;
}

/** A real Mosquitto broker on a free loopback port, or the one in MQTT_URL. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoServer> {
  const external = process.env.MQTT_URL;
  if (external && !options.own) {
    const refuse = (): Promise<void> => Promise.reject(new Error('MQTT_URL broker is not owned by the test'));
    return { url: external, owned: false, kill: refuse, restart: refuse, stop: () => Promise.resolve() };
  }
  const binary = findTool(
    'HS_MOSQUITTO',
    ['/usr/sbin/mosquitto', 'mosquitto'],
    "install Debian's mosquitto (`bash scripts/provision.sh` does it as root)",
  );
  const dir = await tempDir('mosquitto');
  const port = await freePort();
  const configFile = join(dir, 'mosquitto.conf');
  await writeFile(
    configFile,
    [
      `listener ${port} 127.0.0.1`,
      `persistence true`,
      `persistence_location ${dir}/`,
      options.config ?? 'allow_anonymous true',
      '',
    ].join('\n'),
  );
  let server: ServerProcess | undefined;
  const start = async (): Promise<void> => {
    server = spawnServer(binary, ['-c', configFile]);
    await waitUntil('mosquitto', () => portOpen(port), server, 30_000);
  };
  await start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    owned: true,
    kill: async () => server?.kill(),
    restart: start,
    stop: async () => {
      await server?.stop();
      await removeDir(dir);
    },
  };
}
