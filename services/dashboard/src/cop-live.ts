// The site's heat source at a glance: heat output, electrical input, COP now and over the last
// 30 minutes, from the live COP (cop-live over the socket; the gateway sends the newest when the
// page joins the site's room, then each new one). Unknown figures show "—" and why.
import { ago, el, formatCop, formatPower } from './format.ts';
import type { CopLiveEvent } from './live.ts';

/** What the page says instead of COP now (cop-live.v1 `reason`). */
const reasons: Readonly<Record<string, string>> = {
  'below-starting-power': 'compressor off',
  'no-electricity': 'no electricity reading',
  'no-heat': 'no heat reading',
  defrost: 'defrosting',
};

/** A place holder until the source's first figure arrives. */
export function copCard(site: string): HTMLElement {
  return el(
    'div',
    { class: 'card site-cop', 'data-site-cop': site },
    el('div', { class: 'card-head' }, el('strong', {}, 'Heat pump'), el('span', { class: 'source' }, '')),
    el(
      'dl',
      { class: 'values' },
      el('dt', {}, 'COP now'),
      el('dd', { 'data-cop': 'now' }, '—', el('small', {}, ' waiting for data')),
    ),
    el('div', { class: 'seen' }, ''),
  );
}

const withReason = (value: string, reason: string | undefined): (Node | string)[] =>
  reason === undefined ? [value] : [value, el('small', {}, ` ${reason}`)];

export function fillCopCard(card: HTMLElement, e: CopLiveEvent): void {
  const d = e.data;
  card.dataset.source = d.device;
  card.querySelector('.source')?.replaceChildren(d.device);
  const windowMin = Math.round((Date.parse(d.window.end) - Date.parse(d.window.start)) / 60_000);
  const rows: [string, string, (Node | string)[]][] = [
    [
      'heat',
      'heat output',
      withReason(formatPower(d.heatW), d.heatW === null ? 'no heat reading' : undefined),
    ],
    [
      'elec',
      'electrical input',
      withReason(formatPower(d.elecW), d.elecW === null ? 'no electricity reading' : undefined),
    ],
    [
      'now',
      'COP now',
      withReason(formatCop(d.cop), d.cop === null ? (reasons[d.reason ?? ''] ?? 'unknown') : undefined),
    ],
    [
      'window',
      `COP ${windowMin} min`,
      withReason(
        formatCop(d.window.cop),
        d.window.cop === null ? `no running in ${windowMin} min` : undefined,
      ),
    ],
  ];
  card
    .querySelector('dl')
    ?.replaceChildren(
      ...rows.flatMap(([key, label, value]) => [
        el('dt', {}, label),
        el('dd', { 'data-cop': key }, ...value),
      ]),
    );
  card.dataset.at = d.at;
  card.querySelector('.seen')?.replaceChildren(`updated ${ago(d.at)}`);
}
