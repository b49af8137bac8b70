// The cellular firmware's wire format (MQTT `heatpump/<id>/…` and the HTTP batch body): the one
// contract between firmware/ and services/acq-cellular. Not events — the device speaks this, and
// acq-cellular turns it into reading.v1 / device-status.v1 / alert.v1 / command results.
// Field names are camelCase like every contract; units are the device's own (°C, V, A, W, PSI),
// because the firmware measures PSI and converting is the cloud side's job (catalogue: bar).
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DeviceCommand } from './events/command.v1.ts';
import { DateTime, Id, SCHEMA_BASE_URL, StringEnum } from './schema.ts';

/** The most readings one batch message carries; a longer backlog goes as several, oldest first. */
export const CELLULAR_BATCH_MAX_READINGS = 100;

/** Numeric sensors of one reading, with their units. Each has a `valid` flag beside it. */
export const cellularSensors = {
  inletTemp: '°C',
  outletTemp: '°C',
  ambientTemp: '°C',
  compressorTemp: '°C',
  voltage: 'V',
  current: 'A',
  power: 'W',
  pressureHigh: 'PSI',
  pressureLow: 'PSI',
} as const;
export type CellularSensor = keyof typeof cellularSensors;
export const cellularSensorNames = Object.keys(cellularSensors) as CellularSensor[];

const value = (name: CellularSensor) =>
  Type.Union([Type.Number(), Type.Null()], {
    description: `${cellularSensors[name]}; null when valid.${name} is false (never 0 for a bad sensor)`,
  });
// Spelled out (not mapped) so Static<> knows every key.
const sensorValues = {
  inletTemp: value('inletTemp'),
  outletTemp: value('outletTemp'),
  ambientTemp: value('ambientTemp'),
  compressorTemp: value('compressorTemp'),
  voltage: value('voltage'),
  current: value('current'),
  power: value('power'),
  pressureHigh: value('pressureHigh'),
  pressureLow: value('pressureLow'),
};
const validFlags = {
  inletTemp: Type.Boolean(),
  outletTemp: Type.Boolean(),
  ambientTemp: Type.Boolean(),
  compressorTemp: Type.Boolean(),
  voltage: Type.Boolean(),
  current: Type.Boolean(),
  power: Type.Boolean(),
  pressureHigh: Type.Boolean(),
  pressureLow: Type.Boolean(),
};

export const CellularReading = Type.Object(
  {
    time: DateTime('when it was measured (network time, UTC, whole seconds)'),
    ...sensorValues,
    compressor: Type.Boolean({ description: 'compressor running' }),
    fan: Type.Boolean({ description: 'fan running' }),
    defrost: Type.Boolean({ description: 'defrost active' }),
    valid: Type.Object(validFlags, {
      additionalProperties: false,
      description: 'false: open/shorted thermistor or ADC at a rail — drop the value, do not zero it',
    }),
  },
  { additionalProperties: false },
);
export type CellularReading = Static<typeof CellularReading>;

const Signal = Type.Object(
  {
    csq: Type.Integer({ minimum: 0, maximum: 99, description: 'AT+CSQ rssi: 0…31, 99 unknown' }),
    dbm: Type.Union([Type.Integer(), Type.Null()], { description: 'SIM800 table; null when csq is 99' }),
    percent: Type.Union([Type.Integer({ minimum: 0, maximum: 100 }), Type.Null()], {
      description: 'csq/31·100 (a convention)',
    }),
  },
  { additionalProperties: false },
);

/** `heatpump/<id>/data` and the HTTP batch body. */
export const CellularBatchV1 = Type.Object(
  {
    device: Id('device id; must match the topic / the token'),
    fw: Type.String({ minLength: 1, description: 'firmware version' }),
    seq: Type.Integer({ minimum: 0, description: 'batch counter since boot (diagnostics only)' }),
    readings: Type.Array(CellularReading, {
      minItems: 1,
      maxItems: CELLULAR_BATCH_MAX_READINGS,
      description: 'oldest first; a reading sent twice has the same time (dedup on device + time)',
    }),
    buffered: Type.Integer({
      minimum: 0,
      description: 'readings still waiting on the device after this batch',
    }),
    signal: Signal,
  },
  { $id: `${SCHEMA_BASE_URL}cellular-batch.v1.json`, additionalProperties: false },
);
export type CellularBatchV1 = Static<typeof CellularBatchV1>;

