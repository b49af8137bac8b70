// The heat pump's COP panel: daily COP bars by category with each day's coverage, SCOP (365 days)
// and SPF (heating season) with their method and coverage — greyed with the reason when partial —
// the 7/30/90-day figures, and defrost and standby energy. Plain HTML bars: the figures are few,
// and every bar carries its numbers for screen readers and tests.
import type { CopFigure, CopRow, CopStats } from '@heatstream/contracts/api';
import { api } from './api.ts';
import { el } from './format.ts';

/** The categories drawn as bars, in legend order (running is the sum of the three modes). */
const BARS = [
  ['combined', 'combined'],
  ['space_heating', 'space heating'],
  ['hot_water', 'hot water'],
  ['cooling', 'cooling'],
] as const;

const pct = (share: number): string => `${Math.round(share * 100)} %`;
const kwh = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : `${v.toLocaleString(undefined, { maximumFractionDigits: 1 })} kWh`;
const copText = (v: number | null): string => (v === null ? '–' : v.toFixed(2));

function methodText(f: CopFigure | CopRow): string {
  const m = f.method;
  const how =
    m.heatSource === 'flow-dt'
      ? `flow × ΔT${m.cpJPerKgK === null ? '' : `, cp ${m.cpJPerKgK} J/(kg·K)`}`
      : m.heatSource === 'vendor'
        ? 'vendor counters'
        : `heat meter (${m.heatFrom ?? 'power'})`;
  return `${how}; electricity ${m.elecFrom ?? '?'}; boundary ${f.boundary ?? '?'}`;
}

/** One headline figure (SCOP or SPF): COP, coverage, method; greyed with the reason when partial. */
function headline(name: string, f: CopFigure | undefined): HTMLElement {
  if (f === undefined)
    return el('div', { class: 'cop-figure', 'data-figure': name }, `${name}: no figure yet`);
  const box = el(
    'div',
    {
      class: `cop-figure${f.partial ? ' partial' : ''}`,
      'data-figure': name,
      'data-partial': String(f.partial),
    },
    el('div', { class: 'label' }, name),
    el('div', { class: 'value' }, copText(f.cop)),
    el(
      'div',
      { class: 'detail' },
      `${kwh(f.heatKwh)} heat / ${kwh(f.elecKwh)} electric · coverage ${pct(f.coverage)}` +
        (f.dataDays === null ? '' : ` · ${f.dataDays} days of data`),
    ),
    el('div', { class: 'method' }, methodText(f)),
  );
  if (f.counters !== null)
    box.append(el('div', { class: 'detail' }, `counter COP ${copText(f.counters.cop)}`));
  if (f.partial && f.partialReason !== null)
    box.append(el('div', { class: 'reason' }, `partial: ${f.partialReason}`));
  return box;
}

function periodTable(figures: readonly CopFigure[]): HTMLTableElement {
  const rows = figures.filter((f) => f.category === 'combined');
  return el(
    'table',
    { class: 'cop-periods' },
    el(
      'tr',
      {},
      ...['period', 'COP', 'heat', 'electric', 'counter COP', 'coverage', 'defrost', 'standby'].map((h) =>
        el('th', {}, h),
      ),
    ),
    ...rows.map((f) =>
      el(
        'tr',
        { 'data-period': f.period, class: f.partial ? 'partial' : '', title: f.partialReason ?? '' },
        el('td', {}, f.period),
        el('td', {}, copText(f.cop)),
        el('td', {}, kwh(f.heatKwh)),
        el('td', {}, kwh(f.elecKwh)),
        el('td', {}, f.counters === null ? '–' : copText(f.counters.cop)),
        el('td', {}, pct(f.coverage)),
        el('td', {}, kwh(f.defrostHeatKwh)),
        el('td', {}, kwh(f.standbyKwh)),
      ),
    ),
  );
}

/** Daily bars: one group per day, one bar per category, height ∝ COP; coverage under each day. */
function dailyBars(days: readonly CopRow[]): HTMLElement {
  const byDay = Map.groupBy(days, (d) => d.periodStart);
  const starts = [...byDay.keys()].sort();
  const max = Math.max(5, ...days.map((d) => d.cop ?? 0));
  const chart = el('div', { class: 'cop-bars', role: 'list' });
  for (const start of starts) {
    const rows = new Map((byDay.get(start) ?? []).map((r) => [r.category, r]));
    const combined = rows.get('combined');
    const date = new Date(Date.parse(start) + 12 * 3_600_000).toISOString().slice(5, 10);
    const bars = el('div', { class: 'bars' });
    for (const [category, name] of BARS) {
      const r = rows.get(category);
      if (r === undefined || r.cop === null) continue;
      const height = Math.max(0, Math.min(1, r.cop / max)) * 100;
      bars.append(
        el('div', {
          class: `bar ${category}`,
          'data-category': category,
          'data-cop': r.cop.toFixed(2),
          style: `height:${height.toFixed(1)}%`,
          title: `${name}: COP ${copText(r.cop)}, ${kwh(r.heatKwh)} / ${kwh(r.elecKwh)}`,
        }),
      );
    }
    const partial = combined?.partial ?? false;
    chart.append(
      el(
        'div',
        {
          class: `day${partial ? ' partial' : ''}`,
          role: 'listitem',
          'data-day': start,
          title: combined
            ? `COP ${copText(combined.cop)} · coverage ${pct(combined.coverage)} · defrost ${kwh(combined.defrostHeatKwh)} · standby ${kwh(combined.standbyKwh)}${combined.partialReason ? ` · ${combined.partialReason}` : ''}`
            : '',
        },
        bars,
        el('div', { class: 'date' }, date),
        el('div', { class: 'coverage' }, combined ? pct(combined.coverage) : '–'),
      ),
    );
  }
  const legend = el(
    'div',
    { class: 'cop-legend' },
    ...BARS.map(([category, name]) => el('span', { class: `key ${category}` }, name)),
  );
  return el('div', { class: 'cop-daily' }, legend, chart);
}

/** Fills `box` with the device's COP figures; the caller shows a message if this throws. */
export async function renderCop(box: HTMLElement, device: string): Promise<void> {
  const since = new Date(Date.now() - 30 * 86_400_000);
  const [days, stats]: [CopRow[], CopStats] = await Promise.all([
    api.cop(device, 'day', since),
    api.copStats(device),
  ]);
  const figure = (period: string) =>
    stats.figures.find((f) => f.period === period && f.category === 'combined');
  const month = figure('30d');
  box.replaceChildren(
    el(
      'div',
      { class: 'grid cop-headlines' },
      headline('SCOP 365 d', figure('365d')),
      headline('SPF season', figure('season')),
    ),
    el(
      'p',
      { class: 'cop-losses' },
      month === undefined
        ? 'No 30-day figure yet.'
        : `Last 30 days: defrost ${kwh(month.defrostHeatKwh)} of heat, standby ${kwh(month.standbyKwh)} of electricity.`,
    ),
    days.length > 0
      ? dailyBars(days)
      : el('p', {}, 'No daily COP yet: the first day row comes after midnight.'),
    // Only periods the cop service has figured: no header over an empty table.
    ...(stats.figures.some((f) => f.category === 'combined') ? [periodTable(stats.figures)] : []),
    el(
      'p',
      {},
      el(
        'a',
        { href: `/api/devices/${encodeURIComponent(device)}/cop/daily.csv`, download: '' },
        'Daily rows as CSV',
      ),
    ),
  );
}
