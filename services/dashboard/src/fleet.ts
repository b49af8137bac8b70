// The installer's fleet view (#/fleet): one row per site from one call (GET /api/fleet) — status and
// a freshness dot, last seen, make and model, heat output and electrical input, COP of the newest
// day, of the chosen period (7/30/90/365 d) and SCOP with coverage (greyed where partial, with the
// reason), metering boundary, active alerts. Sorting, filters and page live in the hash, so a view
// is a link; CSV of every filtered row. Live: the shown rows' sites are followed for heat and
// electricity (cop-live) and last seen (readings); after a dropped socket, or every minute, the
// table is read again.
import type { FleetCop, FleetSite } from '@heatstream/contracts/api';
import './fleet.css';
import { api } from './api.ts';
import { formatCop, formatPower } from './format.ts';
import {
  COLUMNS,
  PERIODS,
  csvColumns,
  csvRows,
  pageOf,
  parseView,
  selectRows,
  viewHash,
  type Column,
  type FleetView,
} from './fleet-table.ts';
import { ago, el } from './format.ts';
import { renderOverview } from './overview.ts';
import type { CopLiveEvent, Live, ReadingEvent } from './live.ts';

/** More sites than this and the start page is the fleet view (issue 14: "more than a few"). */
export const FLEET_DEFAULT_ABOVE = 3;
const REFRESH_MS = 60_000;
/** How often the fleet looks for sites it does not list yet (a cheap call beside the full refresh). */
const SITES_RECHECK_MS = 10_000;
/** A site that reported within this is fresh (green); within 15 min stale (amber); else old (grey). */
const FRESH_MS = 2 * 60_000;
const STALE_MS = 15 * 60_000;

