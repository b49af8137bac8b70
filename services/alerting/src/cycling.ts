// Short cycling from one compressor's starts and stops: too many starts in the last hour, or too
// many runs shorter than the minimum (Danfoss Performer SH: at most 12 starts an hour, ≥ 2 min run
// time; alerting.md). Windows are in measurement time.
import type { Condition } from './lifecycle.ts';
import type { ShortCyclingRule } from './rules.ts';

export interface CyclingMemory {
  running: boolean;
  /** When the running state last changed (or was first seen). */
  since: number;
  /** The latest measurement time judged; older readings change nothing. */
  lastT: number;
  starts: number[];
  shortRuns: number[];
}

const HOUR = 3_600_000;

export function cycling(
  rule: ShortCyclingRule,
  memory: CyclingMemory | undefined,
  t: number,
  running: boolean,
): { memory: CyclingMemory; condition: Condition } {
  const m: CyclingMemory = memory ?? { running, since: t, lastT: t, starts: [], shortRuns: [] };
  let { starts, shortRuns, since } = m;
  const fresh = memory !== undefined && t > memory.lastT;
  if (fresh && running !== m.running) {
    if (running) starts = [...starts, t];
    else if (t - since < rule.minRunMs) shortRuns = [...shortRuns, t];
    since = t;
  }
  const now = Math.max(t, m.lastT);
  starts = starts.filter((s) => s > now - HOUR);
  shortRuns = shortRuns.filter((s) => s > now - HOUR);
  const next: CyclingMemory = {
    running: fresh ? running : m.running,
    since,
    lastT: now,
    starts,
    shortRuns,
  };
  if (starts.length > rule.maxStartsPerHour) {
    return {
      memory: next,
      condition: {
        active: true,
        message: `${starts.length} compressor starts in the last hour (limit ${rule.maxStartsPerHour})`,
        value: starts.length,
        threshold: rule.maxStartsPerHour,
      },
    };
  }
  if (shortRuns.length >= rule.maxShortRunsPerHour) {
    return {
      memory: next,
      condition: {
        active: true,
        message: `${shortRuns.length} compressor runs shorter than ${Math.round(rule.minRunMs / 1000)} s in the last hour`,
        value: shortRuns.length,
        threshold: rule.maxShortRunsPerHour,
      },
    };
  }
  return { memory: next, condition: { active: false, message: 'Compressor cycling normally' } };
}
