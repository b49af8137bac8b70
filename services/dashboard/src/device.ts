// One device: live cards with sparklines, when each operating state last changed, charts over a
// chosen range, the COP panel (cop.ts), alerts with acknowledgement.
import type uPlot from 'uplot';
import { metrics } from '@heatstream/contracts/metrics';
import { StoreUnavailable, api, type Metrics } from './api.ts';
import { commandPanel, takesCommands } from './commands.ts';
import { sparkline } from './spark.ts';
import { renderCop } from './cop.ts';
import { ago, el, formatValue, isMetric, label } from './format.ts';
import type { AlertEvent, Live, ReadingEvent } from './live.ts';
import { alertList, setAlertState } from './overview.ts';
import { RETRY_MS, unavailableNotice } from './unavailable.ts';

const STATES = ['compressor_on', 'pump_on', 'defrost', 'dhw_mode'] as const;
const CHARTS = [
  { title: 'Power', metrics: ['elec_power', 'heat_power'] },
  { title: 'Temperatures', metrics: ['flow_temp', 'return_temp', 'outside_temp', 'dhw_temp'] },
] as const;
export const RANGES = { '1h': 1, '6h': 6, '24h': 24, '7d': 168, '30d': 720, '1y': 8760 } as const;
type Range = keyof typeof RANGES;
const SPARK = 60;

/** The longest wait between catch-up tries: the store back, the page current within 10 s. */
const RECATCH_MAX_MS = 10_000;

