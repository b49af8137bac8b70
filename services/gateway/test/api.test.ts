// The gateway against a real NATS and QuestDB: authentication on every route and socket, history
// queries, live push, alert acknowledgement, and the OpenAPI document against the routes: every
// REST answer these tests get is validated against the document at the end.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { events, makeEvent, subjects, type DataOf, type EventOf } from '@heatstream/contracts';
import type {
  SiteToday,
  Alert,
  Fleet,
  CopRow,
  CopStats,
  Device,
  Health,
  LatestReading,
  ReadingHistory,
  Stats,
} from '@heatstream/contracts/api';
import type { NatsClient } from '@heatstream/runtime';
import {
  alertEvent,
  copEvent,
  copV2Event,
  freePort,
  natsFixture,
  questDbFixture,
  readingEvent,
  statusEvent,
  type NatsFixture,
  type QuestDbFixture,
  type ServiceFixture,
} from '@heatstream/testkit';
import { headers } from '@nats-io/transport-node';
import { io as ioClient, type Socket } from 'socket.io-client';
import { UserStore } from '../src/users.ts';
import { seed, startGateway } from './fixtures.ts';
import { checkResponses, recorder, type Answer } from './openapi-check.ts';

let nats: NatsFixture;
let questdb: QuestDbFixture;
let client: NatsClient;
let svc: ServiceFixture;
let base: string;
let token: string;
let cookie: string;
let call: (path: string, init?: RequestInit) => Promise<Response>;
/** Every REST answer of these tests, checked against the OpenAPI document at the end. */
const answers: Answer[] = [];
const PASSWORD = 'correct horse battery staple';
const T0 = Date.parse('2026-01-15T06:00:00Z');
const raised: DataOf<'heatstream.alert.v1'> = {
  site: 'home',
  device: 'wpm1',
  alertId: 'a-1',
  rule: 'flow-temp-high',
  severity: 'warning',
  state: 'raised',
  message: 'flow temperature high',
  metric: 'flow_temp',
  value: 61,
  threshold: 60,
};

before(async () => {
  [nats, questdb] = await Promise.all([natsFixture({ own: true }), questDbFixture()]);
  client = await nats.serviceClient('admin');
  await seed(questdb.conn, [
    ...Array.from({ length: 60 }, (_, i) =>
      readingEvent(
        {
          site: 'home',
          device: 'wpm1',
          model: 'stiebel-wpm',
          metrics: { flow_temp: 30 + (i % 10), outside_temp: -5.5, elec_power: 1000 + i },
        },
        { time: T0 + i * 60_000 },
      ),
    ),
    statusEvent({ site: 'home', device: 'wpm1', state: 'online' }, { time: T0 }),
    ...[0, 1, 2].map((d) =>
      copEvent(
        {
          site: 'home',
          device: 'wpm1',
          periodStart: new Date(T0 + d * 86_400_000).toISOString(),
          periodEnd: new Date(T0 + (d + 1) * 86_400_000).toISOString(),
          heatKwh: 40 + d,
          elecKwh: 10,
        },
        { time: T0 + d * 86_400_000 },
      ),
    ),
    ...copV2Seed,
    alertEvent(raised, { time: Date.now() - 60_000 }),
    ...(['raised', 'resolved'] as const).map((state, i) =>
      alertEvent(
        {
          site: 'home',
          device: 'wpm1',
          alertId: 'a-2',
          rule: 'pump-off',
          severity: 'info',
          state,
          message: 'pump off while heating',
        },
        { time: Date.now() - 120_000 + i * 1_000 },
      ),
    ),
  ]);
  ({ svc, base } = await startGateway(nats, questdb.conn));
  call = recorder(base, answers);
  const users = await UserStore.open(client);
  await users.createUser('anna', PASSWORD, 'admin');
  token = await users.createToken('anna', 'tests');
});

after(async () => {
  await svc[Symbol.asyncDispose]();
  await Promise.all([nats[Symbol.asyncDispose](), questdb[Symbol.asyncDispose]()]);
});

