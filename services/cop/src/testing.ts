// Readings for the COP tests: valid reading.v1 events at chosen measurement times.
import { EventType, makeEvent, type MetricName, type ReadingV1 } from '@heatstream/contracts';
import type { CopAccumulator } from './accumulator.ts';

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
