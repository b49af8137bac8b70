import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  access,
  inboxPrefixOf,
  natsAuthorization,
  natsPermissions,
  provisionPermissions,
  provisionUser,
} from './access.ts';
import { consumers, streams } from './streams.ts';
import { coreSubjectPatterns, liveSubjects } from './subjects.ts';

void describe('access', () => {
  void it('gives the gateway exactly the live-push subscriptions', () => {
    assert.deepEqual(access.gateway?.subscribes, liveSubjects);
  });

  void it('lets replay play the live channel and ask derivations, nothing stored', () => {
    const replay = access.replay;
    assert.ok(replay);
    assert.deepEqual(replay.publishes, [coreSubjectPatterns.replay]);
    assert.deepEqual(replay.requests, [coreSubjectPatterns.derive]);
    const p = natsPermissions('replay', replay);
    assert.ok(p.publish.includes('derive.v1.>') && p.publish.includes('replay.v1.>'));
    assert.equal(p.allowResponses, false);
  });

  void it('lets a service that serves requests answer them, and only such a service', () => {
    const none = access.simulators;
    assert.ok(none);
    const server = { ...none, serves: [coreSubjectPatterns.derive] };
    const p = natsPermissions('cop', server);
    assert.ok(p.subscribe.includes('derive.v1.>'));
    assert.equal(p.allowResponses, true);
    for (const [service, rights] of Object.entries(access))
      assert.equal(natsPermissions(service, rights).allowResponses, rights.serves.length > 0, service);
    assert.equal(
      natsAuthorization().includes('allow_responses'),
      Object.values(access).some((r) => r.serves.length > 0),
    );
  });

  void it('lets every user subscribe under its own inbox prefix only', () => {
    for (const [service, rights] of Object.entries(access)) {
      const inboxes = natsPermissions(service, rights).subscribe.filter((s) => s.startsWith('_INBOX'));
      assert.deepEqual(inboxes, [`${inboxPrefixOf(service)}.>`], service);
    }
    assert.deepEqual(provisionPermissions().subscribe, [`${inboxPrefixOf(provisionUser)}.>`]);
  });

  void it('gives no service a right to create, change, purge or delete a stream or a durable consumer', () => {
    for (const [service, rights] of Object.entries(access)) {
      const p = natsPermissions(service, rights);
      const changes = p.publish.filter((s) => /^\$JS\.API\.STREAM\.(CREATE|UPDATE|DELETE|PURGE)\./.test(s));
      assert.deepEqual(changes, [], service);
      for (const c of consumers) {
        const durableOps = p.publish.filter(
          (s) =>
            s === `$JS.API.CONSUMER.DURABLE.CREATE.${c.stream}.${c.durable}` ||
            s === `$JS.API.CONSUMER.DELETE.${c.stream}.${c.durable}`,
        );
        assert.deepEqual(durableOps, [], `${service}: ${c.durable}`);
      }
    }
  });

  void it('lets the provisioning user create and update what contracts declare, and delete or purge nothing', () => {
    const p = provisionPermissions();
    for (const s of streams) assert.ok(p.publish.includes(`$JS.API.STREAM.UPDATE.${s.name}`), s.name);
    for (const c of consumers)
      assert.ok(p.publish.includes(`$JS.API.CONSUMER.DURABLE.CREATE.${c.stream}.${c.durable}`), c.durable);
    assert.deepEqual(
      p.publish.filter((s) => /DELETE|PURGE|MSG\.NEXT|\$KV\.|^[a-z]/.test(s)),
      [],
    );
    assert.match(natsAuthorization(), /user: "provision"/);
  });

  void it('narrows acq-modbus to the devices of its config, and only when they are given', () => {
    const rights = access['acq-modbus'];
    assert.ok(rights);
    const scoped = natsPermissions('acq-modbus', rights, [{ site: 'home', device: 'wpm' }]).publish;
    assert.ok(scoped.includes('readings.v1.home.wpm') && scoped.includes('devices.v1.home.wpm.status'));
    assert.ok(!scoped.includes('readings.v1.>') && !scoped.includes('devices.v1.>'));
    assert.ok(natsPermissions('acq-modbus', rights).publish.includes('readings.v1.>'));
    // Other services keep their declared subjects whatever devices are passed.
    const alerting = access.alerting;
    assert.ok(alerting);
    assert.ok(
      natsPermissions('alerting', alerting, [{ site: 'home', device: 'wpm' }]).publish.includes(
        'alerts.v1.>',
      ),
    );
  });

  void it('keeps the services durables from replay, which creates consumers of its own', () => {
    const replay = access.replay;
    assert.ok(replay);
    const deny = natsPermissions('replay', replay).denyPublish ?? [];
    for (const c of consumers.filter((c) => replay.replays.includes(c.stream)))
      assert.ok(deny.includes(`$JS.API.CONSUMER.MSG.NEXT.${c.stream}.${c.durable}`), c.durable);
  });
});
