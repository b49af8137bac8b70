// Periods re-summed from day rows: Σ heat / Σ elec over the days, the coverage rule, the windows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DayRow } from './accumulator.ts';
import { parseCopSource } from './config.ts';
import { categoriesOf, emptySums, figuresOf, methodOf } from './figures.ts';
import { partialAtOrBelow, periodWindows, seasonOf, summarise } from './periods.ts';
import { addDays, dayStart } from './zoned.ts';

const source = parseCopSource({
  site: 'home',
  device: 'hp',
  elec: { device: 'meter' },
  heat: { method: 'heat-meter', device: 'hp' },
});

/** A whole day of paired data with the given totals (combined = running), and optional counters. */
function dayRow(day: string, elecKwh: number, heatKwh: number, counters = false): DayRow {
  const sums = emptySums();
  sums.categories.combined = { elecKwh, heatKwh, defrostHeatKwh: 0, seconds: 86_400 };
  sums.categories.running = { ...sums.categories.combined };
  sums.starts = 4;
  sums.elecSeconds = 86_400;
  if (counters) {
    sums.counterElecKwh = elecKwh;
    sums.counterHeatKwh = heatKwh * 1.01;
  }
  const start = dayStart(day, 'UTC');
  const span = { site: 'home', device: 'hp', start, end: dayStart(addDays(day, 1), 'UTC') };
  return { day, ...figuresOf(sums, span, categoriesOf(source), methodOf(source)) };
}

const days = (first: string, n: number, elec: number, heat: number, counters = false) =>
  Array.from({ length: n }, (_, i) => dayRow(addDays(first, i), elec, heat, counters));

const year = { period: '365d', firstDay: '2025-01-01', endDay: '2026-01-01' } as const;

void describe('summarise', () => {
  void it('takes the 365-day COP from summed energies and marks ≤ 330 days of data partial', () => {
    // 200 days of 4 kWh → 12 kWh (COP 3) and 131 days of 1 → 5 (COP 5): 331 days.
    // Σ heat = 200·12 + 131·5 = 3055 kWh; Σ elec = 200·4 + 131 = 931 kWh; SCOP = 3055/931 = 3.2814…
    // (the mean of the daily COPs would be (200·3 + 131·5)/331 = 3.7915…). Coverage 331/365.
    const rows = [...days('2025-01-01', 200, 4, 12), ...days('2025-07-20', 131, 1, 5)];
    const full = summarise(rows, year, source);
    assert.equal(full.days, 331);
    assert.equal(full.partial, false);
    assert.equal(full.categories.combined!.heatKwh, 3055);
    assert.equal(full.categories.combined!.elecKwh, 931);
    assert.equal(full.categories.combined!.cop, 3055 / 931);
    assert.equal(full.coverage, 331 / 365);
    assert.equal(full.calendarDays, 365);
    // 4 starts a day over 24 h of electricity: 1324 starts / 7944 h = 1/6 per hour.
    assert.equal(full.starts, 1324);
    assert.equal(full.startsPerHour, 1324 / 7944);
    const short = summarise(rows.slice(1), year, source);
    assert.equal(short.days, 330);
    assert.equal(short.partial, true);
  });

  void it('ignores rows outside the window and days without data', () => {
    const rows = [dayRow('2024-12-31', 5, 20), ...days('2025-03-01', 3, 2, 8), dayRow('2025-03-04', 0, 0)];
    rows[4]!.categories.combined!.seconds = 0;
    const p = summarise(rows, year, source);
    assert.equal(p.days, 3);
    assert.equal(p.categories.combined!.heatKwh, 24);
  });

  void it('gives a counter COP only over the days that had both counters', () => {
    // Two days with counters (2 kWh elec, 8.08 kWh heat each), one without: counter COP 16.16/4 = 4.04.
    const rows = [...days('2025-03-01', 2, 2, 8, true), dayRow('2025-03-03', 2, 8)];
    const p = summarise(rows, year, source);
    assert.deepEqual(p.counters, { elecKwh: 4, heatKwh: 16.16, cop: 16.16 / 4 });
    assert.equal(summarise([dayRow('2025-03-03', 2, 8)], year, source).counters, null);
  });

  void it('applies each window’s partial rule', () => {
    assert.equal(partialAtOrBelow('7d', 7), 5);
    assert.equal(partialAtOrBelow('30d', 30), 27);
    assert.equal(partialAtOrBelow('90d', 90), 72);
    // A season of 212 days: partial at or below ⌊212·330/365⌋ = 191 days.
    assert.equal(partialAtOrBelow('season', 212), 191);
    const week = { period: '7d', firstDay: '2025-03-01', endDay: '2025-03-08' } as const;
    assert.equal(summarise(days('2025-03-01', 5, 1, 3), week, source).partial, true);
    assert.equal(summarise(days('2025-03-01', 6, 1, 3), week, source).partial, false);
  });
});

void describe('periodWindows', () => {
  void it('ends the rolling windows with the last day and finds its heating season', () => {
    const w = periodWindows('2025-01-31', source.season);
    assert.deepEqual(
      w.map((x) => [x.period, x.firstDay, x.endDay]),
      [
        ['7d', '2025-01-25', '2025-02-01'],
        ['30d', '2025-01-02', '2025-02-01'],
        ['90d', '2024-11-03', '2025-02-01'],
        ['365d', '2024-02-02', '2025-02-01'],
        ['season', '2024-10-01', '2025-05-01'],
      ],
    );
    // In summer the last season is the one that ended in May; from October the new one.
    assert.equal(seasonOf('2025-07-15', source.season).firstDay, '2024-10-01');
    assert.equal(seasonOf('2025-10-02', source.season).endDay, '2026-05-01');
    // A southern season, April to October, lies inside one year.
    assert.deepEqual(seasonOf('2025-06-01', { startMonth: 4, endMonth: 10 }), {
      period: 'season',
      firstDay: '2025-04-01',
      endDay: '2025-10-01',
    });
  });
});
