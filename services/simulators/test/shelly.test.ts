// The simulated Shellies over real HTTP, as a client that is not acq-shelly sees them: JSON-RPC
// frames on POST /rpc, digest challenges with a single-use nonce, stored records in blocks and
// pages, the monophase profile, the BLU gateway's components.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { defaultHouse } from '../src/model/house.ts';
import { ShellySite } from '../src/shelly/site.ts';

const START = Date.UTC(2026, 5, 15, 9, 0, 0);
/** What the endpoints answer, as far as these tests read it. */
interface Answer {
  id: number;
  src: string;
  keys: string[];
  total: number;
  value: number;
  last_updated_ts: number;
  act_power: number;
  total_act_power: number;
  a_act_power: number;
  b_act_power: number;
  c_act_power: number;
  components: {
    key: string;
    config: { name?: string; obj_id?: number };
    status: { id: number; value: number };
  }[];
}
const json = async (res: Response | Promise<Response>): Promise<Answer> =>
  (await (await res).json()) as Answer;

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

async function site(t: { now: number }, o: { password?: string; profile?: 'triphase' | 'monophase' } = {}) {
  const s = new ShellySite({
    host: '127.0.0.1',
    meterPort: 0,
    gatewayPort: 0,
    meterId: 'shellypro3em-c8f09e878a5c',
    gatewayId: 'shellypro1-30c6f7829a10',
    password: o.password,
    profile: o.profile ?? 'triphase',
    pageRecords: 3,
    pvPeakW: 0,
    house: { ...defaultHouse, startIndoorC: 20 },
    now: () => t.now,
    log: pino({ level: 'silent' }),
  });
  await s.start();
  return Object.assign(s, { [Symbol.asyncDispose]: () => s.stop() });
}

/** One digest answer to a challenge, by hand (RFC 7616, SHA-256, qop auth). */
function authorization(challenge: string, password: string, uri: string, method = 'GET'): string {
  const get = (k: string): string => new RegExp(`${k}="?([^",]+)"?`).exec(challenge)?.[1] ?? '';
  const [realm, nonce] = [get('realm'), get('nonce')];
  const ha1 = sha(`admin:${realm}:${password}`);
  const response = sha(`${ha1}:${nonce}:00000001:abc:auth:${sha(`${method}:${uri}`)}`);
  return `Digest username="admin", realm="${realm}", nonce="${nonce}", uri="${uri}", algorithm=SHA-256, qop=auth, nc=00000001, cnonce="abc", response="${response}"`;
}

