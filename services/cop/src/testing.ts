// Readings for the COP tests: valid reading.v1 events at chosen measurement times.
import { EventType, makeEvent, type MetricName, type ReadingV1 } from '@heatstream/contracts';
import assert from 'node:assert/strict';
import { CopAccumulator, type DayRow } from './accumulator.ts';
import { parseCopSource } from './config.ts';

export const SITE = 'home';
/** 2025-01-14T00:00:00Z, a Tuesday; with timeZone UTC the start of a day. */
export const T0 = Date.UTC(2025, 0, 14);
export const MIN = 60_000;

export type Metrics = Partial<Record<MetricName, number>>;

export function reading(device: string, t: number, metrics: Metrics, site = SITE): ReadingV1 {
  return makeEvent(EventType.reading, {
    source: 'test/0',
    subject: device,
    time: new Date(t),
    data: { site, device, model: 'test', metrics },
  });
}

/** Readings of `device` every `everyMs` over [from, to), their metrics a function of the time. */
export function series(
  device: string,
  from: number,
  to: number,
  everyMs: number,
  metrics: (t: number) => Metrics,
): ReadingV1[] {
  const out: ReadingV1[] = [];
  for (let t = from; t < to; t += everyMs) out.push(reading(device, t, metrics(t)));
  return out;
}

/** Readings in measurement-time order (stable for equal times), as one publisher per device sends them. */
export function byTime(...lists: ReadingV1[][]): ReadingV1[] {
  return lists.flat().sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
}

export function feed(acc: CopAccumulator, events: readonly ReadingV1[]): void {
  for (const e of events) acc.add(e);
}

// The accumulator tests' shared fixtures: a meter and a heat pump at one site, a day closed at once.
export const DAY = 86_400_000;

export const source = (extra: Record<string, unknown> = {}) =>
  parseCopSource({
    site: 'home',
    device: 'hp',
    elec: { device: 'meter' },
    heat: { method: 'heat-meter', device: 'hp' },
    ...extra,
  });

export function near(actual: number | null | undefined, expected: number, what: string): void {
  assert.ok(
    actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-9,
    `${what}: ${actual} ≠ ${expected}`,
  );
}

/** Runs the readings through a fresh accumulator and closes the first day. */
export function oneDay(events: ReturnType<typeof series>, extra?: Record<string, unknown>): DayRow {
  const acc = new CopAccumulator(source(extra));
  feed(acc, events);
  acc.advanceTo(T0 + DAY);
  const rows = acc.takeFinishedDays();
  assert.equal(rows.length, 1);
  const [row] = rows;
  assert.ok(row);
  return row;
}

/** elec and heat power every minute over [fromMin, toMin), from the meter and the heat pump. */
export function minutes(
  fromMin: number,
  toMin: number,
  elecW: (m: number) => number,
  heatW: (m: number) => number,
) {
  const m = (t: number) => (t - T0) / MIN;
  return byTime(
    series('meter', T0 + fromMin * MIN, T0 + toMin * MIN, MIN, (t) => ({ elec_power: elecW(m(t)) })),
    series('hp', T0 + fromMin * MIN, T0 + toMin * MIN, MIN, (t) => ({ heat_power: heatW(m(t)) })),
  );
}
