// acq-shelly: polls Shelly Pro 3EM meters and Shelly Bluetooth gateways (BLU H&T room sensors)
// over their local HTTP RPC and publishes readings and device states. Wiring only: one RPC client
// and one coordinator per device; meters keep their energy ledger in the acq_shelly_state bucket.
import { StartupError, defineService, systemClock } from '@heatstream/runtime';
import { acqShellyConfig } from './config.ts';
import { DeviceEvents } from './events.ts';
import { MeterPoller } from './meter-poller.ts';
import { GatewayPoller } from './rooms.ts';
import { ShellyRpc } from './rpc.ts';

export const acqShelly = defineService({
  name: 'acq-shelly',
  config: acqShellyConfig,
  // A reading taken while NATS is away exists nowhere else: keep it on disk until NATS has it.
  outbox: true,
  async init(ctx) {
    const { meters, gateways, rpc, backfill, spikeMaxW, devicePassword } = ctx.config;
    const ids = [...meters.map((m) => m.id), ...gateways.map((g) => g.id)];
    const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (twice.length > 0)
      throw new StartupError(`device ids must be unique; used twice: ${twice.join(', ')}`);
    if (ids.length === 0) ctx.log.warn('no meters or gateways configured: nothing to poll');
    const clock = systemClock;
    const store = await ctx.kv('acq_shelly_state');
    const events = new DeviceEvents(ctx.publish, `${ctx.name}/${ctx.instance}`, ctx.log);
    const endpoint = (d: { host: string; port: number; password?: string | undefined }) =>
      new ShellyRpc({
        host: d.host,
        port: d.port,
        password: d.password ?? devicePassword,
        timeoutMs: rpc.timeoutMs,
      });
    const pollers = [
      ...meters.map(
        (m) =>
          new MeterPoller({
            device: {
              id: m.id,
              site: m.site,
              model: `shelly-pro-3em-${m.profile}`,
              profile: m.profile,
              intervalMs: m.intervalMs,
            },
            rpc: endpoint(m),
            events,
            store,
            clock,
            log: ctx.log,
            backfill,
            spikeMaxW,
          }),
      ),
      ...gateways.map(
        (g) => new GatewayPoller({ gateway: g, rpc: endpoint(g), events, clock, log: ctx.log }),
      ),
    ];
    ctx.log.info(
      {
        meters: meters.map((m) => ({
          id: m.id,
          profile: m.profile,
          host: `${m.host}:${m.port}`,
          auth: (m.password ?? devicePassword) !== undefined,
        })),
        gateways: gateways.map((g) => ({
          id: g.id,
          host: `${g.host}:${g.port}`,
          rooms: `${g.roomPrefix}-*`,
        })),
      },
      'devices configured',
    );
    return {
      start() {
        for (const p of pollers) p.start();
      },
      async stop() {
        await Promise.all(pollers.map((p) => p.stop()));
      },
    };
  },
});
