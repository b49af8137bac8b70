// Backup and restore as an operator does it (README: "Backup and restore"): ./heatstream start on a
// fresh data folder, readings in QuestDB, a second dashboard user, an alert raised through the
// simulators' fault switch; `./heatstream backup`; stop; the data folder wiped whole, secrets
// included (the backup carries secrets.env); `./heatstream restore`; start again. The same
// readings come back (counts by device up to before the backup, QuestDB rebuilt from the
// streams), both users log in, and alerting still knows the alert it raised: it resolves that
// alert, by its id, once the meter answers again — an alerting that had lost its state would
// neither know nor resolve it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from '@heatstream/questdb';
import { freePort, repoRoot, spawnServer, tempDir, waitUntil, type ServerProcess } from '@heatstream/testkit';
import { START_COMMAND_PORT_COUNT, dataSecrets, startCommandPorts } from './processes.ts';

const run = promisify(execFile);
const heatstream = join(repoRoot, 'heatstream');
let data: string;
let backupDir: string;
let env: Record<string, string>;
let system: ServerProcess | undefined;

before(async () => {
  const ports = await Promise.all(Array.from({ length: START_COMMAND_PORT_COUNT }, () => freePort()));
  data = await tempDir('backup-data');
  backupDir = join(await tempDir('backup'), 'snapshot');
  env = { HS_ROOT: repoRoot, HS_DATA: data, ...startCommandPorts(ports) };
});

after(async () => {
  await system?.stop(60_000);
});

async function start(): Promise<string> {
  system = spawnServer('bash', [join(repoRoot, 'scripts/start.sh')], env);
  const current = system;
  let banner: RegExpExecArray | null = null;
  await waitUntil(
    'the start banner',
    () => Promise.resolve((banner = /log in as admin, password: (\S+)/.exec(current.output())) !== null),
    current,
    180_000,
  );
  return (banner as unknown as [string, string])[1];
}

const secrets = (): Record<string, string> => dataSecrets(data);

