// The REST API as data: each route's schemas validate its input, type its handler's answer and
// generate the OpenAPI document, so the document cannot drift from what the server accepts and
// returns (the API tests validate every response they get against it).
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import {
  AlertState,
  CopPeriod,
  ID_PATTERN,
  StringEnum,
  makeEvent,
  metricNames,
  subjects,
  type MetricName,
} from '@heatstream/contracts';
import {
  Alert,
  AlertAck,
  CommandRequest,
  CommandSent,
  CopRow,
  CopStats,
  Device,
  DeviceStatus,
  Fleet,
  FleetPeriod,
  Health,
  LatestReading,
  Me,
  ReadingHistory,
  Site,
  SiteToday,
  Stats,
} from '@heatstream/contracts/api';
import type { Publish } from '@heatstream/runtime';
import { copStats, dailyCsv } from './cop-export.ts';
import { readFleet } from './fleet.ts';
import type { History } from './history.ts';
import type { Principal } from './users.ts';
import { HttpError } from './validate.ts';

const Id = Type.String({ pattern: ID_PATTERN });
const DeviceParams = Type.Object({ id: Id });
const Time = Type.String({ format: 'date-time', description: 'RFC 3339' });

export interface RouteContext {
  history: History;
  publish: Publish;
  health(): Promise<Health>;
  source: string;
}

/** The answers a handler gives besides 200, each with its meaning; their body is `ApiError`. */
export type HandlerErrors = Partial<Record<404 | 409 | 503, string>>;

/** What the OpenAPI document says of a route; the auth routes (openapi.ts) are described the same way. */
export interface RouteDoc {
  method: 'get' | 'post';
  path: string;
  summary: string;
  params?: TObject;
  query?: TObject;
  body?: TObject;
  /** Who may call it: reading is for every user, changing state for admins. */
  role?: 'admin';
  /** Open without credentials. */
  open?: boolean;
  /** The 200 answer's schema and the handler's own error answers. */
  responses: { 200: TSchema } & HandlerErrors;
  /** The 200 answer's media type when it is not JSON (the handler returns the text). */
  produces?: 'text/csv';
}

export interface Route<
  P extends TObject = TObject,
  Q extends TObject = TObject,
  B extends TObject = TObject,
  R extends TSchema = TSchema,
> extends RouteDoc {
  params?: P;
  query?: Q;
  body?: B;
  responses: { 200: R } & HandlerErrors;
  handle(
    input: { params: Static<P>; query: Static<Q>; body: Static<B>; principal: Principal },
    ctx: RouteContext,
  ): Promise<Static<R>>;
}

/** Every route that reads ingest's tables. */
const STORE_DOWN = 'QuestDB is unreachable, or has no tables yet on a fresh system; retry shortly';

const route = <P extends TObject, Q extends TObject, B extends TObject, R extends TSchema>(
  r: Route<P, Q, B, R>,
): Route => r;
const HOUR = 3_600_000;
const range = (from: string | undefined, to: string | undefined, defaultSpanMs: number): [number, number] => {
  const end = to ? Date.parse(to) : Date.now();
  const start = from ? Date.parse(from) : end - defaultSpanMs;
  if (!(start < end)) throw new HttpError(400, 'from must be before to');
  return [start, end];
};

