// Everything a device sends, by whichever transport (MQTT topic or HTTP batch): validated, turned
// into events, or refused with the reason — the refused bytes go to rejected.v1.acq-cellular, so
// nothing is lost and nothing is silent.
import {
  CellularAlertV1,
  CellularBatchV1,
  CellularCommandResultV1,
  CellularStatusV1,
  DeviceCommand,
  makeEvent,
  subjects,
  subjectOf,
  type CellularSensor,
  type Envelope,
} from '@heatstream/contracts';
import type { Logger, Publish } from '@heatstream/runtime';
import type { InventoryDevice } from './inventory.ts';
import { PayloadError, parsePayload } from './payload.ts';
import type { Presence } from './presence.ts';
import { metricOfSensor, toCatalogueUnit, toReadingEvent } from './readings.ts';
import { statusSummary } from './status-summary.ts';

/** Kept of an oversize payload in its dead letter: enough to see what it was. */
const OVERSIZE_KEPT_BYTES = 64 * 1024;

export type Outcome =
  { ok: true; stored: number; droppedSensors: number } | { ok: false; reason: string; kind: RejectKind };

export const RejectKind = {
  invalid: 'invalid',
  unknownDevice: 'unknown-device',
  oversize: 'oversize',
} as const;
export type RejectKind = (typeof RejectKind)[keyof typeof RejectKind];

export interface ReceiverDeps {
  service: string;
  source: string;
  publish: Publish;
  log: Logger;
  presence: Presence;
  devices: ReadonlyMap<string, InventoryDevice>;
  maxBytes: number;
}

/** A value, or the outcome that refused it. */
type Parsed<T> = { value: T; outcome?: undefined } | { value?: undefined; outcome: Outcome };
const refused = (outcome: Outcome): { outcome: Outcome } => ({ outcome });

const accepted = (stored = 0): Outcome => ({ ok: true, stored, droppedSensors: 0 });

/** The sensor each firmware alert rule watches (contracts CellularAlertRule). */
const ruleSensors: Readonly<Record<CellularAlertV1['rule'], CellularSensor>> = {
  voltage_high: 'voltage',
  voltage_low: 'voltage',
  compressor_temp_high: 'compressorTemp',
  high_pressure_high: 'pressureHigh',
  low_pressure_low: 'pressureLow',
  current_high: 'current',
};

const deviceCommands: readonly string[] = Object.values(DeviceCommand);

export class Receiver {
  readonly #deps: ReceiverDeps;

  constructor(deps: ReceiverDeps) {
    this.#deps = deps;
  }

  /** Refuses bytes with the reason, as a dead letter. */
  async reject(
    origin: string,
    kind: RejectKind,
    reason: string,
    bytes: Uint8Array,
    errors: PayloadError['errors'] = [],
  ): Promise<Outcome> {
    const { service, source, publish, log } = this.#deps;
    const kept = bytes.byteLength > OVERSIZE_KEPT_BYTES ? bytes.subarray(0, OVERSIZE_KEPT_BYTES) : bytes;
    const event = makeEvent('heatstream.rejected.v1', {
      source,
      subject: service,
      data: {
        service,
        reason,
        originalSubject: origin,
        ...(errors.length > 0 ? { errors: errors.slice(0, 50) } : {}),
        payload: Buffer.from(kept).toString('base64'),
        payloadEncoding: 'base64',
      },
    });
    await publish(subjects.rejected(service), event);
    log.warn({ origin, reason }, 'payload rejected');
    return { ok: false, reason, kind };
  }

