// The consume loop of one durable pull consumer: validate, handle, ack; nak with backoff when the
// handler throws; dead-letter and terminate after the last delivery, or at once when the payload
// is not a valid event. Nothing is acked before its handler finished.
//
// Two modes share that settlement: one message at a time (`consume`), or batches (`consumeBatch`),
// where the handler gets up to `batch` events together and answers with an outcome per event. A
// batch is what one pull returned: `batch` messages, or fewer once `maxWaitMs` passed, so a quiet
// stream is still flushed. The next pull runs while a batch is being handled.
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
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
import { ContractError, type ConsumerSpec, type Envelope, type EventRegistry } from '@heatstream/contracts';
import type { Logger } from 'pino';
import { deadLetter } from './dead-letter.ts';
import {
  ok,
  type BatchHandler,
  type BatchItem,
  type Delivery,
  type ItemOutcome,
  type MessageHandler,
} from './handlers.ts';
import type { Publish } from './publish.ts';
import { extractTraceContext } from './telemetry.ts';

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
  /** Messages per pull request; in batch mode the largest batch. */
  batch?: number;
  /** How long one pull waits on an idle stream; in batch mode the longest a partial batch waits (≥ 1000, a JetStream client limit). */
  expiresMs?: number;
  /**
   * Batch mode: also give every event a span in its own trace (besides the batch span linking
   * them), so one reading's trace shows its store. On when spans are exported; off otherwise,
   * where it would only cost throughput.
   */
  traceEach?: boolean;
}

