// A three-node (by default) nats-server cluster on loopback, the k3s overlay's topology: each node
// with JetStream and its own store, routes to the others, and a monitoring port the fixture reads
// readiness from (/healthz: JetStream current with the meta leader and every replica it holds).
// Nodes can be killed with SIGKILL and restarted on the same ports and store, as after a crash.
//   await using cluster = await natsClusterFixture({ nodes: 3 });
//   await cluster.kill(await cluster.streamLeader('READINGS'));
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type ConnectionOptions, type NatsConnection } from '@nats-io/transport-node';
import { inboxPrefixOf } from '@heatstream/contracts';
import { connectClient, type NatsClient } from '@heatstream/runtime';
import type { NatsFixture } from './fixtures.ts';
import { natsServerBinary } from './nats.ts';
import {
  TestkitError,
  freePort,
  portOpen,
  removeDir,
  spawnServer,
  tempDir,
  waitUntil,
  type ServerProcess,
} from './process.ts';

export interface ClusterNode {
  /** The server name JetStream reports (stream info `cluster.leader`): n0, n1, … */
  readonly name: string;
  readonly url: string;
  readonly clientPort: number;
  readonly routePort: number;
  readonly monitorPort: number;
}

export interface NatsClusterOptions {
  /** Number of nodes; 3 unless given (JetStream needs a majority: an odd number). */
  nodes?: number;
  /** Extra nats-server configuration text (accounts, users), appended to every node's file. */
  config?: string;
  /** Options of the test's client (user and password of a restricted user, say). */
  connect?: Partial<ConnectionOptions>;
  /** How long start-up and a restart wait for JetStream to be current; 60 s unless given. */
  readyTimeoutMs?: number;
}

/** What NatsFixture gives (clients connect with every node's URL, so they fail over), and the nodes. */
export interface NatsClusterFixture extends Omit<NatsFixture, 'server'> {
  readonly nodes: readonly ClusterNode[];
  /** Every node's URL, comma separated (HS_NATS__URL takes that form). */
  readonly url: string;
  /** SIGKILL to node `index`; its store stays. */
  kill(index: number): Promise<void>;
  /** Starts node `index` again on its ports and store; resolves once it serves JetStream, caught up. */
  restart(index: number): Promise<void>;
  /** Whether node `index` is running. */
  running(index: number): boolean;
  /** The index of the node that leads `stream` (its stream info's `cluster.leader`). */
  streamLeader(stream: string): Promise<number>;
  /** The index of the node that leads the durable consumer `durable` of `stream`. */
  consumerLeader(stream: string, durable: string): Promise<number>;
  /** The last 20 kB node `index` wrote, for error messages. */
  output(index: number): string;
}

const withInbox = (options: Partial<ConnectionOptions> = {}): Partial<ConnectionOptions> =>
  options.user && options.inboxPrefix === undefined
    ? { ...options, inboxPrefix: inboxPrefixOf(options.user) }
    : options;

/** 200 from a node's /healthz: JetStream on, the meta leader known, the node's replicas current. */
async function healthy(node: ClusterNode): Promise<boolean> {
  const response = await fetch(`http://127.0.0.1:${node.monitorPort}/healthz`, {
    signal: AbortSignal.timeout(2_000),
  });
  await response.body?.cancel();
  return response.ok;
}

