// Values as people read them: units, sensible precision and the browser's own locale (`undefined`
// as the locale everywhere: the browser's language, not the build machine's).
import { metrics, type MetricName } from '@heatstream/contracts/metrics';

export const isMetric = (name: string): name is MetricName => name in metrics;

const DASH = '–';
/** An unknown live figure (power, COP): the wider dash, with the reason beside it. */
const UNKNOWN = '—';
const num = (value: number, digits: number): string =>
  value.toLocaleString(undefined, { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** W below 1 kW, kW with one decimal from 1 kW (two from 100 kW would be noise: none). */
export function formatPower(w: number | null | undefined): string {
  if (w === null || w === undefined) return UNKNOWN;
  // Rounded first, so 999.6 W reads "1.0 kW", not "1,000 W".
  if (Math.abs(Math.round(w)) < 1000) return `${num(Math.round(w), 0)} W`;
  return `${num(w / 1000, Math.abs(w) >= 100_000 ? 0 : 1)} kW`;
}

/**
 * kWh with decimals while the total is small (0.17 kWh after four minutes at 2.5 kW, not
 * "0 kWh"), fewer as it grows.
 */
export function formatKwh(kwh: number | null | undefined): string {
  if (kwh === null || kwh === undefined) return DASH;
  const abs = Math.abs(kwh);
  return `${num(kwh, abs < 10 ? 2 : abs < 100 ? 1 : 0)} kWh`;
}

export function formatCop(cop: number | null | undefined): string {
  return cop === null || cop === undefined ? UNKNOWN : num(cop, 1);
}

export function formatValue(name: string, value: number | null | undefined): string {
  if (value === null || value === undefined) return DASH;
  if (!isMetric(name)) return String(value);
  const { unit, kind } = metrics[name];
  if (kind === 'state') return value === 0 ? 'off' : value === 1 ? 'on' : String(value);
  if (unit === 'W') return formatPower(value);
  if (unit === 'Wh') return formatKwh(value / 1000);
  // A power factor of 0.97 is not "1.0": ratios keep two places.
  if (unit === '1' && kind === 'gauge') return num(value, 2);
  if (unit === '1') return num(value, 0);
  const digits = Math.abs(value) >= 100 ? 0 : 1;
  return `${num(value, digits)}${unit ? ` ${unit}` : ''}`;
}

/** The unit a metric's values are drawn in (charts' axes): W, °C, … ('' for states and ratios). */
export function unitOf(name: string): string {
  if (!isMetric(name)) return '';
  const { unit } = metrics[name];
  return unit === '1' ? '' : unit;
}

export function label(name: string): string {
  return name.replaceAll('_', ' ');
}

export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/**
 * How long a state has held: since its last change when one was seen; else at least since the first
 * reading of it (a system started an hour ago knows an hour, not a day), else over a day.
 */
export function heldFor(iso: string | null | undefined, now = Date.now(), seenSince?: string): string {
  if (iso) return `for ${ago(iso, now).replace(' ago', '')}`;
  if (seenSince && now - Date.parse(seenSince) < 23 * 3_600_000)
    return `for at least ${ago(seenSince, now).replace(' ago', '')}`;
  return 'for over a day';
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}
