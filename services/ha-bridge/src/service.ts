// ha-bridge: the latest of every device to Home Assistant over MQTT discovery. Core NATS
// subscriptions on the live subjects (as the gateway's live push: nothing stored, nothing acked,
// milliseconds after the publish) in; retained discovery configs and JSON state topics out to
// Mosquitto. Wiring only: entities.ts maps metrics, discovery.ts builds configs, bridge.ts keeps
// the latest and decides what to publish, mqtt.ts is the broker connection.
import { Type } from '@sinclair/typebox';
import {
  EventType,
  subjectPatterns,
  type AlertV1,
  type CopLiveV1,
  type CopV2,
  type DeviceStatusV1,
  type ReadingV1,
} from '@heatstream/contracts';
import { defineService, Secret } from '@heatstream/runtime';
import { Bridge } from './bridge.ts';
import { bridgeAvailabilityTopic, type Topics } from './discovery.ts';
import { Broker } from './mqtt.ts';

export const service = defineService({
  name: 'ha-bridge',
  config: {
    mqtt: Type.Object(
      {
        url: Type.String({ default: 'mqtt://127.0.0.1:1883', minLength: 1 }),
        user: Type.String({ default: 'ha-bridge', minLength: 1 }),
        password: Secret({ description: "the bridge's broker password (HA_BRIDGE_MQTT_PASSWORD)" }),
        clientId: Type.String({ default: 'heatstream-ha-bridge', minLength: 1 }),
        startTimeoutMs: Type.Integer({
          default: 30_000,
          minimum: 0,
          description: 'how long start-up waits for the broker',
        }),
      },
      { additionalProperties: false },
    ),
    discoveryPrefix: Type.String({
      default: 'homeassistant',
      pattern: '^[A-Za-z0-9_/-]+$',
      description: "Home Assistant's MQTT discovery prefix",
    }),
    statePrefix: Type.String({ default: 'heatstream', pattern: '^[A-Za-z0-9_-]+$' }),
  },
  init(ctx) {
    const { mqtt, discoveryPrefix, statePrefix } = ctx.config;
    const topics: Topics = { discoveryPrefix, statePrefix };
    // The bridge publishes through the broker, and the broker's reconnect republishes the bridge's.
    const bridge: Bridge = new Bridge(
      topics,
      (topic, payload): Promise<void> => broker.publish(topic, payload),
      ctx.log.child({ component: 'bridge' }),
    );
    const broker: Broker = new Broker({
      ...mqtt,
      availabilityTopic: bridgeAvailabilityTopic(topics),
      log: ctx.log.child({ component: 'mqtt' }),
      onConnect: (): Promise<void> => bridge.republish(),
    });
    const dependency = ctx.dependency({
      name: 'mqtt',
      probe: () => Promise.resolve(broker.problem()),
      intervalMs: 2_000,
    });
    ctx.subscribe(subjectPatterns[EventType.reading], (event) => bridge.reading(event as ReadingV1));
    ctx.subscribe(subjectPatterns[EventType.deviceStatus], (event) => bridge.status(event as DeviceStatusV1));
    ctx.subscribe(subjectPatterns[EventType.alert], (event) => bridge.alert(event as AlertV1));
    ctx.subscribe(subjectPatterns[EventType.copLive], (event) => bridge.copLive(event as CopLiveV1));
    ctx.subscribe(subjectPatterns[EventType.cop], (event) => bridge.copFigure(event as CopV2));
    return {
      async start() {
        broker.connect();
        await dependency.waitUntilUp(mqtt.startTimeoutMs);
      },
      async stop() {
        await broker.close();
      },
    };
  },
});
