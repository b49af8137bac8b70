// acq-modbus against Modbus peers not written here: pymodbus' TCP server (MBAP, and RTU framing
// over TCP as a Waveshare gateway speaks) and mbpoll reading through the proxy. Readings and device
// states are checked where they land: a real nats-server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import {
  eventually,
  freePort,
  natsFixture,
  scrape,
  serviceFixture,
  tempDir,
  type NatsFixture,
  type ServiceFixture,
} from '@heatstream/testkit';
import { lgThermaVR290, stiebelEltronWpm, wago87930xx } from '@heatstream/devices';
import { acqModbus } from '../src/service.ts';
import {
  deviceImage,
  readingsOf,
  recordEvents,
  startPymodbus,
  statesOf,
  type Peer,
  type Seen,
} from './helpers.ts';

const run = promisify(execFile);

const wpmValues = {
  outside_temp: -7.5,
  flow_temp: 35.1,
  return_temp: 30.5,
  flow_target_temp: 36,
  water_pressure: 1.53,
  flow_rate: 12.34,
  compressor_on: 1,
  heating_mode: 1,
  pump_on: 1,
  dhw_mode: 0,
  cooling_mode: 0,
  backup_heater_on: 0,
  defrost: 0,
  error_code: 0,
  heat_energy: 16_344_000,
  elec_energy: 4_501_000,
  // Stiebel's split (VD HEATING / VD DHW), of which the two totals above are the sums.
  heat_energy_heating: 12_345_000,
  heat_energy_dhw: 3_999_000,
  elec_energy_heating: 4_001_000,
  elec_energy_dhw: 500_000,
};
const meterValues = {
  voltage: 230,
  voltage_l1: 230,
  voltage_l2: 231.5,
  voltage_l3: 229.25,
  frequency: 50,
  current_l1: 2.5,
  current_l2: 2.5,
  current_l3: 2.5,
  elec_power: 1234,
  elec_power_l1: 411.5,
  elec_power_l2: 411.25,
  elec_power_l3: 411.25,
  power_factor: 0.96875,
  elec_energy: 12_345_500,
};
const lgValues = {
  compressor_on: 1,
  pump_on: 1,
  defrost: 0,
  dhw_mode: 0,
  cooling_mode: 0,
  backup_heater_on: 0,
  error_code: 0,
  return_temp: 29.8,
  flow_temp: 34.9,
  indoor_temp: 20.6,
  flow_rate: 21.5,
  outside_temp: -12.3,
  water_pressure: 1.8,
  compressor_freq: 42,
  flow_target_temp: 35,
  dhw_target_temp: 48,
};

let nats: NatsFixture;
let tcpPeer: Peer;
let rtuPeer: Peer;
let svc: ServiceFixture;
let recorder: { seen: Seen[] };
let proxyPort: number;
const wpmImage = () => {
  const image = deviceImage(stiebelEltronWpm, wpmValues);
  // Holding registers 0…9 hold 17…26: what mbpoll reads through the proxy.
  image.setMany('holding', 0, [17, 18, 19, 20, 21, 22, 23, 24, 25, 26]);
  return image;
};

before(async () => {
  nats = await natsFixture();
  tcpPeer = await startPymodbus({ 1: wpmImage(), 2: deviceImage(wago87930xx, meterValues) });
  rtuPeer = await startPymodbus({ 5: deviceImage(lgThermaVR290, lgValues) }, { framer: 'rtu' });
  recorder = await recordEvents(nats);
  proxyPort = await freePort();
  const dir = await tempDir('acq-modbus');
  const config = join(dir, 'acq-modbus.yaml');
  await writeFile(
    config,
    stringify({
      nats: { url: nats.url },
      log: { level: 'silent' },
      http: { metrics: true },
      outbox: { dir: join(dir, 'outbox') },
      modbus: { timeoutMs: 1_000, retries: 1, retryDelayMs: 50, backoffInitialMs: 100, backoffMaxMs: 500 },
      devices: [
        {
          id: 'wpm',
          site: 'home',
          definition: 'stiebel-eltron-wpm',
          host: '127.0.0.1',
          port: tcpPeer.port,
          intervalMs: 300,
        },
        {
          id: 'meter',
          site: 'home',
          definition: 'wago-879-30xx',
          host: '127.0.0.1',
          port: tcpPeer.port,
          unitId: 2,
          intervalMs: 300,
        },
        {
          id: 'lg',
          site: 'home',
          definition: 'lg-therma-v-r290',
          transport: 'rtu-over-tcp',
          host: '127.0.0.1',
          port: rtuPeer.port,
          intervalMs: 300,
        },
      ],
      proxies: [{ device: 'wpm', port: proxyPort }],
    }),
  );
  svc = await serviceFixture(acqModbus, { argv: ['--config', config], env: {} });
});

