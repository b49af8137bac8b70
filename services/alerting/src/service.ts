// alerting: readings and device statuses through its durable consumers, the evaluator's state in
// KV, a tick on the clock for silence and waits, transitions published on ALERTS, notifications
// by signed webhook and ntfy. Acknowledgements come back from the gateway as alert.v1 events on
// ALERTS, through a durable consumer of their own (contracts/src/streams.ts: alerting-alerts).
// The cop service's day rows come in on alerting-cop, for the COP-below-prediction rule.
import type { AlertV1Data, CopV2Data, DeviceStatusV1, ReadingV1 } from '@heatstream/contracts';
import { defineService, systemClock, type Clock } from '@heatstream/runtime';
import { AlertEngine } from './engine.ts';
import { Notifier } from './notifier.ts';
import { readRules, settingsProperties } from './settings.ts';
import type { Target } from './targets.ts';

/** The service on a clock of the caller's: tests set the time, main runs on the system clock. */
export function alertingService(clock: Clock = systemClock) {
  return defineService({
    name: 'alerting',
    config: settingsProperties,
    async init(ctx) {
      const { config } = ctx;
      const targets: Target[] = [
        ...Object.entries(config.webhooks).map(([name, t]) => ({ kind: 'webhook' as const, name, ...t })),
        ...Object.entries(config.ntfy).map(([name, t]) => ({ kind: 'ntfy' as const, name, ...t })),
      ];
      const rules = readRules(
        config.rules,
        targets.map((t) => t.name),
        Object.keys(config.webhooks).filter((name) => Object.hasOwn(config.ntfy, name)),
      );
      const kv = await ctx.kv('alerting_state');
      const notifier = new Notifier(targets, kv, ctx.log.child({ component: 'notify' }), config.delivery);
      const engine = new AlertEngine({
        rules,
        clock,
        expectedIntervalMs: config.expectedIntervalMs,
        kv,
        publish: ctx.publish,
        notifier,
        log: ctx.log.child({ component: 'evaluator' }),
        source: `alerting/${ctx.instance}`,
      });
      await engine.load();
      ctx.consume('alerting-readings', (event) => engine.onReading(event as ReadingV1));
      ctx.consume('alerting-devices', (event) => engine.onStatus(event as DeviceStatusV1));
      ctx.consume('alerting-alerts', (event, delivery) =>
        engine.onAlertEvent(event.data as AlertV1Data, delivery.log),
      );
      // Day rows (v1 ones upcast, with no outside temperature) for cop-below-prediction.
      ctx.consume('alerting-cop', (event, delivery) =>
        engine.onCopDay(event.data as CopV2Data, delivery.log),
      );
      let timer: NodeJS.Timeout | undefined;
      const tickLog = ctx.log.child({ component: 'tick' });
      return {
        async start() {
          await notifier.resume();
          ctx.log.info({ rules: rules.length, targets: targets.map((t) => t.name) }, 'alerting');
          timer = setInterval(() => {
            // A failed tick (KV or NATS away) is told and tried again at the next one.
            engine.tick().catch((error: unknown) => {
              tickLog.warn({ err: error }, 'tick failed');
            });
          }, config.tickIntervalMs);
        },
        async stop() {
          clearInterval(timer);
          await engine.idle();
          await notifier.stop();
        },
      };
    },
  });
}

export const service = alertingService();
