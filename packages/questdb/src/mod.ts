export { sql, probe, senderConfig, type QuestDbConnection } from './connection.ts';
export { QuestDbRejectedError, QuestDbSqlError, QuestDbUnavailableError } from './errors.ts';
export {
  tables,
  tableOf,
  readings,
  deviceStatus,
  alerts,
  cop,
  metricColumns,
  micros,
  type TableDef,
  type Column,
  type ColumnType,
} from './tables.ts';
export {
  declareSchema,
  createTableSql,
  createRollupSql,
  rollupSelect,
  rollups,
  defaultRetention,
  type Retention,
  type RollupDef,
  type SchemaReport,
} from './schema.ts';
export { QuestDbWriter, type WriteResult, type WriterOptions } from './writer.ts';
export { walSettled } from './wal.ts';
export { questDbConnectionProperties } from './config.ts';