/** `heatpump/<id>/status/online`, retained; the last will is `{"online":false}`. */
export const CellularStatusV1 = Type.Object(
  {
    online: Type.Boolean(),
    time: Type.Optional(DateTime('when the device came online')),
    fw: Type.Optional(Type.String({ minLength: 1 })),
    intervalS: Type.Optional(
      Type.Integer({ minimum: 1, description: 'publish interval: offline after silence beyond it' }),
    ),
  },
  { $id: `${SCHEMA_BASE_URL}cellular-status.v1.json`, additionalProperties: false },
);
export type CellularStatusV1 = Static<typeof CellularStatusV1>;

export const CellularAlertRule = {
  voltageHigh: 'voltage_high',
  voltageLow: 'voltage_low',
  compressorTempHigh: 'compressor_temp_high',
  highPressureHigh: 'high_pressure_high',
  lowPressureLow: 'low_pressure_low',
  currentHigh: 'current_high',
} as const;

/** `heatpump/<id>/alerts`: the device's own alerts (the ones it also sent by SMS). */
export const CellularAlertV1 = Type.Object(
  {
    device: Id('device id'),
    time: DateTime('when the threshold was crossed / cleared'),
    rule: StringEnum(CellularAlertRule),
    severity: StringEnum({ warning: 'warning', critical: 'critical' }),
    state: StringEnum({ raised: 'raised', resolved: 'resolved' }),
    value: Type.Number({ description: 'the value that crossed (or no longer crosses) the threshold' }),
    threshold: Type.Number(),
    message: Type.String({ description: 'the SMS text' }),
    sms: Type.Boolean({ description: 'an SMS went to the admin number (false: cooldown, or resolved)' }),
  },
  { $id: `${SCHEMA_BASE_URL}cellular-alert.v1.json`, additionalProperties: false },
);
export type CellularAlertV1 = Static<typeof CellularAlertV1>;

/** `heatpump/<id>/cmd`: what the cloud asks. */
export const CellularCommandV1 = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64, description: 'echoed in the result' }),
    command: StringEnum(DeviceCommand),
    args: Type.Optional(
      Type.Object(
        { seconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 3600 })) },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: `${SCHEMA_BASE_URL}cellular-command.v1.json`, additionalProperties: false },
);
export type CellularCommandV1 = Static<typeof CellularCommandV1>;

/** `heatpump/<id>/cmd/result`: the device's answer (also the SMS reply's content). */
export const CellularCommandResultV1 = Type.Object(
  {
    id: Type.String({ description: 'the command id; empty when the command could not be parsed' }),
    command: Type.String({ description: 'as received' }),
    ok: Type.Boolean(),
    time: DateTime('when the device answered'),
    message: Type.String({ description: 'for people; the SMS reply text' }),
    status: Type.Optional(
      Type.Object(
        {
          reading: Type.Union([CellularReading, Type.Null()], { description: 'the latest reading' }),
          alerts: Type.Array(Type.String(), { description: 'active alerts as "<rule>:<severity>"' }),
          buffered: Type.Integer({ minimum: 0 }),
          capacity: Type.Integer({ minimum: 1 }),
          signal: Signal,
          uptimeS: Type.Integer({ minimum: 0 }),
          intervalS: Type.Integer({ minimum: 1 }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: `${SCHEMA_BASE_URL}cellular-command-result.v1.json`, additionalProperties: false },
);
export type CellularCommandResultV1 = Static<typeof CellularCommandResultV1>;

/** File name → schema, rendered into contracts/schemas/ by generate.ts. */
export const cellularSchemas: ReadonlyMap<string, TSchema> = new Map<string, TSchema>([
  ['cellular-batch.v1.json', CellularBatchV1],
  ['cellular-status.v1.json', CellularStatusV1],
  ['cellular-alert.v1.json', CellularAlertV1],
  ['cellular-command.v1.json', CellularCommandV1],
  ['cellular-command-result.v1.json', CellularCommandResultV1],
]);
