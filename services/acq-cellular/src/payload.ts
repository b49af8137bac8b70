// What the ESP32 firmware sends and receives (protocols.md §6 gives the transport, not the JSON, so
// the shape is defined here; contracts/schemas/cellular-batch.v1.json, written beside the firmware,
// must say the same — the lead reconciles the two). camelCase like every heatstream contract.
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { DeviceCommand } from '@heatstream/contracts';

/** The sensors of one reading, in the firmware's own units (temperatures °C, pressures PSI). */
const sensorValues = {
  inletTemp: Type.Optional(Type.Number({ description: 'water entering the heat pump, °C' })),
  outletTemp: Type.Optional(Type.Number({ description: 'water leaving the heat pump, °C' })),
  ambientTemp: Type.Optional(Type.Number({ description: 'outdoor air, °C' })),
  compressorTemp: Type.Optional(Type.Number({ description: 'compressor discharge, °C' })),
  voltage: Type.Optional(Type.Number({ description: 'mains RMS, V' })),
  current: Type.Optional(Type.Number({ description: 'RMS, A' })),
  power: Type.Optional(Type.Number({ description: 'electrical input, W' })),
  pressureHigh: Type.Optional(Type.Number({ description: 'refrigerant high side, PSI' })),
  pressureLow: Type.Optional(Type.Number({ description: 'refrigerant low side, PSI' })),
};
export type SensorName = keyof typeof sensorValues;
export const sensorNames = Object.keys(sensorValues) as SensorName[];

// Network time before the modem has synchronised is 1980 or 2000 on a SIM800: such a reading's
// time is unknown, and storing it at that date would be worse than refusing it.
const EARLIEST_TS = Date.UTC(2020, 0, 1) / 1000;

export const CellularReading = Type.Object(
  {
    ts: Type.Integer({ minimum: EARLIEST_TS, description: 'measurement time, Unix seconds (network time)' }),
    ...sensorValues,
    compressor: Type.Optional(Type.Boolean()),
    fan: Type.Optional(Type.Boolean()),
    defrost: Type.Optional(Type.Boolean()),
    rssi: Type.Optional(Type.Integer({ maximum: 0, description: 'modem signal, dBm' })),
    valid: Type.Optional(
      Type.Object(Object.fromEntries(sensorNames.map((n) => [n, Type.Optional(Type.Boolean())])), {
        additionalProperties: false,
        description: 'false: the sensor could not be trusted (open/shorted NTC, ADC at a rail)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CellularReading = Static<typeof CellularReading>;

/** `heatpump/<id>/data` and the HTTP batch body: the buffered readings, oldest first. */
export const CellularBatch = Type.Object(
  {
    device: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }),
    readings: Type.Array(CellularReading, { minItems: 1, maxItems: 1_000 }),
  },
  { additionalProperties: false },
);
export type CellularBatch = Static<typeof CellularBatch>;

export const AlertLevel = { warning: 'warning', critical: 'critical', ok: 'ok' } as const;

/** `heatpump/<id>/alerts`: an alert the firmware raised (and sent by SMS), or its end (`ok`). */
export const CellularAlert = Type.Object(
  {
    ts: Type.Integer({ minimum: EARLIEST_TS }),
    sensor: Type.Union(sensorNames.map((n) => Type.Literal(n))),
    level: Type.Union(Object.values(AlertLevel).map((l) => Type.Literal(l))),
    value: Type.Optional(Type.Number()),
    threshold: Type.Optional(Type.Number()),
    sms: Type.Optional(Type.Boolean({ description: 'the SMS to the admin number went out' })),
  },
  { additionalProperties: false },
);
export type CellularAlert = Static<typeof CellularAlert>;

/** `heatpump/<id>/cmd`: what the service sends. */
export interface CellularCommand {
  id: string;
  command: DeviceCommand;
  args?: Record<string, string | number | boolean>;
}

/** `heatpump/<id>/cmd/result`: the device's answer. */
export const CellularCommandResult = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    command: Type.Union(Object.values(DeviceCommand).map((c) => Type.Literal(c))),
    ok: Type.Boolean(),
    text: Type.String({ maxLength: 4_000 }),
  },
  { additionalProperties: false },
);
export type CellularCommandResult = Static<typeof CellularCommandResult>;

/** Why a payload was refused: the reason and, for schema failures, each issue. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
  readonly errors: { path: string; message: string }[];
  constructor(message: string, errors: { path: string; message: string }[] = [], options?: ErrorOptions) {
    super(message, options);
    this.errors = errors;
  }
}

/** Parses JSON bytes against a schema, or throws a PayloadError with every issue. */
export function parsePayload<T extends TSchema>(schema: T, bytes: Uint8Array, what: string): Static<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new PayloadError(`malformed JSON in ${what}: ${(error as Error).message}`, [], { cause: error });
  }
  const errors = [...Value.Errors(schema, parsed)].map((e) => ({ path: e.path, message: e.message }));
  if (errors.length > 0) {
    const first = errors[0];
    throw new PayloadError(`invalid ${what}: ${first?.path || '/'} ${first?.message}`, errors);
  }
  return parsed;
}
