// The gateway against a real NATS and QuestDB: authentication on every route and socket, history
// queries, alert acknowledgement, and the OpenAPI document against the routes: every REST answer
// these tests get is validated against the document at the end. A site's day, live push, the
// fleet table and device commands: api-live.test.ts. The shared stack and seed: api-stack.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { events, subjects, type EventOf } from '@heatstream/contracts';
import type {
  Alert,
  CopRow,
  CopStats,
  Device,
  Health,
  LatestReading,
  ReadingHistory,
  Stats,
} from '@heatstream/contracts/api';
import type { NatsClient } from '@heatstream/runtime';
import { freePort, type NatsFixture, type QuestDbFixture } from '@heatstream/testkit';
import { io as ioClient } from 'socket.io-client';
import { UserStore } from '../src/users.ts';
import { startGateway } from './fixtures.ts';
import { checkResponses, recorder, type Answer } from './openapi-check.ts';
import { apiStack, dayIso, DAY_MS, PASSWORD, raised, T0, type ApiStack } from './api-stack.ts';

let stack: ApiStack | undefined;
let nats: NatsFixture;
let questdb: QuestDbFixture;
let client: NatsClient;
let base: string;
let token: string;
let call: ApiStack['call'];
let answers: Answer[];
/** The session cookie of the login test, for the socket test after it. */
let cookie: string;

before(async () => {
  stack = await apiStack();
  ({ nats, questdb, client, base, token, call, answers } = stack);
});

after(() => stack?.[Symbol.asyncDispose]());

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
