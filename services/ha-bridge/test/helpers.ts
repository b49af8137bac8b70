// A Mosquitto with the password and ACL files ./heatstream start writes (acq-cellular's
// broker-files, from contracts' brokerUsers), and an MQTT client that keeps what it received.
import mqtt, { type MqttClient } from 'mqtt';
import { startSecuredMosquitto, type MosquittoServer } from '@heatstream/testkit';
import { brokerFiles } from '../../acq-cellular/src/inventory.ts';

export const USERS = {
  heatstream: 'service-secret-for-tests',
  'ha-bridge': 'bridge-secret-for-tests',
  homeassistant: 'ha-secret-for-tests',
} as const;

export async function haBroker(): Promise<MosquittoServer & AsyncDisposable> {
  const broker = await startSecuredMosquitto(
    brokerFiles({ devices: [] }, { user: 'heatstream', password: USERS.heatstream }, [
      { user: 'ha-bridge', password: USERS['ha-bridge'] },
      { user: 'homeassistant', password: USERS.homeassistant },
    ]),
  );
  return { ...broker, [Symbol.asyncDispose]: () => broker.stop() };
}

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** An MQTT 5 client of `user` that records every message, newest last. */
export class Recorder implements AsyncDisposable {
  readonly messages: Received[] = [];
  readonly client: MqttClient;
  private constructor(client: MqttClient) {
    this.client = client;
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload: payload.toString(), retain: packet.retain });
    });
  }

  static async connect(url: string, user: keyof typeof USERS, filters: string[] = []): Promise<Recorder> {
    const client = await mqtt.connectAsync(url, {
      protocolVersion: 5,
      username: user,
      password: USERS[user],
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    const recorder = new Recorder(client);
    if (filters.length > 0) await client.subscribeAsync(filters, { qos: 1 });
    return recorder;
  }

  /** Publishes with QoS 1 and answers the broker's reason code: 0 accepted, 135 not authorized (ACL). */
  async reasonCode(topic: string, payload = 'x'): Promise<number> {
    try {
      const packet = await this.client.publishAsync(topic, payload, { qos: 1 });
      return (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code === 'number') return code;
      throw error;
    }
  }

  /** The newest payload on `topic`, or undefined. */
  last(topic: string): string | undefined {
    return this.messages.findLast((m) => m.topic === topic)?.payload;
  }

  json(topic: string): Record<string, unknown> | undefined {
    const text = this.last(topic);
    return text === undefined ? undefined : (JSON.parse(text) as Record<string, unknown>);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.client.endAsync();
  }
}
