// acq-cellular: the cloud side of the ESP32 + SIM800C devices. MQTT 5 to Mosquitto and an HTTP
// batch endpoint in, readings / device states / firmware alerts / command answers out; commands
// from COMMANDS out to the devices. Wiring only: each concern is its own file.
import type { Server } from 'node:http';
import { Type } from '@sinclair/typebox';
import { makeEvent, subjects } from '@heatstream/contracts';
import { defineService, Secret, systemClock, type Clock } from '@heatstream/runtime';
import { commandHandler } from './commands.ts';
import { startHttpBatch } from './http-batch.ts';
import { loadInventory, type InventoryDevice } from './inventory.ts';
import { MqttLink, parseTopic } from './mqtt-link.ts';
import { Presence } from './presence.ts';
import { Receiver } from './receiver.ts';

export const COMMANDS_DURABLE = 'acq-cellular-commands';

export const acqCellularConfig = {
  inventory: Type.String({
    minLength: 1,
    description: 'the device inventory (JSON) that `acq-cellular add-device` writes',
  }),
  mqtt: Type.Object(
    {
      url: Type.String({ default: 'mqtt://127.0.0.1:1883', minLength: 1 }),
      user: Type.String({ default: 'heatstream', minLength: 1 }),
      password: Secret({ description: "the service's broker password (MQTT_PASSWORD)" }),
      clientId: Type.String({ default: 'acq-cellular', minLength: 1, description: 'the persistent session' }),
      sessionExpiryS: Type.Integer({ default: 86_400, minimum: 0 }),
      startTimeoutMs: Type.Integer({
        default: 30_000,
        minimum: 0,
        description: 'how long start-up waits for the broker',
      }),
    },
    { additionalProperties: false },
  ),
  batchApi: Type.Object(
    {
      host: Type.String({ default: '127.0.0.1' }),
      port: Type.Integer({ default: 8085, minimum: 0, maximum: 65_535, description: '0 picks a free port' }),
    },
    { additionalProperties: false, default: {} },
  ),
  maxPayloadBytes: Type.Integer({
    default: 256 * 1024,
    minimum: 1_024,
    description: 'largest batch (MQTT payload or HTTP body, after gzip): 1,000 readings fit',
  }),
  silence: Type.Object(
    {
      factor: Type.Number({
        default: 3,
        exclusiveMinimum: 1,
        description: 'offline after factor × the batch interval',
      }),
      checkIntervalMs: Type.Integer({ default: 30_000, minimum: 100 }),
    },
    { additionalProperties: false, default: {} },
  ),
};

/** The service with its clock: tests pass one they control. */
export function acqCellularService(clock: Clock = systemClock) {
  return defineService({
    name: 'acq-cellular',
    config: acqCellularConfig,
    // A batch a device handed over is gone from its buffer: it must survive a NATS outage.
    outbox: true,
    async init(ctx) {
      const { mqtt, batchApi, maxPayloadBytes, silence } = ctx.config;
      const inventory = await loadInventory(ctx.config.inventory);
      const devices = new Map<string, InventoryDevice>(inventory.devices.map((d) => [d.id, d]));
      const source = `${ctx.name}/${ctx.instance}`;
      const presence = new Presence(devices, clock, silence.factor, async (device, state, reason) => {
        const event = makeEvent('heatstream.device-status.v1', {
          source,
          subject: device.id,
          time: new Date(clock.now()),
          data: { site: device.site, device: device.id, state, reason },
        });
        await ctx.publish(subjects.deviceStatus(device.site, device.id), event);
      });
      const receiver = new Receiver({
        service: ctx.name,
        source,
        publish: ctx.publish,
        log: ctx.log.child({ component: 'receiver' }),
        presence,
        devices,
        maxBytes: maxPayloadBytes,
      });
      const link = new MqttLink({
        ...mqtt,
        log: ctx.log.child({ component: 'mqtt' }),
        onMessage: async (topic, payload) => {
          const parsed = parseTopic(topic);
          const origin = `mqtt:${topic}`;
          if (!parsed) {
            await receiver.reject(origin, 'invalid', `topic ${topic} is no device topic`, payload);
            return;
          }
          const handle = {
            data: () => receiver.batch(origin, parsed.device, payload),
            'status/online': () => receiver.online(origin, parsed.device, payload),
            alerts: () => receiver.alert(origin, parsed.device, payload),
            'cmd/result': () => receiver.commandResult(origin, parsed.device, payload),
          }[parsed.kind];
          await handle();
        },
      });
      const broker = ctx.dependency({
        name: 'mqtt',
        probe: () => Promise.resolve(link.problem()),
        intervalMs: 2_000,
      });
      ctx.consume(
        COMMANDS_DURABLE,
        commandHandler(devices, (topic, payload) => link.publish(topic, payload)),
      );
      let http: Server | undefined;
      let timer: NodeJS.Timeout | undefined;
      return {
        async start() {
          link.connect();
          await broker.waitUntilUp(mqtt.startTimeoutMs);
          const started = await startHttpBatch({
            ...batchApi,
            maxBytes: maxPayloadBytes,
            devices,
            receiver,
            log: ctx.log.child({ component: 'http-batch' }),
          });
          http = started.server;
          ctx.log.info({ port: started.port, devices: devices.size }, 'HTTP batch endpoint listening');
          timer = setInterval(() => {
            presence.checkSilence().catch((error: unknown) => {
              ctx.log.error({ err: error }, 'publishing an offline state failed; the next check tries again');
            });
          }, silence.checkIntervalMs);
        },
        async stop() {
          clearInterval(timer);
          await new Promise<void>((resolve) => {
            if (!http) {
              resolve();
              return;
            }
            http.close(() => {
              resolve();
            });
            http.closeAllConnections();
          });
          await link.close();
        },
      };
    },
  });
}

export const acqCellular = acqCellularService();
