// The bridge's MQTT connection to Mosquitto, under its own broker user (whose ACL lets it write
// only under the discovery and state prefixes). Every message is retained with QoS 1, so Home
// Assistant finds configs and the latest values whenever it (re)connects. The last will marks the
// bridge offline, which makes every entity unavailable (availability_mode all).
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '@heatstream/runtime';

export class BrokerError extends Error {
  override readonly name = 'BrokerError';
}

export interface BrokerOptions {
  url: string;
  user: string;
  password: string;
  clientId: string;
  /** Topic of the bridge's own availability: `online` on connect, `offline` as its will. */
  availabilityTopic: string;
  log: Logger;
  /** Called after each (re)connect, once `online` is out: publish what the broker may lack. */
  onConnect(): Promise<void>;
}

export class Broker {
  readonly #client: MqttClient;
  readonly #log: Logger;
  readonly #availabilityTopic: string;
  #lastError: string | undefined = 'not connected yet';

  constructor(options: BrokerOptions) {
    this.#log = options.log;
    this.#availabilityTopic = options.availabilityTopic;
    this.#client = mqtt.connect(options.url, {
      protocolVersion: 5,
      clientId: options.clientId,
      username: options.user,
      password: options.password,
      clean: true,
      reconnectPeriod: 2_000,
      connectTimeout: 10_000,
      manualConnect: true,
      will: { topic: options.availabilityTopic, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    this.#client.on('connect', () => {
      this.#lastError = undefined;
      this.#log.info('connected to the MQTT broker');
      void this.publish(this.#availabilityTopic, 'online')
        .then(() => options.onConnect())
        .catch((error: unknown) => {
          this.#log.error({ err: error }, 'publishing after connect failed; the next reconnect tries again');
        });
    });
    this.#client.on('error', (error) => {
      this.#lastError = error.message;
      this.#log.warn({ err: error }, 'MQTT error');
    });
    this.#client.on('close', () => {
      this.#lastError ??= 'connection closed';
    });
  }

  connect(): void {
    this.#client.connect();
  }

  /** Undefined while connected, otherwise why not: the dependency probe. */
  problem(): string | undefined {
    return this.#client.connected ? undefined : (this.#lastError ?? 'disconnected');
  }

  /**
   * Retained QoS 1 publish; resolves when the broker has it. While disconnected it is skipped, not
   * queued: the bridge keeps the latest of everything and publishes it all again on reconnect.
   */
  async publish(topic: string, payload: string): Promise<void> {
    if (!this.#client.connected) return;
    try {
      await this.#client.publishAsync(topic, payload, { qos: 1, retain: true });
    } catch (error) {
      // MQTT 5: Mosquitto answers a publish its ACL refuses with reason code 135 (not authorized).
      const code = (error as { code?: unknown }).code;
      throw new BrokerError(
        code === 135
          ? `the broker refused ${topic} (not authorized): check its ACL for the bridge's user`
          : `publishing ${topic} failed`,
        { cause: error },
      );
    }
  }

  /** Marks the bridge offline (its will is for a crash) and disconnects. */
  async close(): Promise<void> {
    if (this.#client.connected) await this.publish(this.#availabilityTopic, 'offline').catch(() => undefined);
    await this.#client.endAsync();
  }
}
