// Least-privilege NATS users from contracts/src/access.ts on a real nats-server: services work
// with their own rights and are refused outside them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import {
  access,
  natsAuthorization,
  natsPasswordVar,
  provisionUser,
  subjects,
  type Envelope,
} from '@heatstream/contracts';
import { defineService, provisionAll, RUN_PROVISIONING } from '@heatstream/runtime';
import {
  alertEvent,
  consumerIdle,
  copLiveEvent,
  eventually,
  fileFixture,
  fileSetUp,
  freePort,
  natsFixture,
  readingEvent,
  serviceFixture,
} from '@heatstream/testkit';
import { gateway } from '../services/gateway/src/service.ts';
import { UserStore } from '../services/gateway/src/users.ts';

const passwords = Object.fromEntries(
  [...Object.keys(access), provisionUser, 'admin'].map((s) => [
    s,
    `pw-${s}-${Math.random().toString(36).slice(2)}`,
  ]),
);

/** A connection as `user`, closed with the fixture. */
const as = (user: string): Promise<NatsConnection> => nats.client({ user, pass: passwords[user] ?? '' });

const reading = (device: string, i: number): Envelope =>
  readingEvent(
    { site: 'home', device, model: 'm', metrics: { elec_power: 100 + i } },
    { time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)), source: 'access-test' },
  );

// The generated block references environment variables; the test fills them in literally.
const config = natsAuthorization().replace(/\$(NATS_PASSWORD_\w+)/g, (_m, name: string) => {
  const service = Object.keys(passwords).find((s) => natsPasswordVar(s) === name) ?? '';
  return JSON.stringify(passwords[service]);
});
// The test's own client is the admin.
const nats = fileFixture(() =>
  natsFixture({ own: true, config, connect: { user: 'admin', pass: passwords.admin ?? '' } }),
);
const SESSION_TTL_MS = 3_600_000;
// The provisioning step, as its own user, before any service: they only verify what it made.
fileSetUp(async () => {
  await provisionAll(await as(provisionUser), {
    settings: { retention: {} },
    // What `api.sessionTtlHours: 1` gives the provisioning step and the gateway alike.
    bucketTtlMs: { gateway_sessions: SESSION_TTL_MS },
    log: pino({ level: 'silent' }),
  });
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
    await using svc = await serviceFixture(ingestLike, {
      env: nats.env({
        HS_NATS__USER: 'ingest',
        HS_NATS__PASSWORD: passwords.ingest,
        HS_LOG__LEVEL: 'error',
      }),
    });
    const acq = jetstream(await as('acq-modbus'));
    const events = [reading('wpm1', 1), reading('wpm1', 2)];
    for (const e of events)
      await acq.publish(subjects.reading('home', 'wpm1'), JSON.stringify(e), { msgID: e.id });
    await acq.publish(subjects.reading('home', 'wpm1'), '{"not":"an event"}');
    const jsm = nats.jsm; // the admin's
    await eventually('ingest to settle', () => consumerIdle(jsm, 'READINGS', 'ingest-readings'), 10_000);
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

  test('a service whose consumer was not provisioned stops at start-up and says to provision', async () => {
    const provision = (): Promise<void> =>
      as(provisionUser).then((nc) =>
        provisionAll(nc, {
          settings: { retention: {} },
          bucketTtlMs: { gateway_sessions: SESSION_TTL_MS },
          log: pino({ level: 'silent' }),
        }),
      );
    await nats.jsm.consumers.delete('READINGS', 'alerting-readings');
    const alertingLike = defineService({
      name: 'alerting',
      init(ctx) {
        ctx.consume('alerting-readings', () => Promise.resolve());
        return undefined;
      },
    });
    const env = nats.env({ HS_NATS__USER: 'alerting', HS_NATS__PASSWORD: passwords.alerting });
    await assert.rejects(
      serviceFixture(alertingLike, { env }),
      (error: Error) =>
        error.message.includes('consumer READINGS/alerting-readings does not exist') &&
        error.message.includes(RUN_PROVISIONING),
    );
    // It only looked (INFO): no create was attempted, so the server logged no violation.
    assert.ok(!nats.server.output().includes('/user:alerting" - Publish Violation'));
    await provision();
    await using svc = await serviceFixture(alertingLike, { env });
    assert.equal(await svc.stop(), 0);
  });

  test('a service cannot publish outside its subjects', async () => {
    const acq = jetstream(await as('acq-modbus'), { timeout: 20_000 });
    const alert = alertEvent(
      {
        site: 'home',
        device: 'wpm1',
        alertId: 'x',
        rule: 'r',
        severity: 'critical',
        state: 'raised',
        message: 'forged',
      },
      { source: 'rogue' },
    );
    await assert.rejects(acq.publish(subjects.alert('home', 'wpm1'), JSON.stringify(alert)), /permission/i);
    const ingest = jetstream(await as('ingest'), { timeout: 20_000 });
    await assert.rejects(
      ingest.publish(subjects.reading('home', 'wpm1'), JSON.stringify(reading('wpm1', 3))),
      /permission/i,
    );
    const stored = await nats.jsm.streams.info('ALERTS').then(
      (i) => i.state.messages,
      () => 0,
    );
    assert.equal(stored, 0, 'nothing forged reached ALERTS');
  });

  test('cop core-publishes the live COP with its own rights and the gateway user receives it', async () => {
    const gw = await as('gateway');
    const got: string[] = [];
    gw.subscribe('cop-live.v1.>', {
      callback: (_err, msg) => {
        got.push(msg.subject);
      },
    });
    await gw.flush();
    const copLike = defineService({
      name: 'cop',
      init(ctx) {
        return { start: () => void ctx.publishCore(copLiveEvent({ site: 'home', device: 'wpm' })) };
      },
    });
    await using svc = await serviceFixture(copLike, {
      env: nats.env({ HS_NATS__USER: 'cop', HS_NATS__PASSWORD: passwords.cop, HS_LOG__LEVEL: 'error' }),
    });
    await eventually('the gateway user gets the live COP', () => got.length === 1);
    assert.deepEqual(got, ['cop-live.v1.home.wpm']);
    assert.equal(await svc.stop(), 0);
  });

  test('the gateway runs with its rights: users in KV, the provisioned session TTL, and login', async () => {
    const admin = await nats.serviceClient('admin', {
      login: { user: 'admin', password: passwords.admin ?? '' },
    });
    await (await UserStore.open(admin)).createUser('owner', 'long enough password', 'admin');
    const port = await freePort();
    const gatewayEnv = (ttlHours: string): NodeJS.ProcessEnv =>
      nats.env({
        HS_NATS__USER: 'gateway',
        HS_NATS__PASSWORD: passwords.gateway,
        HS_QUESTDB__URL: 'http://127.0.0.1:9',
        HS_API__PORT: String(port),
        HS_API__SESSION_TTL_HOURS: ttlHours,
        HS_LOG__LEVEL: 'error',
      });
    // A TTL other than the one provisioning applied: the gateway's user may not change the
    // bucket, so start-up fails and says to run provisioning with the same setting.
    await assert.rejects(
      serviceFixture(gateway, { env: gatewayEnv('2') }),
      (error: Error) =>
        error.message.includes('gateway_sessions') &&
        error.message.includes('api.sessionTtlHours') &&
        error.message.includes(RUN_PROVISIONING),
    );
    await using svc = await serviceFixture(gateway, { env: gatewayEnv('1') });
    assert.equal((await admin.kv('gateway_sessions')).ttlMs, SESSION_TTL_MS);
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
