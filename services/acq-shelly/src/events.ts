// What the pollers send: readings and device states with message ids from device and measurement
// time (a retried or repeated publish — a back-fill after a restart — is stored once), and dead
// letters carrying what a device answered that could not be used.
import { DeviceState, makeEvent, subjects } from '@heatstream/contracts';
import type { Logger, Publish } from '@heatstream/runtime';
import type { ShellyRpcError } from './errors.ts';
import type { Values } from './meter.ts';

export const SERVICE = 'acq-shelly';

export interface Device {
  id: string;
  site: string;
  /** The reading's model: the kind of Shelly device. */
  model: string;
}

export class DeviceEvents {
  readonly #publish: Publish;
  readonly #source: string;
  readonly #log: Logger;
  readonly #state = new Map<string, DeviceState>();

  constructor(publish: Publish, source: string, log: Logger) {
    this.#publish = publish;
    this.#source = source;
    this.#log = log;
  }

  stateOf(device: string): DeviceState | undefined {
    return this.#state.get(device);
  }

  async reading(device: Device, time: number, metrics: Values): Promise<void> {
    const event = makeEvent('heatstream.reading.v1', {
      source: this.#source,
      subject: device.id,
      time: new Date(time),
      data: { site: device.site, device: device.id, model: device.model, metrics },
    });
    await this.#publish(subjects.reading(device.site, device.id), event, {
      msgId: `reading.${device.site}.${device.id}.${time}`,
    });
  }

  /** Publishes a state when it changed (or `force`): a repeated failure is one event, not one per poll. */
  async status(
    device: Device,
    time: number,
    state: DeviceState,
    reason?: string,
    force = false,
  ): Promise<void> {
    if (!force && this.#state.get(device.id) === state) return;
    this.#log.info(
      { device: device.id, from: this.#state.get(device.id) ?? null, to: state, reason },
      'device state changed',
    );
    const event = makeEvent('heatstream.device-status.v1', {
      source: this.#source,
      subject: device.id,
      time: new Date(time),
      data: { site: device.site, device: device.id, state, ...(reason === undefined ? {} : { reason }) },
    });
    await this.#publish(subjects.deviceStatus(device.site, device.id), event, {
      msgId: `status.${device.site}.${device.id}.${time}`,
    });
    this.#state.set(device.id, state);
  }

  /** The device's unusable answer on rejected.v1.acq-shelly: the bytes, the reason, where from. */
  async deadLetter(error: ShellyRpcError, time: number): Promise<void> {
    const event = makeEvent('heatstream.rejected.v1', {
      source: this.#source,
      subject: SERVICE,
      time: new Date(time),
      data: {
        service: SERVICE,
        reason: error.message,
        originalSubject: error.origin,
        payload: Buffer.from(error.body ?? '').toString('base64'),
        payloadEncoding: 'base64',
      },
    });
    await this.#publish(subjects.rejected(SERVICE), event);
    this.#log.warn({ origin: error.origin, reason: error.message }, 'device answer dead-lettered');
  }
}
