import './style.css';
import { NotFound, RateLimited, StoreUnavailable, Unauthorized, api } from './api.ts';
import { renderAlerts } from './alerts.ts';
import { renderDevice } from './device.ts';
import { el } from './format.ts';
import { CONN_LABELS, connectLive, type Live } from './live.ts';
import { renderFleet, renderHome } from './fleet.ts';
import { renderOverview } from './overview.ts';
import { renderReplay } from './replay.ts';
import { renderSite } from './site.ts';
import { RETRY_MS, renderLiveOnly } from './unavailable.ts';

const app = document.getElementById('app') as HTMLElement;
const conn = document.getElementById('conn') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;
const logout = document.getElementById('logout') as HTMLButtonElement;
let live: Live | undefined;
let leave: (() => void) | undefined;
/** The route shown live-only while the history store is down, and its next attempt. */
let liveOnly: string | undefined;
let retry: ReturnType<typeof setTimeout> | undefined;

function loginMessage(error: unknown): string {
  if (error instanceof RateLimited) {
    const wait = error.retryAfterSeconds;
    return `Too many login attempts. Try again ${wait ? `in ${wait < 120 ? `${wait} s` : `${Math.ceil(wait / 60)} min`}` : 'in a minute'}.`;
  }
  if (error instanceof Unauthorized) return 'Wrong user name or password.';
  return `Could not log in: ${(error as Error).message}`;
}

/** Leaves the logged-in state: the page, the socket and the header's user, badge and logout. */
function endSession(): void {
  clearTimeout(retry);
  leave?.();
  leave = undefined;
  liveOnly = undefined;
  live?.socket.close();
  live = undefined;
  who.textContent = '';
  // Before login there is no connection to show (issue 14): the badge and logout appear after it.
  conn.hidden = true;
  logout.hidden = true;
}

function loginForm(): void {
  endSession();
  const user = el('input', { name: 'username', autocomplete: 'username', required: '' });
  const pass = el('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: '',
  });
  const error = el('p', { class: 'error', role: 'alert' });
  const form = el(
    'form',
    { class: 'login' },
    el('h1', {}, 'Log in'),
    el('label', {}, 'User ', user),
    el('label', {}, 'Password ', pass),
    el('button', { type: 'submit' }, 'Log in'),
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    api.login(user.value, pass.value).then(
      () => void start(),
      (failure: unknown) => (error.textContent = loginMessage(failure)),
    );
  });
  app.replaceChildren(form);
}

async function route(): Promise<void> {
  if (!live) return;
  clearTimeout(retry);
  const device = /^#\/device\/(.+)$/.exec(location.hash)?.[1];
  const site = /^#\/site\/(.+)$/.exec(location.hash)?.[1];
  const key = location.hash || '#/';
  const previous = leave;
  leave = undefined;
  try {
    const next = device
      ? await renderDevice(app, decodeURIComponent(device), live)
      : site
        ? await renderSite(app, decodeURIComponent(site), live)
        : location.hash === '#/alerts'
          ? await renderAlerts(app, live)
          : location.hash.startsWith('#/fleet')
            ? await renderFleet(app, live)
            : location.hash === '#/replay'
              ? renderReplay(app, live)
              : location.hash === '#/overview'
                ? await renderOverview(app, live)
                : await renderHome(app, live);
    previous?.();
    leave = next;
    liveOnly = undefined;
  } catch (error) {
    if (error instanceof StoreUnavailable) {
      // Keep the live-only page of this route (and the values it has) while the store stays down.
      if (liveOnly === key) leave = previous;
      else {
        previous?.();
        leave = renderLiveOnly(app, live, device && decodeURIComponent(device));
        liveOnly = key;
      }
      retry = setTimeout(() => void route(), RETRY_MS);
      return;
    }
    previous?.();
    if (device && error instanceof NotFound) {
      // A device known by its status but without a reading yet (a cellular one sends its first
      // batch after up to 5 minutes): say so, and look again until it has one.
      leave = undefined;
      liveOnly = undefined;
      app.replaceChildren(
        el(
          'p',
          { class: 'waiting' },
          `No readings from ${decodeURIComponent(device)} yet; this page fills in when the first arrives.`,
        ),
      );
      retry = setTimeout(() => void route(), RETRY_MS);
      return;
    }
    liveOnly = undefined;
    if (error instanceof Unauthorized) loginForm();
    else app.replaceChildren(el('p', { class: 'error' }, `Could not load: ${(error as Error).message}`));
  }
}

async function start(): Promise<void> {
  try {
    const me = await api.me();
    who.textContent = me.username;
  } catch {
    loginForm();
    return;
  }
  conn.hidden = false;
  logout.hidden = false;
  if (!live) {
    live = connectLive((state) => {
      conn.textContent = CONN_LABELS[state];
      conn.className = `conn ${state}`;
    });
    // The gateway ends a socket whose session ended (logout elsewhere, expiry, user deleted).
    live.socket.on('session-ended', () => {
      loginForm();
    });
  }
  await route();
}

logout.addEventListener('click', () => {
  void api
    .logout()
    .catch(() => undefined)
    .then(() => {
      loginForm();
    });
});
window.addEventListener('hashchange', () => void route());
void start();
