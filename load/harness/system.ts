// The system under load: `./heatstream start` with its simulators on a temporary data folder and
// free loopback ports (as test/system.test.ts starts it), with N load devices put into the cellular
// inventory before the start, so Mosquitto's password and ACL files and acq-cellular know them.
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectClient, loadServiceConfig } from '@heatstream/runtime';
import { sql, type QuestDbConnection } from '@heatstream/questdb';
import { freePort, repoRoot, spawnServer, tempDir, waitUntil, type ServerProcess } from '@heatstream/testkit';
import { mosquittoHash, type InventoryDevice } from '../../services/acq-cellular/src/inventory.ts';
import { UserStore } from '../../services/gateway/src/users.ts';
import { START_COMMAND_PORT_COUNT, startCommandPorts } from '../../test/processes.ts';

export const LOAD_SITE = 'load';

export interface LoadDevice {
  id: string;
  secret: string;
}

/**
 * `count` devices of site `load` with their secrets. Written as one file rather than by `acq-cellular
 * add-device` once per device, which reads and rewrites the whole inventory each time (quadratic
 * for 10,000); the entries are what add-device writes (same hashes, from its own module).
 */
export async function writeInventory(file: string, count: number): Promise<LoadDevice[]> {
  const devices: LoadDevice[] = [];
  const entries: InventoryDevice[] = [];
  const added = new Date().toISOString();
  for (let i = 0; i < count; i++) {
    const id = `load-${String(i).padStart(5, '0')}`;
    const secret = randomBytes(32).toString('base64url');
    devices.push({ id, secret });
    entries.push({
      id,
      site: LOAD_SITE,
      intervalS: 300,
      tokenSha256: createHash('sha256').update(secret).digest('hex'),
      mqttHash: mosquittoHash(secret),
      added,
    });
  }
  await writeFile(file, `${JSON.stringify({ devices: entries }, null, 2)}\n`, { mode: 0o600 });
  return devices;
}

export interface RunningSystem {
  data: string;
  ports: Record<string, number>;
  gateway: string;
  cellularHttp: string;
  mqtt: string;
  dashboardPassword: string;
  questdb: QuestDbConnection;
  devices: LoadDevice[];
  process: ServerProcess;
  /** The start's process group: every process it started is in it. */
  group: number;
  /** API tokens for `users` viewer users (the gateway's own user store, as `heatstream admin` uses it). */
  tokens(users: number): Promise<string[]>;
  /** Rows of the load devices in QuestDB's readings table. */
  storedReadings(): Promise<number>;
  stop(): Promise<void>;
}

async function secretsOf(data: string): Promise<Record<string, string>> {
  const text = await readFile(join(data, 'secrets.env'), 'utf8');
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

/** The service pids of a start, from /proc: the node process running services/<name>/src/main.ts. */
async function findPids(group: number): Promise<Record<string, number | undefined>> {
  const { processes } = await import('../../test/processes.ts');
  const out: Record<string, number | undefined> = {};
  for (const p of processes()) {
    if (p.group !== group) continue;
    const service = /services\/([a-z-]+)\/src\/main\.ts/.exec(p.cmdline)?.[1];
    if (service && p.cmdline.startsWith('node')) out[service] = p.pid;
    else if (p.cmdline.includes('io.questdb')) out.questdb = p.pid;
    else if (/^\S*nats-server/.test(p.cmdline)) out.nats = p.pid;
    else if (/^\S*mosquitto/.test(p.cmdline)) out.mosquitto = p.pid;
  }
  return out;
}

export async function startSystem(deviceCount: number, log: (line: string) => void): Promise<RunningSystem> {
  const data = await tempDir('load');
  await mkdir(join(data, 'cellular'), { recursive: true, mode: 0o700 });
  const devices = await writeInventory(join(data, 'cellular/inventory.json'), deviceCount);
  const free = await Promise.all(Array.from({ length: START_COMMAND_PORT_COUNT }, () => freePort()));
  const env = { HS_DATA: data, ...startCommandPorts(free) };
  const ports = {
    nats: free[0] ?? 0,
    questdb: free[1] ?? 0,
    mqtt: free[3] ?? 0,
    gateway: free[4] ?? 0,
    cellularHttp: free[10] ?? 0,
  };
  log(`starting ./heatstream start on ${data} with ${deviceCount} load devices`);
  // setsid: the start leads its own process group, so its processes can be told from the neighbours'.
  const system = spawnServer('setsid', [join(repoRoot, 'heatstream'), 'start'], env);
  let banner: RegExpExecArray | null = null;
  await waitUntil(
    'the start banner',
    () => Promise.resolve((banner = /log in as admin, password: (\S+)/.exec(system.output())) !== null),
    system,
    300_000,
  );
  const dashboardPassword = (banner as unknown as [string, string])[1];
  const secrets = await secretsOf(data);
  const questdb: QuestDbConnection = {
    url: `http://127.0.0.1:${ports.questdb}`,
    user: 'heatstream',
    password: secrets.QUESTDB_PASSWORD,
  };
  const group = system.child.pid ?? 0;
  // The operator's NATS user, as `./heatstream admin` connects.
  const natsConfig = loadServiceConfig(
    {},
    {
      env: {
        HS_NATS__URL: `nats://127.0.0.1:${ports.nats}`,
        HS_NATS__USER: 'admin',
        HS_NATS__PASSWORD: secrets.NATS_PASSWORD_ADMIN ?? '',
      },
    },
  );
  return {
    data,
    ports,
    gateway: `http://127.0.0.1:${ports.gateway}`,
    cellularHttp: `http://127.0.0.1:${ports.cellularHttp}`,
    mqtt: `mqtt://127.0.0.1:${ports.mqtt}`,
    dashboardPassword,
    questdb,
    devices,
    process: system,
    group,
    async tokens(users: number) {
      await using admin = await connectClient(natsConfig, 'admin');
      const store = await UserStore.open(admin);
      const out: string[] = [];
      for (let i = 0; i < users; i++) {
        const name = `load-user-${i}`;
        await store.createUser(name, randomBytes(18).toString('base64url'), 'viewer');
        out.push(await store.createToken(name, 'load'));
      }
      return out;
    },
    async storedReadings() {
      const rows = await sql(questdb, `select count() from readings where site = '${LOAD_SITE}'`);
      return Number(rows[0]?.[0] ?? 0);
    },
    async stop() {
      await system.stop(60_000);
    },
  };
}

/** The pids of the start's processes now (a supervisor may have restarted one). */
export const pidsNow = (system: RunningSystem): Promise<Record<string, number | undefined>> =>
  findPids(system.group);

/** Disk blocks (kB, allocated, not apparent sizes) of QuestDB's readings table and its row count. */
export async function readingsDisk(system: RunningSystem): Promise<{ kb: number; rows: number }> {
  const db = join(system.data, 'questdb/db');
  const kb = readdirSync(db)
    .filter((d) => /^readings(~\d+)?$/.test(d))
    .reduce(
      (sum, d) => sum + Number(execFileSync('du', ['-sk', join(db, d)], { encoding: 'utf8' }).split('\t')[0]),
      0,
    );
  const rows = Number((await sql(system.questdb, 'select count() from readings'))[0]?.[0] ?? 0);
  return { kb, rows };
}
