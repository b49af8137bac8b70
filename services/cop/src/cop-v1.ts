// Day rows and period figures as the data of heatstream.cop.v1 events, one per category. Figures
// are rounded as MyHeatpump stores them (kWh to 4 places, COP to 3), so a replay compares equal
// however the floating-point sums were ordered. What cop.v1 has no field for (standby, starts,
// seconds, counter COP, method, boundary, partial) stays on the figures until a contract carries it.
import { CopPeriod, type CopCategory, type CopV1Data } from '@heatstream/contracts';
import type { DayRow } from './accumulator.ts';
import type { PeriodFigures } from './periods.ts';

export const round = (value: number, places: number): number => {
  const f = 10 ** places;
  const r = Math.round(value * f) / f;
  return r === 0 ? 0 : r; // no -0 in events
};

export function copV1Data(figures: DayRow | PeriodFigures): CopV1Data[] {
  const period = 'period' in figures ? figures.period : CopPeriod.day;
  return Object.entries(figures.categories).map(([category, c]) => ({
    site: figures.site,
    device: figures.device,
    period,
    periodStart: new Date(figures.start).toISOString(),
    periodEnd: new Date(figures.end).toISOString(),
    category: category as CopCategory,
    heatKwh: round(c.heatKwh, 4),
    elecKwh: round(c.elecKwh, 4),
    cop: c.cop === null ? null : round(c.cop, 3),
    defrostHeatKwh: round(c.defrostHeatKwh, 4),
    coverage: round(figures.coverage, 4),
    heatSource: figures.method.heatSource,
  }));
}
