// The gateway's REST responses as TypeBox schemas: the gateway's route table returns them, its
// OpenAPI document publishes them, and the dashboard type-checks against their Static types.
// camelCase throughout; QuestDB's snake_case columns are mapped in the gateway's history adapter.
// Type-only imports keep TypeBox out of the dashboard's bundle.
import { Type, type Static, type TNumber, type TOptional, type TSchema } from '@sinclair/typebox';
import { AlertV1Data } from './events/alert.v1.ts';
import { CopV2Data } from './events/cop.v2.ts';
import { DeviceState } from './events/device-status.v1.ts';
import { metricNames, metrics, type MetricName } from './metrics.ts';
import { DateTime, Id, StringEnum } from './schema.ts';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const closed = { additionalProperties: false } as const;

/** Every error: a message for people and, for invalid input, one issue per problem. */
export const ApiError = Type.Object(
  {
    error: Type.String(),
    issues: Type.Optional(
      Type.Array(
        Type.Object(
          { path: Type.String({ description: 'e.g. /query/points' }), message: Type.String() },
          closed,
        ),
      ),
    ),
  },
  closed,
);
export type ApiError = Static<typeof ApiError>;

type MetricValueSchemas = { [K in MetricName]: TOptional<TNumber> };

/** Values keyed by catalogue metric name, in catalogue units; absent where there is none. */
export const MetricValues = Type.Object(
  Object.fromEntries(
    metricNames.map((name) => {
      const { unit, description } = metrics[name];
      return [
        name,
        Type.Optional(Type.Number({ description: unit === '' ? description : `${description} [${unit}]` })),
      ];
    }),
  ) as MetricValueSchemas,
  closed,
);
export type MetricValues = Static<typeof MetricValues>;

export const Role = StringEnum({ admin: 'admin', viewer: 'viewer' });

export const LoginResult = Type.Object({ username: Type.String(), role: Role }, closed);
export type LoginResult = Static<typeof LoginResult>;

export const Me = Type.Object(
  {
    username: Type.String(),
    role: Role,
    via: StringEnum({ session: 'session', token: 'token' }, { description: 'how the caller proved it' }),
  },
  closed,
);
export type Me = Static<typeof Me>;

export const LogoutResult = Type.Object({ ok: Type.Literal(true) }, closed);
export type LogoutResult = Static<typeof LogoutResult>;

export const HealthState = { healthy: 'healthy', degraded: 'degraded', unhealthy: 'unhealthy' } as const;

export const Health = Type.Object(
  {
    status: StringEnum(HealthState),
    dependencies: Type.Record(Type.String(), StringEnum({ up: 'up', down: 'down' })),
  },
  closed,
);
export type Health = Static<typeof Health>;

export const Stats = Type.Object(
  {
    readings: Type.Integer({ minimum: 0 }),
    alerts: Type.Integer({ minimum: 0 }),
    devices: Type.Integer({ minimum: 0 }),
    devicesOnline: Type.Integer({ minimum: 0 }),
    oldestReading: Nullable(DateTime('time of the oldest reading kept')),
    newestReading: Nullable(DateTime('time of the newest reading')),
  },
  closed,
);
export type Stats = Static<typeof Stats>;

export const Site = Type.Object(
  {
    site: Id('site id'),
    devices: Type.Integer({ minimum: 0 }),
    lastReading: Nullable(DateTime('newest reading of any of its devices')),
  },
  closed,
);
export type Site = Static<typeof Site>;

export const Device = Type.Object(
  {
    site: Id('site id'),
    device: Id('device id'),
    model: Type.String({ description: 'device definition id; empty before its first reading' }),
    lastReading: Nullable(DateTime('time of its latest reading')),
    state: Nullable(StringEnum(DeviceState)),
    stateReason: Nullable(Type.String()),
    stateSince: Nullable(DateTime('when it entered its state')),
  },
  closed,
);
export type Device = Static<typeof Device>;

export const DeviceStatus = Type.Object(
  {
    state: StringEnum(DeviceState),
    reason: Nullable(Type.String()),
    since: DateTime('when it entered this state'),
  },
  closed,
);
export type DeviceStatus = Static<typeof DeviceStatus>;

export const LatestReading = Type.Object(
  {
    time: DateTime('measurement time'),
    site: Id('site id'),
    model: Type.String(),
    metrics: MetricValues,
  },
  closed,
);
export type LatestReading = Static<typeof LatestReading>;

