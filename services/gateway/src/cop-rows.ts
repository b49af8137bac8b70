// QuestDB's cop rows as the API's cop.v2 figures. Rows stored from cop.v1 events have NULL where v1
// had no field; they stay null (unknown) here, as the upcaster leaves them.
import type { CopRow } from '@heatstream/contracts/api';
import type { cop, RowOf } from '@heatstream/questdb';

export type CopDbRow = RowOf<typeof cop>;

/** NULL only on a row a v1 event without defrost wrote (before ingest upcast): 0, as the upcaster gives. */
function zeroIfNull(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

export function copRowOf(row: CopDbRow): CopRow {
  const counters =
    row.counter_elec_kwh !== null && row.counter_heat_kwh !== null
      ? { elecKwh: row.counter_elec_kwh, heatKwh: row.counter_heat_kwh, cop: row.counter_cop }
      : null;
  return {
    periodStart: row.ts,
    periodEnd: row.period_end,
    category: row.category,
    elecKwh: row.elec_kwh,
    heatKwh: row.heat_kwh,
    cop: row.cop,
    defrostHeatKwh: zeroIfNull(row.defrost_heat_kwh),
    standbyKwh: row.standby_kwh,
    starts: row.starts,
    startsPerHour: row.starts_per_hour,
    dataSeconds: row.data_seconds,
    coverage: row.coverage,
    dataDays: row.data_days,
    // QuestDB has no NULL boolean: a v1 row reads false, as the upcaster sets it.
    partial: row.partial,
    partialReason: row.partial_reason,
    counters,
    method: {
      heatSource: row.heat_source,
      heatFrom: row.heat_from,
      elecFrom: row.elec_from,
      startingPowerW: row.starting_power_w,
      gridSeconds: row.grid_seconds,
      bridgeSeconds: row.bridge_seconds,
      cpJPerKgK: row.cp_j_per_kg_k,
    },
    boundary: row.boundary,
    metering: {
      elecMeterClass: row.elec_meter_class,
      heatMeterClass: row.heat_meter_class,
      backupHeater: row.backup_heater,
    },
    outsideTempC: row.outside_temp_c,
    flowTempC: row.flow_temp_c,
  };
}