/** The meta leader's name as node `node` sees it ('' while there is none). */
async function metaLeader(node: ClusterNode): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${node.monitorPort}/jsz`, {
    signal: AbortSignal.timeout(2_000),
  });
  const body = (await response.json()) as { meta_cluster?: { leader?: string } };
  return body.meta_cluster?.leader ?? '';
}

/** A cluster of real nats-servers with JetStream on free loopback ports; removed at the end of the scope. */
export async function natsClusterFixture(options: NatsClusterOptions = {}): Promise<NatsClusterFixture> {
  const count = options.nodes ?? 3;
  if (count < 1) throw new TestkitError(`a cluster needs at least one node, not ${count}`);
  const readyMs = options.readyTimeoutMs ?? 60_000;
  const binary = natsServerBinary();
  const dir = await tempDir('nats-cluster');
  const nodes: ClusterNode[] = [];
  for (let i = 0; i < count; i++) {
    const [clientPort, routePort, monitorPort] = [await freePort(), await freePort(), await freePort()];
    nodes.push({ name: `n${i}`, url: `nats://127.0.0.1:${clientPort}`, clientPort, routePort, monitorPort });
  }
  const configFiles = await Promise.all(
    nodes.map(async (node) => {
      const file = join(dir, `${node.name}.conf`);
      const routes = nodes
        .filter((other) => other !== node)
        .map((other) => `"nats-route://127.0.0.1:${other.routePort}"`);
      await writeFile(
        file,
        [
          `server_name: ${node.name}`,
          `listen: "127.0.0.1:${node.clientPort}"`,
          `http: "127.0.0.1:${node.monitorPort}"`,
          // Bounded stores: three servers share one small test machine.
          `jetstream { store_dir: "${join(dir, node.name)}", max_memory_store: 256MB, max_file_store: 2GB }`,
          `cluster { name: heatstream-test, listen: "127.0.0.1:${node.routePort}", routes: [${routes.join(', ')}] }`,
          options.config ?? '',
        ].join('\n'),
      );
      return file;
    }),
  );
  const processes: (ServerProcess | undefined)[] = nodes.map(() => undefined);
  const isRunning = (index: number): boolean => {
    const child = processes[index]?.child;
    return child !== undefined && child.exitCode === null && child.signalCode === null;
  };
  const nodeAt = (index: number): ClusterNode => {
    const node = nodes[index];
    if (!node) throw new TestkitError(`no cluster node ${index} (the cluster has ${count})`);
    return node;
  };
  const spawnNode = (index: number): ServerProcess => {
    const server = spawnServer(binary, ['-c', configFiles[index] ?? '']);
    processes[index] = server;
    return server;
  };
  const nodeReady = async (index: number): Promise<void> => {
    const node = nodeAt(index);
    const server = processes[index];
    await waitUntil(`nats-server ${node.name}`, () => portOpen(node.clientPort), server, readyMs);
    await waitUntil(`nats-server ${node.name} JetStream current`, () => healthy(node), server, readyMs);
  };
  const stopAll = async (): Promise<void> => {
    await Promise.all(processes.map((p) => p?.stop() ?? Promise.resolve()));
    await removeDir(dir);
  };

  let nc: NatsConnection;
  const clientOptions = (more: Partial<ConnectionOptions> = {}): Partial<ConnectionOptions> => ({
    servers: nodes.map((n) => n.url),
    // A killed node's clients move to another at once instead of after the default 2 s.
    reconnectTimeWait: 250,
    maxReconnectAttempts: -1,
    ...withInbox(more),
  });
  try {
    // Together: a node's JetStream waits for the others' routes to elect a meta leader.
    nodes.forEach((_, i) => spawnNode(i));
    await Promise.all(nodes.map((_, i) => nodeReady(i)));
    await waitUntil(
      'the cluster’s JetStream meta leader',
      async () => (await metaLeader(nodeAt(0))) !== '',
      processes[0],
      readyMs,
    );
    nc = await connect(clientOptions(options.connect));
  } catch (error) {
    await stopAll();
    throw error;
  }
  const clients: NatsConnection[] = [nc];
  const serviceClients: NatsClient[] = [];
  const jsm = await jetstreamManager(nc);
  const url = nodes.map((n) => n.url).join(',');
  const indexOf = (name: string | undefined, what: string): number => {
    const index = nodes.findIndex((n) => n.name === name);
    if (index === -1) throw new TestkitError(`${what} has no leader in the cluster (reported: ${name})`);
    return index;
  };
  return {
    nodes,
    url,
    nc,
    js: jetstream(nc),
    jsm,
    env: (more = {}) => ({ HS_NATS__URL: url, HS_LOG__LEVEL: 'silent', ...more }),
    async client(more = {}) {
      const other = await connect(clientOptions(more));
      clients.push(other);
      return other;
    },
    async serviceClient(name, { login, ...more } = {}) {
      const client = await connectClient({ nats: { url, ...login } }, name, more);
      serviceClients.push(client);
      return client;
    },
    async kill(index) {
      nodeAt(index);
      await processes[index]?.kill();
    },
    async restart(index) {
      nodeAt(index);
      if (isRunning(index)) throw new TestkitError(`cluster node ${index} is running: kill it first`);
      spawnNode(index);
      await nodeReady(index);
    },
    running(index) {
      nodeAt(index);
      return isRunning(index);
    },
    async streamLeader(stream) {
      return indexOf((await jsm.streams.info(stream)).cluster?.leader, `stream ${stream}`);
    },
    async consumerLeader(stream, durable) {
      const info = await jsm.consumers.info(stream, durable);
      return indexOf(info.cluster?.leader, `consumer ${durable}`);
    },
    output: (index) => processes[index]?.output() ?? '',
    async [Symbol.asyncDispose]() {
      await Promise.all(serviceClients.map((c) => c.close().catch(() => undefined)));
      for (const client of clients) if (!client.isClosed()) await client.close().catch(() => undefined);
      await stopAll();
    },
  };
}
