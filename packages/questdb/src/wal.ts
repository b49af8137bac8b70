import { sql, type QuestDbConnection } from './connection.ts';

/**
 * True when every WAL table has applied what it committed (writerTxn = sequencerTxn): an ILP/HTTP
 * write is committed when it returns but applied asynchronously. A suspended table throws.
 */
export async function walSettled(conn: QuestDbConnection, tables?: readonly string[]): Promise<boolean> {
  const rows = (await sql(
    conn,
    'SELECT name, suspended, writerTxn, sequencerTxn, errorMessage FROM wal_tables()',
  )) as [string, boolean, number, number, string | null][];
  for (const [name, suspended, writerTxn, sequencerTxn, message] of rows) {
    if (tables && !tables.includes(name)) continue;
    if (suspended) throw new Error(`QuestDB suspended WAL table ${name}: ${message ?? ''}`);
    if (writerTxn < sequencerTxn) return false;
  }
  return true;
}
