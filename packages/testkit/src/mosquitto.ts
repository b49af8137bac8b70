import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
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

/**
 * A broker of our own that allows only the users of `files` (a Mosquitto password file and ACL, as
 * acq-cellular's `brokerFiles` writes them for ./heatstream start), on a free loopback port.
 */
export async function startSecuredMosquitto(files: {
  passwd: string;
  acl: string;
}): Promise<MosquittoServer> {
  const dir = await tempDir('mosquitto-files');
  await writeFile(join(dir, 'passwd'), files.passwd, { mode: 0o600 });
  await writeFile(join(dir, 'acl'), files.acl, { mode: 0o600 });
  return startMosquitto({
    own: true,
    // Stay the user running the test: as root, mosquitto would switch to one that cannot read the files.
    config: [
      `user ${userInfo().username}`,
      'allow_anonymous false',
      `password_file ${dir}/passwd`,
      `acl_file ${dir}/acl`,
    ].join('\n'),
  });
}
