// What a service's handler receives and answers, one message at a time or in batches.
import type { Envelope } from '@heatstream/contracts';
import type { Logger } from 'pino';

export interface Delivery {
  subject: string;
  streamSeq: number;
  deliveryCount: number;
  /** A header of the message, e.g. `Hs-Replay-Seq`; the NATS type stays inside the runtime. */
  header(name: string): string | undefined;
  log: Logger;
}

export type MessageHandler = (event: Envelope, delivery: Delivery) => Promise<void>;

export interface BatchItem {
  event: Envelope;
  delivery: Delivery;
}

/** What became of one event of a batch. */
export type ItemOutcome =
  /** Stored: ack. */
  | { readonly status: 'ok' }
  /** Failed for now: nak with the consumer's backoff; dead-lettered after the last delivery. */
  | { readonly status: 'retry'; readonly error: Error }
  /** Refused for good (e.g. values the store cannot hold): dead-lettered at once with the reason. */
  | { readonly status: 'reject'; readonly reason: string };

/**
 * Handles the valid events of one batch and answers with one outcome per item, in order. Throwing
 * is the same as answering `retry` for every item. `stopping` is aborted when the service stops:
 * a handler that waits (for a store to come back) should then give up and throw. While a batch is
 * held, its ack deadline is extended, so waiting does not spend deliveries.
 */
export type BatchHandler = (
  items: readonly BatchItem[],
  stopping: AbortSignal,
) => Promise<readonly ItemOutcome[]>;

export const ok: ItemOutcome = Object.freeze({ status: 'ok' });
