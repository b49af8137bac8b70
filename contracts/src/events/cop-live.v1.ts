import { Type, type Static } from '@sinclair/typebox';
import { envelopeSchema } from '../envelope.ts';
import { DateTime, Id, StringEnum } from '../schema.ts';
import { HeatSource } from './cop.v1.ts';

export const COP_LIVE_V1 = 'heatstream.cop-live.v1';

/** Why `cop` is null: the dashboard says it instead of a bare dash. */
export const CopLiveGap = {
  /** Electricity below the starting power: the compressor is off (standby). */
  belowStartingPower: 'below-starting-power',
  noElectricity: 'no-electricity',
  noHeat: 'no-heat',
  /** Heat below zero while running: a defrost takes heat out of the house. */
  defrost: 'defrost',
} as const;
export type CopLiveGap = (typeof CopLiveGap)[keyof typeof CopLiveGap];

const Watts = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });

/**
 * One heat source's COP now and over the rolling window, on a core subject: stored nowhere, the
 * next one replaces it. The envelope's `time` is `at`.
 */
export const CopLiveV1Data = Type.Object(
  {
    site: Id('site id'),
    device: Id('device id of the heat source'),
    at: DateTime('the latest reading the figures include'),
    heatW: Watts('heat output now (the latest minute); null when unknown'),
    elecW: Watts('electrical input now (the latest minute); null when unknown'),
    cop: Type.Union([Type.Number({ minimum: 0 }), Type.Null()], {
      description: 'heatW / elecW; null when electricity is unknown or below startingPowerW',
    }),
    reason: Type.Optional(StringEnum(CopLiveGap, { description: 'why cop is null; absent when it is not' })),
    startingPowerW: Type.Number({ minimum: 0, description: 'electricity at or above this: running' }),
    window: Type.Object(
      {
        start: DateTime('start of the rolling window, inclusive'),
        end: DateTime('end of the rolling window, exclusive'),
        runningSeconds: Type.Number({ minimum: 0, description: 'seconds of running samples in it' }),
        heatKwh: Type.Number({ description: 'Σ heat over the running samples' }),
        elecKwh: Type.Number({ minimum: 0, description: 'Σ electricity over the running samples' }),
        cop: Type.Union([Type.Number(), Type.Null()], {
          description: 'heatKwh / elecKwh; null when the window has no running samples',
        }),
      },
      { additionalProperties: false },
    ),
    heatSource: StringEnum(HeatSource),
  },
  { additionalProperties: false },
);
export type CopLiveV1Data = Static<typeof CopLiveV1Data>;

export const CopLiveV1 = envelopeSchema(COP_LIVE_V1, CopLiveV1Data);
export type CopLiveV1 = Static<typeof CopLiveV1>;
