// The gateway's REST API, with the session cookie the browser keeps. Response types are the
// gateway's own schemas (@heatstream/contracts/api), so a changed field fails to type-check here.
import type {
  Alert,
  AlertAck,
  ApiError,
  CommandSent,
  CopRow,
  CopStats,
  Device,
  Fleet,
  LatestReading,
  LoginResult,
  LogoutResult,
  Me,
  MetricValues,
  ReadingHistory,
  SiteToday,
} from '@heatstream/contracts/api';

export type { Alert, CopRow, Device, Fleet };
export type Metrics = MetricValues;

export class Unauthorized extends Error {
  override name = 'Unauthorized';
}

/** 503: the history store does not answer; live values still arrive over the socket. */
export class StoreUnavailable extends Error {
  override name = 'StoreUnavailable';
}

/** 404: e.g. a device that has sent no reading yet (a cellular one sends every 5 minutes). */
export class NotFound extends Error {
  override name = 'NotFound';
}

/** 429, with the wait the gateway gave (Retry-After, in seconds). */
export class RateLimited extends Error {
  override name = 'RateLimited';
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, retryAfterSeconds: number | undefined) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

async function call<T>(path: string, init: { method?: string; body?: string } = {}): Promise<T> {
  const res = await fetch(path, {
    credentials: 'same-origin',
    ...init,
    headers: { 'content-type': 'application/json' },
  });
  if (res.status === 401) throw new Unauthorized();
  if (!res.ok) {
    const error = ((await res.json().catch(() => ({}))) as Partial<ApiError>).error ?? '';
    if (res.status === 503) throw new StoreUnavailable(`${path}: ${error}`);
    if (res.status === 404) throw new NotFound(`${path}: ${error}`);
    if (res.status === 429) {
      const seconds = Number(res.headers.get('retry-after'));
      throw new RateLimited(error, Number.isFinite(seconds) && seconds > 0 ? seconds : undefined);
    }
    throw new Error(`${path}: ${res.status} ${error}`);
  }
  return (await res.json()) as T;
}

export const api = {
  me: () => call<Me>('/api/me'),
  login: (username: string, password: string) =>
    call<LoginResult>('/api/login', {
      method: 'POST',
      body: JSON.stringify({ username, password }),
    }),
  logout: () => call<LogoutResult>('/api/logout', { method: 'POST' }),
  devices: (site?: string) =>
    call<Device[]>(`/api/devices${site ? `?site=${encodeURIComponent(site)}` : ''}`),
  /** The site's day so far from `from` (the browser's local midnight). */
  siteToday: (site: string, from: Date) =>
    call<SiteToday>(`/api/sites/${encodeURIComponent(site)}/today?from=${from.toISOString()}`),
  latest: (id: string) => call<LatestReading>(`/api/devices/${encodeURIComponent(id)}/readings/latest`),
  history: (id: string, from: Date, to: Date, metrics: readonly string[], points: number) =>
    call<ReadingHistory>(
      `/api/devices/${encodeURIComponent(id)}/readings?from=${from.toISOString()}&to=${to.toISOString()}&metrics=${metrics.join(',')}&points=${points}`,
    ),
  alerts: (device?: string) =>
    call<Alert[]>(
      `/api/alerts?active=true&hours=720${device ? `&device=${encodeURIComponent(device)}` : ''}`,
    ),
  /** Every alert of the last 30 days by its latest state, newest first. */
  alertHistory: () => call<Alert[]>('/api/alerts?hours=720&limit=200'),
  command: (device: string, command: 'STATUS' | 'RESET') =>
    call<CommandSent>(`/api/devices/${encodeURIComponent(device)}/commands`, {
      method: 'POST',
      body: JSON.stringify({ command }),
    }),
  ack: (alertId: string) =>
    call<AlertAck>(`/api/alerts/${encodeURIComponent(alertId)}/ack`, { method: 'POST' }),
  cop: (id: string, period: string, from: Date) =>
    call<CopRow[]>(`/api/devices/${encodeURIComponent(id)}/cop?period=${period}&from=${from.toISOString()}`),
  copStats: (id: string) => call<CopStats>(`/api/devices/${encodeURIComponent(id)}/cop/stats`),
  /** Every site's row of the fleet table, with the COP of `period` (7d, 30d, 90d, 365d). */
  fleet: (period: Fleet['period']) => call<Fleet>(`/api/fleet?period=${period}`),
};