  #device(id: string): InventoryDevice | undefined {
    return this.#deps.devices.get(id);
  }

  /** Shared checks: a known device and a payload within the size limit. */
  async #admit(origin: string, id: string, bytes: Uint8Array): Promise<Parsed<InventoryDevice>> {
    const device = this.#device(id);
    if (!device)
      return refused(
        await this.reject(
          origin,
          RejectKind.unknownDevice,
          `unknown device ${JSON.stringify(id)}: not in the inventory`,
          bytes,
        ),
      );
    if (bytes.byteLength > this.#deps.maxBytes)
      return refused(
        await this.reject(
          origin,
          RejectKind.oversize,
          `payload of ${bytes.byteLength} bytes is over the limit of ${this.#deps.maxBytes}`,
          bytes,
        ),
      );
    return { value: device };
  }

  async #parse<T>(origin: string, bytes: Uint8Array, parse: () => T): Promise<Parsed<T>> {
    try {
      return { value: parse() };
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      return refused(await this.reject(origin, RejectKind.invalid, error.message, bytes, error.errors));
    }
  }

  /** A batch of buffered readings, oldest first, each stored under its own time. */
  async batch(origin: string, id: string, bytes: Uint8Array): Promise<Outcome> {
    const admitted = await this.#admit(origin, id, bytes);
    if (admitted.outcome) return admitted.outcome;
    const device = admitted.value;
    const parsed = await this.#parse(origin, bytes, () =>
      parsePayload(CellularBatchV1, bytes, 'cellular batch'),
    );
    if (parsed.outcome) return parsed.outcome;
    const batch = parsed.value;
    if (batch.device !== device.id)
      return this.reject(
        origin,
        RejectKind.invalid,
        `batch names device ${JSON.stringify(batch.device)} but came from ${device.id}`,
        bytes,
      );
    let stored = 0;
    let droppedSensors = 0;
    const newest = batch.readings.length - 1;
    for (const [i, reading] of batch.readings.entries()) {
      // The batch's signal was measured when it was sent: it belongs with the newest reading, not
      // with a backlog from hours before.
      const signal = i === newest ? batch.signal.dbm : null;
      const converted = toReadingEvent(this.#deps.source, device.site, device.id, reading, signal);
      droppedSensors += converted.dropped.length;
      await this.#publish(converted.event, converted.event.id);
      stored++;
    }
    if (droppedSensors > 0)
      this.#deps.log.info({ device: device.id, droppedSensors }, 'invalid sensors left out of a batch');
    await this.#deps.presence.seen(device.id);
    return { ok: true, stored, droppedSensors };
  }

  /** An alert the firmware raised (or cleared) and sent by SMS, recorded as alert.v1 with the firmware as its rule's source. */
  async alert(origin: string, id: string, bytes: Uint8Array): Promise<Outcome> {
    const admitted = await this.#admit(origin, id, bytes);
    if (admitted.outcome) return admitted.outcome;
    const device = admitted.value;
    const parsed = await this.#parse(origin, bytes, () =>
      parsePayload(CellularAlertV1, bytes, 'cellular alert'),
    );
    if (parsed.outcome) return parsed.outcome;
    const alert = parsed.value;
    if (alert.device !== device.id)
      return this.reject(
        origin,
        RejectKind.invalid,
        `alert names device ${JSON.stringify(alert.device)} but came from ${device.id}`,
        bytes,
      );
    const sensor = ruleSensors[alert.rule];
    // The firmware raises and resolves each rule per level (warning → critical resolves the warning
    // and raises the critical): one alert instance per device, rule and severity.
    const alertId = `firmware-${device.id}-${alert.rule}-${alert.severity}`;
    const sms = alert.state === 'raised' ? (alert.sms ? ' (SMS sent)' : ' (no SMS: cooldown)') : '';
    const event = makeEvent('heatstream.alert.v1', {
      source: this.#deps.source,
      subject: device.id,
      time: new Date(alert.time),
      data: {
        site: device.site,
        device: device.id,
        alertId,
        rule: `firmware:${alert.rule}`,
        severity: alert.severity,
        state: alert.state,
        message: `${alert.message}${sms}`,
        metric: metricOfSensor(sensor),
        value: toCatalogueUnit(sensor, alert.value),
        threshold: toCatalogueUnit(sensor, alert.threshold),
      },
    });
    await this.#publish(event, `${alertId}-${alert.state}-${alert.time}`);
    await this.#deps.presence.seen(device.id);
    return accepted(1);
  }

  /** The device's answer to a command, recorded as command-result.v1 (its message and status). */
  async commandResult(origin: string, id: string, bytes: Uint8Array): Promise<Outcome> {
    const admitted = await this.#admit(origin, id, bytes);
    if (admitted.outcome) return admitted.outcome;
    const device = admitted.value;
    const parsed = await this.#parse(origin, bytes, () =>
      parsePayload(CellularCommandResultV1, bytes, 'command result'),
    );
    if (parsed.outcome) return parsed.outcome;
    const answer = parsed.value;
    // The firmware answers even what it could not parse (empty id): that is no answer to a command
    // of ours, so it is refused with the device's own reason rather than recorded against nothing.
    if (answer.id === '' || !deviceCommands.includes(answer.command))
      return this.reject(
        origin,
        RejectKind.invalid,
        `command result for ${answer.id === '' ? 'no command id' : `unknown command ${JSON.stringify(answer.command)}`}: ${answer.message}`,
        bytes,
      );
    const text = answer.status ? `${answer.message}\n${statusSummary(answer.status)}` : answer.message;
    const event = makeEvent('heatstream.command-result.v1', {
      source: this.#deps.source,
      subject: device.id,
      data: {
        site: device.site,
        device: device.id,
        commandId: answer.id,
        command: answer.command as DeviceCommand,
        ok: answer.ok,
        text,
      },
    });
    await this.#publish(event, `result-${answer.id}`);
    await this.#deps.presence.seen(device.id);
    return accepted(1);
  }

  /** `status/online` (retained): `{"online":true,…}` on connecting, `{"online":false}` as the last will. */
  async online(origin: string, id: string, bytes: Uint8Array): Promise<Outcome> {
    const admitted = await this.#admit(origin, id, bytes);
    if (admitted.outcome) return admitted.outcome;
    const device = admitted.value;
    const parsed = await this.#parse(origin, bytes, () =>
      parsePayload(CellularStatusV1, bytes, 'device status'),
    );
    if (parsed.outcome) return parsed.outcome;
    const status = parsed.value;
    if (status.online) {
      const about = [
        ...(status.fw === undefined ? [] : [`firmware ${status.fw}`]),
        ...(status.intervalS === undefined ? [] : [`publishes every ${status.intervalS} s`]),
      ];
      await this.#deps.presence.online(
        device.id,
        `connected to the broker${about.length === 0 ? '' : ` (${about.join(', ')})`}`,
      );
    }
    // The firmware sends the same as its will and before an orderly stop.
    else await this.#deps.presence.offline(device.id, 'offline (last will, or an orderly stop)');
    return accepted(0);
  }

  #publish(event: Envelope, msgId: string) {
    return this.#deps.publish(subjectOf(event), event, { msgId });
  }
}
