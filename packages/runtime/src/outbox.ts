// The outbox: what a publisher could not get confirmed, kept on disk in the order it was published
// until JetStream has it. A restart of the service keeps it; the publisher (publish.ts) sends it.
//
// Storage is SQLite through Node's built-in `node:sqlite` rather than files of our own: it is the
// kept, crash-safe append log we would otherwise write (WAL with checksummed frames: a frame torn
// by a crash is discarded on open, every committed entry before it is kept), it needs no
// dependency, and npm's durable-queue packages are unmaintained or wrap the same SQLite natively.
// `synchronous = FULL`: an append returns only once it is on disk, so a publish that answered
// "queued" survives a power cut. The appends are rare (one per reading taken while NATS is away),
// so an fsync each costs nothing that matters; removals are batched.
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { StartupError } from './errors.ts';

export interface OutboxEntry {
  /** Position in the outbox: entries are sent in this order. */
  readonly seq: number;
  readonly subject: string;
  /** The original `Nats-Msg-Id`: a resend of something JetStream had stored is dropped as a duplicate. */
  readonly msgId: string;
  readonly data: Uint8Array;
  /** The original headers (trace context, extra headers), so a resend continues the publisher's trace. */
  readonly headers: Readonly<Record<string, string>>;
  /** When it was put in the outbox (ms since the epoch). */
  readonly queuedAt: number;
}

export interface OutboxFill {
  messages: number;
  bytes: number;
  maxBytes: number;
  /** Entries dropped to stay within `maxBytes` since this process opened the outbox. */
  dropped: number;
}

/** What an append cost: the oldest entries removed to make room, if any. */
export interface Dropped {
  count: number;
  bytes: number;
  oldest?: { msgId: string; queuedAt: number };
  newest?: { msgId: string; queuedAt: number };
}

const FILE = 'outbox.sqlite';

