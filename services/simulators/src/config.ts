// The simulator's settings; defaults give the demo set-up: a Stiebel WPM (unit 1), a WAGO meter on
// its supply (unit 2) and an LG Therma V (unit 5) on one Modbus TCP server, in real time.
import { Type } from '@sinclair/typebox';
import { Secret } from '@heatstream/runtime';

export const FaultFields = {
  mode: Type.Union([
    Type.Literal('slow'),
    Type.Literal('exception'),
    Type.Literal('disconnect'),
    Type.Literal('garbage'),
  ]),
  rate: Type.Optional(
    Type.Number({ minimum: 0, maximum: 1, description: 'share of requests hit; default 1' }),
  ),
  unitId: Type.Optional(Type.Integer({ minimum: 0, maximum: 255, description: 'default: every unit' })),
  slowMs: Type.Optional(Type.Integer({ minimum: 0 })),
  exceptionCode: Type.Optional(Type.Integer({ minimum: 1, maximum: 255 })),
};

/** What differs between the demo sites: the building, the heat pump, the weather. */
export const SiteModel = Type.Object(
  {
    heatLossWPerK: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: 'building heat loss, W/K' }),
    ),
    thermalMassJPerK: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: 'building heat capacity, J/K' }),
    ),
    indoorTargetC: Type.Optional(Type.Number({ minimum: 10, maximum: 26 })),
    startIndoorC: Type.Optional(Type.Number({ minimum: 5, maximum: 30 })),
    curveSlope: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 3 })),
    minHeatW: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: 'lowest modulated heat output, W' }),
    ),
    maxHeatW: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'rated heat output, W' })),
    carnotFraction: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 1 })),
    flowRateLpm: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    outsideOffsetC: Type.Optional(Type.Number({ description: "added to `model`'s outside mean, K" })),
  },
  { additionalProperties: false },
);

export const simulatorConfig = {
  modbus: Type.Object(
    {
      host: Type.String({ default: '127.0.0.1' }),
      port: Type.Integer({ default: 5020, minimum: 0, maximum: 65535, description: '0 picks a free port' }),
    },
    { additionalProperties: false, default: {} },
  ),
  control: Type.Object(
    {
      host: Type.String({ default: '127.0.0.1', description: 'loopback: the switch has no login' }),
      port: Type.Integer({
        default: 0,
        minimum: 0,
        maximum: 65535,
        description: 'the fault switch (PUT /faults); 0 picks a free port',
      }),
      enabled: Type.Boolean({ default: true }),
    },
    { additionalProperties: false, default: {} },
  ),
  units: Type.Array(
    Type.Object(
      {
        unitId: Type.Integer({ minimum: 1, maximum: 247 }),
        definition: Type.String({ minLength: 1, description: 'a catalogue id from @heatstream/devices' }),
        site: Type.Optional(
          Type.String({
            minLength: 1,
            description: 'a key of `sites`: the house this unit measures; default the shared one of `model`',
          }),
        ),
      },
      { additionalProperties: false },
    ),
    {
      default: [
        { unitId: 1, definition: 'stiebel-eltron-wpm' },
        { unitId: 2, definition: 'wago-879-30xx' },
        { unitId: 5, definition: 'lg-therma-v-r290' },
      ],
    },
  ),
  model: Type.Object(
    {
      speed: Type.Number({
        default: 1,
        minimum: 0.001,
        maximum: 100_000,
        description: 'simulated seconds per second',
      }),
      start: Type.Optional(
        Type.String({ format: 'date-time', description: 'simulated start time; default now' }),
      ),
      outsideMeanC: Type.Number({ default: 3 }),
      startIndoorC: Type.Optional(
        Type.Number({
          minimum: 5,
          maximum: 30,
          description: 'indoor temperature at the start; default the target (21 °C)',
        }),
      ),
      outsideAmplitudeC: Type.Number({ default: 4, minimum: 0 }),
    },
    { additionalProperties: false, default: {} },
  ),
  sites: Type.Record(Type.String({ minLength: 1 }), SiteModel, {
    default: {},
    description:
      'a house and heat pump per site, each on `model` with these changes, so demo sites differ (services/simulators/README.md)',
  }),
  faults: Type.Array(
    Type.Union([
      Type.Object(
        {
          ...FaultFields,
          atS: Type.Number({ minimum: 0, description: 'seconds after start (real time)' }),
          forS: Type.Number({ minimum: 0 }),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          ...FaultFields,
          atRequest: Type.Integer({
            minimum: 1,
            description: 'the n-th read answered (from 1), over every unit',
          }),
          forRequests: Type.Integer({ minimum: 0 }),
        },
        { additionalProperties: false },
      ),
    ]),
    { default: [], description: 'fault schedule: windows in seconds or in requests' },
  ),
  faultSeed: Type.Integer({ default: 1 }),
  // The second site's Shelly devices (shelly/site.ts): a Pro 3EM on the heat pump's supply and a
  // Pro acting as Bluetooth gateway for two BLU H&T room sensors, on the villa's house model
  // (service.ts).
  shelly: Type.Object(
    {
      enabled: Type.Boolean({ default: false }),
      host: Type.String({ default: '127.0.0.1' }),
      meterPort: Type.Integer({
        default: 8091,
        minimum: 0,
        maximum: 65535,
        description: '0 picks a free port',
      }),
      gatewayPort: Type.Integer({
        default: 8092,
        minimum: 0,
        maximum: 65535,
        description: '0 picks a free port',
      }),
      meterId: Type.String({ default: 'shellypro3em-c8f09e878a5c', description: 'device id = digest realm' }),
      gatewayId: Type.String({ default: 'shellypro1-30c6f7829a10' }),
      password: Type.Optional(
        Secret({ description: "the meter's digest password; without it the meter has no authentication" }),
      ),
      profile: Type.Union([Type.Literal('triphase'), Type.Literal('monophase')], { default: 'triphase' }),
      pageRecords: Type.Integer({ default: 60, minimum: 1, description: 'records per EMData.GetData page' }),
      pvPeakW: Type.Number({ default: 0, minimum: 0, description: 'PV on phase a at noon, W (export)' }),
    },
    { additionalProperties: false, default: {} },
  ),
  // A second site: a Vitocal behind the Viessmann cloud API, on its own house of the same model.
  viessmann: Type.Object(
    {
      enabled: Type.Boolean({ default: false }),
      host: Type.String({ default: '127.0.0.1' }),
      port: Type.Integer({ default: 0, minimum: 0, maximum: 65535, description: '0 picks a free port' }),
      clientId: Type.String({ default: 'heatstream-simulated', minLength: 1 }),
      accessTokenTtlS: Type.Integer({ default: 3_600, minimum: 1 }),
      perTenMinutes: Type.Integer({ default: 120, minimum: 1 }),
      daily: Type.Integer({ default: 1_450, minimum: 1 }),
    },
    { additionalProperties: false, default: {} },
  ),
};
