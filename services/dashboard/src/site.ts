// One site for its owner at a glance: heat output, electrical input, COP now and over 30 min (from
// cop-live), today's heat and electricity and starts per hour (the gateway's site summary),
// temperatures and the operating state with how long it has held (live readings), active alerts,
// and the device cards beneath. Every figure has its place from the first paint, so nothing
// moves when the answers arrive.
import type { SiteToday } from '@heatstream/contracts/api';
import { api, type Metrics } from './api.ts';
import { el, formatCop, formatKwh, formatPower, formatValue, heldFor } from './format.ts';
import type { AlertEvent, CopLiveEvent, Live, ReadingEvent } from './live.ts';
import { alertList, deviceCard, fillValues } from './overview.ts';

const TEMPS = [
  ['flow_temp', 'flow'],
  ['return_temp', 'return'],
  ['outside_temp', 'outside'],
  ['dhw_temp', 'hot water'],
] as const;
const STATE_METRICS = ['compressor_on', 'defrost', 'dhw_mode'] as const;
const TODAY_REFRESH_MS = 60_000;

/** The browser's local midnight: "today" is the owner's day, not UTC's. */
export function localMidnight(now = new Date()): Date {
  return new Date(now.getFullYear(), now.getMonth(), now.getDate());
}

/** A meter measures electricity only: no heat-pump temperatures, states or heat. */
export function isMeter(v: Metrics): boolean {
  return (
    v.elec_power !== undefined &&
    [...TEMPS.map(([m]) => m), ...STATE_METRICS, 'heat_power' as const].every((m) => v[m] === undefined)
  );
}

/** What the heat pump is doing, from its state metrics. */
export function operatingState(v: Metrics): string | undefined {
  if (v.compressor_on === undefined) return undefined;
  if (v.defrost === 1) return 'defrosting';
  if (v.compressor_on !== 1) return 'standby';
  return v.dhw_mode === 1 ? 'heating hot water' : 'space heating';
}

function figure(key: string, name: string): HTMLElement {
  return el(
    'div',
    { class: 'figure', 'data-figure': key },
    el('div', { class: 'label' }, name),
    el('div', { class: 'value' }, '–'),
    el('div', { class: 'detail' }, '\u00a0'),
  );
}

