// Rows in QuestDB as ingest writes them, for the gateway's tests of its read side.
import { metricNames } from '@heatstream/contracts';
import type { QuestDbServer } from '@heatstream/testkit';

export async function createTables(db: QuestDbServer): Promise<void> {
  const metricColumns = metricNames.map((m) => `${m} DOUBLE`).join(', ');
  await db.query(
    `CREATE TABLE IF NOT EXISTS readings (ts TIMESTAMP, site SYMBOL, device SYMBOL, source SYMBOL, model SYMBOL, ${metricColumns}) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, device)`,
  );
  await db.query(
    'CREATE TABLE IF NOT EXISTS device_status (ts TIMESTAMP, site SYMBOL, device SYMBOL, state SYMBOL, reason STRING) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, device)',
  );
  await db.query(
    'CREATE TABLE IF NOT EXISTS alerts (ts TIMESTAMP, site SYMBOL, device SYMBOL, alert_id SYMBOL, rule SYMBOL, severity SYMBOL, state SYMBOL, message STRING, metric SYMBOL, value DOUBLE, threshold DOUBLE, acknowledged_by STRING) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, alert_id, state)',
  );
  await db.query(
    'CREATE TABLE IF NOT EXISTS cop (ts TIMESTAMP, site SYMBOL, device SYMBOL, period SYMBOL, period_start TIMESTAMP, period_end TIMESTAMP, category SYMBOL, heat_kwh DOUBLE, elec_kwh DOUBLE, cop DOUBLE, coverage DOUBLE, heat_source SYMBOL) TIMESTAMP(ts) PARTITION BY DAY WAL DEDUP UPSERT KEYS(ts, device, period, period_start, category)',
  );
}

/** Waits until every WAL table has applied what it was sent. */
export async function settled(db: QuestDbServer): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const pending = await db.query('SELECT name FROM wal_tables() WHERE writerTxn < sequencerTxn');
    if (pending.length === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('QuestDB WAL did not settle');
}
