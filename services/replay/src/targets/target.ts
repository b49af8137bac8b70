import type { ReplayEvent } from '../source.ts';

/** Where a replay puts the events of a range. `take` returns once the batch is done for good. */
export interface ReplayTarget {
  take(events: readonly ReplayEvent[], signal: AbortSignal): Promise<void>;
  /** After the last batch (not after an interruption): finishing steps, e.g. refreshing roll-ups. */
  finish(): Promise<void>;
  close(): Promise<void>;
  /** What it did, for the final report. */
  summary(): string[];
}
