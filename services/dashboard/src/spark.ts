// A small inline chart of recent values, drawn as SVG (no chart library: the overview and the
// site view draw these, and uPlot loads only where a full chart is drawn).
import { unitOf } from './format.ts';

/**
 * The least span the y-axis covers, per unit: without it a line is scaled to its own range, and
 * a 0.1 °C wobble is drawn as a cliff. Centred on the values' middle.
 */
const MIN_SPAN: Readonly<Record<string, number>> = {
  '°C': 2,
  K: 2,
  W: 200,
  Wh: 100,
  'l/min': 2,
  bar: 0.5,
  V: 10,
  A: 1,
  Hz: 2,
  '': 0.1,
};

export function sparkline(
  metric: string,
  values: readonly number[],
  width = 120,
  height = 28,
): SVGSVGElement {
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', 'spark');
  svg.setAttribute('aria-hidden', 'true');
  if (values.length < 2) return svg;
  let min = Math.min(...values);
  let max = Math.max(...values);
  const least = MIN_SPAN[unitOf(metric)] ?? 1;
  if (max - min < least) {
    const mid = (max + min) / 2;
    min = mid - least / 2;
    max = mid + least / 2;
  }
  const span = max - min;
  const points = values.map(
    (v, i) =>
      `${((i / (values.length - 1)) * width).toFixed(1)},${(height - 2 - ((v - min) / span) * (height - 4)).toFixed(1)}`,
  );
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', points.join(' '));
  svg.append(line);
  return svg;
}
