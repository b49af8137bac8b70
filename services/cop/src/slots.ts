// Inputs at any cadence onto the common grid (cop-method.md b.2). A slot is GRID_MS long and
// numbered from the epoch, so slots line up with every local midnight (zone offsets are whole
// quarter hours). A gauge's slot value is the mean of its samples in the slot; an empty slot takes
// the last value when the valued slots either side are less than BRIDGE_MS apart (MyHeatpump's
// remove_null_values: `(pos - last_valid_pos) * interval < 900`), and stays empty otherwise. A
// counter's slot value is the mean power its deltas give over the part of the slot they cover.
import { BRIDGE_MS, GRID_MS } from './config.ts';

export interface Point {
  t: number;
  v: number;
}

/** The last slot that had samples, carried across calls so a gap can be bridged from it. */
export interface GaugeCarry {
  slot: number;
  value: number;
}

export const slotOf = (t: number): number => Math.floor(t / GRID_MS);

const BRIDGE_SLOTS = BRIDGE_MS / GRID_MS;

export interface GaugeSeries {
  /** One value per slot of [from, to); null where there is no data. */
  values: (number | null)[];
  /** The last slot before `to` that had samples (or the carry passed in). */
  carry: GaugeCarry | undefined;
}

/**
 * Slot values of one gauge over [from, to). `points` are in time order and may reach past `to`: a
 * gap is bridged only when a later sample shows it was short. With `holdUntil` (the live view) an
 * empty slot up to that slot also takes the last value while it is less than BRIDGE_MS old.
 */
export function gaugeSlots(
  points: readonly Point[],
  from: number,
  to: number,
  carry: GaugeCarry | undefined,
  holdUntil?: number,
): GaugeSeries {
  const means = new Map<number, { sum: number; n: number }>();
  for (const p of points) {
    const s = slotOf(p.t);
    const m = means.get(s);
    if (m === undefined) means.set(s, { sum: p.v, n: 1 });
    else {
      m.sum += p.v;
      m.n++;
    }
  }
  const valued = [...means.keys()].sort((a, b) => a - b);
  const values: (number | null)[] = [];
  // Points before `from` only say what the window starts from, when they are newer than the carry.
  let prev = carry;
  const lastBefore = valued.filter((s) => s < from).at(-1);
  const m0 = lastBefore === undefined ? undefined : means.get(lastBefore);
  if (lastBefore !== undefined && m0 !== undefined && (prev === undefined || lastBefore > prev.slot)) {
    prev = { slot: lastBefore, value: m0.sum / m0.n };
  }
  let next = 0; // index into `valued` of the first valued slot after the current one
  for (let s = from; s < to; s++) {
    while (next < valued.length && (valued[next] ?? Infinity) <= s) next++;
    const m = means.get(s);
    if (m !== undefined) {
      prev = { slot: s, value: m.sum / m.n };
      values.push(prev.value);
      continue;
    }
    const after = valued[next];
    const bridged =
      prev !== undefined &&
      (after !== undefined
        ? after - prev.slot < BRIDGE_SLOTS
        : holdUntil !== undefined && s <= holdUntil && s - prev.slot < BRIDGE_SLOTS);
    values.push(bridged && prev !== undefined ? prev.value : null);
  }
  return { values, carry: prev };
}

/**
 * Mean power (W) per slot of [from, to) from a cumulative counter in Wh. Each pair of consecutive
 * readings spreads its delta evenly over the time between them; a pair further apart than the
 * bridge, or one where the counter went back (a reset), tells nothing about when the energy was
 * used and leaves its slots empty. `before` is the last reading before `points`.
 */
export function counterSlots(
  points: readonly Point[],
  from: number,
  to: number,
  before: Point | undefined,
): (number | null)[] {
  const wh = new Float64Array(to - from);
  const covered = new Float64Array(to - from);
  const start = from * GRID_MS;
  const end = to * GRID_MS;
  let prev = before;
  for (const p of points) {
    if (prev !== undefined && p.t > prev.t && p.t - prev.t < BRIDGE_MS && p.v >= prev.v) {
      const a = Math.max(prev.t, start);
      const b = Math.min(p.t, end);
      const perMs = (p.v - prev.v) / (p.t - prev.t);
      for (let t = a; t < b;) {
        const s = slotOf(t);
        const slotEnd = Math.min((s + 1) * GRID_MS, b);
        wh[s - from] = (wh[s - from] ?? 0) + perMs * (slotEnd - t);
        covered[s - from] = (covered[s - from] ?? 0) + (slotEnd - t);
        t = slotEnd;
      }
    }
    if (prev === undefined || p.t > prev.t) prev = p;
    if (p.t >= end) break;
  }
  return Array.from(wh, (energy, i) => {
    const ms = covered[i] ?? 0;
    return ms > 0 ? (energy * 3_600_000) / ms : null;
  });
}
