// A Shelly Gen2 Pro acting as Bluetooth gateway for BLU H&T sensors (SBHT-003C): each paired sensor
// is a `bthomedevice:<id>` component, each of its values a `bthomesensor:<id>` with the BTHome
// object id in decimal (protocols.md §0: 0x01 battery = 1, 0x2E humidity = 46, 0x45 temperature =
// 69). The sensors beacon once a minute; the room temperature comes from the house model.
import type { HouseState } from '../model/house.ts';
import { RpcError, type RpcDevice } from './rpc.ts';

export interface BluSensorSpec {
  /** The component's configured name, e.g. "living". */
  name: string;
  /** Kelvin below the model's indoor temperature (a bedroom kept cooler). */
  offsetK: number;
  humidity: number;
}

interface Sensor extends BluSensorSpec {
  deviceId: number;
  addr: string;
  /** Seconds into each minute at which it beacons: sensors are not in step. */
  phaseS: number;
  silentFrom: number | undefined;
}

const OBJ = { battery: 1, humidity: 46, temperature: 69 } as const;

export class SimulatedBluGateway implements RpcDevice {
  readonly id: string;
  readonly #house: () => Readonly<HouseState>;
  readonly #now: () => number;
  readonly #sensors: Sensor[];
  readonly #startMs: number;

  constructor(
    id: string,
    house: () => Readonly<HouseState>,
    now: () => number,
    sensors: readonly BluSensorSpec[],
  ) {
    this.id = id;
    this.#house = house;
    this.#now = now;
    this.#startMs = now();
    this.#sensors = sensors.map((s, i) => ({
      ...s,
      deviceId: 200 + i,
      addr: `7c:c6:b6:00:10:${(0x20 + i).toString(16)}`,
      phaseS: 13 + 17 * i,
      silentFrom: undefined,
    }));
  }

  /** A sensor stops beaconing (flat battery, out of range) — or starts again with `false`. */
  silence(name: string, silent = true): void {
    for (const s of this.#sensors) if (s.name === name) s.silentFrom = silent ? this.#now() : undefined;
  }

  deviceInfo(): Record<string, unknown> {
    return {
      name: null,
      id: this.id,
      mac: this.id.split('-').at(-1)?.toUpperCase() ?? '',
      slot: 0,
      model: 'SPSW-201XE16EU',
      gen: 2,
      fw_id: '20250319-080344/1.5.1-g4f2d7a1',
      ver: '1.5.1',
      app: 'Pro1',
      auth_en: false,
      auth_domain: null,
    };
  }

  /** Time of a sensor's last beacon at `now`, epoch ms. */
  #lastBeacon(s: Sensor, now: number): number {
    const until = s.silentFrom ?? now;
    const minute = Math.floor((until - s.phaseS * 1000) / 60_000) * 60_000 + s.phaseS * 1000;
    return Math.max(minute, this.#startMs);
  }

  #values(s: Sensor, at: number): { temperature: number; humidity: number; battery: number } {
    // The model is stepped by the site's meter; the last beacon shows its present indoor air.
    const indoor = this.#house().indoorC;
    const days = (at - this.#startMs) / 86_400_000;
    return {
      temperature: Number((indoor - s.offsetK).toFixed(1)),
      humidity: Math.round(s.humidity + 3 * Math.sin(at / 7_200_000)),
      battery: Math.max(0, Math.round(100 - days / 4)),
    };
  }

  #components(): Record<string, unknown>[] {
    const now = this.#now();
    return this.#sensors.flatMap((s) => {
      const at = this.#lastBeacon(s, now);
      const v = this.#values(s, at);
      const ts = Math.floor(at / 1000);
      const sensor = (offset: number, objId: number, value: number) => ({
        key: `bthomesensor:${s.deviceId * 10 + offset}`,
        status: { id: s.deviceId * 10 + offset, value, last_updated_ts: ts },
        config: { id: s.deviceId * 10 + offset, addr: s.addr, name: null, obj_id: objId, idx: 0, meta: null },
      });
      return [
        {
          key: `bthomedevice:${s.deviceId}`,
          status: {
            id: s.deviceId,
            rssi: -62 - 7 * (s.deviceId - 200),
            battery: v.battery,
            packet_id: ts % 256,
            last_updated_ts: ts,
            paired: true,
          },
          config: { id: s.deviceId, addr: s.addr, name: s.name, key: null, meta: null },
        },
        sensor(1, OBJ.battery, v.battery),
        sensor(2, OBJ.humidity, v.humidity),
        sensor(3, OBJ.temperature, v.temperature),
      ];
    });
  }

  call(method: string, params: Record<string, unknown>): unknown {
    const components = this.#components();
    const byKey = (kind: string) => {
      const c = components.find((x) => x.key === `${kind}:${String(params.id)}`);
      if (!c) throw new RpcError(-105, `Argument 'id', value ${String(params.id)} not found!`);
      return c;
    };
    switch (method) {
      case 'Shelly.GetDeviceInfo':
        return this.deviceInfo();
      case 'Shelly.GetComponents': {
        // Paged like the device: `offset` into the list, `total` tells whether more follow.
        const offset = Number(params.offset ?? 0);
        const page = components.slice(offset, offset + 8);
        return { components: page, cfg_rev: 7, offset, total: components.length };
      }
      case 'BTHomeDevice.GetStatus':
        return byKey('bthomedevice').status;
      case 'BTHomeSensor.GetStatus':
        return byKey('bthomesensor').status;
      case 'BTHomeDevice.GetConfig':
        return byKey('bthomedevice').config;
      case 'BTHomeSensor.GetConfig':
        return byKey('bthomesensor').config;
    }
    throw new RpcError(404, `No handler for ${method}`);
  }
}
