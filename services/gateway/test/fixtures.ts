// QuestDB holding what ingest would have written: the tables declared by @heatstream/questdb and
// events stored through its writer, so the gateway reads exactly ingest's schema.
import { events as registry, type Envelope } from '@heatstream/contracts';
import {
  QuestDbWriter,
  declareSchema,
  tableOf,
  walSettled,
  type QuestDbConnection,
} from '@heatstream/questdb';
import {
  eventually,
  freePort,
  serviceFixture,
  type NatsFixture,
  type ServiceFixture,
} from '@heatstream/testkit';
import { gateway } from '../src/service.ts';

/** Declares ingest's tables and stores the events in them, waiting until QuestDB has applied them. */
export async function seed(conn: QuestDbConnection, events: readonly Envelope[]): Promise<void> {
  await declareSchema(conn);
  const writer = new QuestDbWriter(conn);
  // As ingest stores them: decoded through the registry, so an older version arrives upcast.
  const decoded = events.map((e) => registry.decode(JSON.stringify(e)));
  const byType = Map.groupBy(decoded, (e) => e.type);
  for (const [type, list] of byType) {
    const table = tableOf(type);
    if (!table) throw new Error(`no table for ${type}`);
    const refused = (await writer.write(table, list)).filter(Boolean);
    if (refused.length > 0) throw new Error(`QuestDB refused fixtures: ${refused.join('; ')}`);
  }
  await writer.close();
  // Bounded, and loud when the bound is hit: a silent give-up let tests read before the rows were
  // there and fail later, far from the cause (a loaded CI machine applies the WAL slowly).
  await eventually('QuestDB to apply the seeded rows', () => walSettled(conn));
}

/** The gateway in this process on a free port, against the given servers; stopped at dispose. */
export async function startGateway(
  nats: NatsFixture,
  questdb: QuestDbConnection,
  env: Record<string, string> = {},
): Promise<{ svc: ServiceFixture; base: string } & AsyncDisposable> {
  const port = env.HS_API__PORT ?? String(await freePort());
  const svc = await serviceFixture(gateway, {
    env: nats.env({ HS_QUESTDB__URL: questdb.url, HS_API__PORT: port, HS_LOG__LEVEL: 'warn', ...env }),
  });
  return { svc, base: `http://127.0.0.1:${port}`, [Symbol.asyncDispose]: () => svc[Symbol.asyncDispose]() };
}
