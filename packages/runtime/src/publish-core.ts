// Core NATS publishing for services: events stored nowhere (contracts' `coreEventTypes`, e.g. the
// live COP), for whoever subscribes now; the next one replaces the last. Checked like ctx.publish
// (the contracts' schema) and against the service's `corePublishes` rights before it leaves, and
// refused where a stream would store it: a core publish carries no Nats-Msg-Id, so a stored
// subject would lose JetStream's duplicate check and its publish confirmation.
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import {
  ContractError,
  encodeEvent,
  subjectMatches,
  subjectOf,
  type Envelope,
  type EventRegistry,
  type ServiceAccess,
  type StreamSpec,
} from '@heatstream/contracts';
import { PublishError } from './errors.ts';
import { checkSubject } from './rights.ts';
import { injectTraceHeaders } from './telemetry.ts';

export interface CorePublishEventOptions {
  /** Defaults to the event's own subject (contracts' `subjectOf`). */
  subject?: string;
  headers?: Readonly<Record<string, string>>;
}

/**
 * Publishes on core NATS and returns the subject: no confirmation, nothing stored. Throws a
 * ContractError for an invalid event, an AccessError outside `corePublishes`, a PublishError for
 * a subject a stream stores or a closed connection.
 */
export type PublishCore = (event: Envelope, options?: CorePublishEventOptions) => string;

export interface CorePublisherDeps {
  nc: NatsConnection;
  events: EventRegistry;
  tracer: Tracer;
  service: string;
  rights: ServiceAccess | undefined;
  /** The streams whose subjects a core publish may not use. */
  streams: readonly StreamSpec[];
}

export function createCorePublisher({
  nc,
  events,
  tracer,
  service,
  rights,
  streams,
}: CorePublisherDeps): PublishCore {
  return (event, options = {}) => {
    const issues = events.validate(event.type, event);
    if (issues.length > 0) throw new ContractError(`refusing to publish an invalid ${event.type}`, issues);
    const subject = options.subject ?? subjectOf(event);
    checkSubject(service, rights, 'corePublishes', subject);
    const stored = streams.find((s) => s.subjects.some((f) => subjectMatches(f, subject)));
    if (stored)
      throw new PublishError(
        `refusing a core publish to ${subject}: stream ${stored.name} stores it; use ctx.publish`,
      );
    const data = encodeEvent(event);
    return tracer.startActiveSpan(`publish ${subject}`, { kind: SpanKind.PRODUCER }, (span) => {
      span.setAttributes({
        'messaging.system': 'nats',
        'messaging.destination.name': subject,
        'messaging.message.id': event.id,
        'messaging.nats.core': true,
      });
      try {
        const headers = natsHeaders();
        for (const [k, v] of Object.entries(options.headers ?? {})) headers.set(k, v);
        injectTraceHeaders(headers, trace.setSpan(context.active(), span));
        try {
          nc.publish(subject, data, { headers });
        } catch (error) {
          throw new PublishError(`core publish to ${subject} failed: ${(error as Error).message}`, {
            cause: error,
          });
        }
        return subject;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    });
  };
}
