// The fleet table's state and rows, apart from the page: the view (period, filters, sort, page) as
// the hash's query so a filtered table is a link an installer can share, filtering and sorting of
// the gateway's rows, and the CSV of what is shown.
import type { Fleet, FleetCop, FleetSite } from '@heatstream/contracts/api';

export type FleetPeriod = Fleet['period'];
export const PERIODS: readonly FleetPeriod[] = ['7d', '30d', '90d', '365d'];
export const PAGE_SIZE = 50;

export const COLUMNS = {
  site: 'Site',
  status: 'Status',
  lastSeen: 'Last seen',
  make: 'Make',
  model: 'Model',
  heatW: 'Heat output',
  elecW: 'Electrical input',
  copDay: 'COP day',
  copPeriod: 'COP period',
  scop: 'SCOP',
  boundary: 'Boundary',
  alerts: 'Alerts',
} as const;
export type Column = keyof typeof COLUMNS;
const isColumn = (name: string): name is Column => name in COLUMNS;

export interface FleetView {
  period: FleetPeriod;
  make: string;
  model: string;
  /** Part of the site id, any case. */
  site: string;
  sort: Column;
  desc: boolean;
  /** From 1. */
  page: number;
  /** Rows per page. */
  size: number;
}

export const defaultView: FleetView = {
  period: '7d',
  make: '',
  model: '',
  site: '',
  sort: 'site',
  desc: false,
  page: 1,
  size: PAGE_SIZE,
};

/** `#/fleet?period=30d&make=LG&sort=copPeriod&desc=1&page=2` → the view; unknown values fall back to the defaults. */
export function parseView(hash: string): FleetView {
  const query = new URLSearchParams(hash.split('?')[1] ?? '');
  const period = query.get('period') ?? '';
  const sort = query.get('sort') ?? '';
  const page = Number(query.get('page'));
  const size = Number(query.get('size'));
  return {
    period: (PERIODS as readonly string[]).includes(period) ? (period as FleetPeriod) : defaultView.period,
    make: query.get('make') ?? '',
    model: query.get('model') ?? '',
    site: query.get('site') ?? '',
    sort: isColumn(sort) ? sort : defaultView.sort,
    desc: query.get('desc') === '1',
    page: Number.isInteger(page) && page >= 1 ? page : 1,
    size: Number.isInteger(size) && size >= 1 && size <= 1000 ? size : PAGE_SIZE,
  };
}

/** The hash of a view, leaving out what is the default so links stay short. */
export function viewHash(view: FleetView): string {
  const query = new URLSearchParams();
  if (view.period !== defaultView.period) query.set('period', view.period);
  for (const key of ['make', 'model', 'site'] as const) if (view[key]) query.set(key, view[key]);
  if (view.sort !== defaultView.sort) query.set('sort', view.sort);
  if (view.desc) query.set('desc', '1');
  if (view.page !== 1) query.set('page', String(view.page));
  if (view.size !== PAGE_SIZE) query.set('size', String(view.size));
  const text = query.toString();
  return text ? `#/fleet?${text}` : '#/fleet';
}

const STATUS_ORDER: Record<FleetSite['status'], number> = { offline: 0, fault: 1, unknown: 2, ok: 3 };

function sortKey(row: FleetSite, column: Column): string | number | null {
  switch (column) {
    case 'status':
      return STATUS_ORDER[row.status];
    case 'lastSeen':
      return row.lastSeen === null ? null : Date.parse(row.lastSeen);
    case 'copDay':
    case 'copPeriod':
    case 'scop':
      return row[column]?.cop ?? null;
    case 'alerts':
      // Critical ones first, then the rest.
      return row.alerts.critical * 10_000 + row.alerts.active;
    default:
      return row[column];
  }
}

/** The rows the view shows (every page), filtered and sorted; rows without a value sort last either way. */
export function selectRows(rows: readonly FleetSite[], view: FleetView): FleetSite[] {
  const site = view.site.toLowerCase();
  const kept = rows.filter(
    (r) =>
      (!view.make || r.make === view.make) &&
      (!view.model || r.model === view.model) &&
      (!site || r.site.toLowerCase().includes(site)),
  );
  const sign = view.desc ? -1 : 1;
  return kept.sort((a, b) => {
    const x = sortKey(a, view.sort);
    const y = sortKey(b, view.sort);
    if (x === null || y === null) return x === y ? a.site.localeCompare(b.site) : x === null ? 1 : -1;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
    return sign * order || a.site.localeCompare(b.site);
  });
}

export function pageOf<T>(rows: readonly T[], view: FleetView): { rows: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(rows.length / view.size));
  const page = Math.min(view.page, pages);
  return { rows: rows.slice((page - 1) * view.size, page * view.size), page, pages };
}

const copCells = (f: FleetCop | null): (string | number | null)[] =>
  f === null ? [null, null, null] : [f.cop, f.coverage, f.partial ? (f.partialReason ?? 'partial') : null];

/** The CSV's columns; the period's COP is named by its period (cop_30d). */
export const csvColumns = (period: FleetPeriod): string[] => {
  const cop = (name: string): string[] => [name, `${name}_coverage`, `${name}_partial_reason`];
  return [
    'site',
    'status',
    'last_seen',
    'heat_source',
    'make',
    'model',
    'heat_w',
    'elec_w',
    ...cop('cop_day'),
    ...cop(`cop_${period}`),
    ...cop('scop_365d'),
    'boundary',
    'alerts_active',
    'alerts_critical',
  ];
};

/** The selected rows as CSV lines, one per site; COP columns with coverage (0–1) and the partial reason. */
export function csvRows(rows: readonly FleetSite[]): (string | number | null)[][] {
  return rows.map((r) => [
    r.site,
    r.status,
    r.lastSeen,
    r.heatSource,
    r.make,
    r.model,
    r.heatW,
    r.elecW,
    ...copCells(r.copDay),
    ...copCells(r.copPeriod),
    ...copCells(r.scop),
    r.boundary,
    r.alerts.active,
    r.alerts.critical,
  ]);
}
