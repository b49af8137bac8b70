// Room climate from Shelly BLU H&T sensors, through a Shelly Gen2 Pro/Gen3 device acting as
// Bluetooth gateway (protocols.md §0). One Shelly.GetComponents per poll (paged by `offset`) holds
// every BTHome device and sensor with status and config: each `bthomedevice` is a room device named
// from its configured name; its `bthomesensor`s (same MAC address) give temperature (object 0x45),
// humidity (0x2E) and battery (0x01). A reading carries the time of the beacon it came from, so
// polling faster than the sensors beacon publishes each beacon once; a sensor silent beyond
// `silentAfterMs` becomes `unavailable`.
import { DeviceState, type MetricName } from '@heatstream/contracts';
import { Value } from '@sinclair/typebox/value';
import type { Clock, Logger } from '@heatstream/runtime';
import { RpcFailure, ShellyRpcError } from './errors.ts';
import type { Device, DeviceEvents } from './events.ts';
import { isBadAnswer } from './meter-poller.ts';
import type { Values } from './meter.ts';
import type { ShellyRpc } from './rpc.ts';
import {
  BtHomeDeviceConfig,
  BtHomeDeviceStatus,
  BtHomeSensorConfig,
  BtHomeSensorStatus,
  GetComponentsResult,
} from './shapes.ts';

/** BTHome object ids (decimal, as the sensor config holds them) → catalogue metric and scale. */
const OBJECTS: Readonly<Record<number, MetricName>> = {
  0x45: 'indoor_temp',
  0x2e: 'indoor_humidity',
  0x01: 'battery_level',
};

export interface GatewayPollerOptions {
  gateway: { id: string; site: string; roomPrefix: string; intervalMs: number; silentAfterMs: number };
  rpc: ShellyRpc;
  events: DeviceEvents;
  clock: Clock;
  log: Logger;
}

export interface Room {
  device: Device;
  /** Last beacon, epoch ms. */
  beaconAt: number | undefined;
  values: Values;
}

const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);

const MAX_PAGES = 20;

export class GatewayPoller {
  readonly #o: GatewayPollerOptions;
  readonly #log: Logger;
  /** Last beacon published per room device, so one beacon is one reading. */
  readonly #published = new Map<string, number>();
  readonly #rooms = new Map<string, Device>();
  #running: Promise<void> = Promise.resolve();
  #stopping = new AbortController();

  constructor(o: GatewayPollerOptions) {
    this.#o = o;
    this.#log = o.log.child({ component: 'gateway', gateway: o.gateway.id });
  }

  start(): void {
    this.#stopping = new AbortController();
    const signal = this.#stopping.signal;
    const { clock, gateway } = this.#o;
    this.#running = (async () => {
      while (!signal.aborted) {
        await this.pollOnce().catch((error: unknown) => {
          this.#log.error({ err: error }, 'poll failed');
        });
        await clock.sleep(gateway.intervalMs - (clock.now() % gateway.intervalMs), signal);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#running;
  }

  async pollOnce(): Promise<Room[]> {
    const { events, clock, gateway } = this.#o;
    const time = clock.now();
    let rooms: Room[];
    try {
      rooms = await this.#read();
    } catch (error) {
      if (!(error instanceof ShellyRpcError)) throw error;
      // The gateway itself is down: every room it serves is.
      const state =
        error.failure === RpcFailure.auth
          ? DeviceState.authFailed
          : isBadAnswer(error)
            ? DeviceState.badData
            : DeviceState.unavailable;
      if (isBadAnswer(error)) await events.deadLetter(error, time);
      this.#log.warn({ failure: error.failure, reason: error.message }, 'gateway poll failed');
      for (const device of this.#rooms.values())
        await events.status(device, time, state, `gateway ${gateway.id}: ${error.message}`);
      return [];
    }
    for (const room of rooms) {
      this.#rooms.set(room.device.id, room.device);
      const silentFor = room.beaconAt === undefined ? Infinity : time - room.beaconAt;
      if (silentFor > gateway.silentAfterMs) {
        const since =
          room.beaconAt === undefined
            ? 'never heard'
            : `silent since ${new Date(room.beaconAt).toISOString()}`;
        await events.status(room.device, time, DeviceState.unavailable, `BLU sensor ${since}`);
        continue;
      }
      const at = room.beaconAt as number;
      if (this.#published.get(room.device.id) !== at && Object.keys(room.values).length > 0) {
        await events.reading(room.device, at, room.values);
        this.#published.set(room.device.id, at);
      }
      await events.status(room.device, time, DeviceState.online);
    }
    return rooms;
  }

  async #read(): Promise<Room[]> {
    const { rpc, gateway } = this.#o;
    const components: { key: string; status?: unknown; config?: unknown }[] = [];
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = await rpc.call('Shelly.GetComponents', GetComponentsResult, {
        offset: components.length,
        include: '["status","config"]',
      });
      components.push(...result.components);
      if (result.components.length === 0 || components.length >= result.total) break;
    }
    const shape = <T extends Parameters<typeof Value.Check>[0]>(schema: T, value: unknown, key: string) => {
      if (Value.Check(schema, value)) return value;
      const issues = [...Value.Errors(schema, value)].slice(0, 3).map((e) => `${e.path || '/'} ${e.message}`);
      throw new ShellyRpcError(
        RpcFailure.shape,
        `${rpc.base}/rpc/Shelly.GetComponents`,
        `${key}: unexpected shape: ${issues.join('; ')}`,
        {
          body: JSON.stringify({ key, value }),
        },
      );
    };
    const sensors = components
      .filter((c) => c.key.startsWith('bthomesensor:'))
      .map((c) => ({
        config: shape(BtHomeSensorConfig, c.config, `${c.key} config`),
        status: shape(BtHomeSensorStatus, c.status, `${c.key} status`),
      }));
    return components
      .filter((c) => c.key.startsWith('bthomedevice:'))
      .map((c) => {
        const config = shape(BtHomeDeviceConfig, c.config, `${c.key} config`);
        const status = shape(BtHomeDeviceStatus, c.status, `${c.key} status`);
        const name = slug(config.name ?? '') || config.addr.replaceAll(':', '').toLowerCase();
        const values: Values = {};
        let beacon = typeof status.last_updated_ts === 'number' ? status.last_updated_ts : undefined;
        for (const s of sensors.filter((x) => x.config.addr.toLowerCase() === config.addr.toLowerCase())) {
          const metric = OBJECTS[s.config.obj_id];
          if (metric && typeof s.status.value === 'number') values[metric] = s.status.value;
          if (typeof s.status.last_updated_ts === 'number')
            beacon = Math.max(beacon ?? 0, s.status.last_updated_ts);
        }
        if (values.battery_level === undefined && typeof status.battery === 'number')
          values.battery_level = status.battery;
        if (typeof status.rssi === 'number') values.signal_rssi = status.rssi;
        return {
          device: {
            id: `${gateway.roomPrefix}-${name}`.slice(0, 64),
            site: gateway.site,
            model: 'shelly-blu-ht',
          },
          beaconAt: beacon === undefined ? undefined : beacon * 1000,
          values,
        };
      });
  }
}
