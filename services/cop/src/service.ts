// cop: readings → daily COP rows and their 7/30/90/365-day and seasonal re-sums, as cop.v2 on
// DERIVED. One durable consumer (cop-readings, batches), one CopAccumulator per configured heat
// source, its state in the cop_state bucket; derive.v1.cop answers `heatstream replay derive`.
// Batches, the clock's tick and derivation requests take turns on one queue, so an accumulator is
// never read half-updated.
import { Type } from '@sinclair/typebox';
import {
  coreSubjects,
  EventType,
  makeEvent,
  subjects,
  type DeriveReply,
  type ReadingV1,
} from '@heatstream/contracts';
import { defineService, ok, systemClock, type Clock, type ItemOutcome } from '@heatstream/runtime';
import { LivePublisher } from './cop-live.ts';
import { CopDerivation, type PublishCop } from './derivation.ts';
import { parseSources, SourcesSetting } from './site-config.ts';

export const COP_BUCKET = 'cop_state';

/** Runs `task`s one after another, in the order they were queued. */
function serialQueue(): <T>(task: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(task: () => Promise<T>): Promise<T> => {
    const run = tail.then(task, task);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** The service on a clock of the caller's: tests move time instead of waiting for it. */
export function copService(clock: Clock = systemClock) {
  return defineService({
    name: 'cop',
    config: {
      sources: SourcesSetting,
      tickMs: Type.Integer({
        default: 60_000,
        minimum: 100,
        description: 'how often slots that silent inputs hold open are closed (now − maxLatenessMs)',
      }),
      batch: Type.Object(
        {
          size: Type.Integer({ default: 500, minimum: 1 }),
          maxWaitMs: Type.Integer({ default: 1_000, minimum: 1_000 }),
        },
        { additionalProperties: false, default: {} },
      ),
      deriveIdleMs: Type.Integer({
        default: 60_000,
        minimum: 1_000,
        description: 'a re-derivation ends after this long without a request; its partial day is dropped',
      }),
    },
    async init(ctx) {
      const sources = parseSources(ctx.config.sources);
      const kv = await ctx.kv(COP_BUCKET);
      const publish: PublishCop = async (data, msgId) => {
        const event = makeEvent(EventType.cop, {
          source: `${ctx.name}/${ctx.instance}`,
          subject: data.device,
          time: new Date(clock.now()),
          data,
        });
        await ctx.publish(subjects.cop(data.site, data.device), event, { msgId });
      };
      const log = ctx.log.child({ component: 'derivation' });
      const live = await CopDerivation.open(sources, kv, publish, log, {
        persistState: true,
        wholeDaysOnly: false,
      });
      const serial = serialQueue();
      const livePush = new LivePublisher(
        sources,
        (data) =>
          void ctx.publishCore(
            makeEvent(EventType.copLive, {
              source: `${ctx.name}/${ctx.instance}`,
              subject: data.device,
              time: data.at,
              data,
            }),
          ),
        log,
      );

      ctx.consumeBatch(
        'cop-readings',
        (items) =>
          serial(async () => {
            const outcomes: ItemOutcome[] = items.map(({ event }) =>
              event.type === EventType.reading
                ? (live.add(event as ReadingV1), ok)
                : { status: 'reject', reason: `cop-readings carries readings, not ${event.type}` },
            );
            await live.flush();
            livePush.publish(live.live());
            return outcomes;
          }),
        { batch: ctx.config.batch.size, maxWaitMs: ctx.config.batch.maxWaitMs },
      );

      // A re-derivation has an accumulator set of its own, started by its first request and
      // forgotten once requests stop: replay sends no end-of-range signal (services/replay).
      let derive: { derivation: CopDerivation; timer: NodeJS.Timeout } | undefined;
      const endDerive = (): void => {
        if (derive === undefined) return;
        clearTimeout(derive.timer);
        derive = undefined;
      };
      ctx.serve(coreSubjects.derive('cop'), (request) =>
        serial(async (): Promise<string> => {
          let reply: DeriveReply;
          try {
            const event = ctx.events.decode(request.data);
            if (event.type !== EventType.reading)
              throw new Error(`cop derives from readings, not ${event.type}`);
            if (derive === undefined) {
              const derivation = await CopDerivation.open(sources, kv, publish, log, {
                persistState: false,
                wholeDaysOnly: true,
                daysOf: live,
              });
              derive = { derivation, timer: setTimeout(endDerive, ctx.config.deriveIdleMs) };
            }
            derive.timer.refresh();
            derive.derivation.add(event as ReadingV1);
            await derive.derivation.flush();
            reply = { ok: true };
          } catch (error) {
            reply = { ok: false, error: (error as Error).message };
          }
          return JSON.stringify(reply);
        }),
      );

      let ticker: NodeJS.Timeout | undefined;
      const tick = (): Promise<void> =>
        serial(async () => {
          live.advanceTo(clock.now());
          await live.flush();
        }).catch((error: unknown) => {
          ctx.log.warn({ err: error }, 'closing idle slots failed; retrying at the next tick');
        });
      return {
        start() {
          ticker = setInterval(() => void tick(), ctx.config.tickMs);
        },
        async stop() {
          clearInterval(ticker);
          endDerive();
          await serial(() => Promise.resolve());
        },
      };
    },
  });
}

export const service = copService();
