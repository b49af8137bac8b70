// Declares the tables and roll-ups at start instead of leaving them to ILP auto-creation: types,
// DEDUP keys, partitioning and retention are chosen here. Every statement is idempotent, so each
// start converges the database: new catalogue metrics become columns (ALTER TABLE ADD COLUMN IF
// NOT EXISTS, no downtime), retention follows config.
import { MetricKind, metricNames, metrics } from '@heatstream/contracts';
import { sql, type QuestDbConnection } from './connection.ts';
import type { TableDef } from './columns.ts';
import { tables as allTables, readings } from './tables.ts';

export interface Retention {
  /** Raw rows of `readings` (and the other event tables); 0 keeps them forever. */
  rawDays: number;
  /** Hourly roll-ups; 0 keeps them forever. */
  hourlyMonths: number;
  /** Daily roll-ups; 0 keeps them forever. */
  dailyYears: number;
}

export const defaultRetention: Retention = { rawDays: 30, hourlyMonths: 12, dailyYears: 0 };

export interface RollupDef {
  name: string;
  sampleBy: string;
  partitionBy: 'DAY' | 'MONTH' | 'YEAR';
  ttl(retention: Retention): string | undefined;
}

export const rollups: readonly RollupDef[] = [
  {
    name: 'readings_1h',
    sampleBy: '1h',
    partitionBy: 'MONTH',
    ttl: (r) => (r.hourlyMonths > 0 ? `${r.hourlyMonths} MONTHS` : undefined),
  },
  {
    name: 'readings_1d',
    sampleBy: '1d',
    partitionBy: 'YEAR',
    ttl: (r) => (r.dailyYears > 0 ? `${r.dailyYears} YEARS` : undefined),
  },
];

/** Only the raw readings expire by default; status, alerts and COP rows are small and kept. */
function tableTtl(table: TableDef, retention: Retention): string | undefined {
  return table.name === readings.name && retention.rawDays > 0 ? `${retention.rawDays} DAYS` : undefined;
}

export function createTableSql(table: TableDef, retention: Retention): string {
  const columns = ['ts TIMESTAMP', ...Object.values(table.columns).map((c) => `${c.name} ${c.type}`)].join(
    ', ',
  );
  const ttl = tableTtl(table, retention);
  return (
    `CREATE TABLE IF NOT EXISTS ${table.name} (${columns}) TIMESTAMP(ts) PARTITION BY DAY` +
    `${ttl ? ` TTL ${ttl}` : ''} WAL DEDUP UPSERT KEYS(${['ts', ...table.dedupKeys].join(', ')})`
  );
}

/** avg/min/max per gauge, last per counter and state, per site and device. */
export function rollupSelect(sampleBy: string): string {
  const aggregates = metricNames
    .map((m) => readings.column[m])
    .flatMap((name) =>
      metrics[name].kind === MetricKind.gauge
        ? [`avg(${name}) ${name}_avg`, `min(${name}) ${name}_min`, `max(${name}) ${name}_max`]
        : [`last(${name}) ${name}_last`],
    );
  const { ts, site, device } = readings.column;
  return `SELECT ${ts}, ${site}, ${device}, ${aggregates.join(', ')} FROM ${readings.name} SAMPLE BY ${sampleBy}`;
}

/**
 * How often the roll-ups catch up with the raw rows. QuestDB's default (IMMEDIATE) refreshes a view
 * after every WAL transaction of its base table: at ingest's rates that is two re-aggregations per
 * batch, which took QuestDB ~5x the CPU per reading of the same rows into a table without views.
 * An hourly or daily roll-up a minute behind loses nothing; the raw table stays current.
 */
export const rollupRefresh = 'EVERY 1m';

export function createRollupSql(rollup: RollupDef, retention: Retention): string {
  const ttl = rollup.ttl(retention);
  return (
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${rollup.name} REFRESH ${rollupRefresh} AS (${rollupSelect(rollup.sampleBy)})` +
    ` PARTITION BY ${rollup.partitionBy}${ttl ? ` TTL ${ttl}` : ''}`
  );
}

export interface SchemaReport {
  /** Things an operator should know: roll-ups that miss new metrics, invalid views. */
  warnings: string[];
}

/**
 * Creates or converges every table and roll-up. With a retention, the TTLs are set to it (0 clears
 * them); with 'as-is' (replay: not the owner of retention) missing tables get the default and
 * existing ones keep theirs. Throws QuestDbSqlError / QuestDbUnavailableError.
 */
export async function declareSchema(
  conn: QuestDbConnection,
  retention: Retention | 'as-is' = defaultRetention,
  tables: readonly TableDef[] = allTables,
): Promise<SchemaReport> {
  const warnings: string[] = [];
  const converge = retention !== 'as-is';
  const target = converge ? retention : defaultRetention;
  for (const table of tables) {
    await sql(conn, createTableSql(table, target));
    for (const column of Object.values(table.columns))
      await sql(conn, `ALTER TABLE ${table.name} ADD COLUMN IF NOT EXISTS ${column.name} ${column.type}`);
    if (converge && table.name === readings.name)
      await sql(conn, `ALTER TABLE ${table.name} SET TTL ${tableTtl(table, target) ?? '0 DAYS'}`);
  }
  if (!tables.some((t) => t.name === readings.name)) return { warnings };
  const ttlOf = async (name: string): Promise<number> => {
    const [row] = await sql(conn, `SELECT ttlValue FROM tables() WHERE table_name = '${name}'`);
    return Number(row?.[0] ?? 0);
  };
  for (const rollup of rollups) {
    await sql(conn, createRollupSql(rollup, target));
    if (!converge) continue;
    // Views made before the timer was chosen refresh IMMEDIATE; this converges them in place.
    await sql(conn, `ALTER MATERIALIZED VIEW ${rollup.name} SET REFRESH ${rollupRefresh}`);
    const ttl = rollup.ttl(target);
    if (ttl) await sql(conn, `ALTER MATERIALIZED VIEW ${rollup.name} SET TTL ${ttl}`);
    // QuestDB 9.3 refuses TTL 0 on a materialized view ("integer multiple of partition size").
    else if ((await ttlOf(rollup.name)) > 0)
      warnings.push(
        `${rollup.name} keeps its TTL: QuestDB cannot clear a materialized view's TTL in place; recreate the view to keep its roll-ups forever`,
      );
  }
  const views = await sql(
    conn,
    'SELECT view_name, view_sql, view_status, invalidation_reason FROM materialized_views()',
  );
  for (const rollup of rollups) {
    const row = views.find((v) => v[0] === rollup.name);
    if (!row) continue;
    const [, viewSql, status, reason] = row as [string, string, string, string | null];
    // A view cannot gain columns in place; recreating it would rebuild it from raw rows, which only
    // reach back `rawDays`, and lose older roll-ups. So it stays, and the operator is told.
    const missing = metricNames.filter((m) => !viewSql.includes(`(${m})`));
    if (missing.length > 0)
      warnings.push(
        `${rollup.name} has no roll-up for ${missing.join(', ')}: recreate the view to add them (it is rebuilt from the raw rows still kept)`,
      );
    if (status === 'invalid')
      warnings.push(
        `${rollup.name} is invalid (${reason ?? 'unknown reason'}): REFRESH MATERIALIZED VIEW ${rollup.name} FULL rebuilds it from the raw rows still kept`,
      );
  }
  return { warnings };
}
