// The consume loop of one durable pull consumer: validate, handle, ack; nak with backoff when the
// handler throws; dead-letter and terminate after the last delivery, or at once when the payload
// is not a valid event. Nothing is acked before its handler finished.
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import type { MsgHdrs } from '@nats-io/transport-node';
import { SpanKind, SpanStatusCode, context, type Tracer } from '@opentelemetry/api';
import {
  ContractError,
  makeEvent,
  subjects,
  type ConsumerSpec,
  type Envelope,
  type EventRegistry,
} from '@heatstream/contracts';
import type { Logger } from 'pino';
import type { Publish } from './publish.ts';
import { extractTraceContext } from './telemetry.ts';

export interface Delivery {
  subject: string;
  streamSeq: number;
  deliveryCount: number;
  headers: MsgHdrs | undefined;
  log: Logger;
}

export type MessageHandler = (event: Envelope, delivery: Delivery) => Promise<void>;

export interface ConsumeLoopDeps {
  js: JetStreamClient;
  spec: ConsumerSpec;
  handler: MessageHandler;
  events: EventRegistry;
  publish: Publish;
  service: string;
  instance: string;
  log: Logger;
  tracer: Tracer;
  /** Messages per pull request. */
  batch?: number;
  /** How long one pull waits on an idle stream. */
  expiresMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class ConsumeLoop {
  #stopping = false;
  #inFlight = false;
  #pull: ConsumerMessages | undefined;
  #done: Promise<void> | undefined;
  readonly #deps: ConsumeLoopDeps;
  readonly #log: Logger;

  constructor(deps: ConsumeLoopDeps) {
    this.#deps = deps;
    this.#log = deps.log.child({
      component: 'consume',
      stream: deps.spec.stream,
      consumer: deps.spec.durable,
    });
  }

  // A method, not the field, so the compiler does not narrow it across the awaits that change it.
  #isStopping(): boolean {
    return this.#stopping;
  }

  start(): void {
    this.#done ??= this.#run();
  }

  /** Stops pulling, lets the message in hand finish and be acked, returns the rest for redelivery. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (!this.#inFlight) this.#pull?.stop();
    await this.#done;
  }

  async #run(): Promise<void> {
    const { js, spec, batch = 100, expiresMs = 5_000 } = this.#deps;
    let failures = 0;
    while (!this.#isStopping()) {
      try {
        const consumer = await js.consumers.get(spec.stream, spec.durable);
        this.#pull = await consumer.fetch({ max_messages: batch, expires: expiresMs });
        if (this.#isStopping()) this.#pull.stop();
        for await (const msg of this.#pull) {
          if (this.#isStopping()) {
            msg.nak();
            continue;
          }
          this.#inFlight = true;
          try {
            await this.#handle(msg);
          } finally {
            this.#inFlight = false;
          }
          if (this.#isStopping()) this.#pull.stop();
        }
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

  async #handle(msg: JsMsg): Promise<void> {
    const { tracer, spec } = this.#deps;
    const parent = extractTraceContext(msg.headers);
    await context.with(parent, () =>
      tracer.startActiveSpan(`process ${msg.subject}`, { kind: SpanKind.CONSUMER }, async (span) => {
        const deliveryCount = msg.info.deliveryCount;
        span.setAttributes({
          'messaging.system': 'nats',
          'messaging.destination.name': msg.subject,
          'messaging.consumer.group.name': spec.durable,
          'messaging.nats.delivery_count': deliveryCount,
        });
        const log = this.#log.child({ subject: msg.subject, seq: msg.seq, delivery: deliveryCount });
        try {
          if (deliveryCount > spec.maxDeliver) {
            await this.#reject(
              msg,
              log,
              `gave up after ${spec.maxDeliver} deliveries: the last attempt neither acked nor failed (crash or ack timeout)`,
            );
            return;
          }
          let event: Envelope;
          try {
            event = this.#deps.events.decode(msg.data);
          } catch (error) {
            if (!(error instanceof ContractError)) throw error;
            await this.#reject(msg, log, `invalid payload: ${error.message}`, error.issues);
            return;
          }
          try {
            await this.#deps.handler(event, {
              subject: msg.subject,
              streamSeq: msg.seq,
              deliveryCount,
              headers: msg.headers,
              log,
            });
          } catch (error) {
            span.recordException(error as Error);
            if (deliveryCount >= spec.maxDeliver) {
              await this.#reject(
                msg,
                log,
                `handler failed on delivery ${deliveryCount} of ${spec.maxDeliver}: ${(error as Error).message}`,
              );
              return;
            }
            const delay = spec.backoffMs[Math.min(deliveryCount - 1, spec.backoffMs.length - 1)] ?? 1_000;
            log.warn({ err: error, retryInMs: delay }, 'handler failed; redelivering');
            msg.nak(delay);
            return;
          }
          await msg.ackAck();
        } catch (error) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          log.error({ err: error }, 'message not settled; JetStream will redeliver it');
        } finally {
          span.end();
        }
      }),
    );
  }

  /** Publishes the dead letter first; only once it is stored is the original terminated. */
  async #reject(
    msg: JsMsg,
    log: Logger,
    reason: string,
    issues?: readonly { path: string; message: string }[],
  ): Promise<void> {
    const { service, instance, spec } = this.#deps;
    const headers: Record<string, string> = {};
    for (const key of msg.headers?.keys() ?? []) headers[key] = msg.headers?.get(key) ?? '';
    const event = makeEvent('heatstream.rejected.v1', {
      source: `${service}/${instance}`,
      subject: service,
      data: {
        service,
        reason,
        originalSubject: msg.subject,
        stream: spec.stream,
        streamSeq: msg.seq,
        deliveries: msg.info.deliveryCount,
        ...(issues && issues.length > 0
          ? { errors: issues.map((i) => ({ path: i.path, message: i.message })) }
          : {}),
        ...(Object.keys(headers).length > 0 ? { headers } : {}),
        payload: Buffer.from(msg.data).toString('base64'),
        payloadEncoding: 'base64',
      },
    });
    try {
      await this.#deps.publish(subjects.rejected(service), event, {
        msgId: `rejected:${spec.stream}:${msg.seq}`,
      });
    } catch (error) {
      log.error({ err: error }, 'dead letter not stored; message returned for redelivery');
      msg.nak(spec.backoffMs.at(-1) ?? 5_000);
      return;
    }
    log.warn({ reason }, 'message dead-lettered');
    msg.term(reason.slice(0, 200));
  }
}