/** wpm2's cop.v2 figures: two days (combined, hot water), two 7-day figures and a partial 365-day one. */
const DAY_MS = 86_400_000;
const dayIso = (d: number) => new Date(T0 + d * DAY_MS).toISOString();
const wpm2 = { site: 'home', device: 'wpm2' } as const;
const copV2Seed = [
  ...[0, 1].flatMap((d) => [
    copV2Event({ ...wpm2, heatKwh: 30 + d, elecKwh: 10 }, { time: T0 + d * DAY_MS }),
    copV2Event(
      { ...wpm2, category: 'hot_water', heatKwh: 6, elecKwh: 3, dataSeconds: 3600, outsideTempC: 1.5 },
      { time: T0 + d * DAY_MS },
    ),
  ]),
  ...[-6, -5].map((d) =>
    copV2Event(
      {
        ...wpm2,
        period: '7d',
        periodStart: dayIso(d),
        periodEnd: dayIso(d + 7),
        heatKwh: 205 + d,
        elecKwh: 62,
      },
      { time: T0 + (d + 7) * DAY_MS },
    ),
  ),
  copV2Event(
    {
      ...wpm2,
      period: '365d',
      periodStart: dayIso(2 - 365),
      periodEnd: dayIso(2),
      heatKwh: 61,
      elecKwh: 20,
      dataDays: 2,
      coverage: 0.0055,
      partial: true,
      partialReason: '2 of 365 days with data; 365d needs more than 330',
      counters: { elecKwh: 20, heatKwh: 61, cop: 3.05 },
    },
    { time: T0 + 2 * DAY_MS },
  ),
];

const get = (
  path: string,
  headers: Record<string, string> = { authorization: `Bearer ${token}` },
): Promise<Response> => call(path, { headers });

describe('authentication', () => {
  test('REST calls without credentials are rejected', async () => {
    for (const path of [
      '/api/devices',
      '/api/stats',
      '/api/health',
      '/api/devices/wpm1/readings/latest',
      '/api/alerts',
      '/api/me',
    ]) {
      assert.equal((await get(path, {})).status, 401, path);
    }
    assert.equal((await get('/api/devices', { authorization: 'Bearer not-a-token' })).status, 401);
  });

  test('a wrong password is refused; the right one opens a session', async () => {
    const login = (password: string): Promise<Response> =>
      call('/api/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'anna', password }),
      });
    assert.equal((await login('wrong password!')).status, 401);
    const ok = await login(PASSWORD);
    assert.equal(ok.status, 200);
    const setCookie = ok.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^hs_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
    cookie = setCookie.split(';')[0] ?? '';
    const me = (await (await get('/api/me', { cookie })).json()) as { username: string; via: string };
    assert.deepEqual([me.username, me.via], ['anna', 'session']);
  });

  test('a socket without credentials is refused; with a session it connects', async () => {
    const refused = ioClient(base, { transports: ['websocket'], reconnection: false });
    const error = await new Promise<Error>((resolve) => refused.once('connect_error', resolve));
    assert.equal(error.message, 'unauthorized');
    refused.close();
    const socket = ioClient(base, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie },
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    socket.close();
  });

  test('login attempts are rate limited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await call('/api/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'x', password: 'y' }),
      });
      statuses.push(res.status);
    }
    assert.ok(statuses.includes(429), statuses.join(','));
  });
});

