// A hostile process with one service's NATS credentials, against a nats-server configured with
// the authorization file `./heatstream start` gives it (deploy/nats-auth.conf, generated from
// contracts/src/access.ts and acq-modbus' devices in deploy/config/acq-modbus.yaml): it tries to read others' replies and buckets, to change or purge a
// stream, to create or delete consumers and to publish outside its subjects. Each attempt is
// refused, and the server's log names the user and the subject.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import {
  access,
  consumers,
  inboxPrefixOf,
  natsPasswordVar,
  provisionUser,
  subjectMatches,
  subjects,
} from '@heatstream/contracts';
import { provisionAll } from '@heatstream/runtime';
import { eventually, fileFixture, fileSetUp, natsFixture, readingEvent, repoRoot } from '@heatstream/testkit';

const users = [...Object.keys(access), provisionUser];
const passwords = Object.fromEntries(
  [...users, 'admin'].map((u) => [
    u,
    `s${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`,
  ]),
);
// The generated file references the passwords as environment variables, as in ./heatstream start;
// nats-server inherits this process's environment.
for (const [user, password] of Object.entries(passwords)) process.env[natsPasswordVar(user)] = password;
const authorization = readFileSync(join(repoRoot, 'deploy/nats-auth.conf'), 'utf8');

const nats = fileFixture(() =>
  natsFixture({ own: true, config: authorization, connect: { user: 'admin', pass: passwords.admin ?? '' } }),
);
const as = (user: string): Promise<NatsConnection> => nats.client({ user, pass: passwords[user] ?? '' });

const victim = { key: 'users.victim', record: '{"username":"victim","hash":"scrypt$secret"}' };
fileSetUp(async () => {
  await provisionAll(await as(provisionUser), {
    settings: { retention: {} },
    log: pino({ level: 'silent' }),
  });
  // What an attacker would want: a user record in the gateway's bucket, readings in READINGS.
  const admin = await nats.serviceClient('admin', {
    login: { user: 'admin', password: passwords.admin ?? '' },
  });
  await (await admin.kv('gateway_users')).put(victim.key, victim.record);
  const e = readingEvent({ site: 'home', device: 'wpm1', model: 'm', metrics: { elec_power: 1 } });
  await nats.js.publish(subjects.reading('home', 'wpm1'), JSON.stringify(e), { msgID: e.id });
});

/** Resolves with what `promise` settles to, or fails the test after `ms` instead of hanging. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what}: no answer within ${ms} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The server logged a permissions violation of `user` on `subject`. */
async function logged(kind: 'Publish' | 'Subscription', user: string, subject: string): Promise<void> {
  // nats-server 2.15: … - "$G/user:acq-modbus" - Publish Violation - Subject "$JS.API.STREAM.PURGE.READINGS"
  const line = `/user:${user}" - ${kind} Violation - Subject "${subject}"`;
  await eventually(
    `nats-server logs: ${line}`,
    () => Promise.resolve(nats.server.output().includes(line)),
    5_000,
  );
}

async function refusedSubscription(nc: NatsConnection, user: string, subject: string): Promise<void> {
  const seen: string[] = [];
  // The callback also hears the refusal itself, as an error without a message.
  const sub = nc.subscribe(subject, {
    callback: (err, msg) => {
      if (!err) seen.push(msg.subject);
    },
  });
  const closed = await within(10_000, `subscription ${subject}`, sub.closed);
  assert.ok(
    closed instanceof Error && /permission/i.test(closed.message),
    `${user} subscribed to ${subject}`,
  );
  await logged('Subscription', user, subject);
  assert.deepEqual(seen, []);
}

async function refusedPublish(nc: NatsConnection, user: string, subject: string, body = '{}'): Promise<void> {
  await assert.rejects(
    within(10_000, `request ${subject}`, nc.request(subject, body, { timeout: 5_000 })),
    /permission/i,
    `${user} may publish to ${subject}`,
  );
  await logged('Publish', user, subject);
}

const otherService = (user: string): string => (user === 'gateway' ? 'ingest' : 'gateway');
const ownsConsumer = (user: string, durable: string): boolean =>
  access[user]?.consumes.includes(durable) ?? false;

