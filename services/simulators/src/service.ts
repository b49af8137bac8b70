// simulators: devices that speak the real protocols, driven by a physical model per site. For now the
// Modbus TCP server (Stiebel, WAGO, LG maps); Shelly, Viessmann and cellular devices join on the
// same model.
import { StartupError, defineService, systemClock } from '@heatstream/runtime';
import { findDefinition } from '@heatstream/devices';
import { simulatorConfig } from './config.ts';
import { FaultControl } from './control.ts';
import { FaultPlan, seededRandom } from './faults.ts';
import { ModbusSimulator } from './modbus-server.ts';
import { HeatPumpHouse, type HouseOptions } from './model/house.ts';
import { metricValues } from './model/metrics.ts';
import { ShellySite } from './shelly/site.ts';
import { sharedHouse, siteHouse, unknownSites } from './sites.ts';
import { ViessmannApiSimulator } from './viessmann/api.ts';

export const simulators = defineService({
  name: 'simulators',
  config: simulatorConfig,
  init(ctx) {
    const { modbus, control, units, model, sites, faults, faultSeed, shelly } = ctx.config;
    const problems: string[] = unknownSites(units, sites);
    const resolved = units.flatMap((u, i) => {
      const definition = findDefinition(u.definition);
      if (!definition) problems.push(`units[${i}].definition: unknown "${u.definition}"`);
      return definition ? [{ unitId: u.unitId, definition }] : [];
    });
    if (problems.length > 0)
      throw new StartupError(`invalid simulator units:\n  - ${problems.join('\n  - ')}`);

    // Simulated time runs `speed` times as fast as real time from the simulated start.
    const clock = systemClock;
    const realStart = clock.now();
    const simStart = model.start === undefined ? realStart : Date.parse(model.start);
    const simNow = (): number => simStart + (clock.now() - realStart) * model.speed;
    // A house per site named by a unit, one shared by the units that name none; each is stepped
    // when one of its units is read.
    const houseOf = (options: HouseOptions): { house: HeatPumpHouse; options: HouseOptions } => ({
      house: new HeatPumpHouse(simStart, options),
      options,
    });
    const shared = houseOf(sharedHouse(model));
    const bySite = new Map(
      Object.entries(sites).map(([site, changes]) => [site, houseOf(siteHouse(model, changes))]),
    );
    const unitHouse = new Map(
      units.map((u) => [u.unitId, (u.site === undefined ? undefined : bySite.get(u.site)) ?? shared]),
    );
    const plan = new FaultPlan(faults, realStart, seededRandom(faultSeed));
    const faultControl = control.enabled
      ? new FaultControl(plan, ctx.log.child({ component: 'faults' }))
      : undefined;
    const server = new ModbusSimulator({
      host: modbus.host,
      port: modbus.port,
      units: resolved,
      values: (unitId) => {
        const { house, options } = unitHouse.get(unitId) ?? shared;
        return metricValues(house.advanceTo(simNow()), options);
      },
      faults: plan,
      clock,
      log: ctx.log.child({ component: 'modbus' }),
    });
    // The villa (second site; `sites.villa`, else a larger house than the shared one). Its Vitocal
    // (behind the simulated Viessmann API) and the Shelly meter on its supply each run a house of
    // these options from the same start: the model is deterministic, so the meter's power is the
    // Vitocal's electrical input.
    const villaOptions = siteHouse(model, sites['villa'] ?? { heatLossWPerK: 220, indoorTargetC: 21.5 });
    const villa = new HeatPumpHouse(simStart, villaOptions);
    const { viessmann } = ctx.config;
    const viessmannApi = viessmann.enabled
      ? new ViessmannApiSimulator({
          host: viessmann.host,
          port: viessmann.port,
          clientId: viessmann.clientId,
          accessTokenTtlS: viessmann.accessTokenTtlS,
          limits: { perTenMinutes: viessmann.perTenMinutes, daily: viessmann.daily },
          identity: { installationId: 4711, gatewaySerial: '7736172100000001', deviceId: '0' },
          state: () => villa.advanceTo(simNow()),
          clock,
          log: ctx.log.child({ component: 'viessmann' }),
        })
      : undefined;
    const shellySite = shelly.enabled
      ? new ShellySite({ ...shelly, house: villaOptions, now: simNow, log: ctx.log })
      : undefined;
    return {
      async start() {
        await server.start();
        await shellySite?.start();
        await viessmannApi?.start();
        await faultControl?.start(control.host, control.port);
      },
      async stop() {
        await faultControl?.stop();
        await shellySite?.stop();
        await viessmannApi?.stop();
        await server.stop();
      },
    };
  },
});
