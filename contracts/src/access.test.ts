import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { access, natsAuthorization, natsPermissions } from './access.ts';
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
});
