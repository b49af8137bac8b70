// Payloads in the firmware's wire format (contracts/src/cellular.ts), typed by the contract so a
// test cannot send what the firmware never would: what the firmware's encoder writes, built in TS.
import {
  cellularSensorNames,
  type CellularAlertV1,
  type CellularBatchV1,
  type CellularCommandResultV1,
  type CellularReading,
  type CellularSensor,
  type CellularStatusV1,
} from '@heatstream/contracts';

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

export type Sensors = { [S in CellularSensor]: number };

const typical: Sensors = {
  inletTemp: 38,
  outletTemp: 43.5,
  ambientTemp: 4.3,
  compressorTemp: 70,
  voltage: 230,
  current: 6.5,
  power: 1495,
  pressureHigh: 300,
  pressureLow: 80,
};

/** One reading at `timeS` (Unix seconds); sensors in `invalid` are null with valid.x false, as the firmware flags them. */
export function reading(
  timeS: number,
  values: Partial<Sensors> = {},
  invalid: readonly CellularSensor[] = [],
): CellularReading {
  const all = { ...typical, ...values };
  const bad = new Set(invalid);
  const sensors = Object.fromEntries(cellularSensorNames.map((n) => [n, bad.has(n) ? null : all[n]]));
  const valid = Object.fromEntries(cellularSensorNames.map((n) => [n, !bad.has(n)]));
  return {
    time: iso(timeS * 1000),
    ...(sensors as { [S in CellularSensor]: number | null }),
    compressor: true,
    fan: true,
    defrost: false,
    valid: valid as { [S in CellularSensor]: boolean },
  };
}

/** A batch of `n` readings 10 s apart from `startS` (Unix seconds), oldest first, as the firmware sends it. */
export function batch(device: string, n: number, startS: number): CellularBatchV1 {
  return {
    device,
    fw: 'test-1.0.0',
    seq: 1,
    readings: Array.from({ length: n }, (_, i) =>
      reading(startS + i * 10, { inletTemp: 38 + (i % 5) * 0.25 }),
    ),
    buffered: 0,
    signal: { csq: 15, dbm: -83, percent: 48 },
  };
}

/** `status/online` on connecting, and the last will. */
export const online = (fw = 'test-1.0.0', intervalS = 300): CellularStatusV1 => ({
  online: true,
  time: iso(Date.now() - (Date.now() % 1000)),
  fw,
  intervalS,
});
export const will: CellularStatusV1 = { online: false };

/** An alert as the firmware publishes it on `heatpump/<id>/alerts`. */
export function alert(device: string, timeS: number, fields: Partial<CellularAlertV1> = {}): CellularAlertV1 {
  return {
    device,
    time: iso(timeS * 1000),
    rule: 'compressor_temp_high',
    severity: 'critical',
    state: 'raised',
    value: 96.5,
    threshold: 95,
    message: `${device} CRITICAL Compressor temp 96.5C > 95C`,
    sms: true,
    ...fields,
  };
}

/** The firmware's answer to a command; STATUS carries its status block. */
export function commandResult(id: string, command: string, message: string): CellularCommandResultV1 {
  return {
    id,
    command,
    ok: true,
    time: iso(Date.now() - (Date.now() % 1000)),
    message,
    ...(command === 'STATUS'
      ? {
          status: {
            reading: reading(Math.floor(Date.now() / 1000) - 10),
            alerts: [],
            buffered: 0,
            capacity: 120,
            signal: { csq: 18, dbm: -77, percent: 58 },
            uptimeS: 3_720,
            intervalS: 300,
          },
        }
      : {}),
  };
}
