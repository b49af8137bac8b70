// heatstream.cop.v2: everything a day row or period figure has (cop-method.md b.3–b.6). v1 could
// not carry standby, starts, seconds, counter COP, method, boundary, metering, partial, or a
// category whose heat sums negative. Fields v1 never had are null on an upcast v1 event: unknown,
// not zero.
import { Type, type Static } from '@sinclair/typebox';
import { envelopeSchema } from '../envelope.ts';
import { COP_V1, CopCategory, CopPeriod, HeatSource, type CopV1Data } from './cop.v1.ts';
import type { Envelope } from '../envelope.ts';
import type { Upcaster } from '../registry.ts';
import { DateTime, Id, StringEnum } from '../schema.ts';

export const COP_V2 = 'heatstream.cop.v2';

/** SEPEMO system boundary of the measurement (cop-method.md b.6). */
export const Boundary = { h1: 'H1', h2: 'H2', h3: 'H3', h4: 'H4' } as const;
export type Boundary = (typeof Boundary)[keyof typeof Boundary];

/** Where a backup (resistive) heater sits relative to the measured boundary. */
export const BackupHeater = { inside: 'inside', outside: 'outside', none: 'none' } as const;
export type BackupHeater = (typeof BackupHeater)[keyof typeof BackupHeater];

/** How an energy was read: power samples, a cumulative counter's deltas, or flow rate × ΔT × cp. */
export const ReadFrom = { power: 'power', counter: 'counter', flowDt: 'flow-dt' } as const;
export type ReadFrom = (typeof ReadFrom)[keyof typeof ReadFrom];

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T, description: string) =>
  Type.Union([t, Type.Null()], { description });

const Kwh = (description: string) => Type.Number({ minimum: 0, description });

export const CopMethodV2 = Type.Object(
  {
    heatSource: StringEnum(HeatSource),
    heatFrom: nullable(StringEnum(ReadFrom), 'how heat was read; null when unknown (upcast from v1)'),
    elecFrom: nullable(StringEnum(ReadFrom), 'how electricity was read; null when unknown'),
    startingPowerW: nullable(Type.Number({ minimum: 0 }), 'electricity at or above this is running'),
    gridSeconds: nullable(Type.Number({ exclusiveMinimum: 0 }), 'the common grid inputs are averaged onto'),
    bridgeSeconds: nullable(Type.Number({ minimum: 0 }), 'gaps shorter than this are bridged'),
    cpJPerKgK: nullable(
      Type.Number({ exclusiveMinimum: 0 }),
      'specific heat of water, where heat is flow × ΔT',
    ),
  },
  { additionalProperties: false, description: 'how the figure was measured' },
);
export type CopMethodV2 = Static<typeof CopMethodV2>;

export const CopMeteringV2 = Type.Object(
  {
    elecMeterClass: nullable(
      Type.String({ minLength: 1 }),
      'accuracy class of the electricity meter, e.g. MID B (1 %)',
    ),
    heatMeterClass: nullable(Type.String({ minLength: 1 }), 'EN 1434 class of the heat meter'),
    backupHeater: nullable(
      StringEnum(BackupHeater),
      'backup heater inside or outside the boundary; null when unknown',
    ),
  },
  { additionalProperties: false },
);
export type CopMeteringV2 = Static<typeof CopMeteringV2>;

export const CopCountersV2 = Type.Object(
  {
    elecKwh: Kwh('rise of the electricity counter'),
    heatKwh: Kwh('rise of the heat counter'),
    cop: nullable(Type.Number({ minimum: 0 }), 'heatKwh / elecKwh; null when elecKwh is 0'),
  },
  { additionalProperties: false, description: 'COP from the counters’ start and end values' },
);

export const CopV2Data = Type.Object(
  {
    site: Id('site id'),
    device: Id('device id (the heat source)'),
    period: StringEnum(CopPeriod),
    periodStart: DateTime('start of the period, inclusive'),
    periodEnd: DateTime('end of the period, exclusive'),
    category: StringEnum(CopCategory),
    elecKwh: Kwh('Σ electricity over the slots where heat and electricity both exist'),
    heatKwh: Type.Number({
      description: 'Σ heat over the same slots; negative when defrost outweighs the heat delivered',
    }),
    cop: nullable(Type.Number(), 'heatKwh / elecKwh; null when elecKwh is 0 (negative with net defrost)'),
    defrostHeatKwh: Type.Number({
      maximum: 0,
      description: 'Σ of the negative heat (defrost); already inside heatKwh, reported apart',
    }),
    standbyKwh: nullable(
      Kwh(''),
      'the period’s electricity while not running (combined − running), on every category’s row',
    ),
    starts: nullable(Type.Integer({ minimum: 0 }), 'the period’s compressor starts, on every category’s row'),
    startsPerHour: nullable(Type.Number({ minimum: 0 }), 'starts per hour of electricity data'),
    dataSeconds: nullable(
      Type.Number({ minimum: 0 }),
      'seconds of this category’s slots with both heat and electricity',
    ),
    coverage: Type.Number({
      minimum: 0,
      maximum: 1,
      description: 'share of the period with paired heat and electricity (0–1; shown as %)',
    }),
    dataDays: nullable(Type.Integer({ minimum: 0 }), 'days with data inside a period; null on day rows'),
    partial: Type.Boolean({ description: 'too little data for the figure to stand for its period' }),
    partialReason: nullable(Type.String({ minLength: 1 }), 'why it is partial; null when it is not'),
    counters: nullable(CopCountersV2, 'null where the source has no energy counters for both'),
    method: CopMethodV2,
    boundary: nullable(StringEnum(Boundary), 'SEPEMO boundary H1–H4 measured; null when unknown'),
    metering: CopMeteringV2,
    outsideTempC: nullable(
      Type.Number(),
      'mean outside temperature over the category’s running slots (combined: all running slots)',
    ),
    flowTempC: nullable(Type.Number(), 'mean flow temperature over the same slots'),
  },
  { additionalProperties: false },
);
export type CopV2Data = Static<typeof CopV2Data>;

export const CopV2 = envelopeSchema(COP_V2, CopV2Data);
export type CopV2 = Static<typeof CopV2>;

/** v1 → v2: the shared figures are kept; what v1 never carried is null (unknown), partial false. */
export const copV1toV2: Upcaster = {
  from: COP_V1,
  to: COP_V2,
  up(event: Envelope): Envelope {
    const v1 = event.data as CopV1Data;
    const data: CopV2Data = {
      site: v1.site,
      device: v1.device,
      period: v1.period,
      periodStart: v1.periodStart,
      periodEnd: v1.periodEnd,
      category: v1.category,
      elecKwh: v1.elecKwh,
      heatKwh: v1.heatKwh,
      cop: v1.cop,
      defrostHeatKwh: v1.defrostHeatKwh ?? 0,
      standbyKwh: null,
      starts: null,
      startsPerHour: null,
      dataSeconds: null,
      coverage: v1.coverage,
      dataDays: null,
      partial: false,
      partialReason: null,
      counters: null,
      method: {
        heatSource: v1.heatSource,
        heatFrom: null,
        elecFrom: null,
        startingPowerW: null,
        gridSeconds: null,
        bridgeSeconds: null,
        cpJPerKgK: null,
      },
      boundary: null,
      metering: { elecMeterClass: null, heatMeterClass: null, backupHeater: null },
      outsideTempC: null,
      flowTempC: null,
    };
    return { ...event, type: COP_V2, data };
  },
};
