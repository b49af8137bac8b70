// Rebuild the QuestDB projection of a range with the same tables and writer as ingest
// (@heatstream/questdb). Tables deduplicate on their keys, so replaying over live data adds nothing
// twice; rows QuestDB refuses are reported (ingest has dead-lettered them already).
import {
  QuestDbWriter,
  declareSchema,
  rollups,
  sql,
  tableOf,
  walSettled,
  type QuestDbConnection,
  type TableDef,
} from '@heatstream/questdb';
import type { ReplayEvent } from '../source.ts';
import type { ReplayTarget } from './target.ts';

export async function questDbTarget(conn: QuestDbConnection, refreshViews: boolean): Promise<ReplayTarget> {
  // The same idempotent declaration ingest runs, so a rebuild into an empty database works too;
  // retention stays as ingest's configuration set it.
  const { warnings } = await declareSchema(conn, 'as-is');
  const writer = new QuestDbWriter(conn);
  const written = new Map<string, number>();
  const refused: { seq: number; reason: string }[] = [];
  let skipped = 0;
  const notes: string[] = warnings.filter((w) => !w.includes('is invalid'));
  return {
    async take(events, signal) {
      const byTable = new Map<TableDef, ReplayEvent[]>();
      for (const e of events) {
        const table = tableOf(e.event.type);
        if (!table) {
          skipped++;
          continue;
        }
        byTable.set(table, [...(byTable.get(table) ?? []), e]);
      }
      for (const [table, group] of byTable) {
        const result = await writer.write(
          table,
          group.map((g) => g.event),
          signal,
        );
        result.forEach((reason, i) => {
          if (reason !== undefined) refused.push({ seq: group[i]?.seq ?? 0, reason });
        });
        written.set(
          table.name,
          (written.get(table.name) ?? 0) + result.filter((r) => r === undefined).length,
        );
      }
    },
    async finish() {
      while (!(await walSettled(conn))) await new Promise((r) => setTimeout(r, 200));
      const views = (await sql(conn, 'SELECT view_name, view_status FROM materialized_views()')) as [
        string,
        string,
      ][];
      for (const rollup of rollups) {
        const status = views.find(([name]) => name === rollup.name)?.[1];
        if (status !== 'invalid') continue;
        if (refreshViews) {
          await sql(conn, `REFRESH MATERIALIZED VIEW ${rollup.name} FULL`);
          notes.push(
            `${rollup.name} was invalid (a partition was dropped): fully refreshed from the raw rows still kept`,
          );
        } else {
          notes.push(
            `${rollup.name} is invalid (a partition was dropped): run again with --refresh-views, or REFRESH MATERIALIZED VIEW ${rollup.name} FULL (rebuilt from the raw rows still kept)`,
          );
        }
      }
    },
    close: () => writer.close(),
    summary() {
      const lines = [...written].map(
        ([table, n]) => `wrote ${n.toLocaleString('en-US')} rows to ${table} (deduplicated on its keys)`,
      );
      if (written.size === 0) lines.push('wrote no rows');
      if (refused.length > 0)
        lines.push(
          `QuestDB refused ${refused.length} events, e.g. seq ${refused[0]?.seq ?? '?'}: ${refused[0]?.reason ?? ''}`,
        );
      if (skipped > 0) lines.push(`${skipped} events have no QuestDB table and were skipped`);
      return [...lines, ...notes];
    },
  };
}
