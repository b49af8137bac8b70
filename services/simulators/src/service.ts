// simulators: devices that speak the real protocols, driven by one physical model. For now the
// Modbus TCP server (Stiebel, WAGO, LG maps); Shelly, Viessmann and cellular devices join on the
// same model.
import { StartupError, defineService, systemClock } from '@heatstream/runtime';
import { findDefinition } from '@heatstream/devices';
import { simulatorConfig } from './config.ts';
import { FaultControl } from './control.ts';
import { FaultPlan, seededRandom } from './faults.ts';
import { ModbusSimulator } from './modbus-server.ts';
import { defaultHouse, HeatPumpHouse } from './model/house.ts';
import { metricValues } from './model/metrics.ts';
import { ShellySite } from './shelly/site.ts';
import { ViessmannApiSimulator } from './viessmann/api.ts';

export const simulators = defineService({
  name: 'simulators',
  config: simulatorConfig,
  init(ctx) {
    const { modbus, control, units, model, faults, faultSeed, shelly } = ctx.config;
    const problems: string[] = [];
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
    const options = {
      ...defaultHouse,
      weather: { ...defaultHouse.weather, meanC: model.outsideMeanC, amplitudeC: model.outsideAmplitudeC },
      ...(model.startIndoorC === undefined ? {} : { startIndoorC: model.startIndoorC }),
    };
    const house = new HeatPumpHouse(simStart, options);
    const plan = new FaultPlan(faults, realStart, seededRandom(faultSeed));
    const faultControl = control.enabled
      ? new FaultControl(plan, ctx.log.child({ component: 'faults' }))
      : undefined;
    const server = new ModbusSimulator({
      host: modbus.host,
      port: modbus.port,
      units: resolved,
      values: () => metricValues(house.advanceTo(simNow()), options),
      faults: plan,
      clock,
      log: ctx.log.child({ component: 'modbus' }),
    });
    // The villa (second site): a larger house of the same model, so it does not mirror the first
    // site. Its Vitocal (behind the simulated Viessmann API) and the Shelly meter on its supply each
    // run a house of these options from the same start: the model is deterministic, so the meter's
    // power is the Vitocal's electrical input.
    const villaOptions = { ...options, heatLossWPerK: 220, indoorTargetC: 21.5 };
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
