// Writes events into their table over ILP/HTTP, one HTTP request (one QuestDB transaction) per
// batch. A batch QuestDB refuses (HTTP 400) is split in halves until the refused rows are alone,
// so one bad row costs a few extra requests and nothing else; an unreachable QuestDB is waited out.
import { Sender } from '@questdb/nodejs-client';
import type { Envelope } from '@heatstream/contracts';
import { backoffDelay, systemClock, type Clock } from '@heatstream/runtime';
import { senderConfig, type QuestDbConnection } from './connection.ts';
import { QuestDbRejectedError, QuestDbUnavailableError } from './errors.ts';
import type { TableDef } from './columns.ts';

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
}

/** The message of QuestDB's JSON error body, or the whole client error. */
function classify(error: unknown): QuestDbRejectedError | QuestDbUnavailableError {
  const message = (error as Error).message;
  const status = /statusCode=(\d+)/.exec(message)?.[1];
  if (status === '400') {
    const body = message.slice(message.indexOf('error=') + 'error='.length);
    let detail = body;
    try {
      detail = (JSON.parse(body) as { message?: string }).message ?? body;
    } catch {
      // not JSON: keep the text
    }
    return new QuestDbRejectedError(
      detail.replace(/^failed to parse line protocol:errors encountered on line\(s\):\s*/, ''),
      {
        cause: error,
      },
    );
  }
  return new QuestDbUnavailableError(`QuestDB write failed: ${message}`, { cause: error });
}

/** One ILP/HTTP sender; not shared between concurrent writes (each consumer gets its own). */
export class QuestDbWriter {
  readonly #conn: QuestDbConnection;
  readonly #options: WriterOptions;
  #sender: Sender | undefined;

  constructor(conn: QuestDbConnection, options: WriterOptions = {}) {
    this.#conn = conn;
    this.#options = options;
  }

  async #senderOf(): Promise<Sender> {
    // The client's own retries are kept short: waiting out an outage is done here, where shutdown
    // can interrupt it.
    // Creating it asks QuestDB for its protocol versions (/settings), so it fails like a write.
    try {
      this.#sender ??= await Sender.fromConfig(
        senderConfig(this.#conn, { auto_flush: 'off', retry_timeout: 1_000, request_timeout: 30_000 }),
      );
    } catch (error) {
      throw new QuestDbUnavailableError(
        `QuestDB at ${this.#conn.url} unreachable: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    return this.#sender;
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
    const sender = await this.#senderOf();
    sender.reset();
    let encoded = 0;
    for (const i of indexes) {
      const event = events[i];
      if (!event) continue;
      try {
        await table.row(sender, event, table.name);
        encoded++;
      } catch (error) {
        // The client leaves a half-written row behind: start over without this event.
        result[i] = `cannot encode the row for QuestDB: ${(error as Error).message}`;
        sender.reset();
        return this.#flush(
          table,
          events,
          indexes.filter((j) => result[j] === undefined),
          result,
        );
      }
    }
    if (encoded === 0) return;
    try {
      await sender.flush();
    } catch (error) {
      throw classify(error);
    }
  }

  async close(): Promise<void> {
    const sender = this.#sender;
    this.#sender = undefined;
    await sender?.close();
  }
}
