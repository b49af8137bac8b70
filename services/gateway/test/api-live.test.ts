// The gateway against a real NATS and QuestDB, what the site and fleet pages read and what is
// pushed and sent: a site's day so far, readings and replays to the socket rooms, the installer's
// fleet table, commands to cellular devices and their answers;
// every REST answer is validated against the OpenAPI document at the end. The shared stack and
// seed: api-stack.ts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { events, makeEvent, subjects, type EventOf } from '@heatstream/contracts';
import type { Fleet, SiteToday } from '@heatstream/contracts/api';
import type { NatsClient } from '@heatstream/runtime';
import {
  alertEvent,
  copV2Event,
  readingEvent,
  statusEvent,
  type NatsFixture,
  type QuestDbFixture,
} from '@heatstream/testkit';
import { headers } from '@nats-io/transport-node';
import { io as ioClient, type Socket } from 'socket.io-client';
import { UserStore } from '../src/users.ts';
import { seed } from './fixtures.ts';
import { checkResponses, type Answer } from './openapi-check.ts';
import { apiStack, DAY_MS, raised, T0, type ApiStack } from './api-stack.ts';

let stack: ApiStack | undefined;
let nats: NatsFixture;
let questdb: QuestDbFixture;
let client: NatsClient;
let base: string;
let token: string;
let call: ApiStack['call'];
let answers: Answer[];

before(async () => {
  stack = await apiStack();
  ({ nats, questdb, client, base, token, call, answers } = stack);
});

after(() => stack?.[Symbol.asyncDispose]());

const get = (
  path: string,
  headers: Record<string, string> = { authorization: `Bearer ${token}` },
): Promise<Response> => call(path, { headers });

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
      hp?.states.map((st) => [st.metric, st.value, Date.parse(st.since ?? ''), Date.parse(st.seenSince)]),
      [['compressor_on', 1, minute(20) + 1_000, minute(0) + 1_000]],
    );
    const stale = await get(
      `/api/sites/day/today?from=${new Date(Date.now() - 30 * 3_600_000).toISOString()}`,
    );
    assert.equal(stale.status, 400);
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
  test('every answer these tests got matches it', async () => {
    const document: unknown = await (await call('/api/openapi.json')).json();
    const report = await checkResponses(document, answers);
    assert.deepEqual(report.documentErrors, []);
    assert.deepEqual(report.problems, []);
    assert.deepEqual(report.undocumented, []);
    assert.ok(report.checked > 5, `${report.checked} answers checked`);
  });
});
