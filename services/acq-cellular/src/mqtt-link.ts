// The service's MQTT 5 session with Mosquitto: a persistent session (clean start off, a session
// expiry), so QoS 1 messages that devices publish while the service restarts wait in the broker.
// A message is acknowledged to the broker only after its handler finished (handleMessage), i.e.
// after its events are in JetStream or the outbox — a crash in between makes the broker resend it.
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { Logger } from '@heatstream/runtime';

/** What the service subscribes to; `+` is the device id. */
export const TOPIC_KINDS = ['data', 'status/online', 'alerts', 'cmd/result'] as const;
export type TopicKind = (typeof TOPIC_KINDS)[number];

const TOPIC = /^heatpump\/([^/]+)\/(data|status\/online|alerts|cmd\/result)$/;

/** The device and kind of a device topic, or undefined. */
export function parseTopic(topic: string): { device: string; kind: TopicKind } | undefined {
  const m = TOPIC.exec(topic);
  return m ? { device: m[1] ?? '', kind: m[2] as TopicKind } : undefined;
}

export class MqttLinkError extends Error {
  override readonly name = 'MqttLinkError';
}

export interface MqttLinkOptions {
  url: string;
  user: string;
  password: string;
  clientId: string;
  sessionExpiryS: number;
  log: Logger;
  onMessage(topic: string, payload: Buffer): Promise<void>;
}

export class MqttLink {
  readonly #client: MqttClient;
  #lastError: string | undefined = 'not connected yet';

  constructor(options: MqttLinkOptions) {
    const { log } = options;
    this.#client = mqtt.connect(options.url, {
      protocolVersion: 5,
      clientId: options.clientId,
      username: options.user,
      password: options.password,
      clean: false,
      properties: { sessionExpiryInterval: options.sessionExpiryS },
      reconnectPeriod: 2_000,
      connectTimeout: 10_000,
      manualConnect: true,
    });
    this.#client.on('connect', (connack) => {
      this.#lastError = undefined;
      log.info({ sessionPresent: connack.sessionPresent }, 'connected to the MQTT broker');
      // Subscribed on every connect: with a session present it is a no-op, without one (expired,
      // broker restarted without persistence) it restores what the service needs.
      this.#client.subscribe(
        TOPIC_KINDS.map((kind) => `heatpump/+/${kind}`),
        { qos: 1 },
        (error, granted) => {
          const refused = granted?.filter((g) => g.qos > 2) ?? [];
          if (error || refused.length > 0)
            log.error(
              { err: error, refused },
              'MQTT subscription refused: check the broker ACL for the service user',
            );
        },
      );
    });
    this.#client.on('error', (error) => {
      this.#lastError = error.message;
      log.warn({ err: error }, 'MQTT error');
    });
    this.#client.on('offline', () => {
      this.#lastError ??= 'disconnected';
    });
    this.#client.on('close', () => {
      this.#lastError ??= 'connection closed';
    });
    this.#client.handleMessage = (packet: IPublishPacket, done) => {
      const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
      options.onMessage(packet.topic, payload).then(
        () => {
          done();
        },
        (error: unknown) => {
          // Not acknowledged: the broker sends it again on the next session.
          log.error(
            { err: error, topic: packet.topic },
            'handling an MQTT message failed; it stays unacknowledged',
          );
          done(error as Error);
        },
      );
    };
  }

  connect(): void {
    this.#client.connect();
  }

  /** Undefined while connected, otherwise why not: the dependency probe. */
  problem(): string | undefined {
    return this.#client.connected ? undefined : (this.#lastError ?? 'disconnected');
  }

  /** QoS 1 publish; resolves when the broker has it. */
  async publish(topic: string, payload: string): Promise<void> {
    if (!this.#client.connected) throw new MqttLinkError(`MQTT broker not connected: ${this.problem()}`);
    await this.#client.publishAsync(topic, payload, { qos: 1 });
  }

  async close(): Promise<void> {
    await this.#client.endAsync();
  }
}
