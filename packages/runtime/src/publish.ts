import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import { ContractError, encodeEvent, type Envelope, type EventRegistry } from '@heatstream/contracts';
import { abortable, backoffDelay, systemClock, type Clock } from './clock.ts';
import { PublishError } from './errors.ts';
import { injectTraceHeaders } from './telemetry.ts';

export interface PublishOptions {
  /** Deduplication id; defaults to the event id. Derive it from device + measurement time for readings. */
  msgId?: string;
  /** Extra headers, e.g. for dead letters. */
  headers?: Record<string, string>;
}

export type Publish = (subject: string, event: Envelope, options?: PublishOptions) => Promise<PubAck>;

export interface PublisherDeps {
  js: JetStreamClient;
  events: EventRegistry;
  tracer: Tracer;
  /** Attempts before giving up when JetStream does not confirm (server restarting, leader moving). */
  attempts?: number;
  /** Aborted when the service stops: no more retries, the delay before one ends. */
  stopping?: AbortSignal;
  /**
   * Aborted when the service is stopping and NATS is unreachable: the attempt in flight stops
   * waiting for a confirmation that cannot arrive. (While NATS is up, an attempt begun before the
   * stop, e.g. by the handler in hand, is waited for.)
   */
  giveUp?: AbortSignal;
  clock?: Clock;
}

/** Delays between attempts: doubling from 400 ms to 5 s. */
const retryBackoff = { initialMs: 400, maxMs: 5_000 };

/**
 * Validates the event against its schema, then publishes it with `Nats-Msg-Id` and the trace
 * context. Retries reuse the message id, so JetStream's duplicate window stores the event once.
 */
export function createPublisher({
  js,
  events,
  tracer,
  attempts = 5,
  stopping,
  giveUp,
  clock = systemClock,
}: PublisherDeps): Publish {
  return async (subject, event, options = {}) => {
    const issues = events.validate(event.type, event);
    if (issues.length > 0) throw new ContractError(`refusing to publish an invalid ${event.type}`, issues);
    const data = encodeEvent(event);
    const msgId = options.msgId ?? event.id;
    return tracer.startActiveSpan(`publish ${subject}`, { kind: SpanKind.PRODUCER }, async (span) => {
      span.setAttributes({
        'messaging.system': 'nats',
        'messaging.destination.name': subject,
        'messaging.message.id': msgId,
      });
      try {
        const headers = natsHeaders();
        for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k, v);
        injectTraceHeaders(headers, trace.setSpan(context.active(), span));
        let lastError: unknown;
        let attempt = 0;
        while (attempt < attempts) {
          attempt++;
          try {
            const sent = js.publish(subject, data, { msgID: msgId, headers, timeout: 5_000 });
            const ack = await (giveUp ? abortable(sent, giveUp) : sent);
            span.setAttribute('messaging.nats.duplicate', ack.duplicate);
            return ack;
          } catch (error) {
            lastError = error;
            if (attempt < attempts) await clock.sleep(backoffDelay(attempt, retryBackoff), stopping);
            if (stopping?.aborted) break;
          }
        }
        const stopped = stopping?.aborted ? ' (retries ended by shutdown)' : '';
        throw new PublishError(`publish to ${subject} not confirmed after ${attempt} attempts${stopped}`, {
          cause: lastError,
        });
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    });
  };
}