export const routes: readonly Route[] = [
  route({
    method: 'get',
    path: '/api/me',
    summary: 'The logged-in user',
    responses: { 200: Me },
    handle: ({ principal: { username, role, via } }) => Promise.resolve({ username, role, via }),
  }),
  route({
    method: 'get',
    path: '/api/health',
    summary: 'State of each dependency: healthy, degraded or unhealthy',
    responses: { 200: Health },
    handle: (_i, ctx) => ctx.health(),
  }),
  route({
    method: 'get',
    path: '/api/stats',
    summary: 'Counts of readings, alerts and devices; oldest and newest reading',
    responses: { 200: Stats, 503: STORE_DOWN },
    handle: (_i, ctx) => ctx.history.stats(),
  }),
  route({
    method: 'get',
    path: '/api/sites',
    summary: 'Sites with their device count and last reading',
    responses: { 200: Type.Array(Site), 503: STORE_DOWN },
    handle: (_i, ctx) => ctx.history.sites(),
  }),
  route({
    method: 'get',
    path: '/api/fleet',
    summary:
      'The fleet table: per site its status, heat source, live power, COP of the newest day, the period and 365 d with coverage, boundary, active alerts',
    query: Type.Object({ period: Type.Optional(FleetPeriod) }),
    responses: { 200: Fleet, 503: STORE_DOWN },
    handle: ({ query }, ctx) => readFleet(ctx.history, query.period ?? '7d', Date.now()),
  }),
  route({
    method: 'get',
    path: '/api/sites/:site/today',
    summary: "A site's day so far: heat and electricity kWh, compressor starts, operating states since when",
    params: Type.Object({ site: Id }),
    query: Type.Object({
      from: Type.Optional(
        Type.String({
          format: 'date-time',
          description: 'start of the day, RFC 3339, e.g. the browser’s local midnight; default: UTC midnight',
        }),
      ),
    }),
    responses: { 200: SiteToday, 503: STORE_DOWN },
    handle: ({ params, query }, ctx) => {
      const to = Date.now();
      const from = query.from ? Date.parse(query.from) : to - (to % (24 * HOUR));
      // A local day is at most 25 h long (the day clocks go back); a longer span is not "today".
      if (!(from < to) || to - from > 26 * HOUR)
        throw new HttpError(400, 'from must be in the last 26 hours', [
          { path: '/query/from', message: 'must be in the last 26 hours' },
        ]);
      return ctx.history.siteToday(params.site, from, to);
    },
  }),
  route({
    method: 'get',
    path: '/api/devices',
    summary: 'Devices with their state and last reading',
    query: Type.Object({ site: Type.Optional(Id) }),
    responses: { 200: Type.Array(Device), 503: STORE_DOWN },
    handle: ({ query }, ctx) => ctx.history.devices(query.site),
  }),
  route({
    method: 'get',
    path: '/api/devices/:id/status',
    summary: "A device's current state",
    params: DeviceParams,
    responses: { 200: DeviceStatus, 404: 'the device has no status yet', 503: STORE_DOWN },
    handle: async ({ params }, ctx) => (await ctx.history.status(params.id)) ?? notFound(params.id),
  }),
  route({
    method: 'get',
    path: '/api/devices/:id/readings/latest',
    summary: "A device's latest reading",
    params: DeviceParams,
    responses: { 200: LatestReading, 404: 'the device has no readings yet', 503: STORE_DOWN },
    handle: async ({ params }, ctx) => (await ctx.history.latest(params.id)) ?? notFound(params.id),
  }),
  route({
    method: 'get',
    path: '/api/devices/:id/readings',
    summary: 'History, downsampled in QuestDB to at most `points` buckets',
    params: DeviceParams,
    query: Type.Object({
      from: Type.Optional(Time),
      to: Type.Optional(Time),
      metrics: Type.String({ description: 'comma-separated catalogue metric names', minLength: 1 }),
      points: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
    }),
    responses: { 200: ReadingHistory, 503: STORE_DOWN },
    handle: async ({ params, query }, ctx) => {
      const names = query.metrics.split(',').map((m) => m.trim());
      // Checked here rather than left to QuestDB, which refuses a duplicated column as a whole query.
      const issues = [
        ...names
          .filter((m) => !(metricNames as readonly string[]).includes(m))
          .map((m) => `unknown metric ${m}`),
        ...[...new Set(names.filter((m, i) => names.indexOf(m) !== i))].map((m) => `metric ${m} named twice`),
      ];
      if (issues.length > 0)
        throw new HttpError(
          400,
          `invalid query: metrics (${issues.join('; ')})`,
          issues.map((message) => ({ path: '/query/metrics', message })),
        );
      const [from, to] = range(query.from, query.to, 24 * HOUR);
      return ctx.history.readings(params.id, from, to, names as MetricName[], query.points);
    },
  }),
  route({
    method: 'get',
    path: '/api/devices/:id/cop',
    summary: 'COP per day or per period (7d, 30d, 90d, 365d, season) with coverage',
    params: DeviceParams,
    query: Type.Object({
      period: StringEnum(CopPeriod, { default: CopPeriod.day }),
      from: Type.Optional(Time),
      to: Type.Optional(Time),
    }),
    responses: { 200: Type.Array(CopRow), 503: STORE_DOWN },
    handle: ({ params, query }, ctx) => {
      const [from, to] = range(query.from, query.to, 30 * 24 * HOUR);
      return ctx.history.cop(params.id, query.period, from, to);
    },
  }),
  route({
    method: 'get',
    path: '/api/devices/:id/cop/stats',
    summary: 'COP stats like heatpumpmonitor.org: newest 7/30/90/365-day and season figure per category',
    params: DeviceParams,
    responses: { 200: CopStats, 503: STORE_DOWN },
    handle: async ({ params }, ctx) => copStats(params.id, await ctx.history.copStats(params.id)),
  }),
  route({
    method: 'get',
    path: '/api/devices/:id/cop/daily.csv',
    summary: 'Daily COP rows as CSV, one line per day with per-category columns (heatpumpmonitor.org style)',
    params: DeviceParams,
    query: Type.Object({ from: Type.Optional(Time), to: Type.Optional(Time) }),
    produces: 'text/csv',
    responses: { 200: Type.String({ description: 'CSV with a header line' }), 503: STORE_DOWN },
    handle: async ({ params, query }, ctx) => {
      const [from, to] = range(query.from, query.to, 365 * 24 * HOUR);
      return dailyCsv(await ctx.history.cop(params.id, CopPeriod.day, from, to));
    },
  }),
  route({
    method: 'get',
    path: '/api/alerts',
    summary: 'Alerts, newest first, by their latest state',
    query: Type.Object({
      device: Type.Optional(Id),
      hours: Type.Integer({ minimum: 1, maximum: 24 * 366, default: 24 }),
      limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
      active: Type.Boolean({ default: false, description: 'only alerts not resolved' }),
    }),
    responses: { 200: Type.Array(Alert), 503: STORE_DOWN },
    handle: ({ query }, ctx) =>
      ctx.history.alerts({
        device: query.device,
        hours: query.hours,
        limit: query.limit,
        activeOnly: query.active,
      }),
  }),
  route({
    method: 'post',
    path: '/api/alerts/:id/ack',
    summary: 'Acknowledge an alert (publishes its acknowledged event); admins only',
    role: 'admin',
    params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 128 }) }),
    responses: {
      200: AlertAck,
      404: 'no such alert',
      409: 'the alert is not raised (already acknowledged or resolved)',
      503: STORE_DOWN,
    },
    handle: async ({ params, principal }, ctx) => {
      const alert = await ctx.history.alert(params.id);
      if (!alert) throw new HttpError(404, `no alert ${params.id}`);
      if (alert.state !== AlertState.raised) throw new HttpError(409, `alert ${params.id} is ${alert.state}`);
      const { site, device, rule, severity, message } = alert;
      const event = makeEvent('heatstream.alert.v1', {
        source: ctx.source,
        subject: device,
        data: {
          site,
          device,
          alertId: params.id,
          rule,
          severity,
          state: AlertState.acknowledged,
          message,
          acknowledgedBy: principal.username,
        },
      });
      await ctx.publish(subjects.alert(site, device), event);
      return { alertId: params.id, state: AlertState.acknowledged, acknowledgedBy: principal.username };
    },
  }),
  route({
    method: 'post',
    path: '/api/devices/:id/commands',
    summary:
      'Send STATUS or RESET to a cellular device (publishes a command event); the answer arrives on the socket as `command-result`; admins only',
    role: 'admin',
    params: DeviceParams,
    body: CommandRequest,
    responses: { 200: CommandSent, 404: 'no such device', 503: STORE_DOWN },
    handle: async ({ params, body, principal }, ctx) => {
      // The site comes from what the device has sent: a command names both, like its subject.
      const known = (await ctx.history.devices()).find((d) => d.device === params.id);
      if (!known) throw new HttpError(404, `no device ${params.id}`);
      const event = makeEvent('heatstream.command.v1', {
        source: ctx.source,
        subject: known.device,
        data: {
          site: known.site,
          device: known.device,
          command: body.command,
          requestedBy: principal.username,
        },
      });
      await ctx.publish(subjects.command(known.site, known.device), event);
      return {
        commandId: event.id,
        site: known.site,
        device: known.device,
        command: body.command,
        requestedBy: principal.username,
      };
    },
  }),
];

function notFound(device: string): never {
  throw new HttpError(404, `no data for device ${device}`);
}