describe('REST', () => {
  test('devices, status, latest reading and stats come from QuestDB', async () => {
    const devices = (await (await get('/api/devices')).json()) as Device[];
    assert.deepEqual(
      devices.map((d) => [d.device, d.state, d.model]),
      [['wpm1', 'online', 'stiebel-wpm']],
    );
    const latest = (await (await get('/api/devices/wpm1/readings/latest')).json()) as LatestReading;
    assert.deepEqual(latest.metrics, { flow_temp: 39, outside_temp: -5.5, elec_power: 1059 });
    const stats = (await (await get('/api/stats')).json()) as Stats;
    assert.equal(stats.readings, 60);
    assert.equal(stats.devicesOnline, 1);
    assert.equal((await get('/api/devices/nope/status')).status, 404);
  });

  test('history is downsampled in QuestDB to at most the points asked for', async () => {
    const from = new Date(T0).toISOString();
    const to = new Date(T0 + 3_600_000).toISOString();
    const res = await get(
      `/api/devices/wpm1/readings?from=${from}&to=${to}&metrics=flow_temp,elec_power&points=6`,
    );
    assert.equal(res.status, 200);
    const body = (await res.json()) as ReadingHistory;
    assert.equal(body.bucketSeconds, 600);
    assert.equal(body.rows.length, 6);
    assert.deepEqual(
      body.rows.map((r) => r.values.flow_temp),
      [34.5, 34.5, 34.5, 34.5, 34.5, 34.5],
    );
    assert.deepEqual([body.rows[0]?.min.flow_temp, body.rows[0]?.max.flow_temp], [30, 39]);
    // elec_power rises by 1 W a minute: the bucket's mean of minutes 0..9.
    assert.equal(body.rows[0]?.values.elec_power, 1004.5);
    assert.equal(body.rows[0].time, `${from.slice(0, -5)}.000000Z`);
  });

  test('daily COP comes back per day with its sums and coverage', async () => {
    const res = await get(
      `/api/devices/wpm1/cop?period=day&from=${new Date(T0 - 1).toISOString()}&to=${new Date(T0 + 5 * 86_400_000).toISOString()}`,
    );
    assert.equal(res.status, 200);
    const rows = (await res.json()) as CopRow[];
    assert.deepEqual(
      rows.map((r) => [r.periodStart.slice(0, 10), r.cop, r.heatKwh, r.coverage]),
      [
        ['2026-01-15', 4, 40, 1],
        ['2026-01-16', 4.1, 41, 1],
        ['2026-01-17', 4.2, 42, 1],
      ],
    );
  });

  test('COP rows stored from cop.v1 come back with the v2 fields, unknown ones null', async () => {
    const res = await get(`/api/devices/wpm1/cop?from=${dayIso(0)}&to=${dayIso(1)}`);
    const [row] = (await res.json()) as CopRow[];
    assert.ok(row);
    assert.deepEqual(
      [row.partial, row.standbyKwh, row.boundary, row.method.heatSource, row.method.heatFrom, row.counters],
      [false, null, null, 'heat-meter', null, null],
    );
  });

  test('COP stats give the newest figure of each period, partial with its reason', async () => {
    const res = await get('/api/devices/wpm2/cop/stats');
    assert.equal(res.status, 200);
    const stats = (await res.json()) as CopStats;
    assert.equal(Date.parse(stats.asOf ?? ''), T0 + 2 * DAY_MS);
    assert.deepEqual(
      stats.figures.map((f) => [f.period, f.category, f.heatKwh, f.elecKwh, f.partial, f.partialReason]),
      [
        ['7d', 'combined', 200, 62, false, null],
        ['365d', 'combined', 61, 20, true, '2 of 365 days with data; 365d needs more than 330'],
      ],
    );
    const [, year] = stats.figures;
    assert.deepEqual(
      [year?.counters, year?.method.heatSource, year?.boundary, year?.dataDays],
      [{ elecKwh: 20, heatKwh: 61, cop: 3.05 }, 'flow-dt', 'H4', 2],
    );
    const none = (await (await get('/api/devices/nobody/cop/stats')).json()) as CopStats;
    assert.deepEqual(none, { device: 'nobody', asOf: null, figures: [] });
  });

  test('daily COP rows export as CSV, one line per day with per-category columns', async () => {
    const res = await get(`/api/devices/wpm2/cop/daily.csv?from=${dayIso(-1)}&to=${dayIso(3)}`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv/);
    const [header, ...lines] = (await res.text()).trimEnd().split('\n');
    const columns = header?.split(',') ?? [];
    assert.equal(lines.length, 2);
    const cells = lines.map(
      (line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i], v])) as Record<string, string>,
    );
    assert.deepEqual(
      cells.map((c) => [
        c.date,
        c.timestamp,
        c.combined_elec_kwh,
        c.combined_heat_kwh,
        c.combined_cop,
        c.water_cop,
        c.water_data_length,
        c.water_outsideT_mean,
        c.space_cop,
        c.standby_kwh,
        c.partial,
        c.heat_source,
      ]),
      [0, 1].map((d) => [
        dayIso(d).slice(0, 10),
        String(Date.UTC(2026, 0, 15 + d) / 1000), // day rows start at the UTC midnight of their time
        '10',
        String(30 + d),
        String((30 + d) / 10),
        '2',
        '3600',
        '1.5',
        '',
        '0.5',
        '0',
        'flow-dt',
      ]),
    );
  });

  test('bad input gets a 400 naming the problem', async () => {
    const unknown = await get('/api/devices/wpm1/readings?metrics=flow_temp,colour');
    assert.equal(unknown.status, 400);
    assert.match(JSON.stringify(await unknown.json()), /unknown metric colour/);
    const badId = await get('/api/devices/wpm1;drop/status');
    assert.equal(badId.status, 400);
    const badPoints = await get('/api/devices/wpm1/readings?metrics=flow_temp&points=0');
    assert.equal(badPoints.status, 400);
    assert.match(JSON.stringify(await badPoints.json()), /\/query\/points/);
  });

  test('a viewer may read but not acknowledge', async () => {
    const users = await UserStore.open(client);
    await users.createUser('guest', 'guest password long', 'viewer');
    const viewer = await users.createToken('guest', 'tests');
    assert.equal((await get('/api/devices', { authorization: `Bearer ${viewer}` })).status, 200);
    const ack = await call('/api/alerts/a-1/ack', {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}` },
    });
    assert.equal(ack.status, 403);
  });

  test('acknowledging an alert publishes its acknowledged event', async () => {
    const sub = nats.nc.subscribe(subjects.alert('home', 'wpm1'), { max: 1 });
    const res = await call('/api/alerts/a-1/ack', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    for await (const msg of sub) {
      const event = events.decode(msg.data) as EventOf<'heatstream.alert.v1'>;
      assert.deepEqual(
        [event.data.alertId, event.data.state, event.data.acknowledgedBy],
        ['a-1', 'acknowledged', 'anna'],
      );
    }
  });

  test('alerts come back in their latest state, camelCase; one not raised cannot be acknowledged', async () => {
    const all = (await (await get('/api/alerts')).json()) as Alert[];
    const [first, second] = ['a-1', 'a-2'].map((id) => all.find((a) => a.alertId === id));
    // The alert event's data, as published, and the time of its latest state.
    assert.deepEqual(first && { ...first, time: typeof first.time }, { time: 'string', ...raised });
    assert.equal(second?.state, 'resolved');
    const active = (await (await get('/api/alerts?active=true')).json()) as Alert[];
    assert.deepEqual(
      active.map((a) => a.alertId),
      ['a-1'],
    );
    const ack = await call('/api/alerts/a-2/ack', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(ack.status, 409);
    assert.deepEqual(await ack.json(), { error: 'alert a-2 is resolved' });
  });

  test('a body over the limit gets a 413', async () => {
    const res = await call('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'anna', password: 'x'.repeat(20_000) }),
    });
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error: string }).error, /body too large/);
  });

  test('the OpenAPI document lists exactly the routes the server answers', async () => {
    const doc = (await (await call('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    assert.ok(documented.length >= 14, documented.join('\n'));
    for (const entry of documented) {
      const [method, path] = entry.split(' ') as [string, string];
      if (method === 'POST' && path === '/api/logout') continue;
      const url = path.replace('{id}', path.startsWith('/api/alerts') ? 'a-unknown' : 'wpm1');
      const res = await call(`${url}${url.endsWith('/readings') ? '?metrics=flow_temp' : ''}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(method === 'POST'
          ? { body: path === '/api/login' ? JSON.stringify({ username: 'anna', password: 'x' }) : '{}' }
          : {}),
      });
      const body = (await res.json().catch(() => ({}))) as { error?: string };
      assert.notEqual(body.error, 'no such route', entry);
      assert.notEqual(res.status, 500, entry);
    }
    const undocumented = await get('/api/not-a-route');
    assert.equal(undocumented.status, 404);
  });
});

