// While the history store does not answer (the gateway's 503) the page keeps what the socket
// brings: a notice that history is unavailable and retried, and a card per device whose live
// readings arrive. The page that failed is loaded again every RETRY_MS until the store answers.
import type { Device, Metrics } from './api.ts';
import { ago, el } from './format.ts';
import { knownSites, type Live, type ReadingEvent } from './live.ts';
import { deviceCard, fillValues } from './overview.ts';

export const RETRY_MS = 5_000;

export function unavailableNotice(): HTMLElement {
  return el(
    'p',
    { class: 'history-unavailable', role: 'status' },
    `History is unavailable: the history store does not answer. Live values keep updating; retrying every ${RETRY_MS / 1000} s.`,
  );
}

/** The notice and live cards for one device, or for the devices of every site seen before. */
export function renderLiveOnly(root: HTMLElement, live: Live, device: string | undefined): () => void {
  const grid = el('div', { class: 'grid live-only' });
  const values = new Map<string, Metrics>();
  const cards = new Map<string, HTMLElement>();
  const rooms = device ? [{ device }] : knownSites().map((site) => ({ site }));
  root.replaceChildren(
    el('h1', {}, device ?? 'Overview'),
    unavailableNotice(),
    grid,
    el('p', { class: 'waiting' }, rooms.length ? 'Waiting for live readings…' : 'No devices known yet.'),
  );
  live.follow(rooms);
  const onReading = (e: ReadingEvent): void => {
    if (device && e.data.device !== device) return;
    const merged = { ...values.get(e.data.device), ...e.data.metrics };
    values.set(e.data.device, merged);
    let card = cards.get(e.data.device);
    if (!card) {
      const d: Device = {
        site: e.data.site,
        device: e.data.device,
        model: e.data.model,
        lastReading: e.time,
        state: null,
        stateReason: null,
        stateSince: null,
      };
      card = deviceCard(d, merged);
      cards.set(e.data.device, card);
      grid.append(card);
      root.querySelector('.waiting')?.remove();
    }
    fillValues(card, merged);
    card.dataset.updated = e.time;
    card.querySelector('.seen')?.replaceChildren(`updated ${ago(e.time)}`);
  };
  live.socket.on('reading', onReading);
  return () => {
    live.socket.off('reading', onReading);
  };
}
