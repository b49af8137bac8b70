// heatpumpmonitor.org-style exports of the COP figures: the system stats (newest 7/30/90/365-day
// and season figure per category) and the daily rows as CSV, one row per day with per-category
// columns named as heatpumpmonitor.org's daily table names them (combined_, running_, space_,
// water_, cooling_; elec_kwh, heat_kwh, cop, data_length, outsideT_mean, flowT_mean).
import { stringify } from 'csv-stringify/sync';
import { CopCategory, CopPeriod } from '@heatstream/contracts';
import type { CopFigure, CopRow, CopStats } from '@heatstream/contracts/api';

const periodOrder: readonly string[] = [
  CopPeriod.days7,
  CopPeriod.days30,
  CopPeriod.days90,
  CopPeriod.days365,
  CopPeriod.season,
];
const categoryOrder: readonly string[] = Object.values(CopCategory);

export function copStats(device: string, figures: readonly CopFigure[]): CopStats {
  const sorted = [...figures].sort(
    (a, b) =>
      periodOrder.indexOf(a.period) - periodOrder.indexOf(b.period) ||
      categoryOrder.indexOf(a.category) - categoryOrder.indexOf(b.category),
  );
  const ends = sorted.map((f) => f.periodEnd).sort();
  return { device, asOf: ends.at(-1) ?? null, figures: sorted };
}

/** heatpumpmonitor.org's prefix of each category. */
const prefix: Record<CopCategory, string> = {
  combined: 'combined',
  running: 'running',
  space_heating: 'space',
  hot_water: 'water',
  cooling: 'cooling',
};

const perCategory = ['elec_kwh', 'heat_kwh', 'cop', 'data_length', 'outsideT_mean', 'flowT_mean'] as const;

/** The CSV's columns, in order; documented in the gateway README. */
export const dailyCsvColumns: readonly string[] = [
  'date',
  'timestamp',
  ...Object.values(prefix).flatMap((p) => perCategory.map((c) => `${p}_${c}`)),
  'defrost_heat_kwh',
  'standby_kwh',
  'starts',
  'coverage',
  'partial',
  'partial_reason',
  'from_energy_feeds_elec_kwh',
  'from_energy_feeds_heat_kwh',
  'from_energy_feeds_cop',
  'heat_source',
  'boundary',
];

type Cell = string | number | boolean | null;

function categoryCells(row: CopRow | undefined): Cell[] {
  if (row === undefined) return perCategory.map(() => null);
  return [row.elecKwh, row.heatKwh, row.cop, row.dataSeconds, row.outsideTempC, row.flowTempC];
}

/**
 * The local date of a day row: the UTC date of the day's midpoint, which is the local date in every
 * zone within ±12 h of UTC (the gateway does not know the source's zone; the row's span does).
 */
const localDate = (row: CopRow): string =>
  new Date((Date.parse(row.periodStart) + Date.parse(row.periodEnd)) / 2).toISOString().slice(0, 10);

/** Day rows (every category) as one CSV line per day, oldest first; an absent figure is empty. */
export function dailyCsv(rows: readonly CopRow[]): string {
  const days = Map.groupBy(rows, (r) => r.periodStart);
  const lines: Cell[][] = [...days.keys()].sort().map((start) => {
    const day = days.get(start) ?? [];
    const byCategory = new Map(day.map((r) => [r.category, r]));
    const combined = byCategory.get(CopCategory.combined);
    return [
      day[0] === undefined ? null : localDate(day[0]),
      Math.round(Date.parse(start) / 1000),
      ...Object.values(CopCategory).flatMap((c) => categoryCells(byCategory.get(c))),
      combined?.defrostHeatKwh ?? null,
      combined?.standbyKwh ?? null,
      combined?.starts ?? null,
      combined?.coverage ?? null,
      combined === undefined ? null : combined.partial ? 1 : 0,
      combined?.partialReason ?? null,
      combined?.counters?.elecKwh ?? null,
      combined?.counters?.heatKwh ?? null,
      combined?.counters?.cop ?? null,
      combined?.method.heatSource ?? null,
      combined?.boundary ?? null,
    ];
  });
  return stringify(lines, {
    header: true,
    columns: [...dailyCsvColumns],
    cast: { boolean: (v) => (v ? '1' : '0') },
  });
}