describe('a site today', () => {
  test('kWh from meter power and flow × ΔT, counters not counted twice, starts and states since', async () => {
    const start = Date.now() - 30 * 60_000;
    const minute = (i: number): number => start + i * 60_000;
    // Compressor on for minutes 5–14 and from 20: two starts, on since minute 20.
    const on = (i: number): number => ((i >= 5 && i < 15) || i >= 20 ? 1 : 0);
    await seed(questdb.conn, [
      ...Array.from({ length: 30 }, (_, i) =>
        readingEvent(
          {
            site: 'day',
            device: 'meter',
            model: 'wago-879-30xx',
            metrics: { elec_power: 2400, elec_energy: 1_000 + i * 40 },
          },
          { time: minute(i) },
        ),
      ),
      ...Array.from({ length: 30 }, (_, i) =>
        readingEvent(
          {
            site: 'day',
            device: 'hp',
            model: 'stiebel-wpm',
            metrics: {
              flow_rate: 12,
              flow_temp: 35,
              return_temp: 30,
              compressor_on: on(i),
              elec_energy: 5_000 + i * 30,
              heat_energy: 20_000,
            },
          },
          { time: minute(i) + 1_000 },
        ),
      ),
    ]);
    const from = new Date(start - 60 * 60_000).toISOString();
    const res = await get(`/api/sites/day/today?from=${from}`);
    assert.equal(res.status, 200);
    const today = (await res.json()) as SiteToday;
    const near = (actual: number | null, expected: number, what: string): void => {
      assert.ok(actual !== null && Math.abs(actual - expected) < 1e-6, `${what}: ${actual} ≠ ${expected}`);
    };
    // 30 minutes at 2.4 kW; 12 l/min × 4.186 kJ/(kg·K) × 5 K = 4.186 kW for 30 minutes.
    near(today.elecKwh, 1.2, 'site electricity: the meter, not the heat pump’s own counter as well');
    near(today.heatKwh, 2.093, 'site heat');
    const [hp, meter] = today.devices;
    assert.deepEqual([hp?.device, hp?.heatFrom, hp?.elecFrom], ['hp', 'flow-dt', 'counter']);
    near(hp?.elecKwh ?? null, 0.87, 'the heat pump’s counter rise');
    assert.deepEqual([meter?.device, meter?.elecFrom, meter?.heatKwh], ['meter', 'power', null]);
    assert.equal(today.starts, 2);
    assert.ok(today.startsPerHour !== null && today.startsPerHour > 0);
    assert.deepEqual(
      hp?.states.map((st) => [st.metric, st.value, Date.parse(st.since ?? '')]),
      [['compressor_on', 1, minute(20) + 1_000]],
    );
    const stale = await get(
      `/api/sites/day/today?from=${new Date(Date.now() - 30 * 3_600_000).toISOString()}`,
    );
    assert.equal(stale.status, 400);
  });
});

