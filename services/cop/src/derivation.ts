// The heat sources of one service run: a CopAccumulator each, its state and its finished day rows
// in the cop_state bucket, and what leaves it as cop.v1 events. Readings are added in memory;
// `flush` then publishes the day rows that finished and the periods re-summed up to the newest of
// them, stores the rows, and only then saves the accumulator's state. A crash before the state is
// saved replays the batch from the last saved state into the same rows (the same message ids), so
// nothing is lost and nothing counted twice; a failed flush rolls the accumulators back to it.
import { createHash } from 'node:crypto';
import type { CopV2Data, ReadingV1 } from '@heatstream/contracts';
import type { Kv, Logger } from '@heatstream/runtime';
import { CopAccumulator, type CopState, type DayRow } from './accumulator.ts';
import type { CopSource } from './config.ts';
import { copV2Data } from './cop-v2.ts';
import { periodWindows, summarise } from './periods.ts';

/** Publishes one figure with the message id that makes a repeat of it a duplicate. */
export type PublishCop = (data: CopV2Data, msgId: string) => Promise<void>;

const keyOf = (s: CopSource): string => `${s.site}.${s.device}`;
export const stateKey = (s: CopSource): string => `${keyOf(s)}.state`;
export const dayKey = (s: CopSource, day: string): string => `${keyOf(s)}.day.${day}`;

/**
 * Stable for the same figure: the period's identity plus a digest of its values. A repeat (a
 * redelivered batch, a re-derivation giving the same rows) is dropped by JetStream's duplicate
 * window; a changed figure gets a new id, so it is stored and replaces the row in QuestDB
 * (DEDUP UPSERT on site, device, period, category, period start) instead of being dropped.
 */
export function copMsgId(d: CopV2Data): string {
  const digest = createHash('sha256').update(JSON.stringify(d)).digest('hex').slice(0, 16);
  return `cop.${d.site}.${d.device}.${d.period}.${d.periodStart}.${d.category}.${digest}`;
}

interface Held {
  source: CopSource;
  acc: CopAccumulator;
  /** The state last saved (or loaded): what a failed flush goes back to. */
  saved: CopState | undefined;
  /** Finished day rows by local day, for the period re-sums. */
  days: Map<string, DayRow>;
  touched: boolean;
}

export interface DerivationOptions {
  /** Save accumulator state to KV (the live derivation); a re-derivation keeps its state in memory. */
  persistState: boolean;
  /**
   * Publish only days that began at or after the first reading seen: a re-derivation started in
   * the middle of a day must not replace that day's full row with a part of it.
   */
  wholeDaysOnly: boolean;
  /** Share the day rows of another derivation (the live one), so a re-derived day reaches its periods too. */
  daysOf?: CopDerivation;
}

export class CopDerivation {
  readonly #held: Held[];
  readonly #kv: Kv;
  readonly #publish: PublishCop;
  readonly #log: Logger;
  readonly #options: DerivationOptions;
  #firstReading: Map<Held, number> = new Map();

  private constructor(held: Held[], kv: Kv, publish: PublishCop, log: Logger, options: DerivationOptions) {
    this.#held = held;
    this.#kv = kv;
    this.#publish = publish;
    this.#log = log;
    this.#options = options;
  }

  /** Loads each source's saved state (when persisted) and its stored day rows. */
  static async open(
    sources: readonly CopSource[],
    kv: Kv,
    publish: PublishCop,
    log: Logger,
    options: DerivationOptions,
  ): Promise<CopDerivation> {
    const held = await Promise.all(
      sources.map(async (source): Promise<Held> => {
        const saved = options.persistState
          ? ((await kv.getJson(stateKey(source))) as CopState | undefined)
          : undefined;
        const other = options.daysOf;
        const shared = other === undefined ? undefined : other.#daysOf(source);
        const days = shared ?? new Map<string, DayRow>();
        if (shared === undefined) {
          for await (const key of kv.keys(`${keyOf(source)}.day.*`)) {
            const row = (await kv.getJson(key)) as DayRow | undefined;
            if (row !== undefined) days.set(row.day, row);
          }
        }
        return { source, acc: new CopAccumulator(source, saved), saved, days, touched: false };
      }),
    );
    return new CopDerivation(held, kv, publish, log, options);
  }

  #daysOf(source: CopSource): Map<string, DayRow> | undefined {
    return this.#held.find((h) => keyOf(h.source) === keyOf(source))?.days;
  }

  get sources(): readonly CopSource[] {
    return this.#held.map((h) => h.source);
  }

  /** Adds a reading to every source it feeds; the outcomes, for counting. */
  add(event: ReadingV1): string[] {
    const outcomes: string[] = [];
    const t = Date.parse(event.time);
    for (const h of this.#held) {
      const outcome = h.acc.add(event);
      if (outcome === 'ignored') continue;
      outcomes.push(outcome);
      h.touched = true;
      if (!this.#firstReading.has(h)) this.#firstReading.set(h, t);
    }
    return outcomes;
  }

  /** Closes what silent inputs hold open: nothing measured before `t` is awaited any more. */
  advanceTo(t: number): void {
    for (const h of this.#held) {
      h.acc.advanceTo(t - h.source.maxLatenessMs);
      h.touched = true;
    }
  }

  /** Live COP of every source that has one. */
  live() {
    return this.#held.flatMap((h) => h.acc.live() ?? []);
  }

  /** Publishes finished days and their periods, stores them, then saves state; rolls back on failure. */
  async flush(): Promise<number> {
    let published = 0;
    try {
      for (const h of this.#held) {
        if (!h.touched) continue;
        published += await this.#flushOne(h);
        h.touched = false;
      }
    } catch (error) {
      this.rollback();
      throw error;
    }
    return published;
  }

  /** Back to the last saved state: the readings since will be delivered again. */
  rollback(): void {
    for (const h of this.#held) {
      if (!h.touched) continue;
      h.acc = new CopAccumulator(h.source, h.saved);
      h.touched = false;
    }
  }

  async #flushOne(h: Held): Promise<number> {
    const first = this.#firstReading.get(h);
    const rows = h.acc
      .takeFinishedDays()
      .filter((r) => !this.#options.wholeDaysOnly || (first !== undefined && r.start >= first));
    let published = 0;
    for (const row of rows) published += await this.#emit(copV2Data(row));
    const last = rows.at(-1);
    if (last !== undefined) {
      for (const row of rows) h.days.set(row.day, row);
      const all = [...h.days.values()];
      for (const window of periodWindows(last.day, h.source.season))
        published += await this.#emit(copV2Data(summarise(all, window, h.source)));
      for (const row of rows) await this.#kv.putJson(dayKey(h.source, row.day), row);
    }
    if (this.#options.persistState) {
      const state = h.acc.toJSON();
      await this.#kv.putJson(stateKey(h.source), state);
      h.saved = state;
    } else {
      h.saved = h.acc.toJSON();
    }
    return published;
  }

  async #emit(figures: CopV2Data[]): Promise<number> {
    // cop.v2 carries every category, a net-defrost one (heat < 0) included.
    for (const data of figures) {
      if (data.heatKwh < 0)
        this.#log.debug({ figure: data }, 'defrost outweighs heat: negative heat published');
      await this.#publish(data, copMsgId(data));
    }
    return figures.length;
  }
}
