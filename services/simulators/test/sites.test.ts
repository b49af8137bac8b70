// Demo sites that differ (issue 14): the simulators service with the demo config serves each site's
// units from a house of its own — home's and cabin's weather, heat output and electricity differ,
// and each heat pump's meter measures its own heat pump. A unit naming an unknown site stops the start.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import modbusSerial from 'modbus-serial';
import {
  decodeDefinition,
  lgThermaVR290,
  planReads,
  RegisterImage,
  stiebelEltronWpm,
  wago87930xx,
  type ModbusDefinition,
} from '@heatstream/devices';
import { eventually, freePort, natsFixture, repoRoot, serviceFixture } from '@heatstream/testkit';
import { simulators } from '../src/service.ts';

const ModbusRTU = modbusSerial.default;
type Client = InstanceType<typeof ModbusRTU>;
const demoConfig = join(repoRoot, 'deploy/config/simulators.yaml');

async function read(client: Client, def: ModbusDefinition, unitId: number): Promise<Record<string, number>> {
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
  return decodeDefinition(def, image).values;
}

test("the demo config's sites have houses, heat pumps and weather of their own", async () => {
  await using nats = await natsFixture();
  const port = await freePort();
  await using svc = await serviceFixture(simulators, {
    argv: ['--config', demoConfig],
    env: nats.env({
      HS_MODBUS__HOST: '127.0.0.1',
      HS_MODBUS__PORT: String(port),
      HS_CONTROL__ENABLED: 'false',
      // A winter morning, both compressors running (the demo starts each house 1 K below target).
      HS_MODEL__START: '2026-01-15T06:00:00Z',
      // A simulated minute per second: the compressors start within the first simulated seconds.
      HS_MODEL__SPEED: '60',
      HS_LOG__LEVEL: 'warn',
    }),
  });
  const client = new ModbusRTU();
  client.on('error', () => undefined);
  await client.connectTCP('127.0.0.1', { port });
  client.setTimeout(2_000);
  try {
    assert.ok(svc.httpPort > 0);
    const running = (w: number | undefined): boolean => (w ?? 0) > 100;
    const [homeMeter, cabinMeter] = await eventually('both compressors to run', async () => {
      const meters = [await read(client, wago87930xx, 2), await read(client, wago87930xx, 6)] as const;
      return meters.every((m) => running(m.elec_power)) ? meters : undefined;
    });
    const home = await read(client, stiebelEltronWpm, 1);
    const cabin = await read(client, lgThermaVR290, 5);
    const outside = (v: Record<string, number>): number => v.outside_temp ?? Number.NaN;
    const lower = outside(home) - outside(cabin);
    // The cabin's weather is 5 K colder; the two reads are milliseconds of model time apart.
    assert.ok(Math.abs(lower - 5) < 0.3, `cabin ${outside(cabin)} °C, home ${outside(home)} °C`);
    const homeW = homeMeter.elec_power ?? 0;
    const cabinW = cabinMeter.elec_power ?? 0;
    assert.ok(homeW > 0 && cabinW > 0, `both compressors run: home ${homeW} W, cabin ${cabinW} W`);
    assert.ok(
      cabinW > homeW * 1.3,
      `the leakier, colder cabin draws more electricity: cabin ${cabinW} W, home ${homeW} W`,
    );
    assert.notEqual(
      cabin.flow_temp,
      home.flow_temp,
      'a steeper heating curve in the cold gives another flow',
    );
  } finally {
    client.close(() => undefined);
  }
});

test('a unit naming a site that is not configured stops the start, saying which', async () => {
  await using nats = await natsFixture();
  await assert.rejects(
    serviceFixture(simulators, {
      argv: [],
      env: nats.env({
        HS_MODBUS__PORT: '0',
        HS_CONTROL__ENABLED: 'false',
        HS_SITES: JSON.stringify({ home: {} }),
        HS_UNITS: JSON.stringify([{ unitId: 1, definition: 'stiebel-eltron-wpm', site: 'cabn' }]),
        HS_LOG__LEVEL: 'silent',
      }),
    }),
    /units\[0\]\.site: "cabn" is not a key of sites \(home\)/,
  );
});
