// The gateway's read side: every SQL statement against ingest's tables lives here.
// Tables and columns are ingest's (snake_case, one column per catalogue metric).
import { metrics, type MetricName } from '@heatstream/contracts';
import { sqlString, type QuestDbClient } from './questdb.ts';

const ts = (ms: number): string => `'${new Date(ms).toISOString()}'`;

export interface DeviceRow {
  site: string;
  device: string;
  model: string;
  lastReading: string | null;
  state: string | null;
  stateReason: string | null;
  stateSince: string | null;
}

export class History {
  readonly #db: QuestDbClient;
  constructor(db: QuestDbClient) {
    this.#db = db;
  }

  async devices(site?: string): Promise<DeviceRow[]> {
    const where = site ? `WHERE site = ${sqlString(site)}` : '';
    const [latest, status] = await Promise.all([
      this.#db.query<{ site: string; device: string; model: string; ts: string }>(
        `SELECT site, device, model, ts FROM readings ${where} LATEST ON ts PARTITION BY device`,
      ),
      this.#db.query<{ device: string; site: string; state: string; reason: string | null; ts: string }>(
        `SELECT device, site, state, reason, ts FROM device_status ${where} LATEST ON ts PARTITION BY device`,
      ),
    ]);
    const byDevice = new Map<string, DeviceRow>();
    for (const r of latest) {
      byDevice.set(r.device, {
        site: r.site,
        device: r.device,
        model: r.model,
        lastReading: r.ts,
        state: null,
        stateReason: null,
        stateSince: null,
      });
    }
    for (const s of status) {
      const row = byDevice.get(s.device) ?? {
        site: s.site,
        device: s.device,
        model: '',
        lastReading: null,
        state: null,
        stateReason: null,
        stateSince: null,
      };
      byDevice.set(s.device, { ...row, state: s.state, stateReason: s.reason, stateSince: s.ts });
    }
    return [...byDevice.values()].sort(
      (a, b) => a.site.localeCompare(b.site) || a.device.localeCompare(b.device),
    );
  }

  async sites(): Promise<{ site: string; devices: number; lastReading: string | null }[]> {
    const rows = await this.devices();
    const sites = new Map<string, { site: string; devices: number; lastReading: string | null }>();
    for (const d of rows) {
      const s = sites.get(d.site) ?? { site: d.site, devices: 0, lastReading: null };
      s.devices++;
      if (d.lastReading && (!s.lastReading || d.lastReading > s.lastReading)) s.lastReading = d.lastReading;
      sites.set(d.site, s);
    }
    return [...sites.values()];
  }

  async status(device: string): Promise<{ state: string; reason: string | null; since: string } | undefined> {
    const [row] = await this.#db.query<{ state: string; reason: string | null; ts: string }>(
      `SELECT state, reason, ts FROM device_status WHERE device = ${sqlString(device)} LATEST ON ts PARTITION BY device`,
    );
    return row ? { state: row.state, reason: row.reason, since: row.ts } : undefined;
  }

  async latest(
    device: string,
  ): Promise<
    { time: string; site: string; model: string; metrics: Partial<Record<MetricName, number>> } | undefined
  > {
    const [row] = await this.#db.query(
      `SELECT * FROM readings WHERE device = ${sqlString(device)} LATEST ON ts PARTITION BY device`,
    );
    if (!row) return undefined;
    return {
      time: row.ts as string,
      site: row.site as string,
      model: row.model as string,
      metrics: pickMetrics(row),
    };
  }

  /**
   * History downsampled in QuestDB to at most `points` buckets: gauges averaged (with min and max),
   * counters and states as their last value in each bucket.
   */
  async readings(device: string, from: number, to: number, names: readonly MetricName[], points: number) {
    const bucketSeconds = Math.max(1, Math.ceil((to - from) / 1000 / points));
    const columns = names.flatMap((m) =>
      metrics[m].kind === 'gauge'
        ? [`avg(${m}) ${m}`, `min(${m}) ${m}_min`, `max(${m}) ${m}_max`]
        : [`last(${m}) ${m}`],
    );
    const rows = await this.#db.query(
      `SELECT ts, ${columns.join(', ')} FROM readings WHERE device = ${sqlString(device)} AND ts >= ${ts(from)} AND ts < ${ts(to)} SAMPLE BY ${bucketSeconds}s ALIGN TO CALENDAR`,
    );
    return { bucketSeconds, rows: rows.slice(0, points) };
  }

  async alerts(options: { device?: string | undefined; hours: number; limit: number; activeOnly: boolean }) {
    const where = [
      `ts > dateadd('h', -${options.hours}, now())`,
      ...(options.device ? [`device = ${sqlString(options.device)}`] : []),
    ];
    const rows = await this.#db.query(
      `SELECT * FROM alerts WHERE ${where.join(' AND ')} LATEST ON ts PARTITION BY alert_id`,
    );
    const active = options.activeOnly ? rows.filter((r) => r.state !== 'resolved') : rows;
    return active.sort((a, b) => String(b.ts).localeCompare(String(a.ts))).slice(0, options.limit);
  }

  async alert(alertId: string) {
    const [row] = await this.#db.query(
      `SELECT * FROM alerts WHERE alert_id = ${sqlString(alertId)} LATEST ON ts PARTITION BY alert_id`,
    );
    return row;
  }

  /** COP rows of a device: one per period start and category (ingest's dedup keys), oldest first. */
  async cop(device: string, period: string, from: number, to: number) {
    return this.#db.query(
      `SELECT ts period_start, period_end, category, heat_kwh, elec_kwh, cop, coverage, defrost_heat_kwh, heat_source FROM cop WHERE device = ${sqlString(device)} AND period = ${sqlString(period)} AND ts >= ${ts(from)} AND ts < ${ts(to)} ORDER BY ts`,
    );
  }

  async stats() {
    const [[r], [a]] = await Promise.all([
      this.#db.query<{ readings: number; oldest: string | null; newest: string | null }>(
        'SELECT count() readings, min(ts) oldest, max(ts) newest FROM readings',
      ),
      this.#db.query<{ alerts: number }>('SELECT count() alerts FROM alerts'),
    ]);
    const devices = await this.devices();
    return {
      readings: r?.readings ?? 0,
      alerts: a?.alerts ?? 0,
      devices: devices.length,
      devicesOnline: devices.filter((d) => d.state === 'online').length,
      oldestReading: r?.oldest ?? null,
      newestReading: r?.newest ?? null,
    };
  }
}

function pickMetrics(row: Record<string, unknown>): Partial<Record<MetricName, number>> {
  const out: Partial<Record<MetricName, number>> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key in metrics && typeof value === 'number') out[key as MetricName] = value;
  }
  return out;
}
