// Reads a stream range with an ordered consumer of its own (the runtime client's readStream:
// ephemeral, no acks, never one of the services' durable consumers). Yields batches of decoded
// events inside the measurement-time window.
import { ContractError, type Envelope, type EventRegistry } from '@heatstream/contracts';
import type { NatsClient, StoredMessage } from '@heatstream/runtime';

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

/** What replay reads with: the runtime client's stream reading. */
export type StreamSource = Pick<NatsClient, 'streamBounds' | 'readStream'>;

export async function* readRange(
  source: StreamSource,
  events: EventRegistry,
  range: RangeSpec,
  signal: AbortSignal,
): AsyncGenerator<Batch> {
  const reader = await source.readStream(range.stream, {
    filterSubjects: range.subjects,
    startSeq: range.startSeq,
    startTime: range.from,
  });
  const stopAfterMs = range.to && range.lateMs !== undefined ? range.to.getTime() + range.lateMs : undefined;
  let batch: Batch = { events: [], firstSeq: 0, lastSeq: 0, scanned: 0, invalid: [] };
  let done = false;
  while (!done && !signal.aborted) {
    // Pulls in pieces; a pull that comes back empty means the filtered stream has nothing more.
    const messages = await reader.next(range.batch);
    for (const msg of messages) {
      if (done) break;
      const past = msg.seq > range.endSeq || (stopAfterMs !== undefined && msg.storedAtMs > stopAfterMs);
      if (!past) take(batch, msg, events, range);
      done = past || msg.seq >= range.endSeq || msg.pending === 0;
    }
    if (messages.length === 0) done = true;
    if (batch.scanned > 0) {
      yield batch;
      batch = { events: [], firstSeq: 0, lastSeq: batch.lastSeq, scanned: 0, invalid: [] };
    }
  }
}

function take(batch: Batch, msg: StoredMessage, events: EventRegistry, range: RangeSpec): void {
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
