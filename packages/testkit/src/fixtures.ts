// Test set-up in one place: a real server and a client connected to it, removed by `await using`
// when the test's scope ends — also when an assertion fails half-way.
//   await using nats = await natsFixture();
//   await nats.jsm.streams.info('READINGS');
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { startNats, type NatsOptions, type NatsServer } from './nats.ts';
import { startQuestDb, type QuestDbServer } from './questdb.ts';

export interface NatsFixture extends AsyncDisposable {
  readonly server: NatsServer;
  readonly url: string;
  /** A client of the test's own, unrestricted unless `connect` says otherwise. */
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

export interface NatsFixtureOptions extends NatsOptions {
  /** Options of the test's client (user and password of a restricted user, say). */
  connect?: Partial<ConnectionOptions>;
}

/** A real nats-server with JetStream and a client of the test; both go at the end of the scope. */
export async function natsFixture(options: NatsFixtureOptions = {}): Promise<NatsFixture> {
  const server = await startNats(options);
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: server.url, ...options.connect });
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    server,
    url: server.url,
    nc,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    async [Symbol.asyncDispose]() {
      if (!nc.isClosed()) await nc.close();
      await server.stop();
    },
  };
}

export interface QuestDbFixture extends AsyncDisposable {
  readonly server: QuestDbServer;
  /** What `@heatstream/questdb` takes: REST and ILP/HTTP URL (the test server needs no login). */
  readonly conn: { url: string };
}

/** A real QuestDB on free ports; stopped and removed at the end of the scope. */
export async function questDbFixture(options: { own?: boolean } = {}): Promise<QuestDbFixture> {
  const server = await startQuestDb(options);
  return {
    server,
    conn: { url: server.httpUrl },
    [Symbol.asyncDispose]: () => server.stop(),
  };
}
