// When each device is due: its own expected interval, configured (its poll or send interval) or
// learnt as the median gap between its readings' measurement times, and the time of its latest
// reading. Measurement times, not arrival times, so a backlog read after a restart does not teach a
// device an interval of milliseconds. Readings that arrive much faster than they were measured — a
// cellular device's 5-minute batch of readings 10 s apart, or a backlog — make one gap together: the
// device is due again a batch later, not 10 s later.

export interface DeviceSeen {
  site: string;
  /** Latest measurement time seen (never ahead of the clock). */
  lastSeen: number;
  /** Recent gaps between consecutive measurement times, newest last. */
  gaps: number[];
  /** Clock time at which lastSeen last advanced. */
  arrived?: number;
}

const KEEP_GAPS = 9;
const MIN_GAPS = 3;
/** A reading is part of the same arrival as the one before when it came this much faster than it was measured. */
const BURST_RATIO = 4;

export function seen(prev: DeviceSeen | undefined, site: string, t: number, now: number): DeviceSeen {
  const at = Math.min(t, now);
  if (prev === undefined) return { site, lastSeen: at, gaps: [] };
  if (at <= prev.lastSeen) return { ...prev, site };
  const step = at - prev.lastSeen;
  const last = prev.gaps.at(-1);
  const burst = last !== undefined && prev.arrived !== undefined && (now - prev.arrived) * BURST_RATIO < step;
  const gaps = burst ? [...prev.gaps.slice(0, -1), last + step] : [...prev.gaps, step];
  return { site, lastSeen: at, gaps: gaps.slice(-KEEP_GAPS), arrived: now };
}

/** Configured interval, else the learnt median once a few gaps are known, else the fallback. */
export function expectedInterval(d: DeviceSeen, configured: number | undefined, fallback: number): number {
  if (configured !== undefined) return configured;
  if (d.gaps.length < MIN_GAPS) return fallback;
  const sorted = [...d.gaps].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? fallback)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

export const formatDuration = (ms: number): string => {
  const min = Math.round(ms / 60_000);
  if (min < 1) return `${Math.round(ms / 1000)} s`;
  if (min < 120) return `${min} min`;
  return `${Math.round(min / 60)} h`;
};
