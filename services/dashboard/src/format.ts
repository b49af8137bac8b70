import { metrics, type MetricName } from '@heatstream/contracts/metrics';

export const isMetric = (name: string): name is MetricName => name in metrics;

export function formatValue(name: string, value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  if (!isMetric(name)) return String(value);
  const { unit, kind } = metrics[name];
  if (kind === 'state') return value === 0 ? 'off' : value === 1 ? 'on' : String(value);
  if (unit === 'Wh') return `${(value / 1000).toLocaleString(undefined, { maximumFractionDigits: 1 })} kWh`;
  const digits = Math.abs(value) >= 100 ? 0 : 1;
  return `${value.toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits })}${unit && unit !== '1' ? ` ${unit}` : ''}`;
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
