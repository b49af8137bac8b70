// Online/offline per device: online when it connects (status/online "1") or sends anything; offline
// on its last will ("0") or when it has been silent for longer than `silenceFactor` × its batch
// interval. A state is published only when it changes, so a device-status event means something.
import type { Clock } from '@heatstream/runtime';
import type { InventoryDevice } from './inventory.ts';

export type PublishStatus = (
  device: InventoryDevice,
  state: 'online' | 'unavailable',
  reason: string,
) => Promise<void>;

export class Presence {
  readonly #devices: ReadonlyMap<string, InventoryDevice>;
  readonly #clock: Clock;
  readonly #publish: PublishStatus;
  readonly #silenceFactor: number;
  readonly #state = new Map<string, 'online' | 'unavailable'>();
  readonly #lastSeen = new Map<string, number>();
  readonly #startedAt: number;

  constructor(
    devices: ReadonlyMap<string, InventoryDevice>,
    clock: Clock,
    silenceFactor: number,
    publish: PublishStatus,
  ) {
    this.#devices = devices;
    this.#clock = clock;
    this.#silenceFactor = silenceFactor;
    this.#publish = publish;
    this.#startedAt = clock.now();
  }

  /** Anything arrived from the device. */
  async seen(id: string): Promise<void> {
    this.#lastSeen.set(id, this.#clock.now());
    await this.#set(id, 'online', 'data received');
  }

  async online(id: string, reason: string): Promise<void> {
    this.#lastSeen.set(id, this.#clock.now());
    await this.#set(id, 'online', reason);
  }

  async offline(id: string, reason: string): Promise<void> {
    await this.#set(id, 'unavailable', reason);
  }

  state(id: string): 'online' | 'unavailable' | undefined {
    return this.#state.get(id);
  }

  /**
   * Marks every device silent beyond its allowance offline. A device not heard from since the
   * service started counts from the start, so a restart does not mark the whole fleet offline.
   */
  async checkSilence(): Promise<void> {
    const now = this.#clock.now();
    for (const device of this.#devices.values()) {
      const allowanceMs = device.intervalS * 1000 * this.#silenceFactor;
      const last = this.#lastSeen.get(device.id) ?? this.#startedAt;
      if (now - last > allowanceMs && this.#state.get(device.id) !== 'unavailable') {
        const silentS = Math.round((now - last) / 1000);
        await this.#set(
          device.id,
          'unavailable',
          `silent for ${silentS} s (allowed ${allowanceMs / 1000} s)`,
        );
      }
    }
  }

  async #set(id: string, state: 'online' | 'unavailable', reason: string): Promise<void> {
    const device = this.#devices.get(id);
    if (!device || this.#state.get(id) === state) return;
    // Recorded before publishing: concurrent messages of one device must not announce it twice.
    this.#state.set(id, state);
    try {
      await this.#publish(device, state, reason);
    } catch (error) {
      this.#state.delete(id);
      throw error;
    }
  }
}
