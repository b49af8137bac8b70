import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  findTool,
  notOwned,
  ownedServer,
  portOpen,
  freePort,
  spawnServer,
  tempDir,
  waitUntil,
  type TestServer,
} from './process.ts';

export interface MosquittoServer extends TestServer {
  readonly url: string;
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
    return { url: external, ...notOwned('MQTT_URL') };
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
  const lifecycle = await ownedServer(
    dir,
    () => spawnServer(binary, ['-c', configFile]),
    (server) => waitUntil('mosquitto', () => portOpen(port), server, 30_000),
  );
  return { url: `mqtt://127.0.0.1:${port}`, ...lifecycle };
}