export async function renderFleet(root: HTMLElement, live: Live): Promise<() => void> {
  let view = parseView(location.hash);
  let fleet = await api.fleet(view.period);
  const body = el('tbody');
  const status = el('p', { class: 'fleet-count', role: 'status' });
  const pager = el('nav', { class: 'fleet-pager', 'aria-label': 'pages' });
  const head = el('tr');
  const filters = el('form', { class: 'fleet-filters', role: 'search' });
  root.replaceChildren(
    el('h1', {}, 'Fleet'),
    filters,
    status,
    el('div', { class: 'fleet-box' }, el('table', { class: 'fleet' }, el('thead', {}, head), body)),
    pager,
  );
  let following: ReturnType<typeof setTimeout> | undefined;
  /** The rows on the page by site, to update in place from the socket. */
  let shown = new Map<string, HTMLTableRowElement>();

  /** A changed filter or sort starts at page 1; the URL follows without a hashchange (no new page). */
  const go = (next: Partial<FleetView>): void => {
    history.replaceState(null, '', viewHash({ ...view, ...next, page: next.page ?? 1 }));
    view = parseView(location.hash);
    // The filters are drawn again only when their choices change, so the site box keeps its focus.
    void redraw({ reload: next.period !== undefined, filters: next.make !== undefined }).catch(
      () => undefined,
    );
  };

  const drawFilters = (): void => {
    const makes = [...new Set(fleet.sites.map((s) => s.make).filter((m) => m !== null))].sort();
    const models = [
      ...new Set(
        fleet.sites
          .filter((s) => !view.make || s.make === view.make)
          .map((s) => s.model)
          .filter((m) => m !== null),
      ),
    ].sort();
    const select = (name: 'make' | 'model', label: string, values: string[]): HTMLElement => {
      const input = el(
        'select',
        { name },
        el('option', { value: '' }, 'all'),
        ...values.map((v) => el('option', { value: v }, v)),
      );
      input.value = view[name];
      input.addEventListener('change', () => {
        go({ [name]: input.value });
      });
      return el('label', {}, `${label} `, input);
    };
    const site = el('input', { name: 'site', type: 'search', value: view.site, placeholder: 'site id' });
    site.addEventListener('input', () => {
      go({ site: site.value });
    });
    const period = el(
      'select',
      { name: 'period' },
      ...PERIODS.map((p) => el('option', { value: p }, `${p.replace('d', '')} days`)),
    );
    period.value = view.period;
    period.addEventListener('change', () => {
      go({ period: period.value as FleetView['period'] });
    });
    const csv = el('button', { type: 'button', class: 'fleet-csv' }, 'Export CSV');
    csv.addEventListener('click', () => void exportCsv(selectRows(fleet.sites, view), view));
    filters.replaceChildren(
      el('label', {}, 'Period ', period),
      select('make', 'Make', makes),
      select('model', 'Model', models),
      el('label', {}, 'Site ', site),
      csv,
    );
    filters.onsubmit = (e) => {
      e.preventDefault();
    };
  };

  const drawHead = (): void => {
    head.replaceChildren(
      ...(Object.keys(COLUMNS) as Column[]).map((column) => {
        const sorted = view.sort === column;
        const name = column === 'copPeriod' ? copPeriodLabel(view.period) : COLUMNS[column];
        const button = el('button', { type: 'button', 'data-sort': column }, name);
        button.addEventListener('click', () => {
          go({ sort: column, desc: sorted ? !view.desc : false });
        });
        return el(
          'th',
          { scope: 'col', ...(sorted ? { 'aria-sort': view.desc ? 'descending' : 'ascending' } : {}) },
          button,
        );
      }),
    );
  };

  const drawRows = (): void => {
    const selected = selectRows(fleet.sites, view);
    const { rows, page, pages } = pageOf(selected, view);
    const now = Date.now();
    shown = new Map(rows.map((r) => [r.site, siteRow(r, now, copPeriodLabel(view.period))]));
    body.replaceChildren(...shown.values());
    status.textContent = `${selected.length} of ${fleet.sites.length} sites${pages > 1 ? `, page ${page} of ${pages}` : ''}`;
    const step = (label: string, to: number): HTMLElement => {
      const button = el('button', { type: 'button', 'data-page': String(to) }, label);
      button.disabled = to < 1 || to > pages || to === page;
      button.addEventListener('click', () => {
        go({ page: to });
      });
      return button;
    };
    pager.replaceChildren(
      step('Previous', page - 1),
      el('span', {}, `${page} / ${pages}`),
      step('Next', page + 1),
    );
    // After the rows are drawn: joining a room per site costs a socket message each (500 on a page of 500).
    clearTimeout(following);
    following = setTimeout(() => {
      live.follow(rows.map((r) => ({ site: r.site })));
    }, 0);
  };

  /** The makes and models the filters offered last: a refresh redraws them only when these change. */
  let offered = '';
  const redraw = async (what: { reload: boolean; filters: boolean }): Promise<void> => {
    if (what.reload) fleet = await api.fleet(view.period);
    const choices = JSON.stringify(fleet.sites.map((s) => [s.make, s.model]).sort());
    if (what.filters || choices !== offered) drawFilters();
    offered = choices;
    drawHead();
    drawRows();
  };
  await redraw({ reload: false, filters: true });

  const onReading = (e: ReadingEvent): void => {
    const row = shown.get(e.data.site);
    if (!row) return;
    row.querySelector('[data-col="lastSeen"]')?.replaceChildren(...lastSeenCell(e.time, Date.now()));
    row.dataset.lastSeen = e.time;
  };
  const onCopLive = (e: CopLiveEvent): void => {
    const row = shown.get(e.data.site);
    if (!row || row.dataset.source !== e.data.device) return;
    row.querySelector('[data-col="heatW"]')?.replaceChildren(formatPower(e.data.heatW));
    row.querySelector('[data-col="elecW"]')?.replaceChildren(formatPower(e.data.elecW));
  };
  live.socket.on('reading', onReading);
  live.socket.on('cop-live', onCopLive);
  const refill = (): void => void redraw({ reload: true, filters: false }).catch(() => undefined);
  const stopRefill = live.onReconnect(refill);
  const timer = setInterval(refill, REFRESH_MS);
  // A site that reports for the first time has no row, and so no room followed: its first reading
  // cannot add it. The site list is read more often than the whole table, and a new site refills it.
  const siteIds = (sites: readonly { site: string }[]): string =>
    [...new Set(sites.map((s) => s.site))].sort().join(' ');
  const recheck = setInterval(() => {
    void api.devices().then(
      (devices) => {
        if (siteIds(devices) !== siteIds(fleet.sites)) refill();
      },
      () => undefined,
    );
  }, SITES_RECHECK_MS);
  return () => {
    clearInterval(timer);
    clearInterval(recheck);
    clearTimeout(following);
    stopRefill();
    live.socket.off('reading', onReading);
    live.socket.off('cop-live', onCopLive);
  };
}

/**
 * The start page (#/): the overview for a few sites, the fleet view for more (an installer's),
 * judged by the devices the gateway knows — again whenever they change, since right after a first
 * start only some sites have reported (overview.ts redraws through here).
 */