export async function renderDevice(root: HTMLElement, device: string, live: Live): Promise<() => void> {
  const latest = await api.latest(device);
  const values: Metrics = { ...latest.metrics };
  /** The time of the newest reading the cards show: an older answer must not overwrite them. */
  let shownAt = Date.parse(latest.time);
  const recent = new Map<string, number[]>();
  const stateSince = new Map<string, string>();
  /** Whether the last day's history has been searched for state changes yet. */
  let statesLoaded = false;
  let range: Range = '24h';
  const charts: uPlot[] = [];
  let chartRetry: ReturnType<typeof setTimeout> | undefined;

  const cards = el('div', { class: 'grid cards' });
  const states = el('div', { class: 'grid states' });
  // A meter has no operating states: then neither the heading nor the grid shows (issue 14).
  const statesHeading = el('h2', {}, 'Operating states');
  const chartBox = el('div', { class: 'charts' });
  const copBox = el('div', { class: 'cop' });
  const alertBox = el('div', { class: 'device-alerts' });
  const picker = el('div', { class: 'ranges', role: 'group' });
  for (const r of Object.keys(RANGES) as Range[]) {
    const b = el('button', { type: 'button', 'data-range': r, 'aria-pressed': String(r === range) }, r);
    b.addEventListener('click', () => {
      range = r;
      for (const other of picker.querySelectorAll('button'))
        other.setAttribute('aria-pressed', String(other.dataset.range === r));
      showCharts();
    });
    picker.append(b);
  }
  root.replaceChildren(
    el('p', {}, el('a', { href: '#/' }, '← all devices')),
    el('h1', {}, `${device} `, el('small', {}, `${latest.model} · site ${latest.site}`)),
    cards,
    statesHeading,
    states,
    el('h2', {}, 'History'),
    picker,
    chartBox,
    el('h2', {}, 'COP'),
    copBox,
    el('h2', {}, 'Alerts'),
    alertBox,
  );
  // Cellular devices answer STATUS and RESET (commands.ts).
  const commands = takesCommands(latest.model) ? commandPanel(device, live) : undefined;
  if (commands) root.append(el('h2', {}, 'Commands'), commands.panel);

  const renderCards = (): void => {
    cards.replaceChildren(
      ...Object.entries(values)
        .filter(([name]) => isMetric(name) && metrics[name].kind !== 'state')
        .map(([name, v]) =>
          el(
            'div',
            { class: 'card metric', 'data-metric': name },
            el('div', { class: 'label' }, label(name)),
            el('div', { class: 'value' }, formatValue(name, v)),
            sparkline(name, recent.get(name) ?? []),
          ),
        ),
    );
  };
  const renderStates = (): void => {
    const shown = STATES.filter((s) => values[s] !== undefined);
    statesHeading.hidden = states.hidden = shown.length === 0;
    states.replaceChildren(
      ...shown.map((s) =>
        el(
          'div',
          { class: 'card state-card', 'data-state': s },
          el('div', { class: 'label' }, label(s)),
          el('div', { class: 'value' }, formatValue(s, values[s])),
          el(
            'div',
            { class: 'since' },
            stateSince.has(s)
              ? `changed ${ago(stateSince.get(s))}`
              : statesLoaded
                ? 'unchanged for 24 h'
                : 'looking up the last change…',
          ),
        ),
      ),
    );
  };

  const absorb = (rows: readonly Metrics[]): void => {
    for (const row of rows) {
      for (const [k, v] of Object.entries(row)) {
        if (typeof v !== 'number' || !isMetric(k)) continue;
        const list = recent.get(k) ?? [];
        list.push(v);
        recent.set(k, list.slice(-SPARK));
      }
    }
  };

  /** The last hour for sparklines, and the last day of states to find when each last changed. */
  const loadRecent = async (since: Date): Promise<void> => {
    const names = Object.keys(values).filter(isMetric);
    if (names.length === 0) return;
    const now = new Date();
    const hour = await api.history(
      device,
      since,
      now,
      names.filter((n) => metrics[n].kind !== 'state'),
      SPARK,
    );
    absorb(hour.rows.map((r) => r.values));
    const stateNames = STATES.filter((s) => values[s] !== undefined);
    if (stateNames.length > 0) {
      const day = await api.history(device, new Date(now.getTime() - 24 * 3_600_000), now, stateNames, 1440);
      statesLoaded = true;
      for (const s of stateNames) {
        let previous: number | undefined;
        for (const row of day.rows) {
          const v = row.values[s];
          if (v !== undefined && previous !== undefined && v !== previous) stateSince.set(s, row.time);
          if (v !== undefined) previous = v;
        }
      }
    }
  };

  const drawCharts = async (): Promise<void> => {
    const to = new Date();
    const from = new Date(to.getTime() - RANGES[range] * 3_600_000);
    const shown = CHARTS.map((spec) => ({
      spec,
      names: spec.metrics.filter((m) => values[m] !== undefined),
    })).filter((c) => c.names.length > 0);
    // Each chart's box is there (at its final height) before its data: nothing below it moves.
    const boxes = [...chartBox.querySelectorAll<HTMLElement>('.chart')];
    if (boxes.map((b) => b.dataset.chart).join() !== shown.map((c) => c.spec.title).join()) {
      boxes.splice(
        0,
        boxes.length,
        ...shown.map(({ spec }) => el('div', { class: 'chart', role: 'figure', 'data-chart': spec.title })),
      );
      chartBox.replaceChildren(...boxes);
    }
    // uPlot is loaded here, not with the page's script: the overview and site view draw no chart.
    const [{ lineChart }, answers] = await Promise.all([
      import('./charts.ts'),
      Promise.all(shown.map(({ names }) => api.history(device, from, to, names, 600))),
    ]);
    for (const c of charts.splice(0)) c.destroy();
    shown.forEach(({ spec, names }, i) => {
      const box = boxes[i];
      const rows = answers[i]?.rows ?? [];
      if (!box) return;
      const series = {
        times: rows.map((r) => Date.parse(r.time) / 1000),
        values: names.map((n) => rows.map((r) => r.values[n] ?? null)),
      };
      charts.push(
        lineChart(box, `${spec.title} · ${range}`, names, series, from.getTime() / 1000, to.getTime() / 1000),
      );
    });
  };

  /** Draws the charts; while the history store is down, says so where they go and tries again. */
  const showCharts = (): void => {
    clearTimeout(chartRetry);
    drawCharts().catch((error: unknown) => {
      if (!(error instanceof StoreUnavailable)) throw error;
      chartBox.replaceChildren(unavailableNotice());
      chartRetry = setTimeout(showCharts, RETRY_MS);
    });
  };

  const drawCop = (): Promise<void> => renderCop(copBox, device);

  const drawAlerts = async (): Promise<void> => {
    alertBox.replaceChildren(
      alertList(await api.alerts(device), (a) => api.ack(a.alertId).then(() => undefined)),
    );
  };

  // The cards at once from the latest reading (their sparklines fill in place, at the same size):
  // cards that appeared only after the history calls moved the page (Lighthouse's layout shift).
  renderCards();
  renderStates();
  await Promise.all([
    loadRecent(new Date(Date.now() - 3_600_000)).then(() => {
      renderCards();
      renderStates();
    }),
    drawCharts(),
    drawCop().catch(() => {
      copBox.replaceChildren('COP unavailable.');
    }),
    drawAlerts(),
  ]);

  live.follow([{ device }]);
  const onReading = (e: ReadingEvent): void => {
    if (e.data.device !== device) return;
    for (const [k, v] of Object.entries(e.data.metrics)) {
      if (STATES.includes(k as (typeof STATES)[number]) && values[k as keyof Metrics] !== v)
        stateSince.set(k, e.time);
    }
    Object.assign(values, e.data.metrics);
    shownAt = Math.max(shownAt, Date.parse(e.time));
    absorb([e.data.metrics]);
    renderCards();
    renderStates();
  };
  const onAlert = (e: AlertEvent): void => {
    if (e.data.device !== device) return;
    const item = alertBox.querySelector(`[data-alert="${CSS.escape(e.data.alertId)}"]`);
    // A known alert changes in place (ingest may not have stored the change yet); a new one reloads the list.
    if (item) setAlertState(item, e.data.state);
    else void drawAlerts();
  };
  live.socket.on('reading', onReading);
  live.socket.on('alert', onAlert);
  // After a dropped socket: the latest reading for the cards and the history since the drop for the
  // sparklines, so nothing that happened meanwhile is missing. Each is shown as soon as it is there
  // (the cards do not wait for the slower history query), a live reading that arrived meanwhile is
  // not overwritten by an older latest, and a request that fails (the gateway just back, QuestDB
  // busy) is retried, with a delay doubling up to RECATCH_MAX_MS, until it succeeds or the page is left.
  let left = false;
  const untilDone = (what: () => Promise<void>, delayMs = 1_000): void => {
    what().catch(() => {
      if (left) return;
      setTimeout(() => {
        untilDone(what, Math.min(delayMs * 2, RECATCH_MAX_MS));
      }, delayMs);
    });
  };
  const stopFilling = live.onReconnect((since) => {
    untilDone(async () => {
      const newest = await api.latest(device);
      if (left || Date.parse(newest.time) < shownAt) return;
      Object.assign(values, newest.metrics);
      shownAt = Date.parse(newest.time);
      renderCards();
      renderStates();
    });
    untilDone(async () => {
      await loadRecent(since);
      if (left) return;
      renderCards();
      renderStates();
    });
  });
  return () => {
    clearTimeout(chartRetry);
    left = true;
    stopFilling();
    live.socket.off('reading', onReading);
    live.socket.off('alert', onAlert);
    commands?.stop();
    for (const c of charts) c.destroy();
  };
}
