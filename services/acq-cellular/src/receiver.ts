// Everything a device sends, by whichever transport (MQTT topic or HTTP batch): validated, turned
// into events, or refused with the reason — the refused bytes go to rejected.v1.acq-cellular, so
// nothing is lost and nothing is silent.
import {
  makeEvent,
  subjects,
  subjectOf,
  type AlertSeverity,
  type AlertState,
  type Envelope,
} from '@heatstream/contracts';
import type { Logger, Publish } from '@heatstream/runtime';
import type { InventoryDevice } from './inventory.ts';
import {
  CellularAlert,
  CellularBatch,
  CellularCommandResult,
  PayloadError,
  parsePayload,
  type SensorName,
} from './payload.ts';
import type { Presence } from './presence.ts';
import { metricOfSensor, toCatalogueUnit, toReadingEvent } from './readings.ts';

/** Kept of an oversize payload in its dead letter: enough to see what it was. */
const OVERSIZE_KEPT_BYTES = 64 * 1024;

export type Outcome =
  | { ok: true; stored: number; droppedSensors: number; skippedReadings: number }
  | { ok: false; reason: string; kind: RejectKind };

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

const accepted = (stored = 0): Outcome => ({ ok: true, stored, droppedSensors: 0, skippedReadings: 0 });

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
      parsePayload(CellularBatch, bytes, 'cellular batch'),
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
    let skippedReadings = 0;
    for (const reading of batch.readings) {
      const converted = toReadingEvent(this.#deps.source, device.site, device.id, reading);
      if (!converted) {
        skippedReadings++;
        continue;
      }
      droppedSensors += converted.dropped.length;
      await this.#publish(converted.event, converted.event.id);
      stored++;
    }
    if (droppedSensors > 0 || skippedReadings > 0)
      this.#deps.log.info(
        { device: device.id, droppedSensors, skippedReadings },
        'invalid sensors left out of a batch',
      );
    await this.#deps.presence.seen(device.id);
    return { ok: true, stored, droppedSensors, skippedReadings };
  }

  /** An alert the firmware raised and sent by SMS, recorded as alert.v1 with the firmware as its rule's source. */
  async alert(origin: string, id: string, bytes: Uint8Array): Promise<Outcome> {
    const admitted = await this.#admit(origin, id, bytes);
    if (admitted.outcome) return admitted.outcome;
    const device = admitted.value;
    const parsed = await this.#parse(origin, bytes, () =>
      parsePayload(CellularAlert, bytes, 'cellular alert'),
    );
    if (parsed.outcome) return parsed.outcome;
    const alert = parsed.value;
    const sensor: SensorName = alert.sensor;
    const metric = metricOfSensor(sensor);
    const state: AlertState = alert.level === 'ok' ? 'resolved' : 'raised';
    const severity: AlertSeverity = alert.level === 'ok' ? 'info' : alert.level;
    const value = alert.value === undefined ? undefined : toCatalogueUnit(sensor, alert.value);
    const threshold = alert.threshold === undefined ? undefined : toCatalogueUnit(sensor, alert.threshold);
    const sms = alert.sms === undefined ? '' : alert.sms ? ', SMS sent' : ', SMS not sent';
    const message =
      alert.level === 'ok'
        ? `device ${device.id}: ${metric} back within limits (firmware alert)`
        : `device ${device.id}: ${metric} ${value ?? '?'} past ${threshold ?? '?'} (firmware ${alert.level} alert${sms})`;
    const event = makeEvent('heatstream.alert.v1', {
      source: this.#deps.source,
      subject: device.id,
      time: new Date(alert.ts * 1000),
      data: {
        site: device.site,
        device: device.id,
        // One instance per device and sensor: a later `ok` resolves what the firmware raised.
        alertId: `firmware-${device.id}-${sensor}`,
        rule: `firmware:${metric}`,
        severity,
        state,
        message,
        metric,
        ...(value === undefined ? {} : { value }),
        ...(threshold === undefined ? {} : { threshold }),
      },
    });
    await this.#publish(event, `firmware-${device.id}-${sensor}-${alert.ts}-${alert.level}`);
    await this.#deps.presence.seen(device.id);
    return accepted(1);
  }

  /** The device's answer to a command, recorded as command-result.v1. */
  async commandResult(origin: string, id: string, bytes: Uint8Array): Promise<Outcome> {
    const admitted = await this.#admit(origin, id, bytes);
    if (admitted.outcome) return admitted.outcome;
    const device = admitted.value;
    const parsed = await this.#parse(origin, bytes, () =>
      parsePayload(CellularCommandResult, bytes, 'command result'),
    );
    if (parsed.outcome) return parsed.outcome;
    const answer = parsed.value;
    const event = makeEvent('heatstream.command-result.v1', {
      source: this.#deps.source,
      subject: device.id,
      data: {
        site: device.site,
        device: device.id,
        commandId: answer.id,
        command: answer.command,
        ok: answer.ok,
        text: answer.text,
      },
    });
    await this.#publish(event, `result-${answer.id}`);
    await this.#deps.presence.seen(device.id);
    return accepted(1);
  }

  /** `status/online`: "1"/"online" when the device connects, "0"/"offline" as its last will. */
  async online(origin: string, id: string, bytes: Uint8Array): Promise<Outcome> {
    const admitted = await this.#admit(origin, id, bytes);
    if (admitted.outcome) return admitted.outcome;
    const device = admitted.value;
    const text = Buffer.from(bytes).toString('utf8').trim().toLowerCase();
    if (['1', 'online', 'true'].includes(text))
      await this.#deps.presence.online(device.id, 'connected to the broker');
    else if (['0', 'offline', 'false'].includes(text))
      await this.#deps.presence.offline(device.id, 'connection lost (last will)');
    else
      return this.reject(
        origin,
        RejectKind.invalid,
        `status/online must be 1/online or 0/offline, not ${JSON.stringify(text.slice(0, 40))}`,
        bytes,
      );
    return accepted(0);
  }

  #publish(event: Envelope, msgId: string) {
    return this.#deps.publish(subjectOf(event), event, { msgId });
  }
}
