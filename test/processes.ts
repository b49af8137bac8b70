// What the whole-system tests read about the processes of a running start: from /proc, as an
// attacker on the same machine with the same user would (Linux only, like the start command).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import assert from 'node:assert/strict';
import { waitUntil, type ServerProcess } from '@heatstream/testkit';
import { processSecrets } from '../deploy/secrets.ts';

export interface ProcessInfo {
  pid: number;
  /** Its process group: the start script leads the group of everything it starts. */
  group: number;
  cmdline: string;
  /** Its environment as it was started (`/proc/<pid>/environ`), one entry a line. */
  environ: string[];
}

/** Every process whose environment we may read. */
export function processes(): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so count from the last ')'.
      const group = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
      out.push({
        pid: Number(pid),
        group,
        cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim(),
        environ: readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0'),
      });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

/** The members of a process group still alive. */
export const groupMembers = (group: number): ProcessInfo[] => processes().filter((p) => p.group === group);

/**
 * What a process of the start command may hold, by the secrets' names, from its command line:
 * a service its own (deploy/secrets.ts), QuestDB its own; nats-server, Mosquitto and the start
 * script's shells none. Undefined for a process that is not one of the start command's.
 */
export function allowedSecrets(cmdline: string, secrets: Record<string, string>): string[] | undefined {
  const own = processSecrets(secrets, () => 'bcrypt-stand-in');
  const names = (process: string): string[] =>
    Object.entries(secrets)
      .filter(([, value]) => Object.values(own[process] ?? {}).includes(value))
      .map(([name]) => name)
      .sort();
  const service = /services\/([a-z-]+)\/src\/main\.ts/.exec(cmdline)?.[1];
  if (service) return names(service);
  // The one-shot provisioning step, should a scan catch it still running: its own password only.
  if (cmdline.includes('src/provision-cli.ts')) return names('provision');
  if (cmdline.includes('io.questdb')) return names('questdb');
  if (/nats-server|mosquitto|scripts\/start\.sh/.test(cmdline)) return [];
  // The firmware-in-the-loop devices: only their own MQTT passwords, made per start, none of secrets.env.
  if (/firmware\/sim\/run\.ts|firmware\/build\/heatpump-sim/.test(cmdline)) return [];
  return undefined;
}

/** The names of the secrets whose values are in the environment. */
export const secretsHeld = (environ: readonly string[], secrets: Record<string, string>): string[] =>
  Object.entries(secrets)
    .filter(([, value]) => environ.some((line) => line.includes(value)))
    .map(([name]) => name)
    .sort();

/** Whether something accepts TCP connections on the loopback port. */
export const tcpOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => {
      resolve(false);
    });
  });

/**
 * A base for the services' probe ports (they take the ports after it, one each) clear of the ports
 * a test chose for the servers: a probe once took the OTLP receiver's port and ingest could not start.
 */
function probeBaseClearOf(taken: readonly number[]): number {
  let base: number;
  do base = 30_000 + Math.floor(Math.random() * 20_000);
  while (taken.some((p) => p > base && p <= base + 20));
  return base;
}

/** The start command's ports, in order (test/system.test.ts and test/fault-alert.test.ts). */
const PORT_VARIABLES = [
  'HS_NATS_PORT',
  'HS_QUESTDB_HTTP_PORT',
  'HS_QUESTDB_PG_PORT',
  'HS_MQTT_PORT',
  'HS_GATEWAY_PORT',
  'HS_SIMULATOR_PORT',
  'HS_SIMULATOR_CONTROL_PORT',
  'HS_SHELLY_METER_PORT',
  'HS_SHELLY_GATEWAY_PORT',
  'HS_VIESSMANN_SIM_PORT',
  'HS_CELLULAR_HTTP_PORT',
] as const;

/** How many free ports `startCommandPorts` takes: one per port the start command opens. */
export const START_COMMAND_PORT_COUNT = PORT_VARIABLES.length;

/** Environment that starts `scripts/start.sh` on the given free ports, probes clear of `taken` too. */
export function startCommandPorts(
  ports: readonly number[],
  taken: readonly number[] = [],
): Record<string, string> {
  if (ports.length < PORT_VARIABLES.length) throw new Error(`need ${PORT_VARIABLES.length} ports`);
  return {
    ...Object.fromEntries(PORT_VARIABLES.map((name, i) => [name, String(ports[i])])),
    HS_PROBE_PORT_BASE: String(probeBaseClearOf([...ports, ...taken])),
  };
}

/** The secrets ./heatstream start generated into a data folder (`secrets.env`), by name. */
export const dataSecrets = (data: string): Record<string, string> =>
  Object.fromEntries(
    readFileSync(join(data, 'secrets.env'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

/** The probe port of each service of the start command, from its data folder's `probes`. */
export const dataProbes = (data: string): Map<string, number> =>
  new Map(
    readFileSync(join(data, 'probes'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(' ') as [string, string])
      .map(([name, port]) => [name, Number(port)]),
  );

/** The pid of the process whose environment holds `marker` (a line of its environment). */
export const pidWithEnv = (marker: string, command: string): number | undefined =>
  processes().find((p) => p.cmdline.includes(command) && p.environ.includes(marker))?.pid;

/**
 * Until the process has exited and its output is all read ('exit' may come before the last of it);
 * its descendants hold the same pipes, so this also waits for them. Fails after `timeoutMs`.
 */
export function closed(server: ServerProcess, timeoutMs: number): Promise<void> {
  if (server.child.stdout?.closed && server.child.stderr?.closed && server.child.exitCode !== null)
    return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`still running or its output open after ${timeoutMs} ms:\n${server.output()}`));
    }, timeoutMs);
    server.child.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** How often the start command's console said `line` so far (its output is kept to the last 20 kB). */
const saidTimes = (system: ServerProcess | undefined, line: RegExp): number =>
  system?.output().match(new RegExp(line.source, 'g'))?.length ?? 0;

/**
 * kill -9 of a server of the start command: the console says it died and was restarted, and it
 * answers on its port again within 15 s of the kill (the bound).
 */
export async function killServer(
  system: ServerProcess | undefined,
  name: string,
  command: string,
  port: number,
): Promise<number> {
  const pid = processes().find((p) => p.group === system?.child.pid && p.cmdline.includes(command))?.pid;
  assert.ok(pid, `${name} is running`);
  const died = new RegExp(`\\[start\\] ${name} was killed by signal KILL`);
  const restarted = new RegExp(`\\[start\\] ${name} restarted`);
  const [diedBefore, restartedBefore] = [saidTimes(system, died), saidTimes(system, restarted)];
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  await waitUntil(
    `${name} to be restarted and to answer on port ${port}`,
    async () => {
      const again = processes().find((p) => p.group === system?.child.pid && p.cmdline.includes(command));
      return again !== undefined && again.pid !== pid && (await tcpOpen(port));
    },
    system,
    15_000,
  );
  const back = Date.now() - killedAt;
  await waitUntil(
    `the console to say ${name} was restarted`,
    () => Promise.resolve(saidTimes(system, restarted) > restartedBefore),
    system,
    5_000,
  );
  assert.equal(saidTimes(system, died), diedBefore + 1, system?.output());
  return back;
}
