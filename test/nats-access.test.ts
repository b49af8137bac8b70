// Least-privilege NATS users from contracts/src/access.ts on a real nats-server: services work
// with their own rights and are refused outside them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  access,
  makeEvent,
  natsAuthorization,
  natsPasswordVar,
  subjects,
  type Envelope,
} from '@heatstream/contracts';
import { connectClient, defineService, runService, type RunningService } from '@heatstream/runtime';
import { freePort, startNats, type NatsServer } from '@heatstream/testkit';
import { gateway } from '../services/gateway/src/service.ts';
import { UserStore } from '../services/gateway/src/users.ts';

const passwords = Object.fromEntries(
  [...Object.keys(access), 'admin'].map((s) => [s, `pw-${s}-${Math.random().toString(36).slice(2)}`]),
);
let nats: NatsServer;
const open: NatsConnection[] = [];

async function as(user: string): Promise<NatsConnection> {
  const nc = await connect({ servers: nats.url, user, pass: passwords[user] ?? '' });
  open.push(nc);
  return nc;
}

const reading = (device: string, i: number): Envelope =>
  makeEvent('heatstream.reading.v1', {
    source: 'access-test',
    subject: device,
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)),
    data: { site: 'home', device, model: 'm', metrics: { elec_power: 100 + i } },
  });

before(async () => {
  // The generated block references environment variables; the test fills them in literally.
  const config = natsAuthorization().replace(/\$(NATS_PASSWORD_\w+)/g, (_m, name: string) => {
    const service = Object.keys(passwords).find((s) => natsPasswordVar(s) === name) ?? '';
    return JSON.stringify(passwords[service]);
  });
  nats = await startNats({ own: true, config });
});

after(async () => {
  for (const nc of open) await nc.close();
  await nats.stop();
});

describe('NATS users per service', () => {
  test('ingest consumes, acks and dead-letters with only its own rights', async () => {
    const seen: string[] = [];
    const ingestLike = defineService({
      name: 'ingest',
      init(ctx) {
        ctx.consume('ingest-readings', async (event) => {
          seen.push(event.id);
          await Promise.resolve();
        });
        return undefined;
      },
    });
    const svc: RunningService = await runService(ingestLike, {
      argv: [],
      env: {
        HS_NATS__URL: nats.url,
        HS_NATS__USER: 'ingest',
        HS_NATS__PASSWORD: passwords.ingest,
        HS_LOG__LEVEL: 'error',
      },
    });
    const acq = jetstream(await as('acq-modbus'));
    const events = [reading('wpm1', 1), reading('wpm1', 2)];
    for (const e of events)
      await acq.publish(subjects.reading('home', 'wpm1'), JSON.stringify(e), { msgID: e.id });
    await acq.publish(subjects.reading('home', 'wpm1'), '{"not":"an event"}');
    const admin = await as('admin');
    const jsm = await jetstream(admin).jetstreamManager();
    for (let i = 0; i < 100; i++) {
      const info = await jsm.consumers.info('READINGS', 'ingest-readings');
      if (info.num_pending === 0 && info.num_ack_pending === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(
      seen,
      events.map((e) => e.id),
    );
    assert.equal(
      (await jsm.streams.info('REJECTED')).state.messages,
      1,
      'the invalid payload was dead-lettered',
    );
    assert.equal(await svc.stop(), 0);
  });

  test('a service cannot publish outside its subjects', async () => {
    const acq = jetstream(await as('acq-modbus'), { timeout: 2_000 });
    const alert = makeEvent('heatstream.alert.v1', {
      source: 'rogue',
      subject: 'wpm1',
      data: {
        site: 'home',
        device: 'wpm1',
        alertId: 'x',
        rule: 'r',
        severity: 'critical',
        state: 'raised',
        message: 'forged',
      },
    });
    await assert.rejects(acq.publish(subjects.alert('home', 'wpm1'), JSON.stringify(alert)), /permission/i);
    const ingest = jetstream(await as('ingest'), { timeout: 2_000 });
    await assert.rejects(
      ingest.publish(subjects.reading('home', 'wpm1'), JSON.stringify(reading('wpm1', 3))),
      /permission/i,
    );
    const jsm = await jetstream(await as('admin')).jetstreamManager();
    const stored = await jsm.streams.info('ALERTS').then(
      (i) => i.state.messages,
      () => 0,
    );
    assert.equal(stored, 0, 'nothing forged reached ALERTS');
  });

  test('the gateway runs with its rights: users in KV, its session TTL applied, and login', async () => {
    const admin = await connectClient(
      { nats: { url: nats.url, user: 'admin', password: passwords.admin ?? '' } },
      'admin',
    );
    await (await UserStore.open(admin)).createUser('owner', 'long enough password', 'admin');
    const port = await freePort();
    const svc = await runService(gateway, {
      argv: [],
      env: {
        HS_NATS__URL: nats.url,
        HS_NATS__USER: 'gateway',
        HS_NATS__PASSWORD: passwords.gateway,
        HS_QUESTDB__URL: 'http://127.0.0.1:9',
        HS_API__PORT: String(port),
        // Not the 12 h the admin created the bucket with: the gateway's user updates the bucket.
        HS_API__SESSION_TTL_HOURS: '1',
        HS_LOG__LEVEL: 'error',
      },
    });
    assert.equal((await admin.kv('gateway_sessions')).ttlMs, 3_600_000);
    await admin.close();
    const login = await fetch(`http://127.0.0.1:${port}/api/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'owner', password: 'long enough password' }),
    });
    assert.equal(login.status, 200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    assert.equal((await fetch(`http://127.0.0.1:${port}/api/me`, { headers: { cookie } })).status, 200);
    assert.equal(await svc.stop(), 0);
  });
});