/** A ./heatstream command against this test's data folder; its exit code and output. */
async function heatstreamCommand(
  args: string[],
  more: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(heatstream, args, {
      env: { ...process.env, ...env, ...more },
      timeout: 120_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** Readings per device measured before `until`, of the devices polled over loopback. */
async function countsBefore(until: Date): Promise<Record<string, number>> {
  const rows = (await sql(
    {
      url: `http://127.0.0.1:${env.HS_QUESTDB_HTTP_PORT}`,
      user: 'heatstream',
      password: secrets().QUESTDB_PASSWORD ?? '',
    },
    // The cellular devices (site remote) send late by design (a link that drops for minutes), so
    // what they measured before `until` may still arrive after the backup.
    `select device, count() from readings where ts < '${until.toISOString()}' and site != 'remote' order by device`,
  )) as [string, number][];
  return Object.fromEntries(rows);
}

const gateway = (): string => `http://127.0.0.1:${env.HS_GATEWAY_PORT}`;

async function login(username: string, password: string): Promise<string> {
  const res = await fetch(`${gateway()}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(res.status, 200, `login of ${username}: ${await res.text()}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

async function alerts(cookie: string): Promise<{ alertId: string; state: string }[]> {
  const res = await fetch(`${gateway()}/api/alerts?hours=2`, { headers: { cookie } });
  if (res.status !== 200) return [];
  return (await res.json()) as { alertId: string; state: string }[];
}

test('backup, wipe, restore: the same readings, users and alert state; the admin logs in', async () => {
  const adminPassword = await start();
  // Readings in QuestDB from the devices polled over loopback.
  await waitUntil(
    'readings of the home meter and heat pump in QuestDB',
    async () => {
      const counts = await countsBefore(new Date(Date.now() + 60_000)).catch(() => ({}));
      return ['meter', 'wpm'].every((d) => ((counts as Record<string, number>)[d] ?? 0) > 0);
    },
    system,
    90_000,
  );
  const userPassword = 'a-long-enough-password-1';
  const created = await heatstreamCommand(['admin', 'create-user', 'alice', '--role', 'viewer'], {
    HS_NATS__URL: `nats://127.0.0.1:${env.HS_NATS_PORT}`,
    HS_NATS__USER: 'admin',
    HS_NATS__PASSWORD: secrets().NATS_PASSWORD_ADMIN ?? '',
    HS_NEW_PASSWORD: userPassword,
  });
  assert.equal(created.code, 0, created.output);

  // Unit 2 is the home meter (deploy/config/acq-modbus.yaml): it goes offline, alerting raises it.
  const faults = await fetch(`http://127.0.0.1:${env.HS_SIMULATOR_CONTROL_PORT}/faults`, {
    method: 'PUT',
    body: JSON.stringify([{ mode: 'exception', unitId: 2 }]),
  });
  assert.equal(faults.status, 200);
  const adminCookie = await login('admin', adminPassword);
  let raised: string | undefined;
  await waitUntil(
    'the home meter offline alert raised',
    async () => {
      raised = (await alerts(adminCookie)).find(
        (a) => a.alertId.startsWith('home-meter-device_offline-') && a.state === 'raised',
      )?.alertId;
      return raised !== undefined;
    },
    system,
    90_000,
  );

  const until = new Date(Date.now() - 10_000);
  const backup = await heatstreamCommand(['backup', backupDir]);
  assert.equal(backup.code, 0, backup.output);
  for (const stream of ['READINGS', 'ALERTS', 'KV_gateway_users', 'KV_alerting_state', 'KV_cop_state'])
    assert.match(backup.output, new RegExp(`\\[backup\\] ${stream}: \\d+ messages`));
  assert.equal(statSync(join(backupDir, 'secrets.env')).mode & 0o777, 0o600);
  assert.equal(statSync(backupDir).mode & 0o777, 0o700);
  // What QuestDB holds of before `until`, once two looks agree (ingest has caught up with it).
  let before: Record<string, number> = {};
  await waitUntil(
    'QuestDB to hold everything measured before the backup',
    async () => {
      const first = await countsBefore(until);
      await new Promise((r) => setTimeout(r, 1_000));
      before = await countsBefore(until);
      return JSON.stringify(first) === JSON.stringify(before);
    },
    system,
    30_000,
  );
  assert.ok((before.meter ?? 0) > 0 && (before.wpm ?? 0) > 0, JSON.stringify(before));

  await system?.stop(60_000);
  system = undefined;
  for (const entry of await readdir(data)) await rm(join(data, entry), { recursive: true, force: true });

  const restored = await heatstreamCommand(['restore', backupDir]);
  assert.equal(restored.code, 0, restored.output);
  assert.match(restored.output, /secrets\.env taken from the backup/);
  assert.match(restored.output, /\[restore\] READINGS: \d+ messages/);
  // A second restore onto what is now there is refused.
  const again = await heatstreamCommand(['restore', backupDir]);
  assert.notEqual(again.code, 0);
  assert.match(again.output, /already holds \d+ messages/);

  assert.equal(await start(), adminPassword, 'the restored secrets give the same first-user password');
  const refused = await heatstreamCommand(['restore', backupDir]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.output, /heatstream is running on/);

  let after: Record<string, number> = {};
  await waitUntil(
    'QuestDB rebuilt with the readings of before the backup',
    async () => {
      after = await countsBefore(until).catch(() => ({}));
      return JSON.stringify(after) === JSON.stringify(before);
    },
    system,
    90_000,
  ).catch((error: unknown) => {
    throw new Error(
      `${(error as Error).message}\nbefore ${JSON.stringify(before)}\nafter ${JSON.stringify(after)}`,
    );
  });

  const cookie = await login('admin', adminPassword);
  await login('alice', userPassword);
  // The simulators start without the fault: the meter answers, and alerting resolves the alert
  // it raised before the backup, known from its restored state.
  await waitUntil(
    `alert ${raised} resolved after the restore`,
    async () => (await alerts(cookie)).some((a) => a.alertId === raised && a.state === 'resolved'),
    system,
    90_000,
  );
});