export async function renderSite(root: HTMLElement, site: string, live: Live): Promise<() => void> {
  const from = localMidnight();
  const [devices, alerts, today] = await Promise.all([
    api.devices(site),
    api.alerts(),
    api.siteToday(site, from),
  ]);
  const ids = new Set(devices.map((d) => d.device));
  const latest = new Map<string, Metrics>();
  await Promise.all(
    devices.map(async (d) =>
      latest.set(d.device, (await api.latest(d.device).catch(() => undefined))?.metrics ?? {}),
    ),
  );
  /** Per device: when each state last changed (from the summary, then kept current live). */
  const since = new Map<string, Map<string, string | null>>();
  /** Per device: the first reading of its states in the summary's window (how long they have held at least). */
  const seenSince = new Map<string, string>();
  let heatSource: string | undefined;

  const figures = new Map<string, HTMLElement>();
  const summary = el('div', { class: 'grid site-summary' });
  const add = (key: string, name: string): void => {
    const f = figure(key, name);
    figures.set(key, f);
    summary.append(f);
  };
  add('heat', 'Heat output');
  add('elec', 'Electrical input');
  add('cop-now', 'COP now');
  add('cop-window', 'COP 30 min');
  add('heat-today', 'Heat today');
  add('elec-today', 'Electricity today');
  add('starts', 'Starts per hour today');
  add('state', 'Operating state');
  for (const [metric, name] of TEMPS) add(metric, `${name[0]?.toUpperCase()}${name.slice(1)}`);
  const set = (key: string, value: string, detail?: string): void => {
    const f = figures.get(key);
    f?.querySelector('.value')?.replaceChildren(value);
    if (detail !== undefined) f?.querySelector('.detail')?.replaceChildren(detail || '\u00a0');
  };

  const alertBox = el('div', { class: 'site-alerts' });
  const grid = el('div', { class: 'grid' });
  const cards = new Map<string, HTMLElement>();
  for (const d of devices) {
    const card = deviceCard(d, latest.get(d.device) ?? {});
    cards.set(d.device, card);
    grid.append(card);
  }
  root.replaceChildren(
    el('p', {}, el('a', { href: '#/' }, '← all sites')),
    el('h1', {}, `Site ${site}`),
    summary,
    el('h2', {}, 'Active alerts'),
    alertBox,
    el('h2', {}, 'Devices'),
    devices.length ? grid : el('p', {}, 'No devices have reported yet.'),
  );

  const showAlerts = (list: typeof alerts): void => {
    alertBox.replaceChildren(
      alertList(
        list.filter((a) => a.site === site || ids.has(a.device)),
        (a) => api.ack(a.alertId).then(() => undefined),
      ),
    );
  };
  showAlerts(alerts);

  /** The device whose temperatures and states the site shows: cop's heat source, else the first with them. */
  const source = (): string | undefined =>
    heatSource ?? devices.find((d) => latest.get(d.device)?.compressor_on !== undefined)?.device;

  /**
   * Before (or without) a live COP for the site — a site with no COP configured, such as cellular
   * devices — heat output and electrical input come from the readings: the heat pumps' heat power,
   * and the meters' power when the site has meters (a meter on a heat pump's supply and the heat
   * pump's own figure measure the same energy), else every device's own electrical power.
   */
  const showPowerFromReadings = (): void => {
    const reporting = (metric: 'heat_power' | 'elec_power') =>
      devices.filter((d) => typeof latest.get(d.device)?.[metric] === 'number');
    const total = (list: typeof devices, metric: 'heat_power' | 'elec_power'): number | undefined =>
      list.length ? list.reduce((sum, d) => sum + (latest.get(d.device)?.[metric] ?? 0), 0) : undefined;
    const names = (list: typeof devices): string => list.map((d) => d.device).join(' + ');
    const heat = reporting('heat_power');
    const elec = reporting('elec_power');
    const meters = elec.filter((d) => isMeter(latest.get(d.device) ?? {}));
    const elecFrom = meters.length ? meters : elec;
    // Once any device has reported, a figure none of them measures is "not measured", not awaited.
    const reported = devices.some((d) => Object.keys(latest.get(d.device) ?? {}).length > 0);
    if (heat.length) set('heat', formatPower(total(heat, 'heat_power')), names(heat));
    else if (reported) set('heat', '–', 'no heat measured');
    if (elecFrom.length) set('elec', formatPower(total(elecFrom, 'elec_power')), names(elecFrom));
    else if (reported) set('elec', '–', 'no electricity measured');
  };

  const showLive = (): void => {
    const merged: Metrics = {};
    for (const d of devices) Object.assign(merged, latest.get(d.device));
    const own = latest.get(source() ?? '') ?? {};
    for (const [metric] of TEMPS) set(metric, formatValue(metric, own[metric] ?? merged[metric]));
    const state = operatingState(own);
    const changes = since.get(source() ?? '');
    const latestChange = STATE_METRICS.map((m) => changes?.get(m))
      .filter((t): t is string => typeof t === 'string')
      .sort()
      .at(-1);
    if (heatSource === undefined) showPowerFromReadings();
    set('state', state ?? '–', state ? heldFor(latestChange, Date.now(), seenSince.get(source() ?? '')) : '');
  };

  const showToday = (t: SiteToday): void => {
    set('heat-today', formatKwh(t.heatKwh), t.heatKwh === null ? 'no heat measured' : 'since midnight');
    set(
      'elec-today',
      formatKwh(t.elecKwh),
      t.elecKwh === null ? 'no electricity measured' : 'since midnight',
    );
    set(
      'starts',
      t.startsPerHour === null
        ? '–'
        : t.startsPerHour.toLocaleString(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 }),
      t.starts === null
        ? 'no compressor state'
        : `${t.starts} start${t.starts === 1 ? '' : 's'} since midnight`,
    );
    for (const d of t.devices) {
      const own = since.get(d.device) ?? new Map<string, string | null>();
      for (const s of d.states) if (!own.has(s.metric) || s.since !== null) own.set(s.metric, s.since);
      const first = d.states.map((s) => s.seenSince).sort()[0];
      if (first) seenSince.set(d.device, first);
      since.set(d.device, own);
    }
    showLive();
  };
  set('heat', '–', 'waiting for data');
  showToday(today);

  const onCopLive = (e: CopLiveEvent): void => {
    if (e.data.site !== site) return;
    heatSource = e.data.device;
    const d = e.data;
    set('heat', formatPower(d.heatW), d.device);
    set('elec', formatPower(d.elecW), d.device);
    set('cop-now', formatCop(d.cop), d.cop === null ? (d.reason ?? 'unknown').replaceAll('-', ' ') : '');
    set('cop-window', formatCop(d.window.cop), d.window.cop === null ? 'no running in 30 min' : '');
    showLive();
  };
  const onReading = (e: ReadingEvent): void => {
    if (!ids.has(e.data.device)) return;
    const before = latest.get(e.data.device) ?? {};
    const own = since.get(e.data.device) ?? new Map<string, string | null>();
    for (const m of STATE_METRICS) {
      const v = e.data.metrics[m];
      if (v !== undefined && before[m] !== undefined && v !== before[m]) own.set(m, e.time);
    }
    since.set(e.data.device, own);
    const merged = { ...before, ...e.data.metrics };
    latest.set(e.data.device, merged);
    const card = cards.get(e.data.device);
    if (card) fillValues(card, merged);
    showLive();
  };
  const onAlert = (e: AlertEvent): void => {
    if (ids.has(e.data.device)) void api.alerts().then(showAlerts, () => undefined);
  };
  live.socket.on('cop-live', onCopLive);
  live.socket.on('reading', onReading);
  live.socket.on('alert', onAlert);
  live.follow([{ site }]);
  const refresh = (): void => {
    void api.siteToday(site, localMidnight()).then(showToday, () => undefined);
  };
  const timer = setInterval(refresh, TODAY_REFRESH_MS);
  // After a dropped socket: the latest readings and today's figures again, so the page is current.
  const stopFilling = live.onReconnect(() => {
    refresh();
    for (const d of devices)
      void api.latest(d.device).then(
        (r) => {
          latest.set(d.device, { ...latest.get(d.device), ...r.metrics });
          const card = cards.get(d.device);
          if (card) fillValues(card, latest.get(d.device) ?? {});
          showLive();
        },
        () => undefined,
      );
  });
  return () => {
    clearInterval(timer);
    stopFilling();
    live.socket.off('cop-live', onCopLive);
    live.socket.off('reading', onReading);
    live.socket.off('alert', onAlert);
  };
}
