// QuestDB holding what ingest would have written: the tables declared by @heatstream/questdb and
// events stored through its writer, so the gateway reads exactly ingest's schema.
import { makeEvent, type DataOf, type Envelope } from '@heatstream/contracts';
import {
  QuestDbWriter,
  declareSchema,
  tableOf,
  walSettled,
  type QuestDbConnection,
} from '@heatstream/questdb';
import { runService, type RunningService } from '@heatstream/runtime';
import { freePort, type NatsServer, type QuestDbServer } from '@heatstream/testkit';
import { gateway } from '../src/service.ts';

export const reading = (time: number, data: DataOf<'heatstream.reading.v1'>): Envelope =>
  makeEvent('heatstream.reading.v1', { source: 'test', subject: data.device, time: new Date(time), data });
export const status = (time: number, data: DataOf<'heatstream.device-status.v1'>): Envelope =>
  makeEvent('heatstream.device-status.v1', {
    source: 'test',
    subject: data.device,
    time: new Date(time),
    data,
  });
export const alert = (time: number, data: DataOf<'heatstream.alert.v1'>): Envelope =>
  makeEvent('heatstream.alert.v1', { source: 'test', subject: data.device, time: new Date(time), data });
export const cop = (time: number, data: DataOf<'heatstream.cop.v1'>): Envelope =>
  makeEvent('heatstream.cop.v1', { source: 'test', subject: data.device, time: new Date(time), data });

/** Declares ingest's tables and stores the events in them, waiting until QuestDB has applied them. */
export async function seed(db: QuestDbServer, events: readonly Envelope[]): Promise<void> {
  const conn: QuestDbConnection = { url: db.httpUrl };
  await declareSchema(conn);
  const writer = new QuestDbWriter(conn);
  const byType = Map.groupBy(events, (e) => e.type);
  for (const [type, list] of byType) {
    const table = tableOf(type);
    if (!table) throw new Error(`no table for ${type}`);
    const refused = (await writer.write(table, list)).filter(Boolean);
    if (refused.length > 0) throw new Error(`QuestDB refused fixtures: ${refused.join('; ')}`);
  }
  await writer.close();
  for (let i = 0; i < 200 && !(await walSettled(conn)); i++) await new Promise((r) => setTimeout(r, 50));
}

/** The gateway in this process on a free port, against the given servers. */
export async function startGateway(
  nats: NatsServer,
  questdb: QuestDbServer,
  env: Record<string, string> = {},
): Promise<{ svc: RunningService; base: string }> {
  const port = env.HS_API__PORT ?? String(await freePort());
  const svc = await runService(gateway, {
    argv: [],
    env: {
      HS_NATS__URL: nats.url,
      HS_QUESTDB__URL: questdb.httpUrl,
      HS_API__PORT: port,
      HS_LOG__LEVEL: 'warn',
      ...env,
    },
  });
  return { svc, base: `http://127.0.0.1:${port}` };
}
