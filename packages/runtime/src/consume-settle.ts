// Settlement, shared by both consume modes: what reaches a handler (decoded, valid, deliveries
// left) and what becomes of a message afterwards: ack, nak with the consumer's backoff, or a dead
// letter and term. Nothing is acked before its handler finished.
import type { JsMsg } from '@nats-io/jetstream';
import { ContractError, type ConsumerSpec, type Envelope, type EventRegistry } from '@heatstream/contracts';
import type { Logger } from 'pino';
import { deadLetter } from './dead-letter.ts';
import type { Delivery, ItemOutcome } from './handlers.ts';
import type { ConsumeMetrics } from './metrics.ts';
import type { Publish } from './publish.ts';

export interface SettlementOptions {
  spec: ConsumerSpec;
  events: EventRegistry;
  publish: Publish;
  service: string;
  instance: string;
  log: Logger;
  metrics: ConsumeMetrics;
}

/** One pulled message with its logger. */
export interface Settle {
  msg: JsMsg;
  log: Logger;
}

/** Why a message cannot reach a handler. */
export interface Refusal {
  reason: string;
  issues?: ContractError['issues'];
}

export class Settlement {
  readonly #options: SettlementOptions;

  constructor(options: SettlementOptions) {
    this.#options = options;
  }

  deliveryOf(msg: JsMsg): Settle & { delivery: Delivery } {
    this.#options.metrics.received(msg);
    // Logger and headers are made on first use: a batch of thousands rarely logs or reads headers.
    const parent = this.#options.log;
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
        header: (name) => (msg.headers?.has(name) ? msg.headers.get(name) : undefined),
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
  decode(msg: JsMsg): Envelope | Refusal {
    const { spec, events } = this.#options;
    if (msg.info.deliveryCount > spec.maxDeliver)
      return {
        reason: `gave up after ${spec.maxDeliver} deliveries: the last attempt neither acked nor failed (crash or ack timeout)`,
      };
    try {
      return events.decode(msg.data);
    } catch (error) {
      if (!(error instanceof ContractError)) throw error;
      return { reason: `invalid payload: ${error.message}`, issues: error.issues };
    }
  }

  /** The decoded event, or undefined once the message is dead-lettered. */
  async admit(item: Settle): Promise<Envelope | undefined> {
    const decoded = this.decode(item.msg);
    if ('specversion' in decoded) return decoded;
    await this.deadLetter(item, decoded);
    return undefined;
  }

  async deadLetter({ msg, log }: Settle, { reason, issues }: Refusal): Promise<void> {
    await deadLetter(this.#options, msg, log, reason, issues);
    this.#options.metrics.rejected();
  }

  /** Acks, naks with backoff, or dead-letters one message according to its outcome. */
  async settle(item: Settle, outcome: ItemOutcome, ack: () => Promise<unknown>): Promise<void> {
    const { spec } = this.#options;
    const deliveryCount = item.msg.info.deliveryCount;
    if (outcome.status === 'ok') {
      await ack();
      this.#options.metrics.acked();
      return;
    }
    if (outcome.status === 'reject') {
      await this.deadLetter(item, { reason: outcome.reason });
      return;
    }
    if (deliveryCount >= spec.maxDeliver) {
      await this.deadLetter(item, {
        reason: `handler failed on delivery ${deliveryCount} of ${spec.maxDeliver}: ${outcome.error.message}`,
      });
      return;
    }
    const delay = spec.backoffMs[Math.min(deliveryCount - 1, spec.backoffMs.length - 1)] ?? 1_000;
    item.log.warn({ err: outcome.error, retryInMs: delay }, 'handler failed; redelivering');
    item.msg.nak(delay);
    this.#options.metrics.retried();
  }
}