function openDb(file: string): DatabaseSync {
  const db = new DatabaseSync(file, { timeout: 0 });
  try {
    // Exclusive locking: held from the first write until close, released by the OS if we crash.
    db.exec(`PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
      CREATE TABLE IF NOT EXISTS outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, subject TEXT NOT NULL, msg_id TEXT NOT NULL,
        data BLOB NOT NULL, headers TEXT NOT NULL, queued_at INTEGER NOT NULL, size INTEGER NOT NULL);
      BEGIN EXCLUSIVE; COMMIT;`);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

export class Outbox {
  readonly dir: string;
  readonly maxBytes: number;
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync;
  readonly #oldest: StatementSync;
  readonly #removeUpTo: StatementSync;
  readonly #dropUpTo: StatementSync;
  readonly #totals: StatementSync;
  readonly #holds: StatementSync;
  #messages: number;
  #bytes: number;
  #dropped = 0;
  /**
   * Where a file SQLite could not read as a database was moved (the outbox started empty beside
   * it): kept for inspection, never deleted; the caller logs it as an error.
   */
  readonly setAside: string | undefined;

  /**
   * Opens (creating) the outbox in `dir`. One process at a time: a second one opening the same
   * directory fails, because two senders of one outbox would interleave its order.
   */
  constructor(dir: string, maxBytes: number) {
    this.dir = dir;
    this.maxBytes = maxBytes;
    const file = join(dir, FILE);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      let db: DatabaseSync;
      let setAside: string | undefined;
      try {
        db = openDb(file);
      } catch (error) {
        // Not a torn write (SQLite recovers from those itself) but a file that is no database:
        // refusing to start would stop acquisition; moving it aside keeps it and new readings.
        if (!/not a database|malformed|corrupt/i.test((error as Error).message)) throw error;
        setAside = `${file}.unreadable-${Date.now()}`;
        renameSync(file, setAside);
        if (existsSync(`${file}-wal`)) renameSync(`${file}-wal`, `${setAside}-wal`);
        db = openDb(file);
      }
      this.#db = db;
      this.setAside = setAside;
    } catch (error) {
      const busy = /locked|busy/i.test((error as Error).message);
      throw new StartupError(
        busy
          ? `outbox ${dir} is in use by another process: give each instance its own outbox.dir`
          : `cannot open the outbox in ${dir}: ${(error as Error).message} (check outbox.dir)`,
        { cause: error },
      );
    }
    this.#insert = this.#db.prepare(
      'INSERT INTO outbox (subject, msg_id, data, headers, queued_at, size) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.#oldest = this.#db.prepare(
      'SELECT seq, subject, msg_id, data, headers, queued_at FROM outbox ORDER BY seq LIMIT ?',
    );
    this.#removeUpTo = this.#db.prepare('DELETE FROM outbox WHERE seq <= ?');
    this.#dropUpTo = this.#db.prepare('DELETE FROM outbox WHERE seq <= ? AND seq != ?');
    this.#holds = this.#db.prepare('SELECT 1 FROM outbox WHERE seq = ?');
    this.#totals = this.#db.prepare('SELECT count(*) AS n, coalesce(sum(size), 0) AS b FROM outbox');
    this.#messages = 0;
    this.#bytes = 0;
    this.#count();
  }

  #count(): void {
    const { n, b } = this.#totals.get() as { n: number; b: number };
    this.#messages = n;
    this.#bytes = b;
  }

  get fill(): OutboxFill {
    return { messages: this.#messages, bytes: this.#bytes, maxBytes: this.maxBytes, dropped: this.#dropped };
  }

  get empty(): boolean {
    return this.#messages === 0;
  }

  /**
   * Keeps an entry (on disk when this returns). When the bound is reached the oldest entries go
   * first (the newest readings are worth most: the live state, alerting and counter totals), and
   * the caller is told what went so it can say so loudly. `inFlight`: the entry a sender holds.
   */
  append(entry: Omit<OutboxEntry, 'seq' | 'queuedAt'>, queuedAt: number, inFlight?: number): Dropped {
    const headers = JSON.stringify(entry.headers);
    const size = entry.data.byteLength + entry.subject.length + entry.msgId.length + headers.length;
    const dropped: Dropped = { count: 0, bytes: 0 };
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      if (this.#bytes + size > this.maxBytes) {
        const victims = this.#db
          .prepare('SELECT seq, msg_id, queued_at, size FROM outbox ORDER BY seq')
          .iterate() as Iterable<{ seq: number; msg_id: string; queued_at: number; size: number }>;
        let lastSeq: number | undefined;
        for (const v of victims) {
          // The entry being sent is not dropped: it may be stored already, and "dropped" must mean
          // that it never reached the stream through the outbox.
          if (v.seq === inFlight) continue;
          if (this.#bytes - dropped.bytes + size <= this.maxBytes) break;
          dropped.count++;
          dropped.bytes += v.size;
          dropped.oldest ??= { msgId: v.msg_id, queuedAt: v.queued_at };
          dropped.newest = { msgId: v.msg_id, queuedAt: v.queued_at };
          lastSeq = v.seq;
        }
        if (lastSeq !== undefined) this.#dropUpTo.run(lastSeq, inFlight ?? -1);
      }
      this.#insert.run(entry.subject, entry.msgId, entry.data, headers, queuedAt, size);
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
    this.#messages += 1 - dropped.count;
    this.#bytes += size - dropped.bytes;
    this.#dropped += dropped.count;
    return dropped;
  }

  /** The oldest `limit` entries, in order. */
  oldest(limit: number): OutboxEntry[] {
    return (
      this.#oldest.all(limit) as {
        seq: number;
        subject: string;
        msg_id: string;
        data: Uint8Array;
        headers: string;
        queued_at: number;
      }[]
    ).map((r) => ({
      seq: r.seq,
      subject: r.subject,
      msgId: r.msg_id,
      data: r.data,
      headers: JSON.parse(r.headers) as Record<string, string>,
      queuedAt: r.queued_at,
    }));
  }

  /** False once the entry was removed, or dropped to make room while a sender held it. */
  holds(seq: number): boolean {
    return this.#holds.get(seq) !== undefined;
  }

  /** Removes every entry up to and including `seq` (JetStream confirmed them). */
  removeUpTo(seq: number): void {
    this.#removeUpTo.run(seq);
    this.#count();
  }

  close(): void {
    if (this.#db.isOpen) this.#db.close();
  }
}
