// The read-only server over real Modbus TCP, read by modbus-serial's client: reads reach the read
// function, quantities outside the Modbus limits and writes are refused with their exception codes,
// exceptions thrown by the read function reach the client, and the lifecycle frees its port.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import modbusSerial from 'modbus-serial';
import { pino } from 'pino';
import type { RegisterKind } from '@heatstream/devices';
import { portOpen } from '@heatstream/testkit';
import { ModbusException, ModbusExceptionCode, ReadOnlyModbusServer } from './mod.ts';

const ModbusRTU = modbusSerial.default;
type Client = InstanceType<typeof ModbusRTU>;

const reads: { kind: RegisterKind; address: number; count: number; unitId: number }[] = [];
const server = new ReadOnlyModbusServer({
  host: '127.0.0.1',
  port: 0,
  name: 'the test server',
  log: pino({ level: 'silent' }),
  read: (kind, address, count, unitId) => {
    reads.push({ kind, address, count, unitId });
    if (address === 9000) {
      return Promise.reject(new ModbusException(ModbusExceptionCode.illegalDataAddress, 'not mapped'));
    }
    return Promise.resolve(Array.from({ length: count }, (_, i) => (address + i) % 2));
  },
});
let client: Client;

async function connect(): Promise<Client> {
  const c = new ModbusRTU();
  c.on('error', () => undefined);
  await c.connectTCP('127.0.0.1', { port: server.port });
  c.setTimeout(2_000);
  return c;
}

const code = (expected: number) => (e: { modbusCode?: number }) => e.modbusCode === expected;

before(async () => {
  await server.start();
  client = await connect();
});
after(async () => {
  client.destroy(() => undefined);
  await server.close();
});

void describe('ReadOnlyModbusServer', () => {
  void it('listens on a free port when asked for port 0, not on 502', () => {
    // modbus-serial alone would take port 0 for its default, 502.
    assert.ok(server.port > 0 && server.port !== 502, `port ${server.port}`);
  });

  void it('answers block reads of every table from the read function, with the unit id asked for', async () => {
    client.setID(7);
    assert.deepEqual((await client.readInputRegisters(10, 3)).data, [0, 1, 0]);
    assert.deepEqual((await client.readHoldingRegisters(11, 2)).data, [1, 0]);
    assert.deepEqual((await client.readDiscreteInputs(3, 2)).data.slice(0, 2), [true, false]);
    assert.deepEqual((await client.readCoils(4, 1)).data.slice(0, 1), [false]);
    assert.deepEqual(reads.slice(0, 2), [
      { kind: 'input', address: 10, count: 3, unitId: 7 },
      { kind: 'holding', address: 11, count: 2, unitId: 7 },
    ]);
    assert.ok(reads.some((r) => r.kind === 'discrete' && r.address === 3 && r.unitId === 7));
  });

  void it('refuses a quantity over 125 registers with exception 03, before the read function', async () => {
    const before = reads.length;
    await assert.rejects(client.readInputRegisters(0, 126), code(ModbusExceptionCode.illegalDataValue));
    assert.equal(reads.length, before);
  });

  void it('passes the read function’s exception to the client', async () => {
    await assert.rejects(client.readHoldingRegisters(9000, 2), code(ModbusExceptionCode.illegalDataAddress));
  });

  void it('refuses writes with exception 01', async () => {
    await assert.rejects(client.writeRegister(1, 5), code(ModbusExceptionCode.illegalFunction));
    await assert.rejects(client.writeCoil(1, true), code(ModbusExceptionCode.illegalFunction));
  });

  void it('drops its clients and keeps listening', async () => {
    const closed = new Promise<void>((resolve) => {
      client.on('close', () => {
        resolve();
      });
    });
    server.dropClients();
    await closed;
    client = await connect();
    assert.deepEqual((await client.readInputRegisters(1, 1)).data, [1]);
  });

  void it('frees its port when closed', async () => {
    const other = new ReadOnlyModbusServer({
      host: '127.0.0.1',
      port: 0,
      name: 'another',
      log: pino({ level: 'silent' }),
      read: () => Promise.resolve([0]),
    });
    await other.start();
    assert.ok(await portOpen(other.port));
    await other.close();
    assert.equal(await portOpen(other.port), false);
  });

  void it('fails to start on a port that is taken', async () => {
    const taken = new ReadOnlyModbusServer({
      host: '127.0.0.1',
      port: server.port,
      name: 'a second one',
      log: pino({ level: 'silent' }),
      read: () => Promise.resolve([0]),
    });
    await assert.rejects(taken.start(), /EADDRINUSE/);
  });
});
