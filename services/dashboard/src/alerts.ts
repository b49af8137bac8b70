// The alerts page: active alerts with acknowledgement, and the last 30 days of alerts by each
// one's latest state. A live alert event changes a listed alert in place (ingest may not have
// stored it yet); one not listed reloads the lists, and is shown from the event itself until the
// reloaded lists have it — the push usually arrives before ingest has written the alert.
import { api, type Alert } from './api.ts';
import { ago, el } from './format.ts';
import type { AlertEvent, Live } from './live.ts';
import { alertList, setAlertState } from './overview.ts';

function historyTable(alerts: Alert[]): HTMLElement {
  if (alerts.length === 0) return el('p', { class: 'no-alerts' }, 'No alerts in the last 30 days.');
  const head = ['When', 'Device', 'Rule', 'Severity', 'State', 'Message', 'Acknowledged by'];
  return el(
    'table',
    { class: 'alert-history' },
    el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, h)))),
    el(
      'tbody',
      {},
      ...alerts.map((a) =>
        el(
          'tr',
          { 'data-alert': a.alertId, class: a.severity },
          el('td', { title: a.time }, ago(a.time)),
          el('td', {}, `${a.site}/${a.device}`),
          el('td', {}, a.rule),
          el('td', {}, a.severity),
          el('td', { class: 'alert-state' }, a.state),
          el('td', {}, a.message),
          el('td', {}, a.acknowledgedBy ?? ''),
        ),
      ),
    ),
  );
}

/** The live event carries alert.v1's data (rule included): enough to list the alert. */
const fromEvent = (e: AlertEvent): Alert => ({ rule: '', ...e.data, time: e.time }) as Alert;

export async function renderAlerts(root: HTMLElement, live: Live): Promise<() => void> {
  const active = el('div', { class: 'active-alerts' });
  const history = el('div', { class: 'alert-history-box' });
  /** Raised alerts pushed live that the API did not return yet, by id. */
  const pushed = new Map<string, Alert>();
  const draw = async (): Promise<void> => {
    const [stored, all] = await Promise.all([api.alerts(), api.alertHistory()]);
    for (const a of stored) pushed.delete(a.alertId);
    const open = [...pushed.values(), ...stored];
    active.replaceChildren(alertList(open, (a) => api.ack(a.alertId).then(() => undefined)));
    history.replaceChildren(historyTable(all));
  };
  await draw();
  root.replaceChildren(el('h1', {}, 'Alerts'), active, el('h2', {}, 'Last 30 days'), history);
  const sites = [...new Set((await api.devices()).map((d) => d.site))];
  live.follow(sites.map((site) => ({ site })));
  const onAlert = (e: AlertEvent): void => {
    const selector = `[data-alert="${CSS.escape(e.data.alertId)}"]`;
    const item = active.querySelector(selector);
    if (e.data.state === 'resolved') pushed.delete(e.data.alertId);
    if (!item) {
      if (e.data.state !== 'resolved') pushed.set(e.data.alertId, fromEvent(e));
      void draw();
      return;
    }
    setAlertState(item, e.data.state);
    const row = history.querySelector(`${selector} .alert-state`);
    if (row) row.textContent = e.data.state;
  };
  live.socket.on('alert', onAlert);
  return () => {
    live.socket.off('alert', onAlert);
  };
}
