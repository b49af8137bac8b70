// acq-viessmann: the Viessmann cloud API (/iot/v2) as readings and device states. Wiring only:
// tokens and the call budget in the shared KV bucket, the HTTP client, one coordinator.
import { defineService, systemClock, type Clock } from '@heatstream/runtime';
import { ViessmannClient } from './api.ts';
import { CallBudget } from './budget.ts';
import { acqViessmannConfig } from './config.ts';
import { Coordinator } from './coordinator.ts';
import { TokenStore } from './tokens.ts';

export const BUCKET = 'viessmann_state';

/** The service on a clock of the caller's: tests set the time, main runs on the system clock. */
export function acqViessmannService(clock: Clock = systemClock) {
  return defineService({
    name: 'acq-viessmann',
    config: acqViessmannConfig,
    // A reading taken while NATS is away exists nowhere else, and each one cost a call.
    outbox: true,
    async init(ctx) {
      const { site, api, oauth, budget: limits, devices, frozenAfterMs } = ctx.config;
      const kv = await ctx.kv(BUCKET);
      const tokens = new TokenStore(kv, oauth, clock, oauth.refreshBeforeMs);
      const budget = new CallBudget(kv, limits, clock);
      const coordinator = new Coordinator({
        site,
        service: ctx.name,
        source: `${ctx.name}/${ctx.instance}`,
        client: new ViessmannClient(api.baseUrl, tokens, api.timeoutMs),
        budget,
        tokens,
        names: new Map(devices.map((d) => [`${d.gatewaySerial}.${d.deviceId}`, d.id])),
        rediscoverMs: api.rediscoverMs,
        frozenAfterMs,
        publish: ctx.publish,
        store: kv,
        clock,
        log: ctx.log,
      });
      return {
        async start() {
          await coordinator.restore();
          coordinator.start();
        },
        async stop() {
          await coordinator.stop();
        },
      };
    },
  });
}

export const service = acqViessmannService();
