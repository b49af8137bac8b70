// The call budget every replica shares, in one KV entry changed only by compare-and-set: calls in
// the last 10 minutes, calls of the current UTC day (Viessmann's daily limit renews at 00:00 UTC,
// protocols.md §0), the daily limit the API last reported, a pause until a 429's limitReset, and
// when each device was last polled. Because the record is in KV, the budget holds across replicas
// and restarts: a new process starts from what the others spent.
import type { Clock, Kv } from '@heatstream/runtime';

export const TEN_MINUTES = 600_000;
export const DAY = 86_400_000;
const KEY = 'budget';
// Our clock and Viessmann's differ, and a call is counted there a little after it is counted here:
// a call stays in our 10-minute window this much longer, so the API never sees one too many.
const WINDOW_MARGIN_MS = 30_000;

export interface BudgetLimits {
  perTenMinutes: number;
  daily: number;
  /** Daily calls polling leaves for discovery and restarts. */
  reserve: number;
}

interface BudgetState {
  /** UTC day (YYYY-MM-DD) the count belongs to. */
  day: string;
  dayCount: number;
  /** requestCountLimit of the last daily 429: replaces the configured limit. */
  reportedDaily?: number;
  /** Start times of the calls in the last 10 minutes. */
  recent: number[];
  pausedUntil?: number;
  pauseReason?: string;
  /** Per device: when its last poll was granted. */
  polled: Record<string, number>;
}

export type Grant = { ok: true; at: number } | { ok: false; untilMs: number; reason: string };

const utcDay = (t: number): string => new Date(t).toISOString().slice(0, 10);
const nextUtcMidnight = (t: number): number => t - (t % DAY) + DAY;

export class CallBudget {
  readonly #kv: Kv;
  readonly #limits: BudgetLimits;
  readonly #clock: Clock;

  constructor(kv: Kv, limits: BudgetLimits, clock: Clock) {
    this.#kv = kv;
    this.#limits = limits;
    this.#clock = clock;
  }

  /** The daily limit in force: the API's word over the configured one. */
  async dailyLimit(): Promise<number> {
    const { state } = await this.#read();
    return state.reportedDaily ?? this.#limits.daily;
  }

  /**
   * How often each device may be polled so that polling `devices` devices stays inside both
   * limits, the daily one less the reserve.
   */
  intervalMs(devices: number, daily: number): number {
    const n = Math.max(1, devices);
    // A reserve larger than a tenth of a small limit would leave nothing to poll with.
    const reserve = Math.min(this.#limits.reserve, Math.floor(daily / 10));
    const pollsPerDay = Math.max(1, daily - reserve);
    return Math.ceil(
      Math.max((n * (TEN_MINUTES + WINDOW_MARGIN_MS)) / this.#limits.perTenMinutes, (n * DAY) / pollsPerDay),
    );
  }

  /**
   * One call, counted against every limit; `poll` also claims the device's poll slot, so two
   * replicas never poll one device within an interval. Refused: when to ask again, and why.
   */
  async take(poll?: { device: string; intervalMs: number }): Promise<Grant> {
    for (;;) {
      const now = this.#clock.now();
      const { state, revision } = await this.#read();
      const refused = this.#refusal(state, now, poll);
      if (refused) return refused;
      state.dayCount++;
      state.recent.push(now);
      if (poll) state.polled[poll.device] = now;
      if (await this.#write(state, revision)) return { ok: true, at: now };
      // Another replica changed it first: decide again on what it wrote.
    }
  }

  /** No call by any replica before `untilMs`; `limit` (requestCountLimit) replaces the daily limit. */
  async pause(untilMs: number, reason: string, daily?: number): Promise<void> {
    for (;;) {
      const { state, revision } = await this.#read();
      if ((state.pausedUntil ?? 0) < untilMs) {
        state.pausedUntil = untilMs;
        state.pauseReason = reason;
      }
      if (daily !== undefined) state.reportedDaily = daily;
      if (await this.#write(state, revision)) return;
    }
  }

  #refusal(
    state: BudgetState,
    now: number,
    poll?: { device: string; intervalMs: number },
  ): Grant | undefined {
    if (state.pausedUntil !== undefined && state.pausedUntil > now)
      return { ok: false, untilMs: state.pausedUntil, reason: state.pauseReason ?? 'paused' };
    const daily = state.reportedDaily ?? this.#limits.daily;
    if (state.dayCount >= daily)
      return { ok: false, untilMs: nextUtcMidnight(now), reason: `daily limit of ${daily} calls reached` };
    if (state.recent.length >= this.#limits.perTenMinutes)
      return {
        ok: false,
        untilMs: (state.recent[0] ?? now) + TEN_MINUTES + WINDOW_MARGIN_MS,
        reason: `${this.#limits.perTenMinutes} calls in 10 minutes reached`,
      };
    const last = poll ? state.polled[poll.device] : undefined;
    if (poll && last !== undefined && last + poll.intervalMs > now)
      return { ok: false, untilMs: last + poll.intervalMs, reason: 'polled by another replica' };
    return undefined;
  }

  async #read(): Promise<{ state: BudgetState; revision: number | undefined }> {
    const now = this.#clock.now();
    const entry = await this.#kv.get(KEY);
    const stored = entry?.json() as Partial<BudgetState> | undefined;
    const day = utcDay(now);
    const sameDay = stored?.day === day;
    const state: BudgetState = {
      day,
      dayCount: sameDay ? (stored.dayCount ?? 0) : 0,
      recent: (stored?.recent ?? []).filter((t) => t > now - TEN_MINUTES - WINDOW_MARGIN_MS && t <= now),
      polled: stored?.polled ?? {},
      ...(stored?.reportedDaily === undefined ? {} : { reportedDaily: stored.reportedDaily }),
      ...(stored?.pausedUntil === undefined || stored.pausedUntil <= now
        ? {}
        : { pausedUntil: stored.pausedUntil, pauseReason: stored.pauseReason ?? 'paused' }),
    };
    return { state, revision: entry?.revision };
  }

  #write(state: BudgetState, revision: number | undefined): Promise<boolean> {
    return revision === undefined
      ? this.#kv.createJson(KEY, state)
      : this.#kv.updateJson(KEY, state, revision);
  }
}
