// Longer periods are re-summed from day rows, as heatpumpmonitor.org does (cop-method.md b.4, b.5):
// kWh, seconds and starts are added, COP is Σ heat / Σ electricity over the period, never a mean of
// daily COPs. "SCOP" is the 365-day figure and "SPF" the heating season's. A figure over too few days
// of data is marked partial: heatpumpmonitor.org greys a cell at or below 5 (7 days), 27 (30 days),
// 72 (90 days) or 330 (365 days) days of data.
import { CopCategory, CopPeriod } from '@heatstream/contracts';
import type { CopSource } from './config.ts';
import type { DayRow } from './accumulator.ts';
import {
  addSums,
  categoriesOf,
  emptySums,
  figuresOf,
  methodOf,
  type CopFigures,
  type Sums,
} from './figures.ts';
import { addDays, dayStart, daysBetween, firstOfMonth, monthOf } from './zoned.ts';

/** A span of whole local days: firstDay inclusive, endDay exclusive. */
export interface PeriodWindow {
  period: CopPeriod;
  firstDay: string;
  endDay: string;
}

export interface PeriodFigures extends CopFigures {
  period: CopPeriod;
  firstDay: string;
  endDay: string;
  calendarDays: number;
  /** Days with paired electricity and heat. */
  days: number;
  /** Too few days of data for the period to stand for its length. */
  partial: boolean;
  /** The rule: partial at or below this many days of data. */
  partialAtOrBelow: number;
}

const rolling = [
  [CopPeriod.days7, 7, 5],
  [CopPeriod.days30, 30, 27],
  [CopPeriod.days90, 90, 72],
  [CopPeriod.days365, 365, 330],
] as const;

/** A season is partial at or below the 365-day rule's share of its days (330/365 ≈ 90 %). */
export function partialAtOrBelow(period: CopPeriod, calendarDays: number): number {
  const fixed = rolling.find(([p]) => p === period);
  return fixed === undefined ? Math.floor((calendarDays * 330) / 365) : fixed[2];
}

/** The heating season that contains `day`, or the last one before it when `day` is outside every season. */
export function seasonOf(day: string, season: CopSource['season']): PeriodWindow {
  const { year, month } = monthOf(day);
  const { startMonth, endMonth } = season;
  const startYear = month >= startMonth ? year : year - 1;
  const endYear = startMonth > endMonth ? startYear + 1 : startYear;
  return {
    period: CopPeriod.season,
    firstDay: firstOfMonth(startYear, startMonth),
    endDay: firstOfMonth(endYear, endMonth),
  };
}

/** The last 7, 30, 90 and 365 days up to and including `lastDay`, and its heating season. */
export function periodWindows(lastDay: string, season: CopSource['season']): PeriodWindow[] {
  const endDay = addDays(lastDay, 1);
  return [
    ...rolling.map(([period, n]) => ({ period, firstDay: addDays(endDay, -n), endDay })),
    seasonOf(lastDay, season),
  ];
}

function sumsOf(row: DayRow): Sums {
  const sums = emptySums();
  for (const key of Object.values(CopCategory)) {
    const c = row.categories[key];
    if (c !== undefined) {
      sums.categories[key] = {
        elecKwh: c.elecKwh,
        heatKwh: c.heatKwh,
        defrostHeatKwh: c.defrostHeatKwh,
        seconds: c.seconds,
      };
    }
  }
  sums.starts = row.starts;
  sums.elecSeconds = row.elecSeconds;
  sums.counterElecKwh = row.counters?.elecKwh ?? null;
  sums.counterHeatKwh = row.counters?.heatKwh ?? null;
  return sums;
}

/** One period's figures from the day rows that fall inside it (rows outside are ignored). */
export function summarise(rows: readonly DayRow[], window: PeriodWindow, source: CopSource): PeriodFigures {
  const inside = rows.filter((r) => r.day >= window.firstDay && r.day < window.endDay);
  const total = emptySums();
  // A day without both counters adds to neither counter sum, so the counter COP stays a pair.
  for (const row of inside) addSums(total, sumsOf(row));
  const calendarDays = daysBetween(window.firstDay, window.endDay);
  const days = inside.filter((r) => (r.categories.combined?.seconds ?? 0) > 0).length;
  const span = {
    site: source.site,
    device: source.device,
    start: dayStart(window.firstDay, source.timeZone),
    end: dayStart(window.endDay, source.timeZone),
  };
  return {
    ...figuresOf(total, span, categoriesOf(source), methodOf(source)),
    period: window.period,
    firstDay: window.firstDay,
    endDay: window.endDay,
    calendarDays,
    days,
    partial: days <= partialAtOrBelow(window.period, calendarDays),
    partialAtOrBelow: partialAtOrBelow(window.period, calendarDays),
  };
}
