// Time charts (uPlot), loaded with a dynamic import only by pages that draw one. Each chart spans
// the range asked for (empty where there is no data), breaks its lines at gaps, names its unit on
// the axis, shows the latest values in the legend until the cursor points elsewhere, and zooms
// by dragging (double-click zooms back out).
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatValue, label, unitOf } from './format.ts';

const COLOURS = ['#c2410c', '#0f766e', '#1d4ed8', '#a16207', '#4d7c0f', '#7e22ce'];

export interface Series {
  /** Seconds since the epoch, ascending. */
  times: readonly number[];
  /** One list per metric, aligned with `times`; null where a bucket has no value. */
  values: readonly (readonly (number | null)[])[];
}

/**
 * The chart's data: the range's ends as empty points, so the x-axis always spans [from, to], and
 * a null wherever two points are further apart than three typical steps, so a gap is drawn as one.
 */
export function spanned(series: Series, fromS: number, toS: number): uPlot.AlignedData {
  const { times, values } = series;
  const steps = times
    .slice(1)
    .map((t, i) => t - (times[i] ?? t))
    .sort((a, b) => a - b);
  const typical = steps[Math.floor(steps.length / 2)] ?? Infinity;
  const xs: number[] = [];
  const ys: (number | null)[][] = values.map(() => []);
  const push = (t: number, at: number | undefined): void => {
    xs.push(t);
    values.forEach((list, i) => ys[i]?.push(at === undefined ? null : (list[at] ?? null)));
  };
  if ((times[0] ?? toS) > fromS) push(fromS, undefined);
  times.forEach((t, i) => {
    const before = times[i - 1];
    if (before !== undefined && t - before > 3 * typical) push((before + t) / 2, undefined);
    push(t, i);
  });
  if ((times.at(-1) ?? fromS) < toS) push(toS, undefined);
  return [xs, ...ys];
}

/** The last value of a list that is not null. */
const lastOf = (list: readonly (number | null | undefined)[]): number | null => {
  for (let i = list.length - 1; i >= 0; i--) {
    const v = list[i];
    if (typeof v === 'number') return v;
  }
  return null;
};

/** A time chart of metrics that share one unit, over [fromS, toS] (seconds since the epoch). */
export function lineChart(
  target: HTMLElement,
  title: string,
  names: readonly string[],
  series: Series,
  fromS: number,
  toS: number,
): uPlot {
  target.replaceChildren();
  const data = spanned(series, fromS, toS);
  const unit = unitOf(names[0] ?? '');
  const width = Math.max(280, target.clientWidth || 600);
  target.dataset.unit = unit;
  return new uPlot(
    {
      title,
      width,
      height: 240,
      cursor: { drag: { x: true, y: false, setScale: true } },
      hooks: {
        // The x range drawn, for tests and screen readers' sake in the chart's label.
        setScale: [
          (u, key) => {
            if (key !== 'x') return;
            const { min, max } = u.scales.x ?? {};
            if (min === undefined || max === undefined) return;
            target.dataset.xMin = String(min);
            target.dataset.xMax = String(max);
            target.setAttribute(
              'aria-label',
              `${title}: ${new Date(min * 1000).toLocaleString()} to ${new Date(max * 1000).toLocaleString()}`,
            );
          },
        ],
      },
      series: [
        {
          value: (_u, v, _s, idx) => (idx === null ? 'latest' : new Date(v * 1000).toLocaleString()),
        },
        ...names.map((n, i) => {
          const latest = lastOf(series.values[i] ?? []);
          return {
            label: label(n),
            stroke: COLOURS[i % COLOURS.length] ?? '#333',
            width: 1.5,
            spanGaps: false,
            value: (_u: uPlot, v: number | null, _s: number, idx: number | null) =>
              formatValue(n, idx === null ? latest : v),
          };
        }),
      ],
      axes: [
        {},
        {
          label: unit || 'value',
          size: 64,
          values: (_u, ticks) => ticks.map((t) => t.toLocaleString()),
        },
      ],
    },
    data,
    target,
  );
}
