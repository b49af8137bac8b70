// Sites and devices at a glance: state, live power and temperatures, COP now, active alerts.
import { api, type Alert, type Device, type Metrics } from './api.ts';
import { ago, el, formatValue } from './format.ts';
import { rememberSites, type Live, type ReadingEvent, type StatusEvent } from './live.ts';

const SHOWN = ['elec_power', 'heat_power', 'flow_temp', 'outside_temp'] as const;

export async function renderOverview(root: HTMLElement, live: Live): Promise<() => void> {
  const [devices, alerts] = await Promise.all([api.devices(), api.alerts()]);
  const latest = new Map<string, Metrics>();
  await Promise.all(
    devices.map(async (d) =>
      latest.set(d.device, (await api.latest(d.device).catch(() => undefined))?.metrics ?? {}),
    ),
  );
  const cards = new Map<string, HTMLElement>();
  root.replaceChildren(el('h1', {}, 'Overview'), alertList(alerts));
  const bySite = Map.groupBy(devices, (d) => d.site);
  for (const [site, list] of bySite) {
    const grid = el('div', { class: 'grid' });
    for (const d of list) {
      const card = deviceCard(d, latest.get(d.device) ?? {});
      cards.set(d.device, card);
      grid.append(card);
    }
    root.append(el('section', { class: 'site', 'data-site': site }, el('h2', {}, `Site ${site}`), grid));
  }
  if (devices.length === 0) root.append(el('p', {}, 'No devices have reported yet.'));
  rememberSites([...bySite.keys()]);
  live.follow([...bySite.keys()].map((site) => ({ site })));
  const onReading = (e: ReadingEvent): void => {
    const card = cards.get(e.data.device);
    if (!card) return;
    const merged = { ...latest.get(e.data.device), ...e.data.metrics };
    latest.set(e.data.device, merged);
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
  live.socket.on('reading', onReading);
  live.socket.on('status', onStatus);
  return () => {
    live.socket.off('reading', onReading);
    live.socket.off('status', onStatus);
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
  const cop =
    values.heat_power !== undefined && values.elec_power ? values.heat_power / values.elec_power : undefined;
  dl.replaceChildren(
    ...SHOWN.filter((m) => values[m] !== undefined).flatMap((m) => [
      el('dt', {}, m.replace('_', ' ')),
      el('dd', { 'data-metric': m }, formatValue(m, values[m])),
    ]),
    ...(cop !== undefined && cop > 0
      ? [el('dt', {}, 'COP now'), el('dd', { 'data-metric': 'cop' }, cop.toFixed(2))]
      : []),
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
