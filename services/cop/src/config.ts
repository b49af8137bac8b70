// What one heat source's COP is computed from, and the constants of the method
// (../shared/reference/cop-method.md, OpenEnergyMonitor's MyHeatpump): validated once, passed in.
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { HeatSource, ID_PATTERN, StringEnum } from '@heatstream/contracts';

/**
 * The common grid every input is averaged onto. MyHeatpump reads 10–120 s depending on the window;
 * 60 s keeps a day at 1440 slots whatever the cadence (Shelly 10 s, Modbus 30 s, Viessmann minutes)
 * and loses no energy, because a slot's mean power × 60 s is its energy.
 */
export const GRID_MS = 60_000;
/** A run of empty slots is filled with the last value when the valued slots around it are closer than this. */
export const BRIDGE_MS = 900_000;
/** Specific heat of water as MyHeatpump converts heat and flow rate (cop-method.md b.1). */
export const WATER_CP_J_PER_KG_K = 4150;
/** Heating water is taken as 1 kg per litre (cop-method.md b.1: ρ ≈ 1 kg/L). */
export const WATER_DENSITY_KG_PER_L = 1;
/** heatpumpmonitor.org's server default (the interactive UI uses 150 W). */
export const DEFAULT_STARTING_POWER_W = 100;

/** SEPEMO system boundary of the measurement (cop-method.md b.6). */
export const Boundary = { h1: 'H1', h2: 'H2', h3: 'H3', h4: 'H4' } as const;
export type Boundary = (typeof Boundary)[keyof typeof Boundary];

/** Where a backup (resistive) heater sits relative to the measured boundary (cop-method.md b.6). */
export const BackupHeater = { inside: 'inside', outside: 'outside', none: 'none' } as const;
export type BackupHeater = (typeof BackupHeater)[keyof typeof BackupHeater];

/** Whether an energy is read as power samples or as the deltas of a cumulative counter. */
export const EnergyFrom = { power: 'power', counter: 'counter' } as const;
export type EnergyFrom = (typeof EnergyFrom)[keyof typeof EnergyFrom];

const DeviceId = Type.String({ pattern: ID_PATTERN, description: 'device id' });

export const CopSourceSchema = Type.Object(
  {
    site: Type.String({ pattern: ID_PATTERN, description: 'site id' }),
    device: Type.String({
      pattern: ID_PATTERN,
      description: 'the heat source; subject of its cop.v2 events',
    }),
    elec: Type.Object(
      {
        device: DeviceId,
        from: StringEnum(EnergyFrom, {
          default: EnergyFrom.power,
          description: 'elec_power samples, or elec_energy counter deltas (the heat pump’s own counters)',
        }),
      },
      { additionalProperties: false },
    ),
    heat: Type.Object(
      {
        method: StringEnum(HeatSource, {
          description:
            'heat-meter: heat_power (or heat_energy); flow-dt: flow_rate × ΔT × cp; vendor: heat_energy',
        }),
        device: DeviceId,
        from: Type.Optional(
          StringEnum(EnergyFrom, {
            description:
              'heat-meter only: heat_power (default) or the heat_energy counter; vendor is always counter',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    modes: Type.Optional(
      Type.Object(
        {
          device: DeviceId,
          hotWater: Type.Boolean({
            default: true,
            description: 'split space heating / hot water on dhw_mode',
          }),
          cooling: Type.Boolean({ default: false, description: 'a cooling category from cooling_mode' }),
        },
        { additionalProperties: false },
      ),
    ),
    metering: Type.Object(
      {
        elecMeterClass: Type.Optional(
          Type.String({
            minLength: 1,
            description: 'accuracy class of the electricity meter, e.g. MID B (1 %)',
          }),
        ),
        heatMeterClass: Type.Optional(
          Type.String({
            minLength: 1,
            description: 'EN 1434 class of the heat meter, e.g. 2; none for flow-dt',
          }),
        ),
        backupHeater: StringEnum(BackupHeater, {
          default: BackupHeater.none,
          description: 'whether the backup heater is inside the measured boundary',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    startingPowerW: Type.Number({ minimum: 0, default: DEFAULT_STARTING_POWER_W }),
    timeZone: Type.String({
      minLength: 1,
      default: 'UTC',
      description: 'IANA zone whose midnights end days',
    }),
    boundary: StringEnum(Boundary, { default: Boundary.h4 }),
    liveWindowMs: Type.Integer({
      minimum: GRID_MS,
      // The issue's "COP over the last 30 minutes": long enough to span a compressor cycle.
      default: 1_800_000,
      description: 'rolling window of the live COP (cop-live.v1 window)',
    }),
    maxLatenessMs: Type.Integer({
      minimum: BRIDGE_MS,
      default: 3_600_000,
      description: 'how far one input may lag the others before its slots are closed without it',
    }),
    season: Type.Object(
      {
        startMonth: Type.Integer({ minimum: 1, maximum: 12, default: 10 }),
        endMonth: Type.Integer({
          minimum: 1,
          maximum: 12,
          default: 5,
          description: 'first month after the season',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);
export type CopSource = Static<typeof CopSourceSchema>;

export class CopConfigError extends Error {
  override name = 'CopConfigError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[], options?: ErrorOptions) {
    super(`invalid COP source:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.problems = problems;
  }
}

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** One heat source's settings with defaults applied; every problem reported at once. */
export function parseCopSource(raw: unknown): CopSource {
  const value = Value.Default(CopSourceSchema, structuredClone(raw));
  const problems = [...Value.Errors(CopSourceSchema, value)].map(
    (e) => `${e.path.split('/').filter(Boolean).join('.') || '(root)'}: ${e.message.toLowerCase()}`,
  );
  if (problems.length > 0) throw new CopConfigError(problems);
  const source = value as CopSource;
  if (!validTimeZone(source.timeZone))
    problems.push(`timeZone: "${source.timeZone}" is not an IANA time zone`);
  if (source.heat.from !== undefined && source.heat.method !== HeatSource.heatMeter) {
    problems.push(`heat.from: only a heat meter may choose; ${source.heat.method} fixes it`);
  }
  if (source.season.startMonth === source.season.endMonth)
    problems.push('season: starts and ends in the same month');
  if (problems.length > 0) throw new CopConfigError(problems);
  return source;
}

/** How the heat figure is read: a power gauge, a counter, or computed from flow and ΔT. */
export type HeatFrom = EnergyFrom | 'flow-dt';

export function heatFrom(source: CopSource): HeatFrom {
  if (source.heat.method === HeatSource.flowDt) return 'flow-dt';
  if (source.heat.method === HeatSource.vendor) return EnergyFrom.counter;
  return source.heat.from ?? EnergyFrom.power;
}
