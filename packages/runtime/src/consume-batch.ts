// Batches: the handler gets the valid events of one pull (`batch` messages, or fewer once
// `maxWaitMs` passed, so a quiet stream is still handled) and answers an outcome per event. The
// next pull runs while a batch is being handled; with `concurrency` above 1, that many batches
// are handled at once (for handlers whose batches may land in any order, e.g. idempotent upserts).
import type { JsMsg } from '@nats-io/jetstream';
import type { LoopParts } from './consume.ts';
import type { Settle } from './consume-settle.ts';
import { ok, type BatchHandler, type BatchItem, type ItemOutcome } from './handlers.ts';

/** Messages pulled and not yet settled: their ack deadline is kept alive. */
type Held = Set<JsMsg>;

export function consumeBatches(parts: LoopParts, handler: BatchHandler, concurrency = 1): Promise<void> {
  const { loop, spec } = parts;
  const held: Held = new Set();
  // The next pull is collected while the current batch is handled; a failed pull rejects when
  // awaited, inside loop.run, which then backs off and starts over.
  let next: Promise<JsMsg[]> | undefined;
  // Batches being handled. With a concurrency above 1 the next batch goes to the handler while
  // the earlier ones are still being stored, so a store's round trip does not idle the loop.
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  // JetStream would redeliver a message held past its ack wait (a slow batch, a store outage
  // the handler waits out), spending one of its deliveries; `working` restarts the clock.
  const keepAlive = setInterval(
    () => {
      for (const msg of held) msg.working();
    },
    Math.max(500, spec.ackWaitMs / 3),
  );
  const start = (msgs: JsMsg[]): Promise<void> => {
    loop.inFlight = true;
    const handled: Promise<void> = handleBatch(parts, handler, msgs)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => {
        for (const msg of msgs) held.delete(msg);
        running.delete(handled);
        loop.inFlight = running.size > 0;
        if (loop.stopping() && !loop.inFlight) loop.stopPulls();
      });
    running.add(handled);
    return handled;
  };
  const done = loop.run(async () => {
    if (failure) {
      const { error } = failure;
      failure = undefined;
      throw error;
    }
    const current = next ?? collect(parts, held);
    next = undefined;
    const msgs = await current;
    if (loop.stopping()) {
      release(msgs, held);
      return;
    }
    next = collect(parts, held);
    next.catch(() => undefined); // observed when awaited on the next turn
    if (msgs.length === 0) return;
    void start(msgs);
    // At most `concurrency` batches in hand: wait for one to finish before pulling on.
    while (running.size >= concurrency) await Promise.race(running);
  });
  return done.then(async () => {
    await Promise.all(running);
    // Whatever the pre-pull got after the stop goes straight back.
    release(await (next ?? Promise.resolve([])).catch(() => []), held);
    clearInterval(keepAlive);
  });
}

/** Collects one pull into a batch; the promise settles when the pull ends (full, or expired). */
async function collect({ loop }: LoopParts, held: Held): Promise<JsMsg[]> {
  const pull = await loop.pull();
  const msgs: JsMsg[] = [];
  try {
    for await (const msg of pull) {
      msgs.push(msg);
      held.add(msg);
    }
  } catch (error) {
    // A pull that fails part-way (a leadership change, a lost connection) has handed over messages
    // that no batch will handle: return them for redelivery and stop keeping them alive, else the
    // keep-alive would hold them unacknowledged for as long as the service runs.
    release(msgs, held);
    throw error;
  } finally {
    loop.done(pull);
  }
  return msgs;
}

/** Returns unhandled messages for redelivery now. */
function release(msgs: readonly JsMsg[], held: Held): void {
  for (const msg of msgs) {
    msg.nak();
    held.delete(msg);
  }
}

async function handleBatch(
  { loop, spec, settlement, tracing, traceEach, metrics }: LoopParts,
  handler: BatchHandler,
  msgs: readonly JsMsg[],
): Promise<void> {
  await tracing.span(
    `process batch ${spec.durable}`,
    undefined,
    { 'messaging.batch.message_count': msgs.length },
    async (span) => {
      tracing.linkAll(span, msgs);
      const admitted: (Settle & BatchItem)[] = [];
      for (const msg of msgs) {
        const item = settlement.deliveryOf(msg);
        try {
          const decoded = settlement.decode(msg);
          if ('specversion' in decoded) admitted.push(Object.assign(item, { event: decoded }));
          else await settlement.deadLetter(item, decoded);
        } catch (error) {
          item.log.error({ err: error }, 'message not settled; JetStream will redeliver it');
        }
      }
      if (admitted.length === 0) return;
      const perEvent = traceEach ? tracing.startEach(admitted.map((a) => a.msg)) : [];
      let outcomes: readonly ItemOutcome[];
      metrics.batch(admitted.length);
      const started = performance.now();
      try {
        outcomes = await handler(
          admitted.map(({ event, delivery }) => ({ event, delivery })),
          loop.signal,
        );
        if (outcomes.length !== admitted.length)
          throw new Error(`batch handler answered ${outcomes.length} outcomes for ${admitted.length} events`);
        metrics.handled(started);
      } catch (error) {
        span.recordException(error as Error);
        const failed: ItemOutcome = { status: 'retry', error: error as Error };
        outcomes = admitted.map(() => failed);
      }
      // Plain acks, not double acks: a lost ack only redelivers an event the store already
      // holds, and the consumers of batches write idempotently.
      let acked = 0;
      for (const [i, item] of admitted.entries()) {
        const outcome = outcomes[i] ?? ok;
        // Acks of stored events go out together: no await between them, so the client writes
        // them to the socket in one piece instead of one write per ack.
        if (outcome.status === 'ok') {
          item.msg.ack();
          acked++;
          continue;
        }
        try {
          await settlement.settle(item, outcome, () => Promise.resolve());
        } catch (error) {
          item.log.error({ err: error }, 'message not settled; JetStream will redeliver it');
        }
      }
      metrics.acked(acked);
      tracing.endEach(perEvent, outcomes);
    },
  );
}