describe('a hostile process with one service’s NATS credentials', () => {
  for (const user of users) {
    test(`${user}: refused outside its rights, and the server logs it`, async () => {
      const nc = await as(user);
      // Its own inbox answers: the refusals below are its rights, not a broken connection.
      const info = await within(10_000, '$JS.API.INFO', nc.request('$JS.API.INFO', '', { timeout: 5_000 }));
      assert.match(info.string(), /"type":"io.nats.jetstream.api.v1.account_info_response"/);

      // Others' replies: KV answers to the admin, pulled readings to ingest, everything under _INBOX.
      for (const subject of [
        '_INBOX.>',
        `${inboxPrefixOf('admin')}.>`,
        `${inboxPrefixOf(otherService(user))}.>`,
      ])
        await refusedSubscription(nc, user, subject);

      // Others' buckets: read a user record, overwrite it.
      if (user !== 'gateway') {
        await refusedPublish(
          nc,
          user,
          '$JS.API.DIRECT.GET.KV_gateway_users',
          JSON.stringify({ last_by_subj: `$KV.gateway_users.${victim.key}` }),
        );
        await refusedPublish(
          nc,
          user,
          `$KV.gateway_users.${victim.key}`,
          '{"username":"victim","hash":"mine"}',
        );
      } else {
        await refusedPublish(
          nc,
          user,
          '$JS.API.DIRECT.GET.KV_alerting_state',
          '{"last_by_subj":"$KV.alerting_state.x"}',
        );
      }

      // Streams: shorten retention, purge, delete. Only the provisioning user updates, nobody purges.
      if (user !== provisionUser)
        await refusedPublish(nc, user, '$JS.API.STREAM.UPDATE.READINGS', '{"name":"READINGS","max_age":1}');
      await refusedPublish(nc, user, '$JS.API.STREAM.PURGE.READINGS');
      await refusedPublish(nc, user, '$JS.API.STREAM.DELETE.READINGS');
      await refusedPublish(nc, user, '$JS.API.STREAM.CREATE.EVIL', '{"name":"EVIL","subjects":[">"]}');

      // Consumers: another's durable is neither pulled, deleted nor recreated; no new durables.
      for (const durable of ['ingest-readings', 'alerting-readings']) {
        if (ownsConsumer(user, durable)) continue;
        await refusedPublish(nc, user, `$JS.API.CONSUMER.MSG.NEXT.READINGS.${durable}`, '{"batch":1}');
        await refusedPublish(nc, user, `$JS.API.CONSUMER.DELETE.READINGS.${durable}`);
      }
      if (access[user]?.replays.includes('READINGS') !== true)
        await refusedPublish(
          nc,
          user,
          '$JS.API.CONSUMER.DURABLE.CREATE.READINGS.evil',
          '{"stream_name":"READINGS","config":{"durable_name":"evil","ack_policy":"none"}}',
        );

      // Publishing outside its subjects: readings and status of a device nobody is configured for
      // (acq-modbus may publish only for the devices of its config; the acquisition services whose
      // devices are found at run time — Shelly rooms, Viessmann cloud, cellular inventory — for any),
      // alerts, commands.
      const rights = access[user];
      const mayPublish = (subject: string): boolean =>
        rights?.deviceScoped !== true && (rights?.publishes ?? []).some((p) => subjectMatches(p, subject));
      for (const subject of [
        subjects.reading('home', 'intruder'),
        subjects.deviceStatus('home', 'intruder'),
        subjects.alert('home', 'wpm'),
        'commands.v1.home.wpm',
      ])
        if (!mayPublish(subject)) await refusedPublish(nc, user, subject);

      if (user === 'acq-modbus') {
        // …while a device of its config is stored.
        const e = readingEvent({ site: 'home', device: 'wpm', model: 'm', metrics: { elec_power: 2 } });
        const ack = await jetstream(nc).publish(subjects.reading('home', 'wpm'), JSON.stringify(e), {
          msgID: e.id,
        });
        assert.equal(ack.stream, 'READINGS');
      }
    });
  }

  test('after the attacks the streams, consumers and buckets are as provisioned', async () => {
    const readings = await nats.jsm.streams.info('READINGS');
    assert.equal(readings.state.messages, 2, "the seeded reading and acq-modbus' own");
    assert.notEqual(readings.config.max_age, 1);
    const names: string[] = [];
    for await (const c of nats.jsm.consumers.list('READINGS')) names.push(c.name);
    assert.deepEqual(
      names.sort(),
      consumers
        .filter((c) => c.stream === 'READINGS')
        .map((c) => c.durable)
        .sort(),
    );
    await assert.rejects(nats.jsm.streams.info('EVIL'), /not found/i);
    const admin = await nats.serviceClient('admin', {
      login: { user: 'admin', password: passwords.admin ?? '' },
    });
    assert.equal((await (await admin.kv('gateway_users')).get(victim.key))?.string(), victim.record);
  });
});