void describe('simulated Shelly Pro 3EM', () => {
  void it('answers JSON-RPC frames on POST /rpc and bare results on GET', async () => {
    const t = { now: START };
    await using s = await site(t);
    t.now += 90_000;
    const base = `http://127.0.0.1:${s.meterServer.port}`;
    const frame = await json(
      fetch(`${base}/rpc`, {
        method: 'POST',
        body: JSON.stringify({ id: 7, src: 'test', method: 'EM.GetStatus', params: { id: 0 } }),
      }),
    );
    assert.equal(frame.id, 7);
    assert.equal(frame.src, 'shellypro3em-c8f09e878a5c');
    const bare = await json(fetch(`${base}/rpc/EM.GetStatus?id=0`));
    assert.equal(bare.id, 0);
    assert.ok(
      Math.abs(bare.total_act_power - (bare.a_act_power + bare.b_act_power + bare.c_act_power)) < 0.5,
    );
    const unknown = await fetch(`${base}/rpc/EM1.GetStatus?id=0`);
    assert.equal(unknown.status, 500, 'no em1 components in the triphase profile');
  });

  void it('wants digest SHA-256 with the device id as realm, each nonce good once', async () => {
    const t = { now: START };
    await using s = await site(t, { password: 'pw' });
    const base = `http://127.0.0.1:${s.meterServer.port}`;
    const info = await fetch(`${base}/rpc/Shelly.GetDeviceInfo`);
    assert.equal(info.status, 200, 'device info is never protected');
    const uri = '/rpc/EMData.GetStatus?id=0';
    const first = await fetch(base + uri);
    assert.equal(first.status, 401);
    const challenge = first.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /realm="shellypro3em-c8f09e878a5c"/);
    assert.match(challenge, /algorithm=SHA-256/);
    const auth = authorization(challenge, 'pw', uri);
    assert.equal((await fetch(base + uri, { headers: { authorization: auth } })).status, 200);
    assert.equal((await fetch(base + uri, { headers: { authorization: auth } })).status, 401, 'nonce spent');
    const again = (await fetch(base + uri)).headers.get('www-authenticate') ?? '';
    const wrong = authorization(again, 'not it', uri);
    assert.equal((await fetch(base + uri, { headers: { authorization: wrong } })).status, 401);
  });

  void it('stores 1-minute records whose energy is what the counters counted, in blocks and pages', async () => {
    const t = { now: START };
    await using s = await site(t);
    const before = s.meter.imp.reduce((a, b) => a + b, 0);
    t.now += 4 * 60_000;
    s.meter.advanceTo(t.now);
    s.meter.powerOff(t.now + 2 * 60_000);
    t.now += 6 * 60_000;
    const page = s.pro3em.call('EMData.GetData', { ts: 0 }) as {
      keys: string[];
      data: { ts: number; period: number; values: number[][] }[];
      next_record_ts?: number;
    };
    assert.equal(page.keys.length, 51);
    assert.equal(
      page.data.reduce((n, b) => n + b.values.length, 0),
      3,
      'one page',
    );
    assert.ok(page.next_record_ts !== undefined);
    const records = s.meter.records;
    const gaps = records.slice(1).filter((r, i) => r.ts !== (records[i]?.ts ?? 0) + 60_000);
    assert.equal(gaps.length, 1, 'a power loss splits the records into two blocks');
    const recorded = records.reduce((a, r) => a + r.phases.reduce((x, p) => x + p.imp, 0), 0);
    const counted = s.meter.imp.reduce((a, b) => a + b, 0) - before;
    assert.ok(
      recorded <= counted + 1e-6 && counted - recorded < 60,
      'records hold what was counted, but the partial minutes',
    );
  });

  void it('serves em1:0..2 in the monophase profile', async () => {
    const t = { now: START };
    await using s = await site(t, { profile: 'monophase' });
    t.now += 120_000;
    const base = `http://127.0.0.1:${s.meterServer.port}`;
    const em1 = await json(fetch(`${base}/rpc/EM1.GetStatus?id=2`));
    assert.equal(em1.id, 2);
    assert.equal(typeof em1.act_power, 'number');
    const data = await json(fetch(`${base}/rpc/EM1Data.GetData?id=1&ts=0`));
    assert.ok(data.keys.includes('total_act_energy'));
    assert.equal((await fetch(`${base}/rpc/EM.GetStatus?id=0`)).status, 500);
  });
});

void describe('simulated BLU gateway', () => {
  void it('lists BTHome devices and sensors whose temperature follows the house', async () => {
    const t = { now: START };
    await using s = await site(t);
    t.now += 5 * 60_000;
    const base = `http://127.0.0.1:${s.gatewayServer.port}`;
    const first = await json(fetch(`${base}/rpc/Shelly.GetComponents?offset=0`));
    assert.equal(first.total, 8);
    const second = await json(fetch(`${base}/rpc/Shelly.GetComponents?offset=${first.components.length}`));
    const components = [...first.components, ...second.components];
    const names = components.filter((c) => c.key.startsWith('bthomedevice:')).map((c) => c.config.name);
    assert.deepEqual(names, ['living', 'bedroom']);
    const temp = components.find((c) => c.config.obj_id === 69);
    assert.ok(temp);
    assert.equal(temp.status.value, Number(s.house.state.indoorC.toFixed(1)));
    const status = await json(fetch(`${base}/rpc/BTHomeSensor.GetStatus?id=${temp.status.id}`));
    assert.equal(status.value, temp.status.value);
    assert.ok(status.last_updated_ts * 1000 <= t.now && status.last_updated_ts * 1000 > t.now - 60_000);
  });
});