describe('QuestDB unreachable', () => {
  test('history routes answer 503, health says degraded and readiness names QuestDB', async () => {
    await using down = await startGateway(nats, questdb.conn, {
      HS_QUESTDB__URL: `http://127.0.0.1:${await freePort()}`,
    });
    const callDown = recorder(down.base, answers);
    const auth = { headers: { authorization: `Bearer ${token}` } };
    for (const path of ['/api/stats', '/api/devices', '/api/alerts', '/api/devices/wpm1/status']) {
      const res = await callDown(path, auth);
      assert.equal(res.status, 503, path);
      assert.deepEqual(await res.json(), { error: 'history store unavailable; retry shortly' });
    }
    const health = (await (await callDown('/api/health', auth)).json()) as Health;
    assert.deepEqual(health, { status: 'degraded', dependencies: { nats: 'up', questdb: 'down' } });
    const ready = await fetch(`http://127.0.0.1:${down.svc.httpPort}/readyz`);
    assert.equal(ready.status, 503);
    assert.match(((await ready.json()) as { reason: string }).reason, /QuestDB at .* unreachable/);
  });
});

describe('live push', () => {
  test('a reading published to NATS reaches the sockets in its device and site rooms', async () => {
    const connectSocket = async (): Promise<Socket> => {
      const socket = ioClient(base, { transports: ['websocket'], reconnection: false, auth: { token } });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      return socket;
    };
    const [byDevice, bySite, other] = await Promise.all([connectSocket(), connectSocket(), connectSocket()]);
    assert.deepEqual(await byDevice.emitWithAck('subscribe', { device: 'wpm1' }), {
      ok: true,
      rooms: ['device:wpm1'],
    });
    assert.deepEqual(await bySite.emitWithAck('subscribe', { site: 'home' }), {
      ok: true,
      rooms: ['site:home'],
    });
    assert.deepEqual(await other.emitWithAck('subscribe', { device: 'other' }), {
      ok: true,
      rooms: ['device:other'],
    });
    let strayed = false;
    other.on('reading', () => (strayed = true));
    const event = readingEvent({
      site: 'home',
      device: 'wpm1',
      model: 'stiebel-wpm',
      metrics: { flow_temp: 41.5 },
    });
    const received = Promise.all(
      [byDevice, bySite].map((s) => new Promise<{ id: string }>((resolve) => s.once('reading', resolve))),
    );
    nats.nc.publish(subjects.reading('home', 'wpm1'), JSON.stringify(event));
    const got = await received;
    assert.deepEqual(
      got.map((e) => e.id),
      [event.id, event.id],
    );
    assert.equal(strayed, false, 'other rooms do not get it');
    for (const s of [byDevice, bySite, other]) s.close();
  });

  test('a range played by `heatstream replay` reaches the replay room only, with its subject and speed', async () => {
    const connectSocket = async (): Promise<Socket> => {
      const socket = ioClient(base, { transports: ['websocket'], reconnection: false, auth: { token } });
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      return socket;
    };
    const [watcher, liveUser] = await Promise.all([connectSocket(), connectSocket()]);
    assert.deepEqual(await watcher.emitWithAck('subscribe', { replay: true }), {
      ok: true,
      rooms: ['replay'],
    });
    await liveUser.emitWithAck('subscribe', { device: 'wpm1' });
    await liveUser.emitWithAck('subscribe', { site: 'home' });
    const liveGot: string[] = [];
    liveUser.on('reading', (e: { id: string }) => liveGot.push(e.id));
    const old = readingEvent(
      { site: 'home', device: 'wpm1', model: 'stiebel-wpm', metrics: { flow_temp: 30 } },
      { time: T0 },
    );
    const replayed = new Promise<unknown>((resolve) => watcher.once('replay', resolve));
    const h = headers();
    h.set('Hs-Replay-Subject', subjects.reading('home', 'wpm1'));
    h.set('Hs-Replay-Speed', '60');
    nats.nc.publish('replay.v1.home.wpm1', JSON.stringify(old), { headers: h });
    assert.deepEqual(await replayed, {
      channel: 'reading',
      event: old,
      subject: subjects.reading('home', 'wpm1'),
      speed: 60,
    });
    // The gateway emitted the replay before this live reading was published; a socket gets its
    // messages in order, so had the replay reached the live rooms, it would have come first.
    const fresh = readingEvent({
      site: 'home',
      device: 'wpm1',
      model: 'stiebel-wpm',
      metrics: { flow_temp: 42 },
    });
    const arrived = new Promise<void>((resolve) =>
      liveUser.once('reading', () => {
        resolve();
      }),
    );
    nats.nc.publish(subjects.reading('home', 'wpm1'), JSON.stringify(fresh));
    await arrived;
    assert.deepEqual(liveGot.slice(0, 1), [fresh.id], 'the live user got the live reading, not the replay');
    for (const s of [watcher, liveUser]) s.close();
  });
});

