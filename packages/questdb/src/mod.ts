export { sql, sqlRows, sqlString, probe, senderConfig, type QuestDbConnection } from './connection.ts';
export { QuestDbRejectedError, QuestDbSqlError, QuestDbUnavailableError } from './errors.ts';
export { tables, tableOf, readings, deviceStatus, alerts, cop } from './tables.ts';
export {
  defineTable,
  micros,
  type Column,
  type Columns,
  type ColumnType,
  type ColumnValue,
  type RowOf,
  type TableDef,
} from './columns.ts';
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
export { IlpBuffer, IlpEncodeError, ilpEncoder, type RowEncoder } from './ilp.ts';
export { walSettled } from './wal.ts';
export { questDbConnectionProperties } from './config.ts';
