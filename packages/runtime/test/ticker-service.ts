// A stand-in for an acquisition service, for the outbox tests: like a poller it publishes one
// reading per tick, each publish awaited before the next, and logs what became of each one
// (`published` with `queued`), so a test knows every reading it took and in which order.
import { Type } from '@sinclair/typebox';
import { streams, subjects, type StreamSpec } from '@heatstream/contracts';
import { readingEvent } from '@heatstream/testkit';
import { defineService, sleep } from '../src/mod.ts';

/**
 * READINGS with a duplicate window longer than any test: a test that resends a stored message
 * id must see it dropped however slow the machine is (the contract's window is 2 minutes).
 */
export const tickerStreams: readonly StreamSpec[] = streams.map((s) =>
  s.name === 'READINGS' ? { ...s, duplicateWindowMs: 30 * 60_000 } : s,
);

export const ticker = defineService({
  name: 'ticker',
  outbox: true,
  config: {
    device: Type.String({ minLength: 1 }),
    tickMs: Type.Integer({ default: 50, minimum: 1 }),
  },
  init(ctx) {
    const { device, tickMs } = ctx.config;
    const stop = new AbortController();
    let loop: Promise<void> = Promise.resolve();
    return {
      start() {
        loop = (async () => {
          for (let i = 0; !stop.signal.aborted; i++) {
            const event = readingEvent(
              { site: 'site1', device, metrics: { flow_temp: 30 + (i % 100) / 10 } },
              { source: `ticker/${ctx.instance}` },
            );
            try {
              const result = await ctx.publish(subjects.reading('site1', device), event);
              ctx.log.info(
                {
                  published: event.id,
                  queued: 'queued' in result,
                  reason: 'queued' in result ? result.reason : undefined,
                },
                'published',
              );
            } catch (error) {
              ctx.log.error({ err: error, id: event.id }, 'publish failed');
            }
            await sleep(tickMs, stop.signal);
          }
        })();
      },
      async stop() {
        stop.abort();
        await loop;
      },
    };
  },
});
