// The gateway against hostile or careless callers, run as its own process (as deployed) so its log
// can be read: sockets end with their session, user or token; oversize bodies; strict parameters;
// mistakes caught before the store; security headers; a rate limit that says when to retry.
// QuestDB is deliberately unreachable: every 400 here is decided before the store is asked, and
// the only 503 is the one for the store itself.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { subjects } from '@heatstream/contracts';
import type { NatsClient } from '@heatstream/runtime';
import {
  eventually,
  freePort,
  killNodeProcesses,
  natsFixture,
  readingEvent,
  runNode,
  type NatsFixture,
  type NodeProcess,
} from '@heatstream/testkit';
import { io as ioClient, type Socket } from 'socket.io-client';
import { UserStore } from '../src/users.ts';
import { checkResponses, recorder, type Answer } from './openapi-check.ts';

const PASSWORD = 'correct horse battery staple';
let nats: NatsFixture;
let admin: NatsClient;
let users: UserStore;
let gateway: NodeProcess;
let base: string;
let token: string;
let call: (path: string, init?: RequestInit) => Promise<Response>;
/** A session opened at the start and left to expire. */
let expiring: { cookie: string; ended: Promise<{ reason: string; disconnect: string }> };
/** Every REST answer here, checked against the OpenAPI document at the end. */
const answers: Answer[] = [];

before(async () => {
  nats = await natsFixture({ own: true });
  admin = await nats.serviceClient('admin');
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  call = recorder(base, answers);
  gateway = runNode(
    fileURLToPath(new URL('../src/main.ts', import.meta.url)),
    nats.env({
      HS_QUESTDB__URL: `http://127.0.0.1:${await freePort()}`,
      HS_API__PORT: String(port),
      HS_API__SOCKET_RECHECK_SECONDS: '0.2',
      // The shortest session the config allows (36 s), so one can be seen to expire.
      HS_API__SESSION_TTL_HOURS: '0.01',
      HS_HTTP__PORT: '0',
      HS_LOG__LEVEL: 'info',
    }),
  );
  await eventually('the gateway to listen', () => gateway.output().includes('gateway listening'), 30_000);
  users = await UserStore.open(admin);
  await users.createUser('anna', PASSWORD, 'admin');
  await users.createUser('ben', PASSWORD, 'viewer');
  token = await users.createToken('anna', 'tests');
  const cookie = await logIn('anna');
  expiring = { cookie, ended: ended(await openSocket({ cookie })) };
});

after(async () => {
  gateway.child.kill('SIGTERM');
  await gateway.exited;
  await killNodeProcesses();
  await nats[Symbol.asyncDispose]();
});

const bearer = (secret = token): Record<string, string> => ({ authorization: `Bearer ${secret}` });
const logLines = (): { level: number; msg: string; err?: { stack?: string } }[] =>
  gateway
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string });

