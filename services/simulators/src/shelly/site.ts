// The second demo site's Shelly devices on one house model of their own: a Pro 3EM on the heat
// pump's supply (its power is the model's electrical input) and a BLU gateway whose two H&T
// sensors report the model's indoor air. Each device is its own HTTP endpoint, as on a LAN.
import type { Logger } from '@heatstream/runtime';
import { HeatPumpHouse, type HouseOptions } from '../model/house.ts';
import { SimulatedBluGateway, type BluSensorSpec } from './blu-gateway.ts';
import { SimulatedMeter, type Profile } from './meter.ts';
import { SimulatedPro3em } from './pro3em.ts';
import { ShellyRpcServer } from './rpc.ts';

export interface ShellySiteOptions {
  host: string;
  meterPort: number;
  gatewayPort: number;
  meterId: string;
  gatewayId: string;
  password?: string | undefined;
  profile: Profile;
  pageRecords: number;
  pvPeakW: number;
  house: HouseOptions;
  /** Simulated time, epoch ms; the model starts at its value when the site is made. */
  now: () => number;
  sensors?: readonly BluSensorSpec[];
  log: Logger;
}

export const defaultSensors: readonly BluSensorSpec[] = [
  { name: 'living', offsetK: 0, humidity: 45 },
  { name: 'bedroom', offsetK: 1.5, humidity: 52 },
];

export class ShellySite {
  readonly house: HeatPumpHouse;
  readonly meter: SimulatedMeter;
  readonly pro3em: SimulatedPro3em;
  readonly gateway: SimulatedBluGateway;
  readonly meterServer: ShellyRpcServer;
  readonly gatewayServer: ShellyRpcServer;

  constructor(o: ShellySiteOptions) {
    const start = o.now();
    this.house = new HeatPumpHouse(start, o.house);
    this.meter = new SimulatedMeter(this.house, start, { pvPeakW: o.pvPeakW, keepRecords: 60 * 24 * 60 });
    this.pro3em = new SimulatedPro3em(this.meter, o.now, {
      id: o.meterId,
      profile: o.profile,
      pageRecords: o.pageRecords,
      authEnabled: o.password !== undefined,
    });
    const state = () => {
      this.meter.advanceTo(o.now());
      return this.house.state;
    };
    this.gateway = new SimulatedBluGateway(o.gatewayId, state, o.now, o.sensors ?? defaultSensors);
    this.meterServer = new ShellyRpcServer({
      host: o.host,
      port: o.meterPort,
      device: this.pro3em,
      password: o.password,
      log: o.log.child({ component: 'shelly-meter' }),
    });
    this.gatewayServer = new ShellyRpcServer({
      host: o.host,
      port: o.gatewayPort,
      device: this.gateway,
      password: undefined,
      log: o.log.child({ component: 'shelly-gateway' }),
    });
  }

  async start(): Promise<void> {
    await this.meterServer.start();
    await this.gatewayServer.start();
  }

  async stop(): Promise<void> {
    await this.meterServer.stop();
    await this.gatewayServer.stop();
  }
}
