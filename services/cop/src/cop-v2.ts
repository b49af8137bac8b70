// Day rows and period figures as the data of heatstream.cop.v2 events, one per category. Figures
// are rounded as MyHeatpump stores them (kWh to 4 places, COP to 3), so a replay compares equal
// however the floating-point sums were ordered.
import { CopPeriod, type CopCategory, type CopV2Data } from '@heatstream/contracts';
import type { DayRow } from './accumulator.ts';
import type { CategoryFigures } from './figures.ts';
import type { PeriodFigures } from './periods.ts';

export const round = (value: number, places: number): number => {
  const f = 10 ** places;
  const r = Math.round(value * f) / f;
  return r === 0 ? 0 : r; // no -0 in events
};

const roundOrNull = (value: number | null | undefined, places: number): number | null =>
  value === null || value === undefined ? null : round(value, places);

/**
 * A day row is partial below this coverage. The issue sets no rule for a day; this is the share of
 * data the 365-day rule asks of a year (330/365 ≈ 90 %), so a day stands for itself on the same terms.
 */
export const DAY_PARTIAL_BELOW = 0.9;

/** Whether a figure is partial, and why; periods carry the 5/27/72/330-day rule's verdict. */
function partialOf(figures: DayRow | PeriodFigures): { partial: boolean; partialReason: string | null } {
  if ('period' in figures) {
    if (!figures.partial) return { partial: false, partialReason: null };
    return {
      partial: true,
      partialReason: `${String(figures.days)} of ${String(figures.calendarDays)} days with data; ${figures.period} needs more than ${String(figures.partialAtOrBelow)}`,
    };
  }
  if (figures.coverage >= DAY_PARTIAL_BELOW) return { partial: false, partialReason: null };
  return {
    partial: true,
    partialReason: `coverage ${String(round(figures.coverage * 100, 1))} % of the day; a day needs ${String(DAY_PARTIAL_BELOW * 100)} %`,
  };
}

/** Mean temperature over the category's running slots; null without any. */
const meanOf = (sum: number | undefined, seconds: number | undefined): number | null =>
  sum === undefined || seconds === undefined || seconds <= 0 ? null : round(sum / seconds, 2);

function temperatures(c: CategoryFigures): Pick<CopV2Data, 'outsideTempC' | 'flowTempC'> {
  return {
    outsideTempC: meanOf(c.outsideTempSum, c.outsideTempSeconds),
    flowTempC: meanOf(c.flowTempSum, c.flowTempSeconds),
  };
}

export function copV2Data(figures: DayRow | PeriodFigures): CopV2Data[] {
  const period = 'period' in figures ? figures.period : CopPeriod.day;
  const { method } = figures;
  const partial = partialOf(figures);
  return Object.entries(figures.categories).map(([category, c]) => ({
    site: figures.site,
    device: figures.device,
    period,
    periodStart: new Date(figures.start).toISOString(),
    periodEnd: new Date(figures.end).toISOString(),
    category: category as CopCategory,
    elecKwh: round(c.elecKwh, 4),
    heatKwh: round(c.heatKwh, 4),
    cop: roundOrNull(c.cop, 3),
    defrostHeatKwh: round(c.defrostHeatKwh, 4),
    standbyKwh: round(Math.max(0, figures.standbyKwh), 4),
    starts: figures.starts,
    startsPerHour: roundOrNull(figures.startsPerHour, 3),
    dataSeconds: c.seconds,
    coverage: round(figures.coverage, 4),
    dataDays: 'period' in figures ? figures.days : null,
    ...partial,
    counters:
      figures.counters === null
        ? null
        : {
            elecKwh: round(figures.counters.elecKwh, 4),
            heatKwh: round(figures.counters.heatKwh, 4),
            cop: roundOrNull(figures.counters.cop, 3),
          },
    method: {
      heatSource: method.heatSource,
      heatFrom: method.heatFrom,
      elecFrom: method.elecFrom,
      startingPowerW: method.startingPowerW,
      gridSeconds: method.gridSeconds,
      bridgeSeconds: method.bridgeSeconds,
      cpJPerKgK: method.cp ?? null,
    },
    boundary: method.boundary,
    // Day rows saved in KV before metering was on the method have none: unknown.
    metering: {
      elecMeterClass: method.metering?.elecMeterClass ?? null,
      heatMeterClass: method.metering?.heatMeterClass ?? null,
      backupHeater: method.metering?.backupHeater ?? null,
    },
    ...temperatures(c),
  }));
}