export async function renderHome(root: HTMLElement, live: Live): Promise<() => void> {
  const sites = new Set((await api.devices()).map((d) => d.site));
  return sites.size > FLEET_DEFAULT_ABOVE ? renderFleet(root, live) : renderOverview(root, live, renderHome);
}

const copPeriodLabel = (period: string): string => `COP ${period.replace('d', ' d')}`;

function freshness(lastSeen: string | null, now: number): 'fresh' | 'stale' | 'old' {
  if (lastSeen === null) return 'old';
  const age = now - Date.parse(lastSeen);
  return age <= FRESH_MS ? 'fresh' : age <= STALE_MS ? 'stale' : 'old';
}

function lastSeenCell(lastSeen: string | null, now: number): (Node | string)[] {
  const fresh = freshness(lastSeen, now);
  return [
    el('span', { class: `dot ${fresh}`, role: 'img', 'aria-label': fresh, title: fresh }),
    ` ${ago(lastSeen, now)}`,
  ];
}

function copCell(f: FleetCop | null): HTMLTableCellElement {
  if (f === null) return el('td', { class: 'cop none' }, '—');
  const cell = el(
    'td',
    { class: f.partial ? 'cop partial' : 'cop', 'data-partial': String(f.partial) },
    el('span', { class: 'value' }, f.cop === null ? '—' : formatCop(f.cop)),
    el('small', { class: 'coverage' }, ` ${Math.round(f.coverage * 100)} %`),
  );
  if (f.partial) {
    const reason = f.partialReason ?? 'too little data';
    cell.title = `partial: ${reason}`;
    cell.append(el('small', { class: 'reason' }, `partial: ${reason}`));
  }
  return cell;
}

function siteRow(r: FleetSite, now: number, periodLabel: string): HTMLTableRowElement {
  const row = el(
    'tr',
    { 'data-site': r.site, class: `status-${r.status}` },
    el(
      'th',
      { scope: 'row', 'data-col': 'site' },
      el('a', { href: `#/device/${encodeURIComponent(r.heatSource ?? '')}` }, r.site),
    ),
    el('td', { 'data-col': 'status' }, el('span', { class: `fleet-status ${r.status}` }, r.status)),
    el('td', { 'data-col': 'lastSeen' }, ...lastSeenCell(r.lastSeen, now)),
    el('td', { 'data-col': 'make' }, r.make ?? '—'),
    el('td', { 'data-col': 'model' }, r.model ?? '—'),
    el('td', { 'data-col': 'heatW', class: 'num' }, formatPower(r.heatW)),
    el('td', { 'data-col': 'elecW', class: 'num' }, formatPower(r.elecW)),
    col(copCell(r.copDay), 'copDay'),
    col(copCell(r.copPeriod), 'copPeriod'),
    col(copCell(r.scop), 'scop'),
    el('td', { 'data-col': 'boundary' }, r.boundary ?? '—'),
    el(
      'td',
      { 'data-col': 'alerts', class: r.alerts.critical > 0 ? 'alerts-critical' : '' },
      r.alerts.active === 0
        ? '0'
        : `${r.alerts.active}${r.alerts.critical ? ` (${r.alerts.critical} critical)` : ''}`,
    ),
  );
  // The phone layout shows each cell with its column's name (fleet.css).
  for (const cell of row.cells) {
    const name = cell.dataset.col as Column | undefined;
    if (name) cell.dataset.label = name === 'copPeriod' ? periodLabel : COLUMNS[name];
  }
  if (r.heatSource) row.dataset.source = r.heatSource;
  if (!r.heatSource) row.querySelector('a')?.removeAttribute('href');
  return row;
}

const col = (cell: HTMLTableCellElement, name: Column): HTMLTableCellElement => {
  cell.dataset.col = name;
  return cell;
};

/** Every filtered row (not only the page) as a CSV download; csv-stringify loads only when asked. */
async function exportCsv(rows: FleetSite[], view: FleetView): Promise<void> {
  const { stringify } = await import('csv-stringify/browser/esm/sync');
  const text = stringify(csvRows(rows), { header: true, columns: csvColumns(view.period) });
  const link = el('a', {
    href: URL.createObjectURL(new Blob([text], { type: 'text/csv' })),
    download: `heatstream-fleet-${view.period}.csv`,
  });
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: revoking at once can cancel the download that click started.
  setTimeout(() => {
    URL.revokeObjectURL(link.href);
  }, 60_000);
}
