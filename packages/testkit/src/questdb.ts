import { join } from 'node:path';
import { sql } from '@heatstream/questdb';
import {
  TestkitError,
  findTool,
  notOwned,
  ownedServer,
  freePort,
  newestFile,
  repoRoot,
  spawnServer,
  tempDir,
  waitUntil,
  type TestServer,
} from './process.ts';

export interface QuestDbServer extends TestServer {
  /** REST and ILP/HTTP, e.g. http://127.0.0.1:39000 */
  readonly httpUrl: string;
  /** PostgreSQL wire protocol, with user and password. */
  readonly pgUrl: string;
  /** The same as QuestDB's read-only PostgreSQL user (what Grafana's datasource logs in as). */
  readonly pgReadOnlyUrl: string;
  /** Runs SQL through `@heatstream/questdb` (the services' client) and returns the rows. */
  query(sql: string): Promise<unknown[][]>;
}

function questdbJar(): string {
  const jar = process.env.HS_QUESTDB_JAR ?? newestFile(join(repoRoot, '.tools/questdb'), /^questdb-.*\.jar$/);
  if (!jar)
    throw new TestkitError(
      'QuestDB jar not found: run `bash scripts/provision.sh` (it fetches the pinned org.questdb:questdb)',
    );
  return jar;
}

/** A real QuestDB on free loopback ports with a temporary root, or the one in QUESTDB_HTTP_URL. */
export async function startQuestDb(options: { own?: boolean } = {}): Promise<QuestDbServer> {
  const externalHttp = process.env.QUESTDB_HTTP_URL;
  if (externalHttp && !options.own) {
    return {
      httpUrl: externalHttp,
      pgUrl: process.env.QUESTDB_PG_URL ?? '',
      pgReadOnlyUrl: process.env.QUESTDB_PG_READONLY_URL ?? '',
      query: (statement) => sql({ url: externalHttp }, statement),
      ...notOwned('QUESTDB_HTTP_URL'),
    };
  }
  const java = findTool('HS_JAVA', ['java'], 'install a JDK >= 17 (Debian: openjdk-17-jre-headless)');
  const jar = questdbJar();
  const root = await tempDir('questdb');
  const [httpPort, pgPort] = [await freePort(), await freePort()];
  const password = `pw-${Math.random().toString(36).slice(2)}`;
  const readOnlyPassword = `ro-${Math.random().toString(36).slice(2)}`;
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const env = {
    QDB_HTTP_BIND_TO: `127.0.0.1:${httpPort}`,
    QDB_PG_NET_BIND_TO: `127.0.0.1:${pgPort}`,
    QDB_PG_USER: 'heatstream',
    QDB_PG_PASSWORD: password,
    QDB_PG_READONLY_USER_ENABLED: 'true',
    QDB_PG_READONLY_USER: 'reader',
    QDB_PG_READONLY_PASSWORD: readOnlyPassword,
    QDB_HTTP_MIN_ENABLED: 'false',
    QDB_LINE_TCP_ENABLED: 'false',
    QDB_LINE_UDP_ENABLED: 'false',
    QDB_TELEMETRY_ENABLED: 'false',
    // Sized for two cores that Node and nats-server need too (QuestDB's defaults scale with the
    // CPU count and keep several spinning threads per pool): one thread per pool.
    QDB_SHARED_NETWORK_WORKER_COUNT: '1',
    QDB_SHARED_QUERY_WORKER_COUNT: '1',
    QDB_SHARED_WRITE_WORKER_COUNT: '1',
    QDB_WAL_APPLY_WORKER_COUNT: '1',
    QDB_MAT_VIEW_REFRESH_WORKER_COUNT: '1',
  };
  const lifecycle = await ownedServer(
    root,
    () =>
      spawnServer(
        java,
        ['-Xms64m', '-Xmx1g', '-p', jar, '-m', 'io.questdb/io.questdb.ServerMain', '-d', root],
        env,
      ),
    (server) =>
      waitUntil(
        'QuestDB',
        async () => (await sql({ url: httpUrl }, 'select 1', 2_000)).length === 1,
        server,
        90_000,
      ),
    20_000,
  );
  return {
    httpUrl,
    pgUrl: `postgresql://heatstream:${password}@127.0.0.1:${pgPort}/qdb`,
    pgReadOnlyUrl: `postgresql://reader:${readOnlyPassword}@127.0.0.1:${pgPort}/qdb`,
    query: (statement) => sql({ url: httpUrl }, statement),
    ...lifecycle,
  };
}
