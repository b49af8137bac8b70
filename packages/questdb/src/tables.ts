// The QuestDB tables heatstream declares, as data: each column once (name, type, how it is read
// from the event), dedup keys and the designated timestamp. Column names are snake_case because
// QuestDB is the foreign system here; metric columns come from the catalogue, so a new metric is a
// new column without code changes.
import { EventType } from '@heatstream/contracts';
import { defineTable, type TableDef } from './columns.ts';

export const readings = defineTable(EventType.reading, (c) => ({
  name: 'readings',
  timestamp: (e) => e.time,
  columns: {
    site: c.symbol((e) => e.data.site),
    device: c.symbol((e) => e.data.device),
    source: c.symbol((e) => e.source),
    model: c.symbol((e) => e.data.model),
    ...c.metrics((e) => e.data.metrics),
  },
  dedupKeys: ['site', 'device'],
}));

export const deviceStatus = defineTable(EventType.deviceStatus, (c) => ({
  name: 'device_status',
  timestamp: (e) => e.time,
  columns: {
    site: c.symbol((e) => e.data.site),
    device: c.symbol((e) => e.data.device),
    source: c.symbol((e) => e.source),
    state: c.symbol((e) => e.data.state),
    reason: c.varchar((e) => e.data.reason),
    rejected_readings: c.long((e) => e.data.rejectedReadings),
  },
  dedupKeys: ['site', 'device'],
}));

export const alerts = defineTable(EventType.alert, (c) => ({
  name: 'alerts',
  timestamp: (e) => e.time,
  columns: {
    site: c.symbol((e) => e.data.site),
    device: c.symbol((e) => e.data.device),
    source: c.symbol((e) => e.source),
    rule: c.symbol((e) => e.data.rule),
    severity: c.symbol((e) => e.data.severity),
    state: c.symbol((e) => e.data.state),
    metric: c.symbol((e) => e.data.metric),
    alert_id: c.varchar((e) => e.data.alertId),
    message: c.varchar((e) => e.data.message),
    value: c.double((e) => e.data.value),
    threshold: c.double((e) => e.data.threshold),
    acknowledged_by: c.varchar((e) => e.data.acknowledgedBy),
  },
  // One row per lifecycle step of one alert instance.
  dedupKeys: ['site', 'device', 'alert_id', 'state'],
}));

// One row per figure and category; cop.v1 events arrive upcast to v2, their unknown figures NULL.
export const cop = defineTable(EventType.cop, (c) => ({
  name: 'cop',
  // `ts` is the period start: a re-derivation of the same period replaces the row.
  timestamp: (e) => e.data.periodStart,
  columns: {
    site: c.symbol((e) => e.data.site),
    device: c.symbol((e) => e.data.device),
    source: c.symbol((e) => e.source),
    period: c.symbol((e) => e.data.period),
    category: c.symbol((e) => e.data.category),
    heat_source: c.symbol((e) => e.data.method.heatSource),
    period_end: c.timestamp((e) => e.data.periodEnd),
    heat_kwh: c.double((e) => e.data.heatKwh),
    elec_kwh: c.double((e) => e.data.elecKwh),
    cop: c.double((e) => e.data.cop),
    defrost_heat_kwh: c.double((e) => e.data.defrostHeatKwh),
    coverage: c.double((e) => e.data.coverage),
    // When the COP service derived it: the event's own time.
    computed_at: c.timestamp((e) => e.time),
    // cop.v2: added after the v1 columns, so an existing table gains them (ADD COLUMN).
    standby_kwh: c.double((e) => e.data.standbyKwh),
    starts: c.long((e) => e.data.starts),
    starts_per_hour: c.double((e) => e.data.startsPerHour),
    data_seconds: c.double((e) => e.data.dataSeconds),
    data_days: c.long((e) => e.data.dataDays),
    partial: c.boolean((e) => e.data.partial),
    partial_reason: c.varchar((e) => e.data.partialReason),
    counter_elec_kwh: c.double((e) => e.data.counters?.elecKwh),
    counter_heat_kwh: c.double((e) => e.data.counters?.heatKwh),
    counter_cop: c.double((e) => e.data.counters?.cop),
    heat_from: c.symbol((e) => e.data.method.heatFrom),
    elec_from: c.symbol((e) => e.data.method.elecFrom),
    starting_power_w: c.double((e) => e.data.method.startingPowerW),
    grid_seconds: c.double((e) => e.data.method.gridSeconds),
    bridge_seconds: c.double((e) => e.data.method.bridgeSeconds),
    cp_j_per_kg_k: c.double((e) => e.data.method.cpJPerKgK),
    boundary: c.symbol((e) => e.data.boundary),
    elec_meter_class: c.varchar((e) => e.data.metering.elecMeterClass),
    heat_meter_class: c.varchar((e) => e.data.metering.heatMeterClass),
    backup_heater: c.symbol((e) => e.data.metering.backupHeater),
    outside_temp_c: c.double((e) => e.data.outsideTempC),
    flow_temp_c: c.double((e) => e.data.flowTempC),
  },
  dedupKeys: ['site', 'device', 'period', 'category'],
}));

export const tables: readonly TableDef[] = [readings, deviceStatus, alerts, cop];

/** The table an event type is stored in, if any. */
export function tableOf(eventType: string): TableDef | undefined {
  return tables.find((t) => t.eventType === eventType);
}
