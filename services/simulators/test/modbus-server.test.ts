// The simulator over real Modbus TCP: what a client reads decodes, through the same definitions,
// to the model's values; careful exceptions; every injected fault as a client sees it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import modbusSerial from 'modbus-serial';
import { pino } from 'pino';
import { systemClock } from '@heatstream/runtime';
import {
  decodeDefinition,
  lgThermaVR290,
  planReads,
  RegisterImage,
  stiebelEltronWpm,
  wago87930xx,
  type ModbusDefinition,
} from '@heatstream/devices';
import { FaultPlan } from '../src/faults.ts';
import { ModbusSimulator } from '../src/modbus-server.ts';
import { HeatPumpHouse, defaultHouse } from '../src/model/house.ts';
import { metricValues } from '../src/model/metrics.ts';

const ModbusRTU = modbusSerial.default;
type Client = InstanceType<typeof ModbusRTU>;

const START = Date.UTC(2026, 0, 15, 6, 0, 0);
const house = new HeatPumpHouse(START - 6 * 3_600_000);
const values = () => metricValues(house.advanceTo(START), defaultHouse);
const faults = new FaultPlan([], Date.now());
let sim: ModbusSimulator;
let client: Client;

async function connect(): Promise<Client> {
  const c = new ModbusRTU();
  c.on('error', () => undefined);
  await c.connectTCP('127.0.0.1', { port: sim.port });
  c.setTimeout(1_000);
  return c;
}

async function readDevice(def: ModbusDefinition, unitId: number): Promise<RegisterImage> {
  client.setID(unitId);
  const image = new RegisterImage();
  for (const b of planReads(def)) {
    const result =
      b.kind === 'input'
        ? await client.readInputRegisters(b.start, b.count)
        : b.kind === 'holding'
          ? await client.readHoldingRegisters(b.start, b.count)
          : b.kind === 'discrete'
            ? await client.readDiscreteInputs(b.start, b.count)
            : await client.readCoils(b.start, b.count);
    image.setMany(b.kind, b.start, result.data.slice(0, b.count).map(Number));
  }
  return image;
}

before(async () => {
  sim = new ModbusSimulator({
    host: '127.0.0.1',
    port: 0,
    units: [
      { unitId: 1, definition: stiebelEltronWpm },
      { unitId: 2, definition: wago87930xx },
      { unitId: 5, definition: lgThermaVR290 },
    ],
    values,
    faults,
    clock: systemClock,
    log: pino({ level: 'silent' }),
  });
  await sim.start();
  client = await connect();
});
after(async () => {
  client.destroy(() => undefined);
  await sim.stop();
});

void describe('Modbus simulator', () => {
  void it('serves Stiebel, WAGO and LG maps that decode to the model’s values', async () => {
    const v = values();
    const stiebel = decodeDefinition(stiebelEltronWpm, await readDevice(stiebelEltronWpm, 1)).values;
    assert.equal(stiebel.outside_temp, v.outside_temp);
    assert.equal(stiebel.flow_temp, v.flow_temp);
    assert.equal(stiebel.compressor_on, v.compressor_on);
    // Stiebel counts whole kWh.
    assert.equal(stiebel.heat_energy, Math.round(v.heat_energy! / 1000) * 1000);
    const wago = decodeDefinition(wago87930xx, await readDevice(wago87930xx, 2)).values;
    assert.ok(Math.abs(wago.elec_power! - v.elec_power!) < 0.01, `${wago.elec_power} vs ${v.elec_power}`);
    assert.equal(wago.frequency, 50);
    const lg = decodeDefinition(lgThermaVR290, await readDevice(lgThermaVR290, 5)).values;
    assert.equal(lg.return_temp, v.return_temp);
    assert.equal(lg.compressor_on, v.compressor_on);
    assert.equal(lg.flow_target_temp, v.flow_target_temp);
  });

  void it('answers exception 02 outside the map and 03 for a quantity over 125', async () => {
    client.setID(1);
    await assert.rejects(
      client.readInputRegisters(9000, 2),
      (e: { modbusCode?: number }) => e.modbusCode === 2,
    );
    await assert.rejects(
      client.readInputRegisters(500, 126),
      (e: { modbusCode?: number }) => e.modbusCode === 3,
    );
  });

  void it('injects exceptions, garbage, slow replies and disconnects, then recovers', async () => {
    client.setID(2);
    faults.set([{ mode: 'exception' }]);
    await assert.rejects(
      client.readHoldingRegisters(0x5000, 2),
      (e: { modbusCode?: number }) => e.modbusCode === 4,
    );
    faults.set([]);
    const clean = (await client.readHoldingRegisters(0x5000, 26)).data;
    faults.set([{ mode: 'garbage' }]);
    const garbage = (await client.readHoldingRegisters(0x5000, 26)).data;
    assert.equal(garbage.length, 26);
    assert.notDeepEqual(garbage, clean);
    faults.set([{ mode: 'slow', slowMs: 1_500 }]);
    await assert.rejects(
      client.readHoldingRegisters(0x5000, 2),
      (e: { name?: string }) => e.name === 'TransactionTimedOutError',
    );
    faults.set([{ mode: 'disconnect' }]);
    await assert.rejects(client.readHoldingRegisters(0x5000, 2));
    faults.set([]);
    client.destroy(() => undefined);
    client = await connect();
    client.setID(2);
    const voltage = decodeDefinition(wago87930xx, await readDevice(wago87930xx, 2)).values.voltage;
    assert.ok(voltage !== undefined && voltage > 220 && voltage < 240);
  });
});
