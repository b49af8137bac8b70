// The consume loop of one durable pull consumer: validate, handle, ack; nak with backoff when the
// handler throws; dead-letter and terminate after the last delivery, or at once when the payload
// is not a valid event. Nothing is acked before its handler finished.
//
// Two modes share pulling (consume-pull.ts), settlement (consume-settle.ts) and tracing
// (consume-trace.ts): one message at a time (consume-each.ts), or batches (consume-batch.ts),
// where the handler gets up to `batch` events together and answers with an outcome per event.
import type { JetStreamClient } from '@nats-io/jetstream';
import { createNoopMeter, type Meter, type Tracer } from '@opentelemetry/api';
import type { ConsumerSpec, EventRegistry } from '@heatstream/contracts';
import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import { consumeBatches } from './consume-batch.ts';
import { consumeEach } from './consume-each.ts';
import { PullLoop } from './consume-pull.ts';
import { ConsumeMetrics } from './metrics.ts';
import { Settlement } from './consume-settle.ts';
import { ConsumeTracing } from './consume-trace.ts';
import type { BatchHandler, MessageHandler } from './handlers.ts';
import type { Publish } from './publish.ts';

export interface ConsumeLoopDeps {
  js: JetStreamClient;
  spec: ConsumerSpec;
  /** Exactly one of handler (one message at a time) and batchHandler. */
  handler?: MessageHandler;
  batchHandler?: BatchHandler;
  events: EventRegistry;
  publish: Publish;
  service: string;
  instance: string;
  log: Logger;
  tracer: Tracer;
  /** The loop's counters, lag and durations (metrics.ts); none without one. */
  meter?: Meter;
  /** Messages per pull request; in batch mode the largest batch. */
  batch?: number;
  /** Batch mode: batches handled at once (default 1). */
  concurrency?: number;
  /** How long one pull waits on an idle stream; in batch mode the longest a partial batch waits (≥ 1000, a JetStream client limit). */
  expiresMs?: number;
  /**
   * Batch mode: also give every event a span in its own trace (besides the batch span linking
   * them), so one reading's trace shows its store. On when spans are exported; off otherwise,
   * where it would only cost throughput.
   */
  traceEach?: boolean;
  /**
   * Aborted when the service is stopping and NATS is unreachable: a confirmation (a double ack)
   * cannot arrive then, so the loop stops waiting for one.
   */
  giveUp?: AbortSignal;
  clock?: Clock;
}

/** What both modes work with. */
export interface LoopParts {
  readonly loop: PullLoop;
  readonly spec: ConsumerSpec;
  readonly settlement: Settlement;
  readonly metrics: ConsumeMetrics;
  readonly tracing: ConsumeTracing;
  readonly traceEach: boolean;
  readonly giveUp: AbortSignal | undefined;
}

export class ConsumeLoop {
  readonly #deps: ConsumeLoopDeps;
  readonly #parts: LoopParts;
  #done: Promise<void> | undefined;

  constructor(deps: ConsumeLoopDeps) {
    if ((deps.handler === undefined) === (deps.batchHandler === undefined))
      throw new TypeError('ConsumeLoop needs exactly one of handler and batchHandler');
    this.#deps = deps;
    const { spec } = deps;
    const log = deps.log.child({ component: 'consume', stream: spec.stream, consumer: spec.durable });
    const metrics = new ConsumeMetrics(deps.meter ?? createNoopMeter(), spec);
    this.#parts = {
      loop: new PullLoop({
        js: deps.js,
        spec,
        log,
        batch: deps.batch ?? 100,
        expiresMs: deps.expiresMs ?? 5_000,
        pending: (n) => {
          metrics.pending(n);
        },
        ...(deps.clock ? { clock: deps.clock } : {}),
      }),
      spec,
      settlement: new Settlement({ ...deps, log, metrics }),
      metrics,
      tracing: new ConsumeTracing(deps.tracer, spec.durable),
      traceEach: deps.traceEach ?? false,
      giveUp: deps.giveUp,
    };
  }

  start(): void {
    const { handler, batchHandler } = this.#deps;
    this.#done ??= batchHandler
      ? consumeBatches(this.#parts, batchHandler, this.#deps.concurrency)
      : handler
        ? consumeEach(this.#parts, handler)
        : undefined;
  }

  /** Stops pulling, lets the message or batch in hand finish and be acked, returns the rest for redelivery. */
  async stop(): Promise<void> {
    this.#parts.loop.stop();
    await this.#done;
    this.#parts.metrics.close();
  }
}
