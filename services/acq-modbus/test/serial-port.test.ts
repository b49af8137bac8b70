// The serial port's life: a closed RTU link closes its port (modbus-serial's destroy leaves a serial
// port open), and a port whose other side hangs up ends its read instead of spinning on the 0-byte
// reads a hung-up tty returns (what made a CI run grow to 4 GB of heap and never exit).
import assert from 'node:assert/strict';
import { readdir, readlink } from 'node:fs/promises';
import { test } from 'node:test';
import { pino } from 'pino';
import { eventually } from '@heatstream/testkit';
import { lgThermaVR290 } from '@heatstream/devices';
import { ModbusConnection } from '../src/connection.ts';
import { serialBinding, SerialHangUpError } from '../src/serial.ts';
import { deviceImage, startPymodbus, startSerialBridge } from './helpers.ts';

/** This process' open file descriptors on `path` (Linux: /proc/self/fd). */
async function fdsOn(path: string): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return fds.filter((_, i) => targets[i] === path);
}

const clock = { now: () => Date.now(), sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
const log = pino({ level: 'silent' });

test('closing an RTU link closes its serial port', async () => {
  await using peer = await startPymodbus({ 7: deviceImage(lgThermaVR290, {}) }, { framer: 'rtu' });
  await using bridge = await startSerialBridge(peer.port);
  const link = new ModbusConnection(
    { transport: 'rtu', path: bridge.path },
    { timeoutMs: 5_000, backoff: { initialMs: 100, maxMs: 1_000 }, clock, log },
  );
  // Retried: under load the first request may time out; the link then starts a fresh port.
  await eventually('a read over the serial port', () =>
    link.read(7, 'input', 0, 14).then(
      (words) => words,
      () => undefined,
    ),
  );
  assert.ok(link.connected);
  assert.ok((await fdsOn(bridge.path)).length > 0, 'the port is open while the link is up');
  await link.close();
  // Ports dropped after a timeout close once their open has finished: wait, boundedly, for them.
  await eventually('no port left open on the tty', async () => (await fdsOn(bridge.path)).length === 0);
});

test('a read of a serial port whose other side hung up ends with SerialHangUpError', async () => {
  await using peer = await startPymodbus({ 7: deviceImage(lgThermaVR290, {}) }, { framer: 'rtu' });
  const bridge = await startSerialBridge(peer.port);
  const port = await serialBinding.open({ path: bridge.path, baudRate: 9600 });
  try {
    await bridge.server.stop(1_000); // the pty's master closes: the kernel hangs the tty up
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<string>((resolve) => {
      timer = setTimeout(() => {
        resolve('still reading after 20 s');
      }, 20_000);
    });
    const outcome = await Promise.race([
      port.read(Buffer.alloc(256), 0, 256).then(
        () => 'read data',
        (error: unknown) => error,
      ),
      bound,
    ]);
    clearTimeout(timer);
    assert.ok(outcome instanceof SerialHangUpError, `the read ended with ${String(outcome)}`);
  } finally {
    if (port.isOpen) await port.close();
  }
});