interface Settle {
  msg: JsMsg;
  log: Logger;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ConsumeLoop {
  #stopping = false;
  #inFlight = false;
  readonly #pulls = new Set<ConsumerMessages>();
  /** Messages pulled in batch mode and not yet settled: their ack deadline is kept alive. */
  readonly #held = new Set<JsMsg>();
  readonly #abort = new AbortController();
  #done: Promise<void> | undefined;
  readonly #deps: ConsumeLoopDeps;
  readonly #log: Logger;

  constructor(deps: ConsumeLoopDeps) {
    if ((deps.handler === undefined) === (deps.batchHandler === undefined))
      throw new TypeError('ConsumeLoop needs exactly one of handler and batchHandler');
    this.#deps = deps;
    this.#log = deps.log.child({
      component: 'consume',
      stream: deps.spec.stream,
      consumer: deps.spec.durable,
    });
  }

  // A method, not the field, so the compiler does not narrow it across the awaits that change it.
  #deadLetter(msg: JsMsg, log: Logger, reason: string, issues?: ContractError['issues']): Promise<void> {
    return deadLetter(this.#deps, msg, log, reason, issues);
  }

  #isStopping(): boolean {
    return this.#stopping;
  }

  start(): void {
    this.#done ??= this.#deps.batchHandler ? this.#runBatches(this.#deps.batchHandler) : this.#run();
  }

  /** Stops pulling, lets the message or batch in hand finish and be acked, returns the rest for redelivery. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#abort.abort(new Error('service stopping'));
    if (!this.#inFlight) for (const pull of this.#pulls) pull.stop();
    await this.#done;
  }

  async #pull(): Promise<ConsumerMessages> {
    const { js, spec, batch = 100, expiresMs = 5_000 } = this.#deps;
    const consumer = await js.consumers.get(spec.stream, spec.durable);
    const pull = await consumer.fetch({ max_messages: batch, expires: Math.max(1_000, expiresMs) });
    this.#pulls.add(pull);
    if (this.#isStopping()) pull.stop();
    return pull;
  }

  /** Runs `body` until stopped, retrying with backoff when a pull fails (NATS down, consumer gone). */
  async #loop(body: () => Promise<void>): Promise<void> {
    let failures = 0;
    while (!this.#isStopping()) {
      try {
        await body();
        failures = 0;
      } catch (error) {
        if (this.#isStopping()) break;
        failures++;
        this.#log.warn({ err: error, failures }, 'pull failed; retrying');
        await sleep(Math.min(250 * 2 ** failures, 10_000));
      }
    }
    this.#log.info('consume loop stopped');
  }

  #run(): Promise<void> {
    return this.#loop(async () => {
      const pull = await this.#pull();
      try {
        for await (const msg of pull) {
          if (this.#isStopping()) {
            msg.nak();
            continue;
          }
          this.#inFlight = true;
          try {
            await this.#handleOne(msg);
          } finally {
            this.#inFlight = false;
          }
          if (this.#isStopping()) pull.stop();
        }
      } finally {
        this.#pulls.delete(pull);
      }
    });
  }

  /** Collects one pull into a batch; the promise settles when the pull ends (full, or expired). */
  async #collect(): Promise<JsMsg[]> {
    const pull = await this.#pull();
    const msgs: JsMsg[] = [];
    try {
      for await (const msg of pull) {
        msgs.push(msg);
        this.#held.add(msg);
      }
    } finally {
      this.#pulls.delete(pull);
    }
    return msgs;
  }

  #runBatches(handler: BatchHandler): Promise<void> {
    // The next pull is collected while the current batch is handled; a failed pull rejects when
    // awaited, inside #loop, which then backs off and starts over.
    let next: Promise<JsMsg[]> | undefined;
    // JetStream would redeliver a message held past its ack wait (a slow batch, a store outage
    // the handler waits out), spending one of its deliveries; `working` restarts the clock.
    const keepAlive = setInterval(
      () => {
        for (const msg of this.#held) msg.working();
      },
      Math.max(500, this.#deps.spec.ackWaitMs / 3),
    );
    const done = this.#loop(async () => {
      const current = next ?? this.#collect();
      next = undefined;
      const msgs = await current;
      if (this.#isStopping()) {
        this.#release(msgs);
        return;
      }
      next = this.#collect();
      next.catch(() => undefined); // observed when awaited on the next turn
      if (msgs.length === 0) return;
      this.#inFlight = true;
      try {
        await this.#handleBatch(handler, msgs);
      } finally {
        this.#inFlight = false;
        for (const msg of msgs) this.#held.delete(msg);
      }
      if (this.#isStopping()) for (const pull of this.#pulls) pull.stop();
    });
    return done.then(async () => {
      // Whatever the pre-pull got after the stop goes straight back.
      this.#release(await (next ?? Promise.resolve([])).catch(() => []));
      clearInterval(keepAlive);
    });
  }

  /** Returns unhandled messages for redelivery now. */
  #release(msgs: readonly JsMsg[]): void {
    for (const msg of msgs) {
      msg.nak();
      this.#held.delete(msg);
    }
  }

  #deliveryOf(msg: JsMsg): Settle & { delivery: Delivery } {
    // Logger and headers are made on first use: a batch of thousands rarely logs or reads headers.
    const parent = this.#log;
    let log: Logger | undefined;
    const logOf = (): Logger =>
      (log ??= parent.child({ subject: msg.subject, seq: msg.seq, delivery: msg.info.deliveryCount }));
    return {
      msg,
      get log() {
        return logOf();
      },
      delivery: {
        subject: msg.subject,
        streamSeq: msg.seq,
        deliveryCount: msg.info.deliveryCount,
        get headers() {
          return msg.headers;
        },
        get log() {
          return logOf();
        },
      },
    };
  }

  /**
   * The event, or why the message cannot reach a handler: its earlier attempt crashed on the last
   * delivery, or the payload is not a valid event. Synchronous, so a batch decodes in one go.
   */
  #decode(msg: JsMsg): Envelope | { reason: string; issues?: ContractError['issues'] } {
    const { spec } = this.#deps;
    if (msg.info.deliveryCount > spec.maxDeliver)
      return {
        reason: `gave up after ${spec.maxDeliver} deliveries: the last attempt neither acked nor failed (crash or ack timeout)`,
      };
    try {
      return this.#deps.events.decode(msg.data);
    } catch (error) {
      if (!(error instanceof ContractError)) throw error;
      return { reason: `invalid payload: ${error.message}`, issues: error.issues };
    }
  }

  /** The decoded event, or undefined once the message is dead-lettered. */
  async #admit(item: Settle): Promise<Envelope | undefined> {
    const decoded = this.#decode(item.msg);
    if ('specversion' in decoded) return decoded;
    await this.#deadLetter(item.msg, item.log, decoded.reason, decoded.issues);
    return undefined;
  }

  /** Acks, naks with backoff, or dead-letters one message according to its outcome. */
  async #settle({ msg, log }: Settle, outcome: ItemOutcome, ack: () => Promise<unknown>): Promise<void> {
    const { spec } = this.#deps;
    const deliveryCount = msg.info.deliveryCount;
    if (outcome.status === 'ok') {
      await ack();
      return;
    }
    if (outcome.status === 'reject') {
      await this.#deadLetter(msg, log, outcome.reason);
      return;
    }
    if (deliveryCount >= spec.maxDeliver) {
      await this.#deadLetter(
        msg,
        log,
        `handler failed on delivery ${deliveryCount} of ${spec.maxDeliver}: ${outcome.error.message}`,
      );
      return;
    }
    const delay = spec.backoffMs[Math.min(deliveryCount - 1, spec.backoffMs.length - 1)] ?? 1_000;
    log.warn({ err: outcome.error, retryInMs: delay }, 'handler failed; redelivering');
    msg.nak(delay);
  }

  #span<T>(
    name: string,
    parent: MsgHdrs | undefined,
    attributes: Record<string, string | number>,
    body: (span: Span) => Promise<T>,
  ): Promise<T> {
    const { tracer } = this.#deps;
    return context.with(extractTraceContext(parent), () =>
      tracer.startActiveSpan(name, { kind: SpanKind.CONSUMER }, async (span) => {
        span.setAttributes({
          'messaging.system': 'nats',
          'messaging.consumer.group.name': this.#deps.spec.durable,
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

  async #handleOne(msg: JsMsg): Promise<void> {
    const handler = this.#deps.handler;
    if (!handler) return;
    const item = this.#deliveryOf(msg);
    await this.#span(
      `process ${msg.subject}`,
      msg.headers,
      { 'messaging.destination.name': msg.subject, 'messaging.nats.delivery_count': msg.info.deliveryCount },
      async (span) => {
        try {
          const event = await this.#admit(item);
          if (!event) return;
          let outcome: ItemOutcome = ok;
          try {
            await handler(event, item.delivery);
          } catch (error) {
            span.recordException(error as Error);
            outcome = { status: 'retry', error: error as Error };
          }
          await this.#settle(item, outcome, () => msg.ackAck());
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          item.log.error({ err: error }, 'message not settled; JetStream will redeliver it');
        }
      },
    );
  }

  async #handleBatch(handler: BatchHandler, msgs: readonly JsMsg[]): Promise<void> {
    await this.#span(
      `process batch ${this.#deps.spec.durable}`,
      undefined,
      { 'messaging.batch.message_count': msgs.length },
      async (span) => {
        if (span.isRecording()) span.addLinks(msgs.map(linkOf).filter((l) => l !== undefined));
        const admitted: (Settle & BatchItem)[] = [];
        for (const msg of msgs) {
          const item = this.#deliveryOf(msg);
          try {
            const decoded = this.#decode(msg);
            if ('specversion' in decoded) admitted.push(Object.assign(item, { event: decoded }));
            else await this.#deadLetter(msg, item.log, decoded.reason, decoded.issues);
          } catch (error) {
            item.log.error({ err: error }, 'message not settled; JetStream will redeliver it');
          }
        }
        if (admitted.length === 0) return;
        const perEvent = this.#deps.traceEach
          ? admitted.map(({ msg }) =>
              this.#deps.tracer.startSpan(
                `store ${msg.subject}`,
                {
                  kind: SpanKind.CONSUMER,
                  attributes: {
                    'messaging.destination.name': msg.subject,
                    'messaging.batch.message_count': admitted.length,
                  },
                },
                extractTraceContext(msg.headers),
              ),
            )
          : [];
        let outcomes: readonly ItemOutcome[];
        try {
          outcomes = await handler(
            admitted.map(({ event, delivery }) => ({ event, delivery })),
            this.#abort.signal,
          );
          if (outcomes.length !== admitted.length)
            throw new Error(
              `batch handler answered ${outcomes.length} outcomes for ${admitted.length} events`,
            );
        } catch (error) {
          span.recordException(error as Error);
          const failed: ItemOutcome = { status: 'retry', error: error as Error };
          outcomes = admitted.map(() => failed);
        }
        // Plain acks, not double acks: a lost ack only redelivers an event the store already
        // holds, and the consumers of batches write idempotently.
        for (const [i, item] of admitted.entries()) {
          const outcome = outcomes[i] ?? ok;
          // Acks of stored events go out together: no await between them, so the client writes
          // them to the socket in one piece instead of one write per ack.
          if (outcome.status === 'ok') {
            item.msg.ack();
            continue;
          }
          try {
            await this.#settle(item, outcome, () => Promise.resolve());
          } catch (error) {
            item.log.error({ err: error }, 'message not settled; JetStream will redeliver it');
          }
        }
        for (const [i, s] of perEvent.entries()) {
          const outcome = outcomes[i];
          if (outcome && outcome.status !== 'ok')
            s.setStatus({ code: SpanStatusCode.ERROR, message: outcome.status });
          s.end();
        }
      },
    );
  }
}

function linkOf(msg: JsMsg): Link | undefined {
  if (!msg.headers?.has('traceparent')) return undefined;
  const spanContext = trace.getSpanContext(extractTraceContext(msg.headers));
  return spanContext ? { context: spanContext } : undefined;
}
