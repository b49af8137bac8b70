// The gateway's read side: every SQL statement against ingest's tables lives here, and maps
// QuestDB's rows onto the API's camelCase responses. Tables and columns are named through their
// declarations in @heatstream/questdb, so a renamed column fails to compile instead of failing here.
import { CopPeriod, MetricKind, metricNames, metrics, type MetricName } from '@heatstream/contracts';
import type {
  Alert,
  CopFigure,
  CopRow,
  Device,
  DeviceStatus,
  LatestReading,
  MetricValues,
  ReadingHistory,
  Site,
  SiteToday,
  Stats,
} from '@heatstream/contracts/api';
import {
  alerts,
  cop,
  deviceStatus,
  readings,
  sqlRows,
  sqlString,
  type QuestDbConnection,
  type RowOf,
  type TableDef,
} from '@heatstream/questdb';
import { copRowOf } from './cop-rows.ts';
import { siteToday } from './site-today.ts';

/** An API caller is waiting: give up (and answer 503) sooner than a batch job would. */
const QUERY_TIMEOUT_MS = 10_000;

const at = (ms: number): string => sqlString(new Date(ms).toISOString());
const r = readings.column;
const s = deviceStatus.column;
const a = alerts.column;
const c = cop.column;

/** The catalogue values among a row's columns (`suffix` for aliases such as flow_temp_min). */
function pick(row: Record<string, unknown>, names: readonly MetricName[], suffix = ''): MetricValues {
  const out: MetricValues = {};
  for (const name of names) {
    const value = row[`${name}${suffix}`];
    if (typeof value === 'number') out[name] = value;
  }
  return out;
}

function toAlert(row: RowOf<typeof alerts>): Alert {
  return {
    time: row.ts,
    site: row.site,
    device: row.device,
    alertId: row.alert_id,
    rule: row.rule,
    severity: row.severity,
    state: row.state,
    message: row.message,
    ...(row.metric !== null ? { metric: row.metric } : {}),
    ...(row.value !== null ? { value: row.value } : {}),
    ...(row.threshold !== null ? { threshold: row.threshold } : {}),
    ...(row.acknowledged_by !== null ? { acknowledgedBy: row.acknowledged_by } : {}),
  };
}

export class History {
  readonly #conn: QuestDbConnection;
  constructor(conn: QuestDbConnection) {
    this.#conn = conn;
  }

