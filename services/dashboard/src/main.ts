import './style.css';
import { Unauthorized, api } from './api.ts';
import { renderAlerts } from './alerts.ts';
import { renderDevice } from './device.ts';
import { el } from './format.ts';
import { connectLive, type Live } from './live.ts';
import { renderOverview } from './overview.ts';

const app = document.getElementById('app') as HTMLElement;
const conn = document.getElementById('conn') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;
let live: Live | undefined;
let leave: (() => void) | undefined;

function loginForm(): void {
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
      () => (error.textContent = 'Wrong user name or password.'),
    );
  });
  app.replaceChildren(form);
}

async function route(): Promise<void> {
  if (!live) return;
  leave?.();
  leave = undefined;
  const device = /^#\/device\/(.+)$/.exec(location.hash)?.[1];
  try {
    leave = device
      ? await renderDevice(app, decodeURIComponent(device), live)
      : location.hash === '#/alerts'
        ? await renderAlerts(app, live)
        : await renderOverview(app, live);
  } catch (error) {
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
  live ??= connectLive((state) => {
    conn.textContent = state;
    conn.className = `conn ${state}`;
  });
  await route();
}

window.addEventListener('hashchange', () => void route());
void start();