describe('the fleet table', () => {
  test('GET /api/fleet answers every site in one call: status, heat source, power, COP with coverage, alerts', async () => {
    const now = Date.now();
    const cabin = { site: 'cabin', device: 'lg' } as const;
    const day = (d: number) => new Date(Date.UTC(2026, 0, 1) + d * DAY_MS).toISOString();
    await seed(questdb.conn, [
      readingEvent(
        { ...cabin, model: 'lg-therma-v-r290', metrics: { heat_power: 4200, flow_temp: 38 } },
        { time: now - 30_000 },
      ),
      readingEvent(
        { site: 'cabin', device: 'cabin-meter', model: 'wago-879-30xx', metrics: { elec_power: 1050 } },
        { time: now - 20_000 },
      ),
      statusEvent({ ...cabin, state: 'online' }, { time: now - 60_000 }),
      statusEvent({ site: 'cabin', device: 'cabin-meter', state: 'online' }, { time: now - 60_000 }),
      copV2Event({ ...cabin, heatKwh: 42, elecKwh: 12, boundary: 'H4' }, { time: now - DAY_MS }),
      copV2Event(
        { ...cabin, period: '30d', periodStart: day(0), periodEnd: day(30), heatKwh: 900, elecKwh: 300 },
        { time: now - DAY_MS },
      ),
      copV2Event(
        {
          ...cabin,
          period: '365d',
          periodStart: day(-335),
          periodEnd: day(30),
          heatKwh: 900,
          elecKwh: 300,
          coverage: 0.08,
          dataDays: 30,
          partial: true,
          partialReason: '30 of 365 days with data; 365d needs more than 330',
        },
        { time: now - DAY_MS },
      ),
      readingEvent(
        { site: 'attic', device: 'sdm', model: 'eastron-sdm630', metrics: { elec_power: 10 } },
        { time: now - 10_000 },
      ),
      statusEvent({ site: 'attic', device: 'sdm', state: 'unavailable', reason: 'no answer' }, { time: now }),
      readingEvent(
        { site: 'shed', device: 'wpm9', model: 'stiebel-eltron-wpm', metrics: { heat_power: 0 } },
        { time: now - 3_600_000 },
      ),
      alertEvent(
        { ...raised, site: 'cabin', device: 'lg', alertId: 'c-1', severity: 'critical' },
        { time: now - 5_000 },
      ),
    ]);
    const res = await get('/api/fleet?period=30d');
    assert.equal(res.status, 200);
    const fleet = (await res.json()) as Fleet;
    assert.equal(fleet.period, '30d');
    // home's January readings are past the readings table's TTL once these are stored: only its
    // alerts and COP are asserted. Other tests of this file store sites of their own (e.g. `day`).
    assert.deepEqual(
      fleet.sites.filter((s) => ['attic', 'cabin', 'shed'].includes(s.site)).map((s) => [s.site, s.status]),
      [
        ['attic', 'fault'],
        ['cabin', 'ok'],
        ['shed', 'offline'],
      ],
    );
    // Every site, in site order (with those of the other tests in this file between them).
    const ids = fleet.sites.map((s) => s.site);
    assert.deepEqual(ids, [...ids].sort());
    assert.deepEqual(
      ids.filter((id) => ['attic', 'cabin', 'home', 'shed'].includes(id)),
      ['attic', 'cabin', 'home', 'shed'],
    );
    const row = fleet.sites.find((s) => s.site === 'cabin');
    assert.ok(row);
    assert.equal(row.heatSource, 'lg');
    assert.equal(row.make, 'LG');
    assert.equal(row.heatW, 4200);
    assert.equal(row.elecW, 1050, 'the meter on its supply gives the electricity');
    assert.equal(row.devices, 2);
    assert.equal(row.copDay?.cop, 3.5);
    assert.equal(row.copPeriod?.cop, 3);
    assert.equal(row.scop?.partial, true);
    assert.match(row.scop.partialReason ?? '', /30 of 365 days/);
    assert.equal(row.boundary, 'H4');
    assert.deepEqual(row.alerts, { active: 1, critical: 1, warning: 0 });
    const home = fleet.sites.find((s) => s.site === 'home');
    assert.deepEqual(home?.alerts, { active: 1, critical: 0, warning: 1 });
    assert.equal(home.heatSource, 'wpm1', 'the device with COP figures');
    assert.equal(home.copDay?.cop, 4.2, "wpm1's newest day (a cop.v1 row)");
    assert.equal(home.copPeriod, null, 'home has no 30-day figure');
    const shed = fleet.sites.find((s) => s.site === 'shed');
    assert.deepEqual([shed?.make, shed?.model], ['Stiebel Eltron', 'WPM 3 / WPM 3i / WPMsystem via ISG']);

    const weekly = (await (await get('/api/fleet')).json()) as Fleet;
    assert.equal(weekly.period, '7d');
    assert.equal(weekly.sites.find((s) => s.site === 'cabin')?.copPeriod, null);
    const bad = await get('/api/fleet?period=14d');
    assert.equal(bad.status, 400);
  });
});

