// Fault injection for the simulated Modbus devices: what a real bus does on a bad day.
// A fault is active for a window of time (a schedule in the config, relative to start) or set by a
// test directly; rates make it intermittent, with a seeded random source so runs repeat.

export const FaultMode = {
  /** Answers late by `slowMs` (a client with a shorter timeout gives up). */
  slow: 'slow',
  /** Answers with Modbus exception 04 (server device failure), or `exceptionCode`. */
  exception: 'exception',
  /** Drops the TCP connection instead of answering. */
  disconnect: 'disconnect',
  /** Answers with random register values. */
  garbage: 'garbage',
} as const;
export type FaultMode = (typeof FaultMode)[keyof typeof FaultMode];

export interface Fault {
  mode: FaultMode;
  /** Chance a request is hit, 0…1; default 1. */
  rate?: number;
  /** Only this unit id; default every unit. */
  unitId?: number;
  slowMs?: number;
  exceptionCode?: number;
}

export interface ScheduledFault extends Fault {
  /** Seconds after start. */
  atS: number;
  forS: number;
}

/** A small deterministic PRNG (mulberry32), so a seeded fault run repeats exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class FaultPlan {
  readonly #schedule: readonly ScheduledFault[];
  readonly #startMs: number;
  readonly #random: () => number;
  #manual: Fault[] = [];

  constructor(schedule: readonly ScheduledFault[], startMs: number, random: () => number = seededRandom(1)) {
    this.#schedule = schedule;
    this.#startMs = startMs;
    this.#random = random;
  }

  /** Replaces the faults set by hand (tests, demos); the schedule stays. */
  set(faults: readonly Fault[]): void {
    this.#manual = [...faults];
  }

  /** The fault that hits this request, if any. */
  pick(unitId: number, nowMs: number): Fault | undefined {
    const elapsedS = (nowMs - this.#startMs) / 1000;
    const active = [
      ...this.#manual,
      ...this.#schedule.filter((f) => elapsedS >= f.atS && elapsedS < f.atS + f.forS),
    ].filter((f) => f.unitId === undefined || f.unitId === unitId);
    return active.find((f) => this.#random() < (f.rate ?? 1));
  }
}
