import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { startMosquitto, startNats } from './mod.ts';
import { portOpen } from './process.ts';

test('nats-server from the testkit has JetStream, survives a kill with its store, and cleans up', async (t) => {
  const nats = await startNats({ own: true });
  t.after(() => nats.stop());
  const nc = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  t.after(() => nc.close());
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'KEEP', subjects: ['keep.>'] });
  await nats.kill();
  await nats.restart();
  // The client reconnects on its own schedule; ask until it is back.
  let name: string | undefined;
  for (let i = 0; i < 50 && !name; i++) {
    name = await jsm.streams.info('KEEP').then(
      (info) => info.config.name,
      () => undefined,
    );
  }
  assert.equal(name, 'KEEP');
  await nc.close();
  const port = Number(new URL(nats.url.replace('nats:', 'http:')).port);
  await nats.stop();
  assert.equal(await portOpen(port), false, 'the server is gone after stop');
});

test('mosquitto from the testkit listens on loopback and stops', async (t) => {
  const broker = await startMosquitto({ own: true });
  t.after(() => broker.stop());
  const port = Number(new URL(broker.url.replace('mqtt:', 'http:')).port);
  assert.equal(await portOpen(port), true);
  await broker.stop();
  assert.equal(await portOpen(port), false);
});
