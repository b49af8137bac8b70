// The shapes of a service: its definition, the context its init gets, the hooks it returns, and
// the running service runService (service.ts) gives back.
import type { Meter, Tracer } from '@opentelemetry/api';
import type { TProperties } from '@sinclair/typebox';
import type {
  BucketSpec,
  ConsumerSpec,
  EventRegistry,
  ServiceAccess,
  StreamSpec,
} from '@heatstream/contracts';
import type { ConfigOf } from './config.ts';
import type { Dependency, DependencySpec } from './dependency.ts';
import type { Logger } from './logger.ts';
import type { BatchHandler, MessageHandler } from './handlers.ts';
import type { OpenKv } from './kv.ts';
import type { Publish } from './publish.ts';
import type { PublishCore } from './publish-core.ts';
import type { Request } from './request.ts';
import type { RequestHandler, Subscription, SubscriptionHandler } from './subscribe.ts';

export interface ServiceHooks {
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
}

export interface ConsumeOptions {
  /** Messages per pull request; larger for throughput-bound consumers. */
  batch?: number;
}

export interface ConsumeBatchOptions {
  /** The largest batch (messages per pull). */
  batch: number;
  /** The longest a partial batch waits for more messages before it is handled (at least 1000). */
  maxWaitMs: number;
  /**
   * Batches handled at once (default 1, in order). More keeps a store busy while the next batch
   * is decoded and encoded; only for handlers whose batches may complete in any order.
   */
  concurrency?: number;
}

export interface ServiceContext<C> {
  readonly name: string;
  /** Unique per process: used as the event `source` and in dead letters. */
  readonly instance: string;
  readonly config: C;
  readonly log: Logger;
  readonly events: EventRegistry;
  readonly tracer: Tracer;
  /** For a service's own instruments; exported with the runtime's (OTLP, `/metrics`). */
  readonly meter: Meter;
  readonly publish: Publish;
  /**
   * Core NATS publish of an event stored nowhere (contracts' coreEventTypes, e.g. the live COP),
   * within the service's `corePublishes` rights: validated, traced, no confirmation; returns the
   * subject (by default the event's own).
   */
  readonly publishCore: PublishCore;
  /** Registers a handler for a durable consumer from contracts (or a spec); pulling starts once the service is up. */
  consume(consumer: string | ConsumerSpec, handler: MessageHandler, options?: ConsumeOptions): void;
  /**
   * Like consume, but the handler gets up to `batch` valid events at once (fewer after `maxWaitMs`)
   * and answers with an outcome per event: ok → ack, retry → nak with backoff, reject → dead letter.
   */
  consumeBatch(consumer: string | ConsumerSpec, handler: BatchHandler, options: ConsumeBatchOptions): void;
  /**
   * A core NATS subscription (nothing stored, e.g. live push) within the service's `subscribes`
   * rights: events decoded and validated (invalid ones logged, counted, skipped), a span per
   * message in the publisher's trace, handler errors logged. Opens once the service is up.
   */
  subscribe(subject: string, handler: SubscriptionHandler): Subscription;
  /** Answers requests on a subject within its `serves` rights; replicas share them (queue group). */
  serve(subject: string, handler: RequestHandler): void;
  /** Asks a subject within its `requests` rights and waits for the answer. */
  readonly request: Request;
  /**
   * Opens a KV bucket declared in contracts/src/buckets.ts that names this service among its
   * users, created or converged to its declaration (and `ttlMs`, where the declaration lets config
   * set the TTL). An incompatible bucket fails with a ProvisioningError.
   */
  readonly kv: OpenKv;
  /** False between a NATS disconnect and the reconnect that follows it. */
  natsConnected(): boolean;
  /**
   * Declares a dependency of the service's own (a database, a device bus): probed every
   * `intervalMs` from now until shutdown; readiness fails while it is down, naming it and the
   * reason (`questdb: connection refused`). Code that uses it reports what it sees with
   * `down(reason)` / `up()`; a start hook waits for it with `waitUntilUp`.
   */
  dependency(spec: DependencySpec): Dependency;
}

export interface ServiceDefinition<P extends TProperties = TProperties> {
  readonly name: string;
  /** The service's own settings, beside the runtime's (nats, http, log, otel, jetstream, shutdownGraceMs). */
  readonly config?: P;
  /**
   * Acquisition services: `ctx.publish` keeps what NATS does not confirm in an outbox on disk
   * (`outbox.dir`, required then) and sends it in order when NATS is back. Readings taken during
   * an outage are facts that exist nowhere else; everything downstream can be re-derived.
   */
  readonly outbox?: boolean;
  init(ctx: ServiceContext<ConfigOf<P>>): Promise<ServiceHooks | undefined> | ServiceHooks | undefined;
}

export function defineService<P extends TProperties = TProperties>(
  definition: ServiceDefinition<P>,
): ServiceDefinition<P> {
  return definition;
}

export interface RunOptions {
  argv?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Defaults to the contracts' registry, streams, consumers and buckets; tests may pass their own. */
  events?: EventRegistry;
  streams?: readonly StreamSpec[];
  consumers?: readonly ConsumerSpec[];
  buckets?: readonly BucketSpec[];
  /** The service's NATS rights; by default its entry in contracts/src/access.ts. */
  access?: ServiceAccess;
  /**
   * Create and converge streams, consumers and buckets itself instead of only verifying them
   * (provision.ts `provisionMode` says when it does by default).
   */
  provision?: boolean;
}

export interface RunningService {
  readonly httpPort: number;
  readonly log: Logger;
  /** Ordered shutdown; resolves with the exit code (0, or 1 if a step failed or the grace period ran out). */
  stop(reason?: string): Promise<number>;
}