describe('device commands', () => {
  const post = (path: string, body: unknown, bearer = token) =>
    call(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  test('an admin sends STATUS as a command event; viewers, unknown devices and other commands are refused', async () => {
    const users = await UserStore.open(client);
    await users.createUser('carl', 'carl password long', 'viewer');
    const viewer = await users.createToken('carl', 'tests');
    assert.equal((await post('/api/devices/wpm1/commands', { command: 'STATUS' }, viewer)).status, 403);
    assert.equal((await post('/api/devices/nowhere/commands', { command: 'STATUS' })).status, 404);
    const reboot = await post('/api/devices/wpm1/commands', { command: 'REBOOT' });
    assert.equal(reboot.status, 400);
    const sub = nats.nc.subscribe(subjects.command('home', 'wpm1'), { max: 1 });
    const res = await post('/api/devices/wpm1/commands', { command: 'STATUS' });
    assert.equal(res.status, 200);
    const sent = (await res.json()) as { commandId: string };
    assert.deepEqual(sent, {
      commandId: sent.commandId,
      site: 'home',
      device: 'wpm1',
      command: 'STATUS',
      requestedBy: 'anna',
    });
    for await (const msg of sub) {
      const event = events.decode(msg.data) as EventOf<'heatstream.command.v1'>;
      assert.equal(event.id, sent.commandId);
      assert.deepEqual(event.data, { site: 'home', device: 'wpm1', command: 'STATUS', requestedBy: 'anna' });
    }
  });

  test("the device's answer reaches the sockets of its device room", async () => {
    const socket = ioClient(base, { transports: ['websocket'], reconnection: false, auth: { token } });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      await socket.emitWithAck('subscribe', { device: 'wpm1' });
      const answer = makeEvent('heatstream.command-result.v1', {
        source: 'acq-cellular/test',
        subject: 'wpm1',
        data: { site: 'home', device: 'wpm1', commandId: 'c-1', command: 'STATUS', ok: true, text: 'V=230' },
      });
      const received = new Promise<{ id: string }>((resolve) => socket.once('command-result', resolve));
      nats.nc.publish(subjects.commandResult('home', 'wpm1'), JSON.stringify(answer));
      assert.equal((await received).id, answer.id);
    } finally {
      socket.close();
    }
  });
});

