// A bad device configuration fails start-up, naming the device and what is wrong; the process exits 1.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { spawnServer, startNats, tempDir, type NatsServer } from '@heatstream/testkit';

const mainFile = fileURLToPath(new URL('../src/main.ts', import.meta.url));
let nats: NatsServer;
let dir: string;

before(async () => {
  nats = await startNats();
  dir = await tempDir('acq-modbus-startup');
});
after(async () => {
  await nats.stop();
});

async function start(devices: unknown[]): Promise<{ code: number | null; output: string }> {
  const child = spawnServer(process.execPath, [mainFile], {
    HS_NATS__URL: nats.url,
    HS_DEVICES: JSON.stringify(devices),
    HS_OUTBOX__DIR: join(dir, 'outbox'),
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const [code] = (await Promise.race([
      once(child.child, 'exit'),
      new Promise((_, reject) => {
        timer = setTimeout(() => {
          reject(new Error(`still running:\n${child.output()}`));
        }, 20_000);
      }),
    ])) as [number | null];
    return { code, output: child.output() };
  } finally {
    clearTimeout(timer);
    await child.stop(1_000);
  }
}

const badMap = `
id: bad-meter
vendor: Acme
model: M1
protocol: modbus
addressBase: 1
fields:
  - { metric: elec_power, unit: W, registers: [{ kind: holding, address: 1, type: float32 }] }
  - { metric: voltage, unit: V, registers: [{ kind: holding, address: 2, type: uint16 }] }
  - { metric: current, unit: A, registers: [{ kind: holding, address: 10, type: int24 }] }
  - { metric: frequency, unit: Hz, registers: [{ kind: holding, address: 70000, type: uint16 }] }
  - { metric: flow_temp, unit: degC, registers: [{ kind: input, address: 1, type: int16 }] }
`;

test('a bad YAML map fails start-up naming the definition and every bad field', async () => {
  const map = join(dir, 'bad-meter.yaml');
  await writeFile(map, badMap);
  const { code, output } = await start([{ id: 'm1', site: 'home', map, host: '127.0.0.1' }]);
  assert.equal(code, 1, output);
  assert.match(output, /acq-modbus: cannot start: invalid devices/);
  const at = `devices[0] (m1).map: ${map}: definition "bad-meter": `;
  for (const line of [
    'fields[1] (voltage).registers[0].address: holding register 2 overlaps fields[0] (elec_power)',
    'fields[2] (current).registers[0].type: unknown data type "int24"',
    'fields[3] (frequency).registers[0].address: 70000 > 65536',
    'fields[4] (flow_temp).unit: "degC" is not a catalogue unit',
  ]) {
    assert.ok(output.includes(at + line), `missing: ${at + line}\n${output}`);
  }
});

test('an unknown catalogue id and a missing host fail start-up together', async () => {
  const { code, output } = await start([{ id: 'hp', site: 'home', definition: 'stiebel-eltron-lwz' }]);
  assert.equal(code, 1, output);
  assert.match(
    output,
    /devices\[0\] \(hp\)\.definition: unknown "stiebel-eltron-lwz"; known: stiebel-eltron-wpm/,
  );
  assert.match(output, /devices\[0\] \(hp\)\.host: required for tcp/);
});

test('devices on one serial port with different settings fail start-up naming both and the setting', async () => {
  const { code, output } = await start([
    { id: 'meter', site: 'home', definition: 'wago-879-30xx', transport: 'rtu', path: '/dev/ttyS9' },
    {
      id: 'lg',
      site: 'home',
      definition: 'lg-therma-v-r290',
      transport: 'rtu',
      path: '/dev/ttyS9',
      baudRate: 19200,
    },
  ]);
  assert.equal(code, 1, output);
  assert.match(
    output,
    /devices\[1\] \(lg\): serial port \/dev\/ttyS9 is shared with devices\[0\] \(meter\) with other settings: baudRate 19200 where meter has 9600/,
  );
});