export const HistoryBucket = Type.Object(
  {
    time: DateTime('start of the bucket'),
    values: Type.Object(MetricValues.properties, {
      ...closed,
      description: 'gauges averaged over the bucket, counters and states their last value',
    }),
    min: Type.Object(MetricValues.properties, { ...closed, description: 'gauges only' }),
    max: Type.Object(MetricValues.properties, { ...closed, description: 'gauges only' }),
  },
  closed,
);
export type HistoryBucket = Static<typeof HistoryBucket>;

export const ReadingHistory = Type.Object(
  {
    bucketSeconds: Type.Integer({ minimum: 1 }),
    rows: Type.Array(HistoryBucket, { description: 'oldest first; buckets without readings are left out' }),
  },
  closed,
);
export type ReadingHistory = Static<typeof ReadingHistory>;

/** A COP event's figures (cop.v2) for one period and category, as ingest stored them. */
export const CopRow = Type.Omit(CopV2Data, ['site', 'device', 'period']);
export type CopRow = Static<typeof CopRow>;

/** A period figure of one category, with its period (7d, 30d, 90d, 365d, season). */
export const CopFigure = Type.Omit(CopV2Data, ['site', 'device']);
export type CopFigure = Static<typeof CopFigure>;

/**
 * heatpumpmonitor.org's system stats for one heat source: the newest stored figure of each
 * rolling period and of the heating season, per category, as the cop service published them.
 */
export const CopStats = Type.Object(
  {
    device: Id('the heat source'),
    asOf: Nullable(DateTime('end of the newest figure (exclusive); null without any')),
    figures: Type.Array(CopFigure, {
      description:
        'period order 7d, 30d, 90d, 365d, season; categories combined, running, space_heating, hot_water, cooling',
    }),
  },
  closed,
);
export type CopStats = Static<typeof CopStats>;

/** A COP figure as the fleet table shows it: the value, how much of its period it covers, and why it is partial. */
export const FleetCop = Type.Object(
  {
    cop: Nullable(Type.Number()),
    coverage: Type.Number({ minimum: 0, maximum: 1 }),
    partial: Type.Boolean(),
    partialReason: Nullable(Type.String()),
    periodStart: DateTime('start of the figure'),
    periodEnd: DateTime('end of the figure (exclusive)'),
  },
  closed,
);
export type FleetCop = Static<typeof FleetCop>;

/** Rolling periods the fleet table offers (heatpumpmonitor.org's system table). */
export const FleetPeriod = StringEnum({
  days7: '7d',
  days30: '30d',
  days90: '90d',
  days365: '365d',
} as const);

/** How a site is doing, from its devices' states and how recently it reported. */
export const FleetStatus = { ok: 'ok', fault: 'fault', offline: 'offline', unknown: 'unknown' } as const;

/** One row of the installer's fleet table: a site with its heat source, live figures, COP and alerts. */
export const FleetSite = Type.Object(
  {
    site: Id('site id'),
    status: StringEnum(FleetStatus, {
      description:
        'ok: every device online; fault: a device in another state; offline: no reading for 15 min; unknown: no state yet',
    }),
    lastSeen: Nullable(DateTime('newest reading of any of its devices')),
    devices: Type.Integer({ minimum: 0 }),
    heatSource: Nullable(Id('the device whose COP is shown')),
    make: Nullable(Type.String({ description: "the heat source's vendor, from its device definition" })),
    model: Nullable(Type.String({ description: "the heat source's model (definition id where unknown)" })),
    heatW: Nullable(Type.Number({ description: 'latest heat output of the heat source [W]' })),
    elecW: Nullable(
      Type.Number({ description: 'latest electrical input of the heat source or its meter [W]' }),
    ),
    copDay: Nullable(FleetCop),
    copPeriod: Nullable(FleetCop),
    scop: Nullable(FleetCop),
    boundary: Nullable(Type.String({ description: 'SEPEMO boundary H1–H4 of the COP figures' })),
    alerts: Type.Object(
      {
        active: Type.Integer({ minimum: 0 }),
        critical: Type.Integer({ minimum: 0 }),
        warning: Type.Integer({ minimum: 0 }),
      },
      closed,
    ),
  },
  closed,
);
export type FleetSite = Static<typeof FleetSite>;

