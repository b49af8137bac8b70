// Writes events into their table over ILP/HTTP, one HTTP request (one QuestDB transaction) per
// batch. A batch QuestDB refuses (HTTP 400) is split in halves until the refused rows are alone,
// so one bad row costs a few extra requests and nothing else; an unreachable QuestDB is waited out.
// Rows are encoded by ilp.ts (protocol v2, binary doubles) into buffers kept between batches and
// POSTed to /write; concurrent writes each take their own buffer, so batch N+1 is encoded while
// batch N is in flight.
import type { Envelope } from '@heatstream/contracts';
import { backoffDelay, systemClock, type Clock } from '@heatstream/runtime';
import { authHeader, type QuestDbConnection } from './connection.ts';
import { QuestDbRejectedError, QuestDbUnavailableError } from './errors.ts';
import type { TableDef } from './columns.ts';
import { IlpBuffer, ilpEncoder, type RowEncoder } from './ilp.ts';

/** Per event: undefined when stored, otherwise why QuestDB (or the encoder) refused it. */
export type WriteResult = (string | undefined)[];

export interface WriterOptions {
  /** Backoff while QuestDB is unreachable: first and longest wait. */
  retryMinMs?: number;
  retryMaxMs?: number;
  /** Told about every failed attempt while waiting, e.g. to log and to mark readiness. */
  onUnavailable?: (error: QuestDbUnavailableError, attempt: number) => void;
  /** Told when a write went through, e.g. to clear readiness. */
  onAvailable?: () => void;
  /** What the retry delays wait on. */
  clock?: Clock;
  /** How long one POST may take before it counts as QuestDB unavailable. */
  requestTimeoutMs?: number;
}

/** QuestDB's reason from a 400 body: the JSON message, without its fixed preamble. */
function rejectionOf(body: string): QuestDbRejectedError {
  let detail = body;
  try {
    detail = (JSON.parse(body) as { message?: string }).message ?? body;
  } catch {
    // not JSON: keep the text
  }
  return new QuestDbRejectedError(
    detail.replace(/^failed to parse line protocol:errors encountered on line\(s\):\s*/, '').trim(),
  );
}

/** One table writer per consumer; writes may overlap (each takes its own buffer). */
export class QuestDbWriter {
  readonly #conn: QuestDbConnection;
  readonly #options: WriterOptions;
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #encoders = new Map<string, RowEncoder>();
  /** Buffers not in use; a write takes one and gives it back. */
  readonly #free: IlpBuffer[] = [];

  constructor(conn: QuestDbConnection, options: WriterOptions = {}) {
    this.#conn = conn;
    this.#options = options;
    // precision=n is what the client sends; every timestamp here carries its own unit suffix.
    this.#url = `${conn.url}/write?precision=n`;
    this.#headers = { 'content-type': 'text/plain; charset=utf-8', ...authHeader(conn) };
  }

  #encoderOf(table: TableDef): RowEncoder {
    let encoder = this.#encoders.get(table.name);
    if (!encoder) {
      encoder = ilpEncoder(table);
      this.#encoders.set(table.name, encoder);
    }
    return encoder;
  }

  /**
   * Writes the events as one transaction, waiting while QuestDB is unreachable (until `signal`
   * aborts, then throws QuestDbUnavailableError). Rows QuestDB refuses are isolated and reported
   * per event; the rest is stored.
   */
  async write(table: TableDef, events: readonly Envelope[], signal?: AbortSignal): Promise<WriteResult> {
    const result: WriteResult = events.map(() => undefined);
    const { retryMinMs = 250, retryMaxMs = 5_000, clock = systemClock } = this.#options;
    let attempt = 0;
    for (;;) {
      try {
        await this.#writeIsolating(
          table,
          events,
          events.map((_, i) => i),
          result,
        );
        if (attempt > 0) this.#options.onAvailable?.();
        return result;
      } catch (error) {
        if (!(error instanceof QuestDbUnavailableError)) throw error;
        attempt++;
        this.#options.onUnavailable?.(error, attempt);
        if (signal?.aborted) throw error;
        await clock.sleep(backoffDelay(attempt, { initialMs: retryMinMs, maxMs: retryMaxMs }), signal);
        if (signal?.aborted) throw error;
      }
    }
  }

  /** Writes `indexes` of `events`; on refusal, bisects. Unavailability propagates. */
  async #writeIsolating(
    table: TableDef,
    events: readonly Envelope[],
    indexes: readonly number[],
    result: WriteResult,
  ): Promise<void> {
    const pending = indexes.filter((i) => result[i] === undefined);
    if (pending.length === 0) return;
    try {
      await this.#flush(table, events, pending, result);
    } catch (error) {
      if (!(error instanceof QuestDbRejectedError)) throw error;
      if (pending.length === 1) {
        result[pending[0] ?? 0] = `QuestDB refused the row: ${error.message}`;
        return;
      }
      const half = Math.ceil(pending.length / 2);
      await this.#writeIsolating(table, events, pending.slice(0, half), result);
      await this.#writeIsolating(table, events, pending.slice(half), result);
    }
  }

  /** One HTTP request. Rows the encoder refuses are marked and left out. */
  async #flush(
    table: TableDef,
    events: readonly Envelope[],
    indexes: readonly number[],
    result: WriteResult,
  ): Promise<void> {
    const encode = this.#encoderOf(table);
    const out = this.#free.pop() ?? new IlpBuffer();
    try {
      out.reset();
      for (const i of indexes) {
        const event = events[i];
        if (!event) continue;
        try {
          encode(out, event);
        } catch (error) {
          result[i] = `cannot encode the row for QuestDB: ${(error as Error).message}`;
        }
      }
      if (out.rows === 0) return;
      await this.#post(out.bytes());
    } finally {
      this.#free.push(out);
    }
  }

  /** POSTs encoded rows: 2xx committed, 400 refused (QuestDbRejectedError), else unavailable. */
  async #post(body: Buffer): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.#url, {
        method: 'POST',
        headers: this.#headers,
        body,
        signal: AbortSignal.timeout(this.#options.requestTimeoutMs ?? 30_000),
      });
    } catch (error) {
      throw new QuestDbUnavailableError(
        `QuestDB at ${this.#conn.url} unreachable: ${(error as Error).message}`,
        { cause: error },
      );
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return;
    if (response.status === 400) throw rejectionOf(text);
    throw new QuestDbUnavailableError(
      `QuestDB write failed: HTTP ${response.status}${text ? `: ${text.slice(0, 500)}` : ''}`,
    );
  }

  /** Lets the buffers go; nothing else is held between requests (fetch keeps its own sockets). */
  close(): Promise<void> {
    this.#free.length = 0;
    return Promise.resolve();
  }
}
