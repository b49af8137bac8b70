import { Type, type Static } from '@sinclair/typebox';
import { envelopeSchema } from '../envelope.ts';
import { DateTime, Id, StringEnum } from '../schema.ts';

export const COP_V1 = 'heatstream.cop.v1';

/** Daily rows, and their re-summed windows (heatpumpmonitor.org's 7/30/90/365 days, and the heating season). */
export const CopPeriod = {
  day: 'day',
  days7: '7d',
  days30: '30d',
  days90: '90d',
  days365: '365d',
  season: 'season',
} as const;
export type CopPeriod = (typeof CopPeriod)[keyof typeof CopPeriod];

/** OpenEnergyMonitor's split: all samples, compressor running, and by operating mode. */
export const CopCategory = {
  combined: 'combined',
  running: 'running',
  spaceHeating: 'space_heating',
  hotWater: 'hot_water',
  cooling: 'cooling',
} as const;
export type CopCategory = (typeof CopCategory)[keyof typeof CopCategory];

/** Where the heat figure came from; each COP says which. */
export const HeatSource = { heatMeter: 'heat-meter', flowDt: 'flow-dt', vendor: 'vendor' } as const;
export type HeatSource = (typeof HeatSource)[keyof typeof HeatSource];

export const CopV1Data = Type.Object(
  {
    site: Id('site id'),
    device: Id('device id'),
    period: StringEnum(CopPeriod),
    periodStart: DateTime('start of the period, inclusive'),
    periodEnd: DateTime('end of the period, exclusive'),
    category: StringEnum(CopCategory),
    heatKwh: Type.Number({
      minimum: 0,
      description: 'Σ heat over samples where both heat and electricity exist',
    }),
    elecKwh: Type.Number({ minimum: 0, description: 'Σ electricity over the same samples' }),
    cop: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
      description: 'heatKwh / elecKwh; null when elecKwh is 0',
    }),
    defrostHeatKwh: Type.Optional(
      Type.Number({ description: 'heat lost to defrost (≤ 0); already inside heatKwh, reported apart' }),
    ),
    coverage: Type.Number({ minimum: 0, maximum: 1, description: 'share of the period with usable samples' }),
    heatSource: StringEnum(HeatSource),
  },
  { additionalProperties: false },
);
export type CopV1Data = Static<typeof CopV1Data>;

export const CopV1 = envelopeSchema(COP_V1, CopV1Data);
export type CopV1 = Static<typeof CopV1>;
