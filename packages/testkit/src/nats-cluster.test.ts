import { test } from 'node:test';
import assert from 'node:assert/strict';
import { natsClusterFixture } from './nats-cluster.ts';
import { eventually } from './node.ts';

test('a three-node cluster keeps a replicated stream through the loss of its leader, and the node rejoins', async () => {
  await using cluster = await natsClusterFixture({ nodes: 3 });
  await cluster.jsm.streams.add({ name: 'R3', subjects: ['r3.>'], num_replicas: 3 });
  await cluster.js.publish('r3.a', 'one', { msgID: 'one' });
  const leader = await cluster.streamLeader('R3');
  await cluster.kill(leader);
  assert.equal(cluster.running(leader), false);
  const elected = await eventually(
    'another leader of R3',
    () =>
      cluster.streamLeader('R3').then(
        (l) => l !== leader,
        () => false,
      ),
    30_000,
  );
  assert.ok(elected);
  await cluster.js.publish('r3.a', 'two', { msgID: 'two', timeout: 10_000 });
  await cluster.restart(leader);
  assert.equal(cluster.running(leader), true);
  const info = await cluster.jsm.streams.info('R3');
  assert.equal(info.state.messages, 2);
  assert.equal(info.cluster?.replicas?.length, 2, 'two followers besides the leader');
  assert.match(
    cluster.env().HS_NATS__URL ?? '',
    /^nats:\/\/127\.0\.0\.1:\d+,nats:\/\/127\.0\.0\.1:\d+,nats:\/\/127\.0\.0\.1:\d+$/,
  );
});