export const Fleet = Type.Object(
  {
    period: FleetPeriod,
    asOf: DateTime('when the gateway read it'),
    sites: Type.Array(FleetSite, { description: 'sorted by site id' }),
  },
  closed,
);
export type Fleet = Static<typeof Fleet>;

/** An alert in its latest state: the alert event's data and the time of that state. */
export const Alert = Type.Composite(
  [Type.Object({ time: DateTime('when it reached its state') }), AlertV1Data],
  closed,
);
export type Alert = Static<typeof Alert>;

export const AlertAck = Type.Object(
  {
    alertId: Type.String(),
    state: Type.Literal('acknowledged'),
    acknowledgedBy: Type.String({ description: 'the caller' }),
  },
  closed,
);
export type AlertAck = Static<typeof AlertAck>;

/** What the dashboard may ask a cellular device to do (the firmware also knows SET_INTERVAL). */
export const CommandRequest = Type.Object(
  { command: Type.Union([Type.Literal('STATUS'), Type.Literal('RESET')]) },
  closed,
);
export type CommandRequest = Static<typeof CommandRequest>;

/** A command published on commands.v1; the device's answer comes live (`command-result`). */
export const CommandSent = Type.Object(
  {
    commandId: Type.String({ description: 'the command event id; the answer repeats it' }),
    site: Id('site id'),
    device: Id('device id'),
    command: Type.String(),
    requestedBy: Type.String({ description: 'the caller' }),
  },
  closed,
);
export type CommandSent = Static<typeof CommandSent>;

/** The OpenAPI document itself; its shape is OpenAPI 3.1's, checked against that schema in tests. */
export const OpenApiDocument = Type.Object(
  { openapi: Type.String(), info: Type.Object({}), paths: Type.Record(Type.String(), Type.Object({})) },
  { additionalProperties: true },
);

/** How a today figure was measured (the gateway's site summary, `/api/sites/{site}/today`). */
export const EnergyFrom = {
  /** The integral of the power readings, minute by minute; minutes without a reading add nothing. */
  power: 'power',
  /** Flow rate × (flow − return) × water's heat capacity, minute by minute. */
  flowDt: 'flow-dt',
  /** The rise of the device's own energy counter (some count in whole kWh). */
  counter: 'counter',
} as const;

const Kwh = (description: string) => Nullable(Type.Number({ description }));
const From = Nullable(StringEnum(EnergyFrom));

/** One operating state of a device now, and when it last changed. */
export const StateNow = Type.Object(
  {
    metric: Type.String({ description: 'a state metric of the catalogue (compressor_on, defrost, …)' }),
    value: Type.Number(),
    since: Nullable(DateTime('when it last changed; null when unchanged since `statesFrom`')),
    seenSince: DateTime(
      'the first reading of this state from `statesFrom` on: with `since` null, the state has held at least since then (a system started an hour ago knows an hour, not a day)',
    ),
  },
  closed,
);
export type StateNow = Static<typeof StateNow>;

export const DeviceToday = Type.Object(
  {
    device: Id('device id'),
    heatKwh: Kwh('heat since `from`; null when the device measures none'),
    heatFrom: From,
    elecKwh: Kwh('electricity since `from`; null when the device measures none'),
    elecFrom: From,
    starts: Nullable(Type.Integer({ minimum: 0, description: 'compressor starts (off → on) since `from`' })),
    states: Type.Array(StateNow),
  },
  closed,
);
export type DeviceToday = Static<typeof DeviceToday>;

/** A site's day so far: energy, starts and operating states of each device, and the site's totals. */
export const SiteToday = Type.Object(
  {
    site: Id('site id'),
    from: DateTime('start of the day (the caller’s local midnight)'),
    to: DateTime('now'),
    statesFrom: DateTime('states are looked for changes from here (at most 24 h before `to`)'),
    heatKwh: Kwh('Σ heat of its devices'),
    elecKwh: Kwh(
      'Σ electricity of its meters (power readings) when it has any, else of the devices’ counters: a heat pump’s own counter and the meter on its supply measure the same energy',
    ),
    starts: Nullable(Type.Integer({ minimum: 0 })),
    startsPerHour: Nullable(Type.Number({ minimum: 0, description: 'starts / hours since `from`' })),
    devices: Type.Array(DeviceToday),
  },
  closed,
);
export type SiteToday = Static<typeof SiteToday>;
