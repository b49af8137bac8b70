// Core NATS subscriptions of a service: `subscribe` (events, e.g. for live push) and `serve`
// (request/reply). Nothing is stored or acknowledged on core NATS, so there is nothing to retry or
// dead-letter here: a subscription's events are decoded and validated like consumed ones, an
// invalid one is logged, counted and skipped (the durable consumers of its stream dead-letter it),
// and a failing handler is logged and never ends the subscription or the process. Each message
// gets a span continuing the publisher's trace. Opened once the service has started, closed
// first on shutdown, before the consume loops and NATS drain.
import {
  headers as natsHeaders,
  type Msg,
  type NatsConnection,
  type Subscription as NatsSubscription,
} from '@nats-io/transport-node';
import { SpanKind, SpanStatusCode, context, type Span, type Tracer } from '@opentelemetry/api';
import { ContractError, type Envelope, type EventRegistry, type ServiceAccess } from '@heatstream/contracts';
import type { Logger } from 'pino';
import { headerReader } from './nats.ts';
import { ServiceErrorHeader, replyOf, type Reply } from './request.ts';
import { checkSubject } from './rights.ts';
import { extractTraceContext } from './telemetry.ts';

/** What a subscription handler gets besides the event. */
export interface Received {
  readonly subject: string;
  header(name: string): string | undefined;
  readonly log: Logger;
  /** This message's span, in the publisher's trace: a handler may name it (`updateName`) or annotate it. */
  readonly span: Span;
}

export type SubscriptionHandler = (event: Envelope, message: Received) => Promise<void> | void;

export interface SubscriptionStats {
  received: number;
  handled: number;
  /** Not a valid event: skipped. */
  invalid: number;
  /** The handler threw. */
  failed: number;
}

export interface Subscription {
  readonly subject: string;
  readonly stats: Readonly<SubscriptionStats>;
}

/** A request as the serving handler sees it. */
export interface ServedRequest extends Reply {
  readonly subject: string;
  readonly log: Logger;
}

/** Answers one request; the returned bytes or text are the reply. Throwing answers with an error. */
export type RequestHandler = (request: ServedRequest) => Promise<Uint8Array | string> | Uint8Array | string;

export interface CoreSubscriptionDeps {
  nc: NatsConnection;
  events: EventRegistry;
  tracer: Tracer;
  log: Logger;
  service: string;
  rights: ServiceAccess | undefined;
}

interface Entry {
  subject: string;
  queue?: string;
  onMessage(msg: Msg): Promise<void>;
  sub?: NatsSubscription;
  done?: Promise<void>;
}

export class CoreSubscriptions {
  readonly #deps: CoreSubscriptionDeps;
  readonly #log: Logger;
  readonly #entries: Entry[] = [];
  #started = false;
  #stopping = false;

  constructor(deps: CoreSubscriptionDeps) {
    this.#deps = deps;
    this.#log = deps.log.child({ component: 'subscribe' });
  }

  get subjects(): string[] {
    return this.#entries.map((e) => e.subject);
  }

  subscribe(subject: string, handler: SubscriptionHandler): Subscription {
    const { service, rights, events, tracer } = this.#deps;
    checkSubject(service, rights, 'subscribes', subject);
    const stats: SubscriptionStats = { received: 0, handled: 0, invalid: 0, failed: 0 };
    const onMessage = (msg: Msg): Promise<void> =>
      this.#span(`process ${msg.subject}`, SpanKind.CONSUMER, msg, tracer, async (span, log) => {
        stats.received++;
        let event: Envelope;
        try {
          event = events.decode(msg.data);
        } catch (error) {
          if (!(error instanceof ContractError)) throw error;
          stats.invalid++;
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'invalid event' });
          log().warn({ reason: error.message }, 'skipping an invalid event');
          return;
        }
        try {
          await handler(event, {
            subject: msg.subject,
            header: headerReader(msg.headers),
            get log() {
              return log();
            },
            span,
          });
          stats.handled++;
        } catch (error) {
          stats.failed++;
          throw error;
        }
      });
    this.#add({ subject, onMessage });
    return { subject, stats };
  }

  serve(subject: string, handler: RequestHandler): void {
    const { service, rights, tracer } = this.#deps;
    checkSubject(service, rights, 'serves', subject);
    const onMessage = (msg: Msg): Promise<void> =>
      this.#span(`serve ${subject}`, SpanKind.SERVER, msg, tracer, async (_span, log) => {
        try {
          msg.respond(await handler({ ...replyOf(msg.data, msg.headers), subject: msg.subject, log: log() }));
        } catch (error) {
          const headers = natsHeaders();
          headers.set(ServiceErrorHeader.message, (error as Error).message.slice(0, 200));
          headers.set(ServiceErrorHeader.code, '500');
          msg.respond(new Uint8Array(), { headers });
          throw error;
        }
      });
    // Replicas of a service share its requests: one queue group per service.
    this.#add({ subject, queue: service, onMessage });
  }

  /**
   * Opens every subscription (later ones open at once) and waits until the server has them, so a
   * message published once the service is up reaches it.
   */
  async start(): Promise<void> {
    this.#started = true;
    for (const entry of this.#entries) this.#open(entry);
    if (this.#entries.length > 0) await this.#deps.nc.flush();
  }

  /** Unsubscribes and waits for the message in hand; buffered ones are dropped (core NATS keeps nothing). */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const entry of this.#entries) entry.sub?.unsubscribe();
    await Promise.all(this.#entries.map((e) => e.done ?? Promise.resolve()));
  }

  #add(entry: Entry): void {
    this.#entries.push(entry);
    if (this.#started && !this.#stopping) this.#open(entry);
  }

  #isStopping(): boolean {
    return this.#stopping;
  }

  #open(entry: Entry): void {
    const sub = this.#deps.nc.subscribe(entry.subject, entry.queue ? { queue: entry.queue } : {});
    entry.sub = sub;
    entry.done = (async () => {
      try {
        for await (const msg of sub) {
          if (this.#isStopping()) break;
          await entry.onMessage(msg);
        }
      } catch (error) {
        // A subscription the server ended (permission revoked): reported, the service goes on.
        this.#log.error({ err: error, subject: entry.subject }, 'subscription ended');
      }
    })();
  }

  /** Runs `body` in a span continuing the message's trace; its errors are logged, not thrown. */
  #span(
    name: string,
    kind: SpanKind,
    msg: Msg,
    tracer: Tracer,
    body: (span: Span, log: () => Logger) => Promise<void>,
  ): Promise<void> {
    return context.with(extractTraceContext(msg.headers), () =>
      tracer.startActiveSpan(name, { kind }, async (span) => {
        span.setAttributes({ 'messaging.system': 'nats', 'messaging.destination.name': msg.subject });
        // Made on first use: most messages of a busy subscription never log.
        let child: Logger | undefined;
        const log = (): Logger => (child ??= this.#log.child({ subject: msg.subject }));
        try {
          await body(span, log);
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          log().error({ err: error }, kind === SpanKind.SERVER ? 'request handler failed' : 'handler failed');
        } finally {
          span.end();
        }
      }),
    );
  }
}
