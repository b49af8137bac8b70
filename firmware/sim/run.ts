// Firmware in the loop for `./heatstream start`: the cellular devices of site `remote` are the
// firmware's own host build (firmware/build/heatpump-sim: the real main loop, buffer, encoder and
// alerts), each fed every 2 s by its own house from the simulators' physical model, talking MQTT
// to the real Mosquitto. Devices in HS_CELLULAR_FLAKY lose their cellular link for 3 minutes
// every 15 (the first time 4 minutes after the start), so their backlog arrives late.
//
// Environment: HS_MQTT_ADDRESS host:port; HS_CELLULAR_DEVICES "remote-1,remote-2"; HS_CELLULAR_FLAKY
// "remote-2"; HS_CELLULAR_DIR (flash images and SMS logs); HS_CELLULAR_ADMIN the admin number;
// HS_DEVICE_PASSWORD_<ID> (upper case, '-' → '_') each device's MQTT password.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultHouse, HeatPumpHouse } from '../../services/simulators/src/model/house.ts';
import { feedLine, RemoteSensors } from './model.ts';

const FEED_MS = 2_000;
const DROP_FIRST_MS = 4 * 60_000;
const DROP_EVERY_MS = 15 * 60_000;
const DROP_FOR_MS = 3 * 60_000;

class StartError extends Error {
  override name = 'StartError';
}

const say = (line: string) => process.stderr.write(`[cellular-sim] ${line}\n`);

function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new StartError(`${name} is not set`);
  return v;
}

function main(): void {
  const binary = fileURLToPath(new URL('../build/heatpump-sim', import.meta.url));
  if (!existsSync(binary)) throw new StartError(`${binary} is missing; build it with: make -C firmware`);
  const mqtt = need('HS_MQTT_ADDRESS');
  const dir = need('HS_CELLULAR_DIR');
  const admin = process.env.HS_CELLULAR_ADMIN ?? '+4915100000000';
  const devices = need('HS_CELLULAR_DEVICES').split(',').filter(Boolean);
  const flaky = new Set((process.env.HS_CELLULAR_FLAKY ?? '').split(',').filter(Boolean));
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  const children: ChildProcess[] = [];
  let stopping = false;

  devices.forEach((device, i) => {
    const password = need(`HS_DEVICE_PASSWORD_${device.toUpperCase().replaceAll('-', '_')}`);
    const child = spawn(
      binary,
      [
        ...['--device', device, '--mqtt', mqtt, '--admin', admin, '--authorised', admin],
        ...['--flash', join(dir, `${device}.flash`), '--sms-log', join(dir, 'sms.log')],
      ],
      {
        env: { PATH: process.env.PATH ?? '', HS_DEVICE_PASSWORD: password },
        stdio: ['pipe', 'inherit', 'inherit'],
      },
    );
    children.push(child);
    child.on('exit', (code, signal) => {
      if (stopping) return;
      say(`${device} exited (${signal ?? String(code)}); stopping so the supervisor starts everything again`);
      stop(1);
    });
    child.stdin.on('error', () => {}); // a dead child is reported by 'exit'
    // Each device its own house: a second, leakier one so the two do not run in lockstep.
    const house = new HeatPumpHouse(started - 3_600_000, { ...defaultHouse, heatLossWPerK: 180 + 60 * i });
    const sensors = new RemoteSensors();
    let linkUp = true;
    let csq = 16 + 4 * i;
    const tick = () => {
      const now = Date.now();
      const state = house.advanceTo(now);
      if (flaky.has(device)) {
        const since = now - started - DROP_FIRST_MS;
        const down = since >= 0 && since % DROP_EVERY_MS < DROP_FOR_MS;
        if (down === linkUp) {
          linkUp = !down;
          child.stdin.write(`link ${linkUp ? 'up' : 'down'}\n`);
          say(`${device}: cellular link ${linkUp ? 'restored' : 'cut for 3 minutes'}`);
        }
      }
      csq = Math.min(28, Math.max(8, csq + Math.round(Math.random() * 2 - 1)));
      child.stdin.write(`${feedLine(now / 1000, sensors.read(state), csq)}\n`);
    };
    tick();
    setInterval(tick, FEED_MS).unref();
  });
  say(
    `${String(devices.length)} devices (${devices.join(', ')}) on ${mqtt}; flaky link: ${[...flaky].join(', ') || 'none'}`,
  );

  function stop(code: number): void {
    if (stopping) return;
    stopping = true;
    // Closing stdin stops a device in order: it says it is offline and disconnects.
    for (const c of children) c.stdin?.end();
    let left = children.filter((c) => c.exitCode === null).length;
    if (left === 0) process.exit(code);
    for (const c of children)
      c.on('exit', () => {
        if (--left <= 0) process.exit(code);
      });
    setTimeout(() => process.exit(code), 5_000).unref();
  }
  process.on('SIGINT', () => {
    stop(0);
  });
  process.on('SIGTERM', () => {
    stop(0);
  });
  setInterval(() => {}, 1 << 30); // stay alive; the feeds are unref'd
}

try {
  main();
} catch (err) {
  say(err instanceof StartError ? err.message : String(err));
  process.exit(1);
}
