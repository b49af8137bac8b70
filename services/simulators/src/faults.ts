// Fault injection for the simulated Modbus devices: what a real bus does on a bad day.
// A fault is active for a window of time (seconds after start) or of requests (the n-th read the
// server answers and those after it) from the schedule in the config, or set by a test directly.
// Rates and garbage words come from one seeded random source, so runs repeat; a window counted in
// requests hits the same reads however fast or slow the client polls.

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

/** Active from `atS` seconds after start, for `forS` seconds. */
export interface TimedFault extends Fault {
  atS: number;
  forS: number;
}

/**
 * Active for `forRequests` reads from the `atRequest`-th (counting from 1) the server answers, over
 * every unit. modbus-serial asks for coils and discrete inputs bit by bit: each bit counts as a read.
 */
export interface CountedFault extends Fault {
  atRequest: number;
  forRequests: number;
}

export type ScheduledFault = TimedFault | CountedFault;

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
  /** Reads answered so far: the clock of windows counted in requests. */
  #requests = 0;

  constructor(schedule: readonly ScheduledFault[], startMs: number, random: () => number = seededRandom(1)) {
    this.#schedule = schedule;
    this.#startMs = startMs;
    this.#random = random;
  }

  /** Replaces the faults set by hand (tests, demos); the schedule stays. */
  set(faults: readonly Fault[]): void {
    this.#manual = [...faults];
  }

  /** The fault that hits this request, if any; each call is one request answered. */
  pick(unitId: number, nowMs: number): Fault | undefined {
    const request = ++this.#requests;
    const elapsedS = (nowMs - this.#startMs) / 1000;
    const inWindow = (f: ScheduledFault): boolean =>
      'atS' in f
        ? elapsedS >= f.atS && elapsedS < f.atS + f.forS
        : request >= f.atRequest && request < f.atRequest + f.forRequests;
    const active = [...this.#manual, ...this.#schedule.filter(inWindow)].filter(
      (f) => f.unitId === undefined || f.unitId === unitId,
    );
    return active.find((f) => this.#random() < (f.rate ?? 1));
  }

  /** Random register words for a garbage reply, from the plan's seeded source. */
  garbage(count: number): number[] {
    return Array.from({ length: count }, () => Math.floor(this.#random() * 0x10000));
  }
}
