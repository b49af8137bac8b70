// Prometheus endpoints of a real gateway (real NATS, QuestDB seeded as ingest writes it), scraped and
// parsed as Prometheus would: /metrics/devices, the devices' latest readings for an existing
// Prometheus + Grafana stack (API token as bearer), and the probe server's /metrics with the
// gateway's own HTTP and socket figures. The shared stack and seed: api-stack.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, readingEvent, scrape, statusEvent, type Scrape } from '@heatstream/testkit';
import { io as ioClient } from 'socket.io-client';
import { seed } from './fixtures.ts';
import { apiStack, T0, type ApiStack } from './api-stack.ts';

let stack: ApiStack;
let devicesUrl: string;
let ownUrl: string;
let bearer: Record<string, string>;

before(async () => {
  stack = await apiStack({ HS_HTTP__METRICS: 'true' });
  devicesUrl = `${stack.base}/metrics/devices`;
  ownUrl = `http://127.0.0.1:${stack.svc.httpPort}/metrics`;
  bearer = { authorization: `Bearer ${stack.token}` };
});

after(() => stack[Symbol.asyncDispose]());

const wpm1 = { site: 'home', device: 'wpm1', model: 'stiebel-wpm' };
const meter = { site: 'prom', device: 'meter', model: 'wago-879-30xx' };

describe('GET /metrics/devices', () => {
  test('needs an API token or a session, like every API route', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-a-token' }]) {
      const res = await fetch(devicesUrl, { headers });
      assert.equal(res.status, 401);
      await res.body?.cancel();
    }
  });

  test("every device's latest reading as gauges and counters with the catalogue's units", async () => {
    const first = await scrape(devicesUrl, bearer);
    assert.match(first.contentType ?? '', /^text\/plain; version=0\.0\.4/);
    // wpm1's newest seeded reading (minute 59): flow 30 + 59 % 10, power 1000 + 59.
    assert.equal(first.family('heatstream_device_flow_temp_celsius')?.type, 'gauge');
    assert.equal(first.value('heatstream_device_flow_temp_celsius', wpm1), 39);
    assert.equal(first.value('heatstream_device_outside_temp_celsius', wpm1), -5.5);
    assert.equal(first.value('heatstream_device_elec_power_watts', wpm1), 1059);
    assert.deepEqual(first.series('heatstream_device_flow_temp_celsius', wpm1)?.labels, wpm1);
    assert.equal(
      first.value('heatstream_device_last_reading_timestamp_seconds', wpm1),
      (T0 + 59 * 60_000) / 1000,
    );
    assert.equal(first.value('heatstream_device_state', { device: 'wpm1', state: 'online' }), 1);
    assert.equal(first.value('heatstream_device_state', { device: 'wpm1', state: 'unavailable' }), 0);
    assert.equal(
      first.family('heatstream_device_heat_energy_watt_hours_total'),
      undefined,
      'no device has it yet',
    );

    // A meter appears with its energy totals as counters; a newer reading moves every value.
    // (Near the seed's own day: a reading of today would let the table's TTL drop that day.)
    const at = T0 + 2 * 3_600_000;
    await seed(stack.questdb.conn, [
      readingEvent(
        { ...meter, metrics: { elec_energy: 5_000, power_factor: 0.97, heat_energy: 12_345 } },
        { time: at },
      ),
      statusEvent({ site: 'prom', device: 'meter', state: 'unavailable' }, { time: at }),
    ]);
    const second = await scrape(devicesUrl, bearer);
    assert.equal(second.family('heatstream_device_elec_energy_watt_hours_total')?.type, 'counter');
    assert.equal(second.value('heatstream_device_elec_energy_watt_hours_total', meter), 5_000);
    assert.equal(second.value('heatstream_device_heat_energy_watt_hours_total', meter), 12_345);
    assert.equal(second.value('heatstream_device_power_factor', meter), 0.97);
    assert.equal(second.value('heatstream_device_flow_temp_celsius', meter), undefined, 'it has no flow');
    assert.equal(second.value('heatstream_device_state', { device: 'meter', state: 'unavailable' }), 1);
    assert.equal(second.value('heatstream_device_flow_temp_celsius', wpm1), 39, 'the others unchanged');

    await seed(stack.questdb.conn, [
      readingEvent(
        { ...meter, metrics: { elec_energy: 5_250, power_factor: 0.95, heat_energy: 12_400 } },
        { time: at + 30_000 },
      ),
    ]);
    const third = await scrape(devicesUrl, bearer);
    assert.equal(third.value('heatstream_device_elec_energy_watt_hours_total', meter), 5_250);
    assert.equal(third.value('heatstream_device_heat_energy_watt_hours_total', meter), 12_400);
    assert.equal(
      third.value('heatstream_device_last_reading_timestamp_seconds', meter),
      (at + 30_000) / 1000,
    );
  });
});

describe("the gateway's own /metrics on its probe server", () => {
  const own = (): Promise<Scrape> => scrape(ownUrl);
  const requests = (s: Scrape, status: string): number =>
    s.value('heatstream_http_requests_total', { route: '/api/devices', method: 'GET', status }) ?? 0;

  test('HTTP requests per route and status rise by what was asked', async () => {
    const before = await own();
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${stack.base}/api/devices`, { headers: bearer });
      assert.equal(res.status, 200);
      await res.body?.cancel();
    }
    const after = await eventually('three more answered requests', async () => {
      const s = await own();
      return requests(s, '200') - requests(before, '200') === 3 ? s : undefined;
    });
    assert.equal(after.family('heatstream_http_requests_total')?.type, 'counter');
    const durations = after.histogram('heatstream_http_request_duration', {
      route: '/api/devices',
      status: '200',
    });
    assert.ok(durations && durations.count >= 3, JSON.stringify(durations));
  });

  test('open sockets follow the Socket.IO clients', async () => {
    const socket = ioClient(stack.base, { auth: { token: stack.token }, transports: ['websocket'] });
    try {
      await eventually('the socket to connect', () => socket.connected);
      await eventually('one open socket', async () => (await own()).value('heatstream_sockets_open') === 1);
    } finally {
      socket.close();
    }
    const closed = await eventually('no open socket', async () => {
      const s = await own();
      return s.value('heatstream_sockets_open') === 0 ? s : undefined;
    });
    assert.equal(closed.family('heatstream_sockets_open')?.type, 'gauge');
  });
});
