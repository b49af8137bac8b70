// Reads a stream range with an ordered consumer of its own: ephemeral, no acks, never one of the
// services' durable consumers. Yields batches of decoded events inside the measurement-time window.
import { randomUUID } from 'node:crypto';
import { DeliverPolicy, type JetStreamClient, type JetStreamManager, type JsMsg } from '@nats-io/jetstream';
import { ContractError, type Envelope, type EventRegistry } from '@heatstream/contracts';

export interface RangeSpec {
  stream: string;
  subjects: readonly string[];
  /** First sequence to read (resume, --from-seq); else `from` positions by store time. */
  startSeq?: number | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  lateMs?: number | undefined;
  /** Last sequence to read, inclusive. */
  endSeq: number;
  batch: number;
}

export interface ReplayEvent {
  seq: number;
  subject: string;
  event: Envelope;
  /** The bytes as stored. */
  data: Uint8Array;
}

export interface Batch {
  events: ReplayEvent[];
  /** The first sequence scanned in this batch. */
  firstSeq: number;
  /** Every sequence up to here is scanned (events outside the window are skipped, not lost). */
  lastSeq: number;
  scanned: number;
  invalid: { seq: number; reason: string }[];
}

/** The stream's sequence bounds now, for the progress and the end of an open range. */
export async function streamBounds(
  jsm: JetStreamManager,
  stream: string,
): Promise<{ first: number; last: number }> {
  const info = await jsm.streams.info(stream);
  return { first: info.state.first_seq, last: info.state.last_seq };
}

export async function* readRange(
  js: JetStreamClient,
  events: EventRegistry,
  range: RangeSpec,
  signal: AbortSignal,
): AsyncGenerator<Batch> {
  const position =
    range.startSeq !== undefined
      ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: range.startSeq }
      : range.from
        ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: range.from.toISOString() }
        : { deliver_policy: DeliverPolicy.All };
  const consumer = await js.consumers.get(range.stream, {
    // One filter as a string: nats.js then creates the consumer on CONSUMER.CREATE.<stream>.<name>.<filter>,
    // the subject a NATS user's rights name (contracts/src/access.ts); a list uses the older,
    // nameless CONSUMER.CREATE.<stream>.
    filter_subjects: range.subjects.length === 1 ? (range.subjects[0] ?? '>') : [...range.subjects],
    // Unique per run: ordered consumers number themselves from 1 per client.
    name_prefix: `replay_${randomUUID().replaceAll('-', '').slice(0, 12)}`,
    ...position,
  });
  const stopAfterMs = range.to && range.lateMs !== undefined ? range.to.getTime() + range.lateMs : undefined;
  let batch: Batch = { events: [], firstSeq: 0, lastSeq: 0, scanned: 0, invalid: [] };
  let done = false;
  while (!done && !signal.aborted) {
    // Pulls in pieces; a pull that comes back empty means the filtered stream has nothing more.
    const messages = await consumer.fetch({ max_messages: range.batch, expires: 2_000 });
    let got = 0;
    for await (const msg of messages) {
      got++;
      if (done) continue;
      const past = msg.seq > range.endSeq || (stopAfterMs !== undefined && storedAtMs(msg) > stopAfterMs);
      if (!past) take(batch, msg, events, range);
      done = past || msg.seq >= range.endSeq || msg.info.pending === 0;
    }
    if (got === 0) done = true;
    if (batch.scanned > 0) {
      yield batch;
      batch = { events: [], firstSeq: 0, lastSeq: batch.lastSeq, scanned: 0, invalid: [] };
    }
  }
}

function storedAtMs(msg: JsMsg): number {
  return msg.info.timestampNanos / 1e6;
}

function take(batch: Batch, msg: JsMsg, events: EventRegistry, range: RangeSpec): void {
  if (batch.scanned === 0) batch.firstSeq = msg.seq;
  batch.lastSeq = msg.seq;
  batch.scanned++;
  let event: Envelope;
  try {
    event = events.decode(msg.data);
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    batch.invalid.push({ seq: msg.seq, reason: error.message });
    return;
  }
  const at = Date.parse(event.time);
  if ((range.from && at < range.from.getTime()) || (range.to && at >= range.to.getTime())) return;
  batch.events.push({ seq: msg.seq, subject: msg.subject, event, data: msg.data });
}
