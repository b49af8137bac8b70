// A Mosquitto with the ACL and password files generated from a fresh device inventory, devices
// that connect to it with their own credentials, and what the tests read back from JetStream.
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { events, type Envelope } from '@heatstream/contracts';
import { startSecuredMosquitto, tempDir, type MosquittoServer, type NatsFixture } from '@heatstream/testkit';
import { addDevice, brokerFiles, loadInventory } from '../src/inventory.ts';

export const SITE = 'remote';
export const SERVICE_USER = { user: 'heatstream', password: 'service-secret-for-tests' };

export interface CellularBroker extends AsyncDisposable {
  broker: MosquittoServer;
  inventory: string;
  dir: string;
  /** Each device's secret, as `add-device` printed it. */
  secrets: Record<string, string>;
}

/** Devices added to a new inventory, and a broker that knows only them (and the service user). */
export async function cellularBroker(ids: readonly string[]): Promise<CellularBroker> {
  const dir = await tempDir('cellular');
  const inventory = join(dir, 'inventory.json');
  const secrets: Record<string, string> = {};
  for (const id of ids) secrets[id] = (await addDevice(inventory, { id, site: SITE })).secret;
  const broker = await startSecuredMosquitto(brokerFiles(await loadInventory(inventory), SERVICE_USER));
  return { broker, inventory, dir, secrets, [Symbol.asyncDispose]: () => broker.stop() };
}

/** An MQTT 5 client, connected (or the connect error). */
export async function mqttClient(url: string, options: IClientOptions): Promise<MqttClient> {
  return mqtt.connectAsync(url, {
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...options,
  });
}

/** Every event stored on `subject` in `stream`, oldest first. */
export async function stored(js: NatsFixture['js'], stream: string, subject: string): Promise<Envelope[]> {
  const consumer = await js.consumers.get(stream, { filter_subjects: [subject] });
  const out: Envelope[] = [];
  try {
    for (;;) {
      const msg = await consumer.next({ expires: 1_000 });
      if (!msg) break;
      out.push(events.decode(msg.data));
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return out;
}

export { batch } from './wire.ts';
