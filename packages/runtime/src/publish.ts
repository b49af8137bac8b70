import { headers as natsHeaders } from '@nats-io/transport-node';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import { ContractError, encodeEvent, type Envelope, type EventRegistry } from '@heatstream/contracts';
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
}

/**
 * Validates the event against its schema, then publishes it with `Nats-Msg-Id` and the trace
 * context. Retries reuse the message id, so JetStream's duplicate window stores the event once.
 */
export function createPublisher({ js, events, tracer, attempts = 5 }: PublisherDeps): Publish {
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
        for (let attempt = 1; attempt <= attempts; attempt++) {
          try {
            const ack = await js.publish(subject, data, { msgID: msgId, headers, timeout: 5_000 });
            span.setAttribute('messaging.nats.duplicate', ack.duplicate);
            return ack;
          } catch (error) {
            lastError = error;
            if (attempt < attempts)
              await new Promise((r) => setTimeout(r, Math.min(200 * 2 ** attempt, 5_000)));
          }
        }
        throw new PublishError(`publish to ${subject} not confirmed after ${attempts} attempts`, {
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
