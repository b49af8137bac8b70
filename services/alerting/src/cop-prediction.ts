// COP below what the outside temperature predicts for this system, learnt from its own history.
// A heat pump's daily COP falls as it gets colder outside, roughly in a straight line over the
// range one winter spans (cop-method.md: COP falls with the lift between source and sink). Each
// system's line is its own (emitters, heating curve, installation), so it is learnt: a least-squares
// line of the daily COP against the day's mean outside temperature, over the usable days of the
// last `historyDays` before the day judged. A day more than `margin` below the line's prediction at
// its outside temperature raises; a raised alert resolves on a day back within margin − hysteresis
// (so a COP hovering at the limit is one alert, as thresholds have it). A day past the margin is
// kept out of the history, so a fault does not teach the model that it is normal.
import type { Condition } from './lifecycle.ts';
import type { CopBelowPredictionRule } from './rules.ts';

/** The figures of one cop day row this rule reads (cop.v2 has them all). */
export interface CopDayRow {
  site: string;
  device: string;
  period: string;
  periodStart: string;
  periodEnd: string;
  category: string;
  elecKwh: number;
  heatKwh: number;
  cop: number | null;
  coverage: number;
  /** Mean outside temperature over the category's running slots; null when unknown. */
  outsideTempC?: number | null;
}

/** A day the model learnt from. */
export interface CopPoint {
  /** periodStart as epoch ms: days are ordered and windowed by it. */
  t: number;
  outsideTempC: number;
  cop: number;
}

export interface CopMemory {
  /** Learnt days, oldest first, one per periodStart. */
  points: CopPoint[];
  /** The newest day judged or learnt: an older day (a re-derivation) is learnt, not judged. */
  latest?: number;
}

export interface CopLine {
  slope: number;
  intercept: number;
  days: number;
  minTempC: number;
  maxTempC: number;
}

const DAY_MS = 86_400_000;

/**
 * Outside temperatures closer together than this (their standard deviation, K) say nothing about
 * a slope: the line is then flat at the mean COP, which still catches a drop at that temperature.
 */
export const MIN_SPREAD_K = 1;

/** The least-squares line of COP against outside temperature; undefined without points. */
export function fitCopLine(points: readonly CopPoint[]): CopLine | undefined {
  const n = points.length;
  if (n === 0) return undefined;
  const meanT = points.reduce((s, p) => s + p.outsideTempC, 0) / n;
  const meanCop = points.reduce((s, p) => s + p.cop, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.outsideTempC - meanT) ** 2;
    sxy += (p.outsideTempC - meanT) * (p.cop - meanCop);
  }
  const slope = sxx / n < MIN_SPREAD_K ** 2 ? 0 : sxy / sxx;
  const temps = points.map((p) => p.outsideTempC);
  return {
    slope,
    intercept: meanCop - slope * meanT,
    days: n,
    minTempC: Math.min(...temps),
    maxTempC: Math.max(...temps),
  };
}

export interface CopVerdict {
  memory: CopMemory;
  /** Undefined: no verdict (not this rule's row, too little data, no model yet, an older day). */
  condition: Condition | undefined;
  /** Why there is no verdict, for the log. */
  skipped?: string;
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * One day row judged against the line learnt before it, and learnt from unless it is past the
 * margin. `held`: the rule's condition holds for this heat source now (the hysteresis band keeps it).
 */
export function judgeCopDay(
  rule: CopBelowPredictionRule,
  memory: CopMemory | undefined,
  row: CopDayRow,
  held = false,
): CopVerdict {
  const m: CopMemory = memory ?? { points: [] };
  if (row.period !== 'day' || row.category !== rule.category)
    return { memory: m, condition: undefined, skipped: 'not a day row of the rule’s category' };
  const t = Date.parse(row.periodStart);
  const { cop, outsideTempC } = row;
  if (cop === null || outsideTempC === undefined || outsideTempC === null)
    return { memory: m, condition: undefined, skipped: 'no COP or no outside temperature' };
  if (row.elecKwh < rule.minElecKwh || row.coverage < rule.minCoverage)
    return { memory: m, condition: undefined, skipped: 'too little electricity or coverage' };

  const history = m.points.filter((p) => p.t < t && p.t >= t - rule.historyDays * DAY_MS);
  const line = history.length >= rule.minDays ? fitCopLine(history) : undefined;
  const predicted = line === undefined ? undefined : line.intercept + line.slope * outsideTempC;
  const inRange =
    line !== undefined &&
    outsideTempC >= line.minTempC - rule.maxExtrapolationK &&
    outsideTempC <= line.maxTempC + rule.maxExtrapolationK;
  const judged = predicted !== undefined && predicted > 0 && inRange;
  const below = judged && cop < predicted * (1 - rule.margin);
  const stillBelow = judged && held && cop < predicted * (1 - rule.margin + rule.hysteresis);
  const newest = m.latest === undefined || t >= m.latest;

  const point: CopPoint = { t, outsideTempC, cop };
  const kept = m.points.filter((p) => p.t !== t);
  const points = below ? kept : [...kept, point].sort((a, b) => a.t - b.t);
  const latest = Math.max(t, m.latest ?? t);
  const next: CopMemory = {
    // Only what a later day's fit can still use: the window before the newest day.
    points: points.filter((p) => p.t >= latest - rule.historyDays * DAY_MS),
    latest,
  };
  if (!newest) return { memory: next, condition: undefined, skipped: 'an older day: learnt, not judged' };
  if (!judged) {
    const why =
      line === undefined
        ? `${history.length} of ${rule.minDays} days learnt`
        : inRange
          ? 'the line predicts no positive COP there'
          : 'outside the learnt range';
    return { memory: next, condition: undefined, skipped: why };
  }
  const day = row.periodStart.slice(0, 10);
  const shortfall = Math.round((1 - cop / predicted) * 100);
  const detail = `COP ${round(cop)} on ${day} at ${round(outsideTempC, 1)} °C outside`;
  const condition: Condition =
    below || stillBelow
      ? {
          active: true,
          message: `${detail} is ${shortfall} % below the ${round(predicted)} this system's history predicts`,
          value: round(cop),
          threshold: round(predicted * (1 - rule.margin)),
        }
      : {
          active: false,
          message:
            cop >= predicted
              ? `${detail} is at or above the ${round(predicted)} this system's history predicts`
              : `${detail} is ${shortfall} % below the ${round(predicted)} this system's history predicts, within the ${round(rule.margin * 100, 1)} % margin`,
        };
  return { memory: next, condition };
}