  /** Some columns of a table, typed by its declaration; `rest` is the SQL after `FROM table`. */
  #select<T extends TableDef, const K extends keyof RowOf<T> & string>(
    table: T,
    columns: readonly K[] | '*',
    rest: string,
  ): Promise<Pick<RowOf<T>, K>[]> {
    const list = columns === '*' ? '*' : columns.join(', ');
    return sqlRows(this.#conn, `SELECT ${list} FROM ${table.name} ${rest}`, QUERY_TIMEOUT_MS);
  }

  async devices(site?: string): Promise<Device[]> {
    const where = (column: string): string => (site ? `WHERE ${column} = ${sqlString(site)}` : '');
    const [latest, status] = await Promise.all([
      this.#select(
        readings,
        ['site', 'device', 'model', 'ts'],
        `${where(r.site)} LATEST ON ${r.ts} PARTITION BY ${r.device}`,
      ),
      this.#select(
        deviceStatus,
        ['site', 'device', 'state', 'reason', 'ts'],
        `${where(s.site)} LATEST ON ${s.ts} PARTITION BY ${s.device}`,
      ),
    ]);
    const byDevice = new Map<string, Device>();
    for (const row of latest) {
      byDevice.set(row.device, {
        site: row.site,
        device: row.device,
        model: row.model,
        lastReading: row.ts,
        state: null,
        stateReason: null,
        stateSince: null,
      });
    }
    for (const row of status) {
      const device = byDevice.get(row.device) ?? {
        site: row.site,
        device: row.device,
        model: '',
        lastReading: null,
        state: null,
        stateReason: null,
        stateSince: null,
      };
      byDevice.set(row.device, { ...device, state: row.state, stateReason: row.reason, stateSince: row.ts });
    }
    return [...byDevice.values()].sort(
      (x, y) => x.site.localeCompare(y.site) || x.device.localeCompare(y.device),
    );
  }

  async sites(): Promise<Site[]> {
    const sites = new Map<string, Site>();
    for (const d of await this.devices()) {
      const site = sites.get(d.site) ?? { site: d.site, devices: 0, lastReading: null };
      site.devices++;
      if (d.lastReading && (!site.lastReading || d.lastReading > site.lastReading))
        site.lastReading = d.lastReading;
      sites.set(d.site, site);
    }
    return [...sites.values()];
  }

  async status(device: string): Promise<DeviceStatus | undefined> {
    const [row] = await this.#select(
      deviceStatus,
      ['state', 'reason', 'ts'],
      `WHERE ${s.device} = ${sqlString(device)} LATEST ON ${s.ts} PARTITION BY ${s.device}`,
    );
    return row ? { state: row.state, reason: row.reason, since: row.ts } : undefined;
  }

  async latest(device: string): Promise<LatestReading | undefined> {
    const [row] = await this.#select(
      readings,
      '*',
      `WHERE ${r.device} = ${sqlString(device)} LATEST ON ${r.ts} PARTITION BY ${r.device}`,
    );
    if (!row) return undefined;
    return { time: row.ts, site: row.site, model: row.model, metrics: pick(row, metricNames) };
  }

  /**
   * History downsampled in QuestDB to at most `points` buckets: gauges averaged (with min and max),
   * counters and states as their last value in each bucket.
   */
  async readings(
    device: string,
    from: number,
    to: number,
    names: readonly MetricName[],
    points: number,
  ): Promise<ReadingHistory> {
    const bucketSeconds = Math.max(1, Math.ceil((to - from) / 1000 / points));
    const gauges = names.filter((m) => metrics[m].kind === MetricKind.gauge);
    const aggregates = names.flatMap((m) =>
      metrics[m].kind === MetricKind.gauge
        ? [`avg(${r[m]}) ${m}`, `min(${r[m]}) ${m}_min`, `max(${r[m]}) ${m}_max`]
        : [`last(${r[m]}) ${m}`],
    );
    const rows = await sqlRows<{ ts: string } & Record<string, unknown>>(
      this.#conn,
      `SELECT ${r.ts}, ${aggregates.join(', ')} FROM ${readings.name} WHERE ${r.device} = ${sqlString(device)} AND ${r.ts} >= ${at(from)} AND ${r.ts} < ${at(to)} SAMPLE BY ${bucketSeconds}s ALIGN TO CALENDAR`,
      QUERY_TIMEOUT_MS,
    );
    return {
      bucketSeconds,
      rows: rows.slice(0, points).map((row) => ({
        time: row.ts,
        values: pick(row, names),
        min: pick(row, gauges, '_min'),
        max: pick(row, gauges, '_max'),
      })),
    };
  }

  async alerts(options: {
    device?: string | undefined;
    hours: number;
    limit: number;
    activeOnly: boolean;
  }): Promise<Alert[]> {
    const where = [
      `${a.ts} > dateadd('h', -${options.hours}, now())`,
      ...(options.device ? [`${a.device} = ${sqlString(options.device)}`] : []),
    ];
    const rows = await this.#select(
      alerts,
      '*',
      `WHERE ${where.join(' AND ')} LATEST ON ${a.ts} PARTITION BY ${a.alert_id}`,
    );
    const active = options.activeOnly ? rows.filter((row) => row.state !== 'resolved') : rows;
    return active
      .sort((x, y) => y.ts.localeCompare(x.ts))
      .slice(0, options.limit)
      .map(toAlert);
  }

  async alert(alertId: string): Promise<Alert | undefined> {
    const [row] = await this.#select(
      alerts,
      '*',
      `WHERE ${a.alert_id} = ${sqlString(alertId)} LATEST ON ${a.ts} PARTITION BY ${a.alert_id}`,
    );
    return row && toAlert(row);
  }

  /** COP rows of a device: one per period start and category (ingest's dedup keys), oldest first. */
  async cop(device: string, period: string, from: number, to: number): Promise<CopRow[]> {
    const rows = await this.#select(
      cop,
      '*',
      `WHERE ${c.device} = ${sqlString(device)} AND ${c.period} = ${sqlString(period)} AND ${c.ts} >= ${at(from)} AND ${c.ts} < ${at(to)} ORDER BY ${c.ts}`,
    );
    return rows.map(copRowOf);
  }

  /** The newest stored figure of each rolling period and season, per category (the cop service's re-sums). */
  async copStats(device: string): Promise<CopFigure[]> {
    const periods = [
      CopPeriod.days7,
      CopPeriod.days30,
      CopPeriod.days90,
      CopPeriod.days365,
      CopPeriod.season,
    ];
    const rows = await this.#select(
      cop,
      '*',
      `WHERE ${c.device} = ${sqlString(device)} AND ${c.period} IN (${periods.map(sqlString).join(', ')}) LATEST ON ${c.ts} PARTITION BY ${c.period}, ${c.category}`,
    );
    return rows.map((row) => ({ period: row.period, ...copRowOf(row) }));
  }

  /** Every device's latest reading, for the fleet table. */
  async latestAll(): Promise<Map<string, MetricValues>> {
    const rows = await this.#select(readings, '*', `LATEST ON ${r.ts} PARTITION BY ${r.device}`);
    return new Map(rows.map((row) => [row.device, pick(row, metricNames)]));
  }

  /** The newest combined figure of each device and each of `periods`, for the fleet table. */
  async copNewest(periods: readonly CopPeriod[]): Promise<(CopRow & { device: string; period: string })[]> {
    const rows = await this.#select(
      cop,
      '*',
      `WHERE ${c.category} = 'combined' AND ${c.period} IN (${periods.map(sqlString).join(', ')}) LATEST ON ${c.ts} PARTITION BY ${c.device}, ${c.period}`,
    );
    return rows.map((row) => ({ device: row.device, period: row.period, ...copRowOf(row) }));
  }

  /** A site's day so far (site-today.ts): kWh, starts, operating states. */
  siteToday(site: string, from: number, to: number): Promise<SiteToday> {
    return siteToday(this.#conn, QUERY_TIMEOUT_MS, site, from, to);
  }

  async stats(): Promise<Stats> {
    const [[counts], [alertCount], devices] = await Promise.all([
      sqlRows<{ readings: number; oldest: string | null; newest: string | null }>(
        this.#conn,
        `SELECT count() readings, min(${r.ts}) oldest, max(${r.ts}) newest FROM ${readings.name}`,
        QUERY_TIMEOUT_MS,
      ),
      sqlRows<{ alerts: number }>(this.#conn, `SELECT count() alerts FROM ${alerts.name}`, QUERY_TIMEOUT_MS),
      this.devices(),
    ]);
    return {
      readings: counts?.readings ?? 0,
      alerts: alertCount?.alerts ?? 0,
      devices: devices.length,
      devicesOnline: devices.filter((d) => d.state === 'online').length,
      oldestReading: counts?.oldest ?? null,
      newestReading: counts?.newest ?? null,
    };
  }
}
