// Every secret heatstream needs, and which process may see which:
//   node deploy/secrets.ts              prints a fresh set as KEY=value lines
//   node deploy/secrets.ts --fill F     creates F (mode 600) or adds what it lacks, keeping the rest
//   node deploy/secrets.ts --split DIR  keeps every secret in DIR/all.env (made when missing, like
//                                       --fill) and writes DIR/<process>.env for each process with
//                                       only that process's variables (files mode 600, DIR 700):
//                                       compose's env_file, k8s' one Secret per service, and what
//                                       ./heatstream start sets for each process it starts.
//   --fill F --split DIR                the same, with the full set kept in F instead
import { randomBytes } from 'node:crypto';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { access, natsPasswordVar, provisionUser } from '@heatstream/contracts';
import { deployables } from './deployables.ts';

export const secretNames: readonly string[] = [
  ...[...Object.keys(access), provisionUser, 'admin'].map(natsPasswordVar),
  'QUESTDB_PASSWORD',
  'MQTT_PASSWORD',
  // Mosquitto users of contracts/src/broker.ts: the bridge, and Home Assistant's MQTT integration
  // (its password is for the operator to enter in Home Assistant; no heatstream process uses it).
  'HA_BRIDGE_MQTT_PASSWORD',
  'HOMEASSISTANT_MQTT_PASSWORD',
  // The first dashboard user, "admin", created by ./heatstream start and by compose's one-shot
  // first-user (k8s: ./heatstream admin create-user).
  'DASHBOARD_PASSWORD',
  // The Shelly devices' digest password (acq-shelly's devicePassword; the simulated Pro 3EM's). With
  // real Shellies, set it to theirs.
  'SHELLY_PASSWORD',
  // QuestDB's read-only PostgreSQL user, for Grafana's datasource (compose profile grafana): it can
  // query the tables but not change them. Only QuestDB and Grafana hold it.
  'QUESTDB_READONLY_PASSWORD',
  // Grafana's `admin` login (compose profile grafana); no default, no anonymous access.
  'GRAFANA_ADMIN_PASSWORD',
];

/**
 * 24 random bytes as base64url behind a letter: nats-server parses a `$VAR` in its config as a
 * value of its own, so a secret starting with `-` or a digit is read as a number ("12kb…" becomes
 * a size, "-s…" fails to parse) and the server refuses to start. A leading letter keeps it a string.
 */
export const newSecret = (): string => `s${randomBytes(24).toString('base64url')}`;

/** The servers, CLIs and one-shot steps beside the deployables that get secrets of their own. */
export const serverProcesses = [
  'nats',
  'questdb',
  'mosquitto',
  'operator',
  'replay',
  provisionUser,
  'first-user',
  'grafana',
] as const;

/**
 * What each process gets, as the variables it reads. Only the operator (`./heatstream admin`) holds
 * the NATS `admin` password; nats-server holds bcrypt hashes, never a password: the server only
 * compares, and a hash read from its environment or its Secret unlocks nothing.
 */
export function processSecrets(
  all: Readonly<Record<string, string>>,
  hash: (password: string) => string = (p) => bcrypt.hashSync(p, 10),
): Record<string, Record<string, string>> {
  const get = (name: string): string => {
    const value = all[name];
    if (value === undefined) throw new Error(`secret ${name} is missing`);
    return value;
  };
  const out: Record<string, Record<string, string>> = {};
  for (const d of deployables) {
    const env: Record<string, string> = { HS_NATS__PASSWORD: get(natsPasswordVar(d.name)) };
    for (const [name, value] of Object.entries(d.env))
      if (typeof value !== 'string') env[name] = get(value.secret);
    out[d.name] = env;
  }
  // Quoted: nats-server parses a variable's value as config, and an unquoted `$2b$…` as a reference.
  out.nats = Object.fromEntries(
    [...Object.keys(access), provisionUser, 'admin'].map((u) => [
      natsPasswordVar(u),
      `"${hash(get(natsPasswordVar(u)))}"`,
    ]),
  );
  out.questdb = {
    QDB_HTTP_PASSWORD: get('QUESTDB_PASSWORD'),
    QDB_PG_PASSWORD: get('QUESTDB_PASSWORD'),
    QDB_PG_READONLY_PASSWORD: get('QUESTDB_READONLY_PASSWORD'),
  };
  // Grafana reads QuestDB as the read-only user only (provisioning/datasources/questdb.yaml).
  out.grafana = {
    QUESTDB_READONLY_PASSWORD: get('QUESTDB_READONLY_PASSWORD'),
    GF_SECURITY_ADMIN_PASSWORD: get('GRAFANA_ADMIN_PASSWORD'),
  };
  out.mosquitto = {
    MQTT_PASSWORD: get('MQTT_PASSWORD'),
    HA_BRIDGE_MQTT_PASSWORD: get('HA_BRIDGE_MQTT_PASSWORD'),
    HOMEASSISTANT_MQTT_PASSWORD: get('HOMEASSISTANT_MQTT_PASSWORD'),
  };
  out.operator = { HS_NATS__PASSWORD: get(natsPasswordVar('admin')) };
  // The provisioning step creates and converges streams, consumers and buckets: its own password only.
  out[provisionUser] = { HS_NATS__PASSWORD: get(natsPasswordVar(provisionUser)) };
  // compose's one-shot that makes the dashboard's first user `admin` (when there is no user yet):
  // it writes the gateway's user store, so it connects as the gateway's NATS user.
  out['first-user'] = {
    HS_NATS__PASSWORD: get(natsPasswordVar('gateway')),
    HS_NEW_PASSWORD: get('DASHBOARD_PASSWORD'),
  };
  out.replay = {
    HS_NATS__PASSWORD: get(natsPasswordVar('replay')),
    HS_QUESTDB__PASSWORD: get('QUESTDB_PASSWORD'),
  };
  return out;
}

const line = (name: string): string => `${name}=${newSecret()}\n`;

/** Creates `file` (mode 600) or adds the secrets it lacks; answers the full set. */
function fill(file: string): Record<string, string> {
  if (!existsSync(file)) writeFileSync(file, '', { mode: 0o600 });
  const present = new Set(
    readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.split('=')[0]),
  );
  const missing = secretNames.filter((n) => !present.has(n));
  if (missing.length > 0) {
    appendFileSync(file, missing.map(line).join(''));
    process.stderr.write(`[secrets] generated ${missing.join(', ')} in ${file}\n`);
  }
  return Object.fromEntries(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

function split(dir: string, all: Record<string, string>): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const [name, env] of Object.entries(processSecrets(all))) {
    const file = join(dir, `${name}.env`);
    const text = Object.entries(env)
      .map(([k, v]) => `${k}=${v}\n`)
      .join('');
    writeFileSync(file, text, { mode: 0o600 });
    chmodSync(file, 0o600); // writeFileSync's mode applies only to a new file
  }
}

if (import.meta.main) {
  const arg = (flag: string): string | undefined => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const file = arg('--fill');
  const dir = arg('--split');
  if (!file && !dir) {
    for (const name of secretNames) process.stdout.write(line(name));
  } else {
    if (dir) mkdirSync(dir, { recursive: true, mode: 0o700 });
    const all = fill(file ?? join(dir ?? '.', 'all.env'));
    if (dir) split(dir, all);
  }
}
