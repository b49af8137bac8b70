// The gateway's REST API, with the session cookie the browser keeps.
import type { MetricName } from '@heatstream/contracts/metrics';

export class Unauthorized extends Error {
  override name = 'Unauthorized';
}

async function call<T>(path: string, init: { method?: string; body?: string } = {}): Promise<T> {
  const res = await fetch(path, {
    credentials: 'same-origin',
    ...init,
    headers: { 'content-type': 'application/json' },
  });
  if (res.status === 401) throw new Unauthorized();
  if (!res.ok)
    throw new Error(
      `${path}: ${res.status} ${((await res.json().catch(() => ({}))) as { error?: string }).error ?? ''}`,
    );
  return (await res.json()) as T;
}

export interface Device {
  site: string;
  device: string;
  model: string;
  lastReading: string | null;
  state: string | null;
  stateReason: string | null;
  stateSince: string | null;
}
export type Metrics = Partial<Record<MetricName, number>>;
export interface Latest {
  time: string;
  site: string;
  model: string;
  metrics: Metrics;
}
export interface Alert {
  ts: string;
  site: string;
  device: string;
  alert_id: string;
  rule: string;
  severity: string;
  state: string;
  message: string;
}
export interface CopRow {
  period_start: string;
  category: string;
  heat_kwh: number;
  elec_kwh: number;
  cop: number | null;
  coverage: number;
}
export type HistoryRow = { ts: string } & Record<string, number | null>;

export const api = {
  me: () => call<{ username: string; role: string }>('/api/me'),
  login: (username: string, password: string) =>
    call<{ username: string }>('/api/login', {
      method: 'POST',
      body: JSON.stringify({ username, password }),
    }),
  logout: () => call('/api/logout', { method: 'POST' }),
  devices: () => call<Device[]>('/api/devices'),
  latest: (id: string) => call<Latest>(`/api/devices/${encodeURIComponent(id)}/readings/latest`),
  history: (id: string, from: Date, to: Date, metrics: readonly string[], points: number) =>
    call<{ bucketSeconds: number; rows: HistoryRow[] }>(
      `/api/devices/${encodeURIComponent(id)}/readings?from=${from.toISOString()}&to=${to.toISOString()}&metrics=${metrics.join(',')}&points=${points}`,
    ),
  alerts: (device?: string) =>
    call<Alert[]>(
      `/api/alerts?active=true&hours=720${device ? `&device=${encodeURIComponent(device)}` : ''}`,
    ),
  ack: (alertId: string) => call(`/api/alerts/${encodeURIComponent(alertId)}/ack`, { method: 'POST' }),
  cop: (id: string, period: string, from: Date) =>
    call<CopRow[]>(`/api/devices/${encodeURIComponent(id)}/cop?period=${period}&from=${from.toISOString()}`),
};
