// Spans of consumed messages: one per message (continuing its publisher's trace), one per batch
// (linking the traces of its messages), and optionally one per event of a batch in its own trace,
// so one reading's trace shows its store.
import type { JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type { ItemOutcome } from './handlers.ts';
import { extractTraceContext } from './telemetry.ts';

export class ConsumeTracing {
  readonly #tracer: Tracer;
  readonly #durable: string;

  constructor(tracer: Tracer, durable: string) {
    this.#tracer = tracer;
    this.#durable = durable;
  }

  /** Runs `body` in a consumer span, child of the trace in `parent` headers when there is one. */
  span<T>(
    name: string,
    parent: MsgHdrs | undefined,
    attributes: Record<string, string | number>,
    body: (span: Span) => Promise<T>,
  ): Promise<T> {
    return context.with(extractTraceContext(parent), () =>
      this.#tracer.startActiveSpan(name, { kind: SpanKind.CONSUMER }, async (span) => {
        span.setAttributes({
          'messaging.system': 'nats',
          'messaging.consumer.group.name': this.#durable,
          ...attributes,
        });
        try {
          return await body(span);
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          throw error;
        } finally {
          span.end();
        }
      }),
    );
  }

  /** Links from a batch span to the traces its messages came with. */
  linkAll(span: Span, msgs: readonly JsMsg[]): void {
    if (span.isRecording()) span.addLinks(msgs.map(linkOf).filter((l) => l !== undefined));
  }

  /** A span per event of a batch, in the event's own trace; end them with `endEach`. */
  startEach(msgs: readonly JsMsg[]): Span[] {
    return msgs.map((msg) =>
      this.#tracer.startSpan(
        `store ${msg.subject}`,
        {
          kind: SpanKind.CONSUMER,
          attributes: {
            'messaging.destination.name': msg.subject,
            'messaging.batch.message_count': msgs.length,
          },
        },
        extractTraceContext(msg.headers),
      ),
    );
  }

  endEach(spans: readonly Span[], outcomes: readonly ItemOutcome[]): void {
    for (const [i, span] of spans.entries()) {
      const outcome = outcomes[i];
      if (outcome && outcome.status !== 'ok')
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.status });
      span.end();
    }
  }
}

function linkOf(msg: JsMsg): Link | undefined {
  if (!msg.headers?.has('traceparent')) return undefined;
  const spanContext = trace.getSpanContext(extractTraceContext(msg.headers));
  return spanContext ? { context: spanContext } : undefined;
}
