// ingest: READINGS, DEVICES, ALERTS and DERIVED into their QuestDB tables, one durable consumer
// and one ILP writer per table.
import { Type } from '@sinclair/typebox';
import {
  alerts,
  cop,
  declareSchema,
  deviceStatus,
  probe,
  questDbConnectionProperties,
  QuestDbWriter,
  readings,
  type QuestDbConnection,
  type TableDef,
} from '@heatstream/questdb';
import { defineService } from '@heatstream/runtime';
import { projector } from './projector.ts';

/**
 * Durable consumer (contracts/src/streams.ts) → table, and whether its batches may be stored
 * concurrently: a reading is a fact of its measurement time, so two batches may commit in either
 * order; a COP row of a re-derived period must not be overtaken by the older derivation, and the
 * small tables gain nothing from it.
 */
const routes: readonly [string, TableDef, boolean][] = [
  ['ingest-readings', readings, true],
  ['ingest-devices', deviceStatus, false],
  ['ingest-alerts', alerts, false],
  ['ingest-derived', cop, false],
];

export const service = defineService({
  name: 'ingest',
  config: {
    questdb: Type.Object(
      {
        ...questDbConnectionProperties,
        startTimeoutMs: Type.Integer({
          default: 60_000,
          minimum: 0,
          description: 'how long start-up waits for QuestDB',
        }),
        probeIntervalMs: Type.Integer({ default: 2_000, minimum: 100 }),
      },
      { additionalProperties: false, default: {} },
    ),
    batch: Type.Object(
      {
        size: Type.Integer({
          default: 4_000,
          minimum: 1,
          description: 'events per QuestDB transaction, at most',
        }),
        maxWaitMs: Type.Integer({
          default: 1_000,
          minimum: 1_000,
          description: 'a partial batch is written after this',
        }),
        concurrency: Type.Integer({
          default: 2,
          minimum: 1,
          description:
            'readings batches in flight to QuestDB at once (the next is encoded while one commits)',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    retention: Type.Object(
      {
        rawDays: Type.Integer({ default: 30, minimum: 0, description: 'raw readings; 0 keeps them' }),
        hourlyMonths: Type.Integer({ default: 12, minimum: 0, description: '1 h roll-ups; 0 keeps them' }),
        dailyYears: Type.Integer({ default: 0, minimum: 0, description: '1 d roll-ups; 0 keeps them' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  init(ctx) {
    const { questdb, batch, retention } = ctx.config;
    const conn: QuestDbConnection = { url: questdb.url, user: questdb.user, password: questdb.password };
    const log = ctx.log.child({ component: 'questdb' });
    // Readiness follows QuestDB: a probe every interval, and what every write sees.
    const store = ctx.dependency({
      name: 'questdb',
      probe: () => probe(conn),
      intervalMs: questdb.probeIntervalMs,
    });
    const writers = routes.map(([durable, table, concurrent]) => {
      const writer = new QuestDbWriter(conn, {
        onUnavailable: (error, attempt) => {
          store.down(error.message);
          if (attempt === 1 || attempt % 10 === 0)
            log.warn(
              { err: error, table: table.name, attempt },
              'QuestDB write failed; holding the batch and retrying',
            );
        },
        onAvailable: () => {
          store.up();
        },
      });
      ctx.consumeBatch(durable, projector(table, writer), {
        batch: batch.size,
        maxWaitMs: batch.maxWaitMs,
        concurrency: concurrent ? batch.concurrency : 1,
      });
      return writer;
    });
    return {
      async start() {
        // QuestDB may start after us.
        await store.waitUntilUp(questdb.startTimeoutMs);
        const { warnings } = await declareSchema(conn, retention);
        for (const warning of warnings) log.warn(warning);
      },
      async stop() {
        await Promise.all(writers.map((w) => w.close()));
      },
    };
  },
});
