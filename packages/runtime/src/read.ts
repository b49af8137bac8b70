// Reading a stored range with an ordered consumer of the reader's own: ephemeral, no acks, never
// one of the services' durable consumers (replay). The caller decides what a message means.
import { randomUUID } from 'node:crypto';
import { DeliverPolicy, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';

export interface StoredMessage {
  readonly seq: number;
  readonly subject: string;
  /** The bytes as stored. */
  readonly data: Uint8Array;
  /** When JetStream stored it (epoch ms). */
  readonly storedAtMs: number;
  /** Messages after this one that the reader's filter still has to deliver. */
  readonly pending: number;
}

export interface ReadStreamOptions {
  filterSubjects: readonly string[];
  /** First sequence to read; else `startTime` positions by store time; else from the first. */
  startSeq?: number | undefined;
  startTime?: Date | undefined;
}

export interface StreamReader {
  /** Up to `max` messages in stream order; none once nothing more came within `waitMs` (default 2 s). */
  next(max: number, waitMs?: number): Promise<StoredMessage[]>;
}

export interface StreamBounds {
  first: number;
  last: number;
}

/** The stream's sequence bounds now. */
export async function streamBounds(jsm: JetStreamManager, stream: string): Promise<StreamBounds> {
  const info = await jsm.streams.info(stream);
  return { first: info.state.first_seq, last: info.state.last_seq };
}

export async function openStreamReader(
  js: JetStreamClient,
  stream: string,
  options: ReadStreamOptions,
): Promise<StreamReader> {
  const position =
    options.startSeq !== undefined
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: options.startSeq }
      : options.startTime
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: options.startTime.toISOString() }
        : { deliver_policy: DeliverPolicy.All };
  const filters = options.filterSubjects;
  const consumer = await js.consumers.get(stream, {
    // One filter as a string: nats.js then creates the consumer on CONSUMER.CREATE.<stream>.<name>.<filter>,
    // the subject a NATS user's rights name (contracts/src/access.ts); a list uses the older,
    // nameless CONSUMER.CREATE.<stream>.
    filter_subjects: filters.length === 1 ? (filters[0] ?? '>') : [...filters],
    // Unique per run: ordered consumers number themselves from 1 per client.
    name_prefix: `read_${randomUUID().replaceAll('-', '').slice(0, 12)}`,
    ...position,
  });
  return {
    async next(max, waitMs = 2_000) {
      const messages = await consumer.fetch({ max_messages: max, expires: Math.max(1_000, waitMs) });
      const out: StoredMessage[] = [];
      for await (const msg of messages) {
        out.push({
          seq: msg.seq,
          subject: msg.subject,
          data: msg.data,
          storedAtMs: msg.info.timestampNanos / 1e6,
          pending: msg.info.pending,
        });
      }
      return out;
    },
  };
}
