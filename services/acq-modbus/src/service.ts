// acq-modbus: polls Modbus heat pumps and meters and publishes readings and device states.
// Wiring only: devices are resolved and validated, devices on one endpoint share one link, each
// device gets its poller, proxies share a device's link.
import { defineService, pollTimer, systemClock } from '@heatstream/runtime';
import { acqModbusConfig } from './config.ts';
import { ModbusConnection, endpointKey } from './connection.ts';
import { resolveDevices } from './definitions.ts';
import { DevicePoller } from './poller.ts';
import { ModbusProxy } from './proxy.ts';

export const acqModbus = defineService({
  name: 'acq-modbus',
  config: acqModbusConfig,
  // A reading taken while NATS is away exists nowhere else: keep it on disk until NATS has it.
  outbox: true,
  init(ctx) {
    const { devices, proxies, modbus } = ctx.config;
    const resolved = resolveDevices(devices, proxies);
    const clock = systemClock;
    const connections = new Map<string, ModbusConnection>();
    const linkOf = new Map<string, ModbusConnection>();
    for (const { config, endpoint } of resolved) {
      const key = endpointKey(endpoint);
      let connection = connections.get(key);
      if (!connection) {
        connection = new ModbusConnection(endpoint, {
          timeoutMs: modbus.timeoutMs,
          backoff: { initialMs: modbus.backoffInitialMs, maxMs: modbus.backoffMaxMs },
          clock,
          log: ctx.log.child({ component: 'link', endpoint: key }),
        });
        connections.set(key, connection);
      }
      linkOf.set(config.id, connection);
    }
    const source = `${ctx.name}/${ctx.instance}`;
    const timer = pollTimer(ctx.meter);
    const pollers = resolved.map(
      ({ config, definition }) =>
        new DevicePoller({
          device: {
            id: config.id,
            site: config.site,
            unitId: config.unitId ?? definition.unitId ?? 1,
            intervalMs: config.intervalMs ?? definition.intervalMs ?? 10_000,
            retries: modbus.retries,
            retryDelayMs: modbus.retryDelayMs,
            statusEveryMs: modbus.statusEveryMs,
          },
          definition,
          connection: linkOf.get(config.id) as ModbusConnection,
          publish: ctx.publish,
          source,
          clock,
          log: ctx.log,
          tracer: ctx.tracer,
          timer,
        }),
    );
    const proxyServers = proxies.map(
      (p) =>
        new ModbusProxy({
          host: p.host,
          port: p.port,
          unitId: p.unitId,
          upstream: linkOf.get(p.device) as ModbusConnection,
          log: ctx.log.child({ component: 'proxy', device: p.device }),
        }),
    );
    ctx.log.info(
      {
        devices: resolved.map((d) => ({
          id: d.config.id,
          definition: d.definition.id,
          link: endpointKey(d.endpoint),
        })),
      },
      'devices configured',
    );
    return {
      async start() {
        for (const proxy of proxyServers) await proxy.start();
        for (const poller of pollers) poller.start();
      },
      async stop() {
        await Promise.all(pollers.map((p) => p.stop()));
        await Promise.all(proxyServers.map((p) => p.stop()));
        await Promise.all([...connections.values()].map((c) => c.close()));
      },
    };
  },
});
