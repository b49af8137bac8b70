// The live COP through the gateway against a real nats-server: pushed to the site and device
// rooms like readings, and the newest per source sent to a socket as it joins, so a page opened
// between two figures shows COP now at once; an older figure never replaces a newer one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { subjects, type CopLiveV1 } from '@heatstream/contracts';
import type { NatsClient } from '@heatstream/runtime';
import { copLiveEvent, eventually, natsFixture, type NatsFixture } from '@heatstream/testkit';
import { io as ioClient, type Socket } from 'socket.io-client';
import { UserStore } from '../src/users.ts';
import { startGateway } from './fixtures.ts';

let nats: NatsFixture;
let client: NatsClient;
let gateway: Awaited<ReturnType<typeof startGateway>>;
let token: string;
const sockets: Socket[] = [];
const T0 = Date.parse('2026-01-15T06:00:00Z');

before(async () => {
  nats = await natsFixture({ own: true });
  client = await nats.serviceClient('admin');
  // The live push needs no history: QuestDB is left unreachable.
  gateway = await startGateway(nats, { url: 'http://127.0.0.1:9' });
  const users = await UserStore.open(client);
  await users.createUser('anna', 'correct horse battery staple', 'admin');
  token = await users.createToken('anna', 'tests');
});

after(async () => {
  for (const s of sockets) s.close();
  await gateway[Symbol.asyncDispose]();
  await client.close();
  await nats[Symbol.asyncDispose]();
});

/** A socket in the given room, with every cop-live it got. */
async function joined(room: { site?: string; device?: string }): Promise<{ got: CopLiveV1[] }> {
  const socket = ioClient(gateway.base, { transports: ['websocket'], reconnection: false, auth: { token } });
  sockets.push(socket);
  const got: CopLiveV1[] = [];
  socket.on('cop-live', (e: CopLiveV1) => got.push(e));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  assert.equal(((await socket.emitWithAck('subscribe', room)) as { ok: boolean }).ok, true);
  return { got };
}

const publish = (e: CopLiveV1): void => {
  nats.nc.publish(subjects.copLive(e.data.site, e.data.device), JSON.stringify(e));
};

describe('live COP push', () => {
  test('reaches the site and device rooms, and a socket joining later gets the newest at once', async () => {
    const early = await joined({ site: 'home' });
    const home = copLiveEvent({ site: 'home', device: 'wpm', heatW: 7980, elecW: 2500 }, { time: T0 });
    const cabin = copLiveEvent({ site: 'cabin', device: 'lg', heatW: 0, elecW: 12, cop: null }, { time: T0 });
    publish(home);
    publish(cabin);
    await eventually('the home room got its figure live', () => early.got.length === 1);
    assert.deepEqual(early.got, [home], 'the cabin figure stays out of the home room');

    // Opened later: the figure comes on joining, without waiting for the next.
    const late = await joined({ site: 'home' });
    const byDevice = await joined({ device: 'lg' });
    await eventually(
      'the late sockets got the latest',
      () => late.got.length === 1 && byDevice.got.length === 1,
    );
    assert.deepEqual(late.got, [home]);
    assert.deepEqual(byDevice.got, [cabin]);

    // An older figure (e.g. from before a restart of cop) is pushed but not kept over the newer.
    const older = copLiveEvent({ site: 'home', device: 'wpm', heatW: 1, elecW: 1 }, { time: T0 - 60_000 });
    const newer = copLiveEvent({ site: 'home', device: 'wpm', heatW: 8100 }, { time: T0 + 60_000 });
    publish(older);
    publish(newer);
    await eventually('both pushed live', () => early.got.length === 3);
    const last = await joined({ site: 'home' });
    await eventually('the last socket got the newest', () => last.got.length === 1);
    assert.deepEqual(last.got, [newer]);
  });
});