async function logIn(username: string): Promise<string> {
  const res = await call('/api/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  assert.equal(res.status, 200);
  return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
}

async function openSocket(credential: { cookie?: string; token?: string }): Promise<Socket> {
  const socket = ioClient(base, {
    transports: ['websocket'],
    reconnection: false,
    ...(credential.token ? { auth: { token: credential.token } } : {}),
    ...(credential.cookie ? { extraHeaders: { cookie: credential.cookie } } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  assert.deepEqual(await socket.emitWithAck('subscribe', { device: 'wpm1' }), {
    ok: true,
    rooms: ['device:wpm1'],
  });
  return socket;
}

/** Resolves with the server's reason once the server has disconnected the socket. */
const ended = (socket: Socket): Promise<{ reason: string; disconnect: string }> =>
  new Promise((resolve) => {
    let reason = '';
    socket.once('session-ended', (e: { reason: string }) => (reason = e.reason));
    socket.once('disconnect', (disconnect) => {
      resolve({ reason, disconnect });
    });
  });

const publishReading = (flow: number): string => {
  const event = readingEvent({
    site: 'home',
    device: 'wpm1',
    model: 'stiebel-wpm',
    metrics: { flow_temp: flow },
  });
  nats.nc.publish(subjects.reading('home', 'wpm1'), JSON.stringify(event));
  return event.id;
};

describe('sockets end with their credential', () => {
  test('a logged-out session’s socket is disconnected at once and gets no further readings', async () => {
    const cookie = await logIn('anna');
    const [session, witness] = await Promise.all([openSocket({ cookie }), openSocket({ token })]);
    const seen: string[] = [];
    session.on('reading', (e: { id: string }) => seen.push(e.id));
    const first = new Promise((resolve) => witness.once('reading', resolve));
    const firstId = publishReading(40);
    await first;
    await eventually('the session socket to get the first reading', () => seen.length === 1, 10_000);
    const gone = ended(session);
    const logout = await call('/api/logout', { method: 'POST', headers: { cookie } });
    assert.equal(logout.status, 200);
    assert.deepEqual(await gone, { reason: 'logged out', disconnect: 'io server disconnect' });
    // The witness is still in the room: once it has the second reading, so would the ended socket.
    const second = new Promise<{ id: string }>((resolve) => witness.once('reading', resolve));
    const secondId = publishReading(41);
    assert.equal((await second).id, secondId);
    assert.deepEqual(seen, [firstId], 'nothing after the logout');
    assert.equal(session.connected, false);
    const again = ioClient(base, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie },
    });
    const refused = await new Promise<Error>((resolve) => again.once('connect_error', resolve));
    assert.equal(refused.message, 'unauthorized', 'the ended session cannot open a new socket');
    again.close();
    witness.close();
  });

  test('a revoked token’s socket is disconnected', async () => {
    const secret = await users.createToken('anna', 'to-revoke');
    const socket = await openSocket({ token: secret });
    const gone = ended(socket);
    await users.revokeToken(secret);
    assert.deepEqual(await gone, { reason: 'session ended', disconnect: 'io server disconnect' });
  });

  test('a deleted user’s sockets, by session and by token, are disconnected', async () => {
    const cookie = await logIn('ben');
    const benToken = await users.createToken('ben', 'tests');
    const sockets = await Promise.all([openSocket({ cookie }), openSocket({ token: benToken })]);
    const gone = Promise.all(sockets.map(ended));
    await users.deleteUser('ben');
    assert.deepEqual(
      (await gone).map((g) => g.disconnect),
      ['io server disconnect', 'io server disconnect'],
    );
  });
});

describe('requests', () => {
  test('a 1 MB body is a 413, logged at info level without a stack', async () => {
    const big = JSON.stringify({ username: 'anna', password: 'x'.repeat(1_000_000) });
    for (const [path, headers] of [
      ['/api/login', {}],
      ['/api/alerts/a-1/ack', bearer()],
    ] as const) {
      const res = await call(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: big,
      });
      assert.equal(res.status, 413, path);
      assert.deepEqual(await res.json(), { error: 'body too large (16kb at most)' });
    }
    // Chunked, without a Content-Length: refused once 16 kB have arrived.
    const chunked = await call('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    });
    assert.equal(chunked.status, 413);
    const lines = await eventually(
      'the 413s in the log',
      () => {
        const l = logLines().filter((x) => x.msg === 'body too large');
        return l.length === 3 && l;
      },
      10_000,
    );
    assert.deepEqual(
      lines.map((l) => [l.level, l.err]),
      [
        [30, undefined],
        [30, undefined],
        [30, undefined],
      ],
    );
    assert.deepEqual(
      logLines().filter((l) => l.level >= 50),
      [],
      'no error-level lines',
    );
  });

  test('integer, boolean and enum parameters are parsed strictly: 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ...['1e3', '0x10', '%205', '5.0', '', '-0x1', '5abc'].map((v): [string, string] => [
        `/api/devices/wpm1/readings?metrics=flow_temp&points=${v}`,
        'points',
      ]),
      ['/api/alerts?hours=1e2', 'hours'],
      ['/api/alerts?limit=10&limit=20', 'limit'],
      ['/api/alerts?active=1', 'active'],
      ['/api/alerts?active=yes', 'active'],
      ['/api/devices/wpm1/cop?period=weekly', 'period'],
      ['/api/devices/wpm1/cop?period=', 'period'],
      ['/api/devices?site=', 'site'],
    ];
    for (const [path, name] of cases) {
      const res = await call(path, { headers: bearer() });
      assert.equal(res.status, 400, path);
      const body = (await res.json()) as { error: string; issues: { path: string }[] };
      assert.equal(body.error, `invalid query: ${name}`, path);
      assert.ok(
        body.issues.every((i) => i.path === `/query/${name}`),
        `${path}: ${JSON.stringify(body.issues)}`,
      );
    }
    // Written exactly as their type, the same parameters pass and reach the (unreachable) store.
    for (const path of [
      '/api/devices/wpm1/readings?metrics=flow_temp&points=1000',
      '/api/alerts?hours=100&limit=10&active=true',
      '/api/devices/wpm1/cop?period=season',
    ]) {
      const res = await call(path, { headers: bearer() });
      assert.equal(res.status, 503, path);
      assert.deepEqual(await res.json(), { error: 'history store unavailable; retry shortly' });
    }
  });

  test('a duplicated or unknown metric is a 400 naming it, decided before the store', async () => {
    const res = await call('/api/devices/wpm1/readings?metrics=flow_temp,elec_power,flow_temp,colour', {
      headers: bearer(),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      error: 'invalid query: metrics (unknown metric colour; metric flow_temp named twice)',
      issues: [
        { path: '/query/metrics', message: 'unknown metric colour' },
        { path: '/query/metrics', message: 'metric flow_temp named twice' },
      ],
    });
  });

  test('security headers: a CSP without inline script or style, no framing, nosniff, no referrer', async () => {
    // The dashboard's own files get the same headers: test/dashboard.test.ts loads them under this CSP.
    for (const path of ['/api/openapi.json', '/api/me']) {
      const res = await call(path);
      const csp = res.headers.get('content-security-policy') ?? '';
      const directives = new Map(
        csp.split(';').map((d) => {
          const [name = '', ...values] = d.trim().split(/\s+/);
          return [name, values.join(' ')] as const;
        }),
      );
      assert.equal(directives.get('default-src'), "'self'", path);
      assert.equal(directives.get('script-src'), "'self'", path);
      assert.equal(directives.get('style-src'), "'self'", path);
      assert.equal(directives.get('connect-src'), "'self'", path);
      assert.equal(directives.get('frame-ancestors'), "'none'", path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, path);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(res.headers.get('x-powered-by'), null, path);
    }
  });

  test('a rate-limited login says when to retry', async () => {
    let limited: Response | undefined;
    for (let i = 0; i < 12 && !limited; i++) {
      const res = await call('/api/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'nobody', password: 'wrong password' }),
      });
      if (res.status === 429) limited = res;
      else assert.equal(res.status, 401);
    }
    assert.ok(limited, 'the 429 came');
    const seconds = Number(limited.headers.get('retry-after'));
    assert.ok(Number.isInteger(seconds) && seconds >= 1 && seconds <= 60, `Retry-After ${seconds}`);
    assert.deepEqual(await limited.json(), { error: `too many requests; retry in ${seconds} s` });
  });
});

test('every answer above matches the OpenAPI document, which gives the 429’s Retry-After', async () => {
  const document = (await (await call('/api/openapi.json')).json()) as {
    paths: Record<string, Record<string, { responses: Record<string, { headers?: object }> }>>;
  };
  for (const [path, method] of [
    ['/api/login', 'post'],
    ['/api/devices', 'get'],
  ] as const)
    assert.ok(document.paths[path]?.[method]?.responses['429']?.headers, `${method} ${path}`);
  const report = await checkResponses(document, answers);
  assert.deepEqual(report.documentErrors, []);
  assert.deepEqual(report.problems, []);
  assert.deepEqual(report.undocumented, []);
  assert.ok(report.checked > 20, `${report.checked} answers checked`);
});

test('an expired session’s socket is disconnected', async () => {
  // Logged in before the other tests ran, so the file waits out only what is left of the 36 s.
  assert.equal((await fetch(`${base}/api/me`, { headers: { cookie: expiring.cookie } })).status, 200);
  assert.deepEqual(await expiring.ended, { reason: 'session ended', disconnect: 'io server disconnect' });
  assert.equal(
    (await fetch(`${base}/api/me`, { headers: { cookie: expiring.cookie } })).status,
    401,
    'the session expired',
  );
});
