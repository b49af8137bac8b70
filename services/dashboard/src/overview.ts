// Sites and devices at a glance: each site's heat output, electrical input and COP now (cop-live.ts),
// each device's state, live power and temperatures, active alerts.
import { api, type Alert, type Device, type Metrics } from './api.ts';
import { ago, el, formatValue } from './format.ts';
import { copCard, fillCopCard } from './cop-live.ts';
import { rememberSites, type CopLiveEvent, type Live, type ReadingEvent, type StatusEvent } from './live.ts';

const SHOWN = [
  'elec_power',
  'heat_power',
  'flow_temp',
  'outside_temp',
  'indoor_temp',
  'indoor_humidity',
] as const;
const DEVICES_RECHECK_MS = 10_000;

/** How a page draws itself anew when the devices change: the start page may then choose the fleet. */
export type Redraw = (root: HTMLElement, live: Live) => Promise<() => void>;

export async function renderOverview(
  root: HTMLElement,
  live: Live,
  again: Redraw = renderOverview,
): Promise<() => void> {
  const [devices, alerts] = await Promise.all([api.devices(), api.alerts()]);
  const latest = new Map<string, Metrics>();
  await Promise.all(
    devices.map(async (d) =>
      latest.set(d.device, (await api.latest(d.device).catch(() => undefined))?.metrics ?? {}),
    ),
  );
  const cards = new Map<string, HTMLElement>();
  /** Per site: its heat sources' live COP cards (a placeholder until the first figure). */
  const copCards = new Map<string, HTMLElement>();
  root.replaceChildren(el('h1', {}, 'Overview'), alertList(alerts));
  const bySite = Map.groupBy(devices, (d) => d.site);
  for (const [site, list] of bySite) {
    const grid = el('div', { class: 'grid' });
    for (const d of list) {
      const card = deviceCard(d, latest.get(d.device) ?? {});
      cards.set(d.device, card);
      grid.append(card);
    }
    const cop = el('div', { class: 'grid site-cops' }, copCard(site));
    copCards.set(site, cop);
    root.append(
      el(
        'section',
        { class: 'site', 'data-site': site },
        el('h2', {}, el('a', { href: `#/site/${encodeURIComponent(site)}` }, `Site ${site}`)),
        cop,
        grid,
      ),
    );
  }
  if (devices.length === 0) root.append(el('p', {}, 'No devices have reported yet.'));
  rememberSites([...bySite.keys()]);
  live.follow([...bySite.keys()].map((site) => ({ site })));
  /** Per device: the time of the newest reading its card shows, so an older answer cannot replace it. */
  const shownAt = new Map(devices.map((d) => [d.device, Date.parse(d.lastReading ?? '') || 0]));
  const onReading = (e: ReadingEvent): void => {
    const card = cards.get(e.data.device);
    if (!card) return;
    const merged = { ...latest.get(e.data.device), ...e.data.metrics };
    latest.set(e.data.device, merged);
    shownAt.set(e.data.device, Math.max(shownAt.get(e.data.device) ?? 0, Date.parse(e.time)));
    fillValues(card, merged);
    card.dataset.updated = e.time;
    card.querySelector('.seen')?.replaceChildren(`updated ${ago(e.time)}`);
  };
  const onStatus = (e: StatusEvent): void => {
    const badge = cards.get(e.data.device)?.querySelector('.state');
    if (badge) {
      badge.textContent = e.data.state;
      badge.className = `state ${e.data.state}`;
    }
  };
  const onCopLive = (e: CopLiveEvent): void => {
    const holder = copCards.get(e.data.site);
    if (!holder) return;
    let card = holder.querySelector<HTMLElement>(`[data-source="${CSS.escape(e.data.device)}"]`);
    card ??= holder.querySelector<HTMLElement>('.site-cop:not([data-source])');
    if (!card) holder.append((card = copCard(e.data.site)));
    // The gateway may send a figure on joining after a newer one arrived live.
    if (card.dataset.at !== undefined && Date.parse(card.dataset.at) > Date.parse(e.data.at)) return;
    fillCopCard(card, e);
  };
  live.socket.on('reading', onReading);
  live.socket.on('status', onStatus);
  live.socket.on('cop-live', onCopLive);
  // Opened right after the start, the page may know only some devices (or none) and so follow no
  // room of the rest: look again until the list changes, then draw the page anew — through `again`,
  // so the start page that chose the overview for a few sites switches to the fleet past them.
  const idsOf = (list: Device[]): string =>
    list
      .map((d) => d.device)
      .sort()
      .join(' ');
  const known = idsOf(devices);
  let left = false;
  // A call, not the variable: it may change while the re-check awaits.
  const hasLeft = (): boolean => left;
  let inner: (() => void) | undefined;
  // After a dropped socket the cards show each device's latest reading again, as the device page
  // does (never replacing a newer live one); a failed request waits for the next reconnect or recheck.
  const stopFilling = live.onReconnect(() => {
    for (const d of devices)
      void api.latest(d.device).then(
        (r) => {
          const card = cards.get(d.device);
          if (hasLeft() || !card || Date.parse(r.time) < (shownAt.get(d.device) ?? 0)) return;
          shownAt.set(d.device, Date.parse(r.time));
          onReading({
            id: '',
            time: r.time,
            subject: d.device,
            data: { site: r.site, device: d.device, model: r.model, metrics: r.metrics },
          });
        },
        () => undefined,
      );
  });
  const leaveOwn = (): void => {
    stopFilling();
    clearInterval(recheck);
    live.socket.off('reading', onReading);
    live.socket.off('status', onStatus);
    live.socket.off('cop-live', onCopLive);
  };
  const recheck = setInterval(() => {
    void (async () => {
      const now = await api.devices();
      if (hasLeft() || idsOf(now) === known) return;
      leaveOwn();
      const leaveNext = await again(root, live);
      if (hasLeft()) leaveNext();
      else inner = leaveNext;
    })().catch(() => undefined);
  }, DEVICES_RECHECK_MS);
  return () => {
    left = true;
    leaveOwn();
    inner?.();
  };
}

