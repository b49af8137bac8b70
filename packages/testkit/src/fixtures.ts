// Test set-up in one place: a real server and a client connected to it, removed by `await using`
// when the test's scope ends — also when an assertion fails half-way.
//   await using nats = await natsFixture();
//   await nats.jsm.streams.info('READINGS');
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import type { TProperties } from '@sinclair/typebox';
import { inboxPrefixOf, type ServiceAccess } from '@heatstream/contracts';
import {
  connectClient,
  runService,
  type ClientOptions,
  type NatsClient,
  type RunOptions,
  type RunningService,
  type ServiceDefinition,
} from '@heatstream/runtime';
import { startNats, type NatsOptions, type NatsServer } from './nats.ts';
import { startQuestDb, type QuestDbServer } from './questdb.ts';

export interface NatsFixture extends AsyncDisposable {
  readonly server: NatsServer;
  readonly url: string;
  /** A client of the test's own, unrestricted unless `connect` says otherwise. */
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  /** A service's environment against this server, logs silent: `{ ...nats.env(), HS_X: '1' }`. */
  env(more?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /**
   * Another client of this server (a restricted user, say), closed with the fixture; a `user`
   * gets its own inbox prefix (`_INBOX_<user>`) unless `inboxPrefix` says otherwise.
   */
  client(options?: Partial<ConnectionOptions>): Promise<NatsConnection>;
  /**
   * The runtime's client within the rights of `name` (contracts/src/access.ts), closed with the
   * fixture; `login` for a server with users (`config`).
   */
  serviceClient(
    name: string,
    options?: ClientOptions & { login?: { user: string; password: string } },
  ): Promise<NatsClient>;
}

export interface NatsFixtureOptions extends NatsOptions {
  /** Options of the test's client (user and password of a restricted user, say). */
  connect?: Partial<ConnectionOptions>;
}

/** A user's connection uses that user's own inbox prefix, the only inbox its rights let it read. */
const withInbox = (options: Partial<ConnectionOptions> = {}): Partial<ConnectionOptions> =>
  options.user && options.inboxPrefix === undefined
    ? { ...options, inboxPrefix: inboxPrefixOf(options.user) }
    : options;

/** A real nats-server with JetStream and a client of the test; both go at the end of the scope. */
export async function natsFixture(options: NatsFixtureOptions = {}): Promise<NatsFixture> {
  const server = await startNats(options);
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: server.url, ...withInbox(options.connect) });
  } catch (error) {
    await server.stop();
    throw error;
  }
  const clients: NatsConnection[] = [nc];
  const serviceClients: NatsClient[] = [];
  return {
    server,
    url: server.url,
    nc,
    js: jetstream(nc),
    jsm: await jetstreamManager(nc),
    env: (more = {}) => ({ HS_NATS__URL: server.url, HS_LOG__LEVEL: 'silent', ...more }),
    async client(clientOptions = {}) {
      const other = await connect({ servers: server.url, ...withInbox(clientOptions) });
      clients.push(other);
      return other;
    },
    async serviceClient(name, { login, ...clientOptions } = {}) {
      const client = await connectClient({ nats: { url: server.url, ...login } }, name, clientOptions);
      serviceClients.push(client);
      return client;
    },
    async [Symbol.asyncDispose]() {
      // A client the test closed itself answers close() again at once.
      await Promise.all(serviceClients.map((c) => c.close().catch(() => undefined)));
      for (const client of clients) if (!client.isClosed()) await client.close();
      await server.stop();
    },
  };
}

export type ServiceFixture = RunningService & AsyncDisposable;

/**
 * A service running in the test's process (`runService`), stopped at the end of the scope unless
 * the test stopped it itself (`stop` answers the same exit code again).
 *   await using svc = await serviceFixture(service, { env: nats.env() });
 */
export async function serviceFixture<P extends TProperties>(
  definition: ServiceDefinition<P>,
  options: RunOptions = {},
): Promise<ServiceFixture> {
  const running = await runService(definition, { argv: [], ...options });
  return {
    httpPort: running.httpPort,
    log: running.log,
    stop: (reason) => running.stop(reason),
    async [Symbol.asyncDispose]() {
      await running.stop('end of test');
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

/** A service's NATS rights for a test service: nothing but what the test names. */
export function access(rights: Partial<ServiceAccess> = {}): ServiceAccess {
  return {
    publishes: [],
    corePublishes: [],
    consumes: [],
    subscribes: [],
    kv: [],
    replays: [],
    serves: [],
    requests: [],
    ...rights,
  };
}
