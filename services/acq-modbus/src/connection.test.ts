// The link's reconnect behaviour with a controlled clock: a refused connection starts the backoff,
// no attempt is made until it has passed, and a device that appears is read without a restart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { ReadOnlyModbusServer } from '@heatstream/modbus';
import { freePort } from '@heatstream/testkit';
import { ModbusConnection } from './connection.ts';
import { ModbusReadError } from './errors.ts';

const failure = (kind: string) => (e: unknown) => e instanceof ModbusReadError && e.failure === kind;

test('reconnects with backoff, then reads once the device is there', async () => {
  const port = await freePort();
  const clock = {
    t: 0,
    now: () => clock.t,
    sleep: (ms: number) => {
      clock.t += ms;
      return Promise.resolve();
    },
  };
  const log = pino({ level: 'silent' });
  const link = new ModbusConnection(
    { transport: 'tcp', host: '127.0.0.1', port },
    { timeoutMs: 500, backoff: { initialMs: 1_000, maxMs: 4_000 }, clock, log },
  );
  await assert.rejects(link.read(1, 'holding', 0, 2), failure('connection'));
  await assert.rejects(link.read(1, 'holding', 0, 2), failure('backoff'), 'no attempt within the backoff');
  clock.t += 1_000;
  await assert.rejects(link.read(1, 'holding', 0, 2), failure('connection'));
  clock.t += 1_000;
  await assert.rejects(link.read(1, 'holding', 0, 2), failure('backoff'), 'the delay doubled to 2 s');

  const server = new ReadOnlyModbusServer({
    host: '127.0.0.1',
    port,
    name: 'the device',
    log,
    read: (_kind, address, count) =>
      Promise.resolve(Array.from({ length: count }, (_, i) => 100 + address + i)),
  });
  await server.start();
  try {
    clock.t += 1_000;
    assert.deepEqual(await link.read(1, 'holding', 0, 2), [100, 101]);
    assert.ok(link.connected);
  } finally {
    await link.close();
    await server.close();
  }
});