export function deviceCard(d: Device, values: Metrics): HTMLElement {
  const card = el(
    'a',
    { class: 'card device', href: `#/device/${encodeURIComponent(d.device)}`, 'data-device': d.device },
    el(
      'div',
      { class: 'card-head' },
      el('strong', {}, d.device),
      el('span', { class: `state ${d.state ?? 'unknown'}` }, d.state ?? 'unknown'),
    ),
    el('div', { class: 'model' }, d.model),
    el('dl', { class: 'values' }),
    el('div', { class: 'seen' }, `updated ${ago(d.lastReading)}`),
  );
  fillValues(card, values);
  return card;
}

export function fillValues(card: HTMLElement, values: Metrics): void {
  const dl = card.querySelector('dl');
  if (!dl) return;
  dl.replaceChildren(
    ...SHOWN.filter((m) => values[m] !== undefined).flatMap((m) => [
      el('dt', {}, m.replace('_', ' ')),
      el('dd', { 'data-metric': m }, formatValue(m, values[m])),
    ]),
  );
}

export function alertList(alerts: Alert[], onAck?: (alert: Alert) => Promise<void>): HTMLElement {
  if (alerts.length === 0) return el('p', { class: 'no-alerts' }, 'No active alerts.');
  return el(
    'ul',
    { class: 'alerts' },
    ...alerts.map((a) => {
      const item = el(
        'li',
        { class: `alert ${a.severity}`, 'data-alert': a.alertId },
        el('strong', {}, `${a.device}: ${a.message}`),
        ` ${a.severity} · `,
        el('span', { class: 'alert-state' }, a.state),
        ` · ${ago(a.time)} `,
      );
      if (onAck && a.state === 'raised') {
        const button = el('button', { type: 'button' }, 'Acknowledge');
        button.addEventListener('click', () => {
          button.disabled = true;
          void onAck(a).then(() => {
            setAlertState(item, 'acknowledged');
          });
        });
        item.append(button);
      }
      return item;
    }),
  );
}

/** Shows a lifecycle change in place; a resolved alert leaves the list. */
export function setAlertState(item: Element, state: string): void {
  if (state === 'resolved') {
    item.remove();
    return;
  }
  const badge = item.querySelector('.alert-state');
  if (badge) badge.textContent = state;
  if (state !== 'raised') item.querySelector('button')?.remove();
}