describe('the OpenAPI document', () => {
  test('is valid OpenAPI 3.1, and every answer these tests got matches it', async () => {
    const document: unknown = await (await call('/api/openapi.json')).json();
    const report = await checkResponses(document, answers);
    assert.deepEqual(report.documentErrors, []);
    assert.deepEqual(report.problems, []);
    assert.deepEqual([...new Set(report.undocumented)], ['GET /api/not-a-route']);
    const statuses = new Set(answers.map((a) => a.status));
    for (const status of [200, 400, 401, 403, 404, 409, 413, 429, 503])
      assert.ok(statuses.has(status), `no answer with ${status} was checked`);
    assert.ok(report.checked > 50, `${report.checked} answers checked`);
  });

  test('parameters with defaults are optional; path parameters and those without are required', async () => {
    const { paths } = (await (await call('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { parameters: { name: string; required: boolean }[] }>>;
    };
    const required = (path: string): Record<string, boolean> =>
      Object.fromEntries((paths[path]?.get?.parameters ?? []).map((p) => [p.name, p.required]));
    assert.deepEqual(required('/api/devices/{id}/readings'), {
      id: true,
      from: false,
      to: false,
      metrics: true,
      points: false,
    });
    assert.deepEqual(required('/api/alerts'), { device: false, hours: false, limit: false, active: false });
    assert.deepEqual(required('/api/devices/{id}/cop'), { id: true, period: false, from: false, to: false });
  });
});
