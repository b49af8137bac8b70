// The QuestDB tables heatstream declares, as data: columns, dedup keys and how an event becomes a
// row. Column names are snake_case because QuestDB is the foreign system here; metric columns come
// from the catalogue, so a new metric is a new column without code changes.
import type { Sender } from '@questdb/nodejs-client';
import {
  EventType,
  MetricKind,
  metricNames,
  metrics,
  type EventOf,
  type Envelope,
} from '@heatstream/contracts';

export type ColumnType = 'SYMBOL' | 'DOUBLE' | 'LONG' | 'VARCHAR' | 'TIMESTAMP';

export interface Column {
  name: string;
  type: ColumnType;
}

export interface TableDef {
  name: string;
  /** The event type whose events become rows here. */
  eventType: string;
  /** Besides the designated timestamp `ts`. */
  columns: readonly Column[];
  /** Besides `ts`: the columns that identify a row, so writing an event twice leaves one row. */
  dedupKeys: readonly string[];
  /** Appends the event as one row of `table` (ending with `at`). Throws when a value cannot be encoded. */
  row(sender: Sender, event: Envelope, table: string): Promise<void>;
}

const col = (name: string, type: ColumnType): Column => ({ name, type });

/** Measurement time as epoch microseconds (RFC 3339 with offset; sub-millisecond digits dropped). */
export function micros(time: string): bigint {
  const ms = Date.parse(time);
  if (Number.isNaN(ms)) throw new RangeError(`not a date-time: ${time}`);
  return BigInt(ms) * 1000n;
}

export const metricColumns: readonly Column[] = metricNames.map((name) =>
  col(name, metrics[name].kind === MetricKind.state ? 'LONG' : 'DOUBLE'),
);

const stateMetrics = new Set<string>(metricNames.filter((n) => metrics[n].kind === MetricKind.state));

export const readings: TableDef = {
  name: 'readings',
  eventType: EventType.reading,
  columns: [
    col('site', 'SYMBOL'),
    col('device', 'SYMBOL'),
    col('source', 'SYMBOL'),
    col('model', 'SYMBOL'),
    ...metricColumns,
  ],
  dedupKeys: ['site', 'device'],
  row(sender, event, table) {
    const { data } = event as EventOf<'heatstream.reading.v1'>;
    sender
      .table(table)
      .symbol('site', data.site)
      .symbol('device', data.device)
      .symbol('source', event.source)
      .symbol('model', data.model);
    for (const [name, value] of Object.entries(data.metrics)) {
      if (stateMetrics.has(name)) sender.intColumn(name, value);
      else sender.floatColumn(name, value);
    }
    return sender.at(micros(event.time), 'us');
  },
};

export const deviceStatus: TableDef = {
  name: 'device_status',
  eventType: EventType.deviceStatus,
  columns: [
    col('site', 'SYMBOL'),
    col('device', 'SYMBOL'),
    col('source', 'SYMBOL'),
    col('state', 'SYMBOL'),
    col('reason', 'VARCHAR'),
    col('rejected_readings', 'LONG'),
  ],
  dedupKeys: ['site', 'device'],
  row(sender, event, table) {
    const { data } = event as EventOf<'heatstream.device-status.v1'>;
    sender
      .table(table)
      .symbol('site', data.site)
      .symbol('device', data.device)
      .symbol('source', event.source)
      .symbol('state', data.state);
    if (data.reason !== undefined) sender.stringColumn('reason', data.reason);
    if (data.rejectedReadings !== undefined) sender.intColumn('rejected_readings', data.rejectedReadings);
    return sender.at(micros(event.time), 'us');
  },
};

export const alerts: TableDef = {
  name: 'alerts',
  eventType: EventType.alert,
  columns: [
    col('site', 'SYMBOL'),
    col('device', 'SYMBOL'),
    col('source', 'SYMBOL'),
    col('rule', 'SYMBOL'),
    col('severity', 'SYMBOL'),
    col('state', 'SYMBOL'),
    col('metric', 'SYMBOL'),
    col('alert_id', 'VARCHAR'),
    col('message', 'VARCHAR'),
    col('value', 'DOUBLE'),
    col('threshold', 'DOUBLE'),
    col('acknowledged_by', 'VARCHAR'),
  ],
  // One row per lifecycle step of one alert instance.
  dedupKeys: ['site', 'device', 'alert_id', 'state'],
  row(sender, event, table) {
    const { data } = event as EventOf<'heatstream.alert.v1'>;
    sender
      .table(table)
      .symbol('site', data.site)
      .symbol('device', data.device)
      .symbol('source', event.source)
      .symbol('rule', data.rule)
      .symbol('severity', data.severity)
      .symbol('state', data.state);
    if (data.metric !== undefined) sender.symbol('metric', data.metric);
    sender.stringColumn('alert_id', data.alertId).stringColumn('message', data.message);
    if (data.value !== undefined) sender.floatColumn('value', data.value);
    if (data.threshold !== undefined) sender.floatColumn('threshold', data.threshold);
    if (data.acknowledgedBy !== undefined) sender.stringColumn('acknowledged_by', data.acknowledgedBy);
    return sender.at(micros(event.time), 'us');
  },
};

export const cop: TableDef = {
  name: 'cop',
  eventType: EventType.cop,
  columns: [
    col('site', 'SYMBOL'),
    col('device', 'SYMBOL'),
    col('source', 'SYMBOL'),
    col('period', 'SYMBOL'),
    col('category', 'SYMBOL'),
    col('heat_source', 'SYMBOL'),
    col('period_end', 'TIMESTAMP'),
    col('heat_kwh', 'DOUBLE'),
    col('elec_kwh', 'DOUBLE'),
    col('cop', 'DOUBLE'),
    col('defrost_heat_kwh', 'DOUBLE'),
    col('coverage', 'DOUBLE'),
    col('computed_at', 'TIMESTAMP'),
  ],
  // `ts` is the period start: a re-derivation of the same period replaces the row.
  dedupKeys: ['site', 'device', 'period', 'category'],
  row(sender, event, table) {
    const { data } = event as EventOf<'heatstream.cop.v1'>;
    sender
      .table(table)
      .symbol('site', data.site)
      .symbol('device', data.device)
      .symbol('source', event.source)
      .symbol('period', data.period)
      .symbol('category', data.category)
      .symbol('heat_source', data.heatSource)
      .timestampColumn('period_end', micros(data.periodEnd), 'us')
      .floatColumn('heat_kwh', data.heatKwh)
      .floatColumn('elec_kwh', data.elecKwh);
    if (data.cop !== null) sender.floatColumn('cop', data.cop);
    if (data.defrostHeatKwh !== undefined) sender.floatColumn('defrost_heat_kwh', data.defrostHeatKwh);
    sender.floatColumn('coverage', data.coverage).timestampColumn('computed_at', micros(event.time), 'us');
    return sender.at(micros(data.periodStart), 'us');
  },
};

export const tables: readonly TableDef[] = [readings, deviceStatus, alerts, cop];

/** The table an event type is stored in, if any. */
export function tableOf(eventType: string): TableDef | undefined {
  return tables.find((t) => t.eventType === eventType);
}
