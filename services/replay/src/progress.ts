// Progress of a replay over a sequence range: events/s, share done, time left. Takes a clock.

export interface ProgressSnapshot {
  scanned: number;
  perSecond: number;
  /** 0..1 of the sequence range. */
  done: number;
  /** Undefined until there is a rate to go by. */
  leftMs: number | undefined;
}

export class Progress {
  readonly #firstSeq: number;
  readonly #lastSeq: number;
  readonly #now: () => number;
  readonly #startedAt: number;
  #seq: number;
  #scanned = 0;

  constructor(firstSeq: number, lastSeq: number, now: () => number = Date.now) {
    this.#firstSeq = firstSeq;
    this.#lastSeq = lastSeq;
    this.#seq = firstSeq - 1;
    this.#now = now;
    this.#startedAt = now();
  }

  /** The events up to `seq` are done; `events` of them were scanned since the last call. */
  advance(seq: number, events: number): void {
    this.#seq = Math.max(this.#seq, seq);
    this.#scanned += events;
  }

  snapshot(): ProgressSnapshot {
    const elapsedMs = Math.max(1, this.#now() - this.#startedAt);
    const span = Math.max(1, this.#lastSeq - this.#firstSeq + 1);
    const covered = Math.min(span, Math.max(0, this.#seq - this.#firstSeq + 1));
    const seqPerMs = covered / elapsedMs;
    return {
      scanned: this.#scanned,
      perSecond: (this.#scanned / elapsedMs) * 1000,
      done: covered / span,
      leftMs: covered > 0 ? (span - covered) / seqPerMs : undefined,
    };
  }

  line(): string {
    const s = this.snapshot();
    const left = s.leftMs === undefined ? '…' : formatDuration(s.leftMs);
    return `${s.scanned.toLocaleString('en-US')} events, ${Math.round(s.perSecond).toLocaleString('en-US')}/s, ${(s.done * 100).toFixed(1)} % done, ${left} left`;
  }
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}