after(async () => {
  await svc[Symbol.asyncDispose]();
  await tcpPeer.stop();
  await rtuPeer.stop();
  await nats[Symbol.asyncDispose]();
});

const firstReading = (device: string) =>
  eventually(`a reading of ${device}`, () => readingsOf(recorder.seen, device)[0]);

void describe('acq-modbus against pymodbus', () => {
  void it('publishes Stiebel values exactly: negative temperatures, scales, MWh + kWh, sentinel → absent', async () => {
    const reading = await firstReading('wpm');
    assert.equal(reading.subject, 'readings.v1.home.wpm');
    assert.equal(reading.msgId, `reading.home.wpm.${Date.parse(reading.event.time)}`);
    assert.equal(reading.event.data.model, 'stiebel-eltron-wpm');
    // Every metric not in wpmValues was served as 0x8000 and must be absent, not 0 or −3276.8.
    assert.deepEqual(reading.event.data.metrics, wpmValues);
  });

  void it('publishes WAGO float32 values in catalogue units (kW → W, kWh → Wh)', async () => {
    const reading = await firstReading('meter');
    assert.deepEqual(reading.event.data.metrics, meterValues);
  });

  void it('reads an LG over RTU framing through a TCP gateway: discrete inputs, input and holding registers', async () => {
    const reading = await firstReading('lg');
    assert.deepEqual(reading.event.data.metrics, lgValues);
  });

  void it('reports each device online, and a status only when the state changes', async () => {
    await eventually('three online devices', () =>
      ['wpm', 'meter', 'lg'].every((d) => statesOf(recorder.seen, d).includes('online')),
    );
    await new Promise((r) => setTimeout(r, 700));
    for (const d of ['wpm', 'meter', 'lg']) {
      const states = statesOf(recorder.seen, d);
      assert.equal(states[0], 'online');
      // Exactly ['online'] on a quiet machine; a loaded one may see a timeout, never a repeat.
      assert.ok(
        states.every((s, i) => i === 0 || s !== states[i - 1]),
        `${d}: ${states.join(' → ')}`,
      );
    }
  });

  void it('serves its polls and device states as Prometheus text at /metrics', async () => {
    const url = `http://127.0.0.1:${svc.httpPort}/metrics`;
    const polls = (s: Awaited<ReturnType<typeof scrape>>): number =>
      s.histogram('heatstream_poll_duration', { device: 'wpm', state: 'online' })?.count ?? 0;
    const first = await eventually('a scrape with polls of wpm', async () => {
      const s = await scrape(url);
      return polls(s) > 0 ? s : undefined;
    });
    assert.equal(first.family('heatstream_poll_duration')?.type, 'histogram');
    assert.equal(first.series('heatstream_poll_duration', { device: 'wpm' })?.labels.site, 'home');
    assert.equal(first.value('heatstream_device_state', { device: 'wpm', state: 'online' }), 1);
    assert.equal(first.value('heatstream_device_state', { device: 'wpm', state: 'unavailable' }), 0);
    assert.ok((first.value('heatstream_events_published_total', { type: 'heatstream.reading.v1' }) ?? 0) > 0);
    // Polls every 300 ms: the count rises.
    await eventually('more polls of wpm', async () => polls(await scrape(url)) > polls(first));
  });

  // One mbpoll request to the proxy. mbpoll gives up after 1 s by default; the proxy queues behind
  // the pollers' reads, which a loaded machine can make slower than that: `-o 10`, its maximum.
  const mbpoll = (register: number, count: number, table: '3' | '4') =>
    run(
      'mbpoll',
      [
        '-m',
        'tcp',
        '-a',
        '1',
        '-r',
        String(register),
        '-c',
        String(count),
        '-t',
        table,
        '-o',
        '10',
        '-1',
      ].concat(['-p', String(proxyPort), '127.0.0.1']),
      { timeout: 30_000 },
    );

  void it('lets mbpoll read through the proxy over the one upstream connection', async () => {
    const { stdout } = await mbpoll(1, 10, '4');
    const values = [...stdout.matchAll(/^\[(\d+)\]:\s+(-?\d+)/gm)].map((m) => [Number(m[1]), Number(m[2])]);
    assert.deepEqual(
      values,
      Array.from({ length: 10 }, (_, i) => [i + 1, 17 + i]),
    );
    const input = await mbpoll(507, 1, '3');
    assert.match(input.stdout, /\[507\]:\s+65461 \(-75\)/);
  });

  void it('passes the device’s Modbus exception through the proxy', async () => {
    const result = await mbpoll(9000, 1, '3').catch((e: unknown) => e as { stdout: string; stderr: string });
    assert.match(`${result.stdout}${result.stderr}`, /Illegal data address/);
  });

  void it('a vanished device becomes unavailable and comes back without a restart', async () => {
    const port = tcpPeer.port;
    await tcpPeer.stop();
    await eventually('wpm unavailable', () => statesOf(recorder.seen, 'wpm').includes('unavailable'));
    const unavailable = recorder.seen.find(
      (s) =>
        s.event.type === 'heatstream.device-status.v1' &&
        s.event.data.device === 'wpm' &&
        s.event.data.state === 'unavailable',
    );
    assert.match(String(unavailable?.event.data.reason), /ECONNREFUSED|Port Not Open|cannot connect/);
    const before = readingsOf(recorder.seen, 'wpm').length;
    tcpPeer = await startPymodbus({ 1: wpmImage(), 2: deviceImage(wago87930xx, meterValues) }, { port });
    await eventually('wpm online again', () => statesOf(recorder.seen, 'wpm').at(-1) === 'online');
    await eventually('new readings', () => readingsOf(recorder.seen, 'wpm').length > before);
    const states = statesOf(recorder.seen, 'wpm');
    assert.deepEqual(states.slice(-3), ['online', 'unavailable', 'online']);
    assert.ok(
      states.every((s, i) => i === 0 || s !== states[i - 1]),
      states.join(' → '),
    );
  });

  void it('rejects an energy counter that went backwards and reports it as bad data with the count', async () => {
    const port = tcpPeer.port;
    await tcpPeer.stop();
    await eventually('wpm unavailable', () => statesOf(recorder.seen, 'wpm').at(-1) === 'unavailable');
    // VD HEATING goes back by 344 kWh, and with it the total.
    const lower = deviceImage(stiebelEltronWpm, {
      ...wpmValues,
      heat_energy: 16_000_000,
      heat_energy_heating: 12_001_000,
    });
    tcpPeer = await startPymodbus({ 1: lower, 2: deviceImage(wago87930xx, meterValues) }, { port });
    const bad = await eventually('bad data', () =>
      recorder.seen.find(
        (s) => s.event.type === 'heatstream.device-status.v1' && s.event.data.state === 'bad-data',
      ),
    );
    assert.match(String(bad.event.data.reason), /heat_energy went back from 16344000 to 16000000/);
    assert.ok(Number(bad.event.data.rejectedReadings) >= 1);
    const latest = readingsOf(recorder.seen, 'wpm').at(-1);
    assert.ok(latest && !('heat_energy' in (latest.event.data.metrics as object)));
    assert.equal((latest.event.data.metrics as { outside_temp: number }).outside_temp, -7.5);
  });
});
