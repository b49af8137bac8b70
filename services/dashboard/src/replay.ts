// The Replay page (#/replay): what `./heatstream replay live` plays, in a room of its own (the gateway
// sends replayed events to the replay room only, never to the live cards). It shows the replay's
// time (the measurement time of the newest event played), its speed, how many events arrived, and a
// card per device with the values it last replayed.
import './fleet.css';
import { formatValue, el } from './format.ts';
import type { Live, ReadingEvent } from './live.ts';

/** What the gateway sends the replay room (services/gateway/src/live.ts `ReplayMessage`). */
export interface ReplayMessage {
  channel: string;
  event: { time: string; data: { site?: string; device?: string; metrics?: Record<string, number> } };
  subject: string | null;
  speed: number | null;
}

const SHOWN = ['elec_power', 'heat_power', 'flow_temp', 'return_temp', 'outside_temp', 'dhw_temp'] as const;

export function renderReplay(root: HTMLElement, live: Live): () => void {
  const time = el('dd', { 'data-replay': 'time' }, '—');
  const speed = el('dd', { 'data-replay': 'speed' }, '—');
  const count = el('dd', { 'data-replay': 'count' }, '0');
  const waiting = el(
    'p',
    { class: 'waiting' },
    'Nothing is being replayed. Start one with ./heatstream replay live --stream READINGS --from … --speed 60.',
  );
  const grid = el('div', { class: 'grid replay-cards' });
  root.replaceChildren(
    el('h1', {}, 'Replay'),
    el('p', { class: 'replay-note' }, 'A replay plays here only; the overview and the fleet view stay live.'),
    el(
      'dl',
      { class: 'values replay-clock', 'aria-live': 'polite' },
      el('dt', {}, 'Replayed time'),
      time,
      el('dt', {}, 'Speed'),
      speed,
      el('dt', {}, 'Events'),
      count,
    ),
    waiting,
    grid,
  );
  const cards = new Map<string, HTMLElement>();
  let played = 0;
  const onReplay = (m: ReplayMessage): void => {
    played++;
    waiting.remove();
    count.textContent = played.toLocaleString();
    time.textContent = new Date(m.event.time).toLocaleString();
    time.dataset.at = m.event.time;
    speed.textContent = m.speed === null ? 'unknown' : m.speed === 0 ? 'as fast as possible' : `${m.speed}×`;
    if (m.channel !== 'reading') return;
    const { data } = m.event as ReadingEvent;
    let card = cards.get(data.device);
    if (!card) {
      card = el(
        'div',
        { class: 'card device replay', 'data-device': data.device },
        el(
          'div',
          { class: 'card-head' },
          el('strong', {}, data.device),
          el('span', { class: 'state replay' }, 'replay'),
        ),
        el('div', { class: 'model' }, `site ${data.site}`),
        el('dl', { class: 'values' }),
        el('div', { class: 'seen' }),
      );
      cards.set(data.device, card);
      grid.append(card);
    }
    card
      .querySelector('dl')
      ?.replaceChildren(
        ...SHOWN.filter((name) => data.metrics[name] !== undefined).flatMap((name) => [
          el('dt', {}, name.replace('_', ' ')),
          el('dd', { 'data-metric': name }, formatValue(name, data.metrics[name])),
        ]),
      );
    card.querySelector('.seen')?.replaceChildren(`measured ${new Date(m.event.time).toLocaleString()}`);
  };
  live.socket.on('replay', onReplay);
  live.follow([{ replay: true }]);
  return () => {
    live.socket.off('replay', onReplay);
    live.leave({ replay: true });
  };
}
