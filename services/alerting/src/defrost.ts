// Defrosts from the `defrost` state: more in the last hour than the limit, or one lasting longer
// than the longest a defrost board allows (alerting.md: boards end a defrost at 10–14 min; more
// than ~2 an hour or one over 10–15 min is worth a warning). Windows are in measurement time.
import type { Condition } from './lifecycle.ts';
import type { DefrostRule } from './rules.ts';

export interface DefrostMemory {
  on: boolean;
  /** When the defrost state last changed (or was first seen). */
  since: number;
  /** The latest measurement time judged; older readings change nothing. */
  lastT: number;
  starts: number[];
}

const HOUR = 3_600_000;

export function defrosts(
  rule: DefrostRule,
  memory: DefrostMemory | undefined,
  t: number,
  on: boolean,
): { memory: DefrostMemory; condition: Condition } {
  const m: DefrostMemory = memory ?? { on, since: t, lastT: t, starts: on ? [t] : [] };
  const fresh = memory !== undefined && t > memory.lastT;
  let { starts, since } = m;
  if (fresh && on !== m.on) {
    if (on) starts = [...starts, t];
    since = t;
  }
  const now = Math.max(t, m.lastT);
  const next: DefrostMemory = {
    on: fresh ? on : m.on,
    since,
    lastT: now,
    starts: starts.filter((s) => s > now - HOUR),
  };
  const minutes = (ms: number): number => Math.round(ms / 60_000);
  if (next.on && now - next.since > rule.maxDurationMs) {
    return {
      memory: next,
      condition: {
        active: true,
        metric: 'defrost',
        message: `Defrost running for ${minutes(now - next.since)} min (longest expected ${minutes(rule.maxDurationMs)} min)`,
      },
    };
  }
  if (next.starts.length > rule.maxPerHour) {
    return {
      memory: next,
      condition: {
        active: true,
        metric: 'defrost',
        message: `${next.starts.length} defrosts in the last hour (limit ${rule.maxPerHour})`,
        value: next.starts.length,
        threshold: rule.maxPerHour,
      },
    };
  }
  return { memory: next, condition: { active: false, message: 'Defrosts as expected' } };
}
