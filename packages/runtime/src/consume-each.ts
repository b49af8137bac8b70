// One message at a time: pull, handle, settle, next. On stop the message in hand finishes and is
// acked; the rest of its pull goes back (nak) for redelivery.
import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { SpanStatusCode } from '@opentelemetry/api';
import { abortable } from './clock.ts';
import type { LoopParts } from './consume.ts';
import { ok, type ItemOutcome, type MessageHandler } from './handlers.ts';

export function consumeEach(parts: LoopParts, handler: MessageHandler): Promise<void> {
  const { loop } = parts;
  return loop.run(async () => {
    const pull: ConsumerMessages = await loop.pull();
    try {
      for await (const msg of pull) {
        if (loop.stopping()) {
          msg.nak();
          continue;
        }
        loop.inFlight = true;
        try {
          await handleOne(parts, handler, msg);
        } finally {
          loop.inFlight = false;
        }
        if (loop.stopping()) pull.stop();
      }
    } finally {
      loop.done(pull);
    }
  });
}

async function handleOne(
  { settlement, tracing, giveUp, metrics }: LoopParts,
  handler: MessageHandler,
  msg: JsMsg,
): Promise<void> {
  const item = settlement.deliveryOf(msg);
  // A double ack waits for the server's confirmation; once the service is stopping with NATS
  // gone, that confirmation cannot come, and waiting for it would only spend the grace period.
  const ack = (): Promise<unknown> => (giveUp ? abortable(msg.ackAck(), giveUp) : msg.ackAck());
  await tracing.span(
    `process ${msg.subject}`,
    msg.headers,
    { 'messaging.destination.name': msg.subject, 'messaging.nats.delivery_count': msg.info.deliveryCount },
    async (span) => {
      try {
        const event = await settlement.admit(item);
        if (!event) return;
        let outcome: ItemOutcome = ok;
        const started = performance.now();
        try {
          await handler(event, item.delivery);
          metrics.handled(started);
        } catch (error) {
          span.recordException(error as Error);
          outcome = { status: 'retry', error: error as Error };
        }
        await settlement.settle(item, outcome, ack);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        item.log.error({ err: error }, 'message not settled; JetStream will redeliver it');
      }
    },
  );
}
