// One heat source's COP, fed one reading at a time. Readings wait in a buffer until no reading of
// any input can still change their slots; then the slots are closed onto the grid and summed into
// their local day, and a day whose last slot is closed is a finished row to take out. Everything is
// decided by measurement times and the order of events, never by a clock, so a replay of the same
// events gives the same rows; a reading seen twice is counted once, one arriving after its slot was
// closed is counted as late and left out. The whole state is plain JSON, for a KV bucket.
import type { ReadingV1 } from '@heatstream/contracts';
import { BRIDGE_MS, EnergyFrom, GRID_MS, heatFrom, type CopSource } from './config.ts';
import { Channel, channelsOf, sourceDevices, type ChannelValues } from './channels.ts';
import {
  addSlot,
  addStartsSlot,
  categoriesOf,
  emptySums,
  figuresOf,
  methodOf,
  type CopFigures,
  type Slot,
  type Sums,
} from './figures.ts';
import { counterSlots, gaugeSlots, slotOf, type GaugeCarry, type Point } from './slots.ts';
import { localDay } from './zoned.ts';

export interface StoredSample {
  t: number;
  device: string;
  values: ChannelValues;
}

type GaugeChannel =
  | typeof Channel.elecW
  | typeof Channel.heatW
  | typeof Channel.dhw
  | typeof Channel.cooling
  | typeof Channel.outsideC
  | typeof Channel.flowC;
type CounterChannel =
  | typeof Channel.elecWh
  | typeof Channel.heatWh
  | typeof Channel.heatWhHeating
  | typeof Channel.heatWhDhw
  | typeof Channel.elecWhHeating
  | typeof Channel.elecWhDhw;

/** The vendor's split counters, whose deltas divide a running slot into space heating and hot water. */
const SPLIT = [Channel.heatWhHeating, Channel.heatWhDhw, Channel.elecWhHeating, Channel.elecWhDhw] as const;

export interface OpenDay {
  start: number;
  end: number;
  sums: Sums;
}

/** A finished day: its figures and its local date. */
export type DayRow = CopFigures & { day: string };

export interface CopState {
  version: 1;
  /** Readings not yet closed, and the recent ones the live window needs; by time, then device. */
  samples: StoredSample[];
  /** Latest measurement time per input device. */
  watermarks: Record<string, number>;
  /** First slot not yet closed; null before the first close. */
  next: number | null;
  /** Nothing measured before this instant will come any more (set by advanceTo). */
  closedUntil: number | null;
  gauges: Partial<Record<GaugeChannel, GaugeCarry>>;
  counters: Partial<Record<CounterChannel, Point>>;
  running: boolean | null;
  days: Record<string, OpenDay>;
  finished: DayRow[];
  late: number;
  duplicates: number;
}

export type AddOutcome = 'added' | 'duplicate' | 'late' | 'ignored';

export interface LiveCop {
  site: string;
  device: string;
  start: number;
  end: number;
  elecKwh: number;
  heatKwh: number;
  cop: number | null;
  /** Mean electric and heat power over the window's paired slots. */
  elecW: number | null;
  heatW: number | null;
  seconds: number;
  /** The window's running slots (electricity ≥ startingPowerW): the rolling COP's sums. */
  running: { elecKwh: number; heatKwh: number; seconds: number };
  /** The latest slot (the minute of the latest reading, its last values held): power now. */
  now: { elecW: number | null; heatW: number | null };
  /** The latest reading's time. */
  at: number;
}

export class CopStateError extends Error {
  override name = 'CopStateError';
}

const emptyState = (): CopState => ({
  version: 1,
  samples: [],
  watermarks: {},
  next: null,
  closedUntil: null,
  gauges: {},
  counters: {},
  running: null,
  days: {},
  finished: [],
  late: 0,
  duplicates: 0,
});

const before = (a: StoredSample, t: number, device: string): boolean =>
  a.t < t || (a.t === t && a.device < device);

/** One slot's split powers (W), when all four counters gave one; else null (classify by dhw_mode). */
function splitAt(split: (number | null)[][] | null, i: number): Slot['split'] {
  if (split === null) return null;
  const [heatHeating, heatDhw, elecHeating, elecDhw] = split.map((values) => values[i] ?? null);
  if (heatHeating == null || heatDhw == null || elecHeating == null || elecDhw == null) return null;
  return { heatHeatingW: heatHeating, heatDhwW: heatDhw, elecHeatingW: elecHeating, elecDhwW: elecDhw };
}

export class CopAccumulator {
  readonly source: CopSource;
  readonly devices: readonly string[];
  #state: CopState;

  constructor(source: CopSource, state?: CopState) {
    const version: unknown = state?.version;
    if (state !== undefined && version !== 1) {
      throw new CopStateError(`unknown COP state version ${String(version)}`);
    }
    this.source = source;
    this.devices = sourceDevices(source);
    this.#state = state === undefined ? emptyState() : structuredClone(state);
  }

  /** The state to save; `new CopAccumulator(source, state)` carries on from it. */
  toJSON(): CopState {
    return structuredClone(this.#state);
  }

  /** Readings left out because their slots were already closed, and readings seen twice. */
  get dropped(): { late: number; duplicates: number } {
    return { late: this.#state.late, duplicates: this.#state.duplicates };
  }

  add(event: ReadingV1): AddOutcome {
    const { site, device, metrics } = event.data;
    if (site !== this.source.site || !this.devices.includes(device)) return 'ignored';
    const values = channelsOf(this.source, device, metrics);
    if (Object.keys(values).length === 0) return 'ignored';
    const t = Date.parse(event.time);
    const s = this.#state;
    if (s.next !== null && t < s.next * GRID_MS) {
      s.late++;
      return 'late';
    }
    const samples = s.samples;
    let lo = 0;
    let hi = samples.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (before(samples[mid] as StoredSample, t, device)) lo = mid + 1;
      else hi = mid;
    }
    const at = samples[lo];
    if (at !== undefined && at.t === t && at.device === device) {
      s.duplicates++;
      return 'duplicate';
    }
    samples.splice(lo, 0, { t, device, values });
    s.watermarks[device] = Math.max(s.watermarks[device] ?? -Infinity, t);
    this.#close();
    return 'added';
  }

  /**
   * Declares that nothing measured before `t` will arrive any more, closing the slots a silent
   * input holds open. The service calls it from its clock (e.g. now − maxLatenessMs); a replay
   * calls it with the end of its range.
   */
  advanceTo(t: number): void {
    const s = this.#state;
    s.closedUntil = Math.max(s.closedUntil ?? -Infinity, t);
    this.#close();
  }

  /** Finished day rows, each given out once. */
  takeFinishedDays(): DayRow[] {
    const rows = this.#state.finished;
    this.#state.finished = [];
    return rows;
  }

  /** The COP over the last liveWindowMs up to the latest reading, with its still-open slots. */
  live(): LiveCop | null {
    const marks = Object.values(this.#state.watermarks);
    if (marks.length === 0) return null;
    const last = slotOf(Math.max(...marks));
    const from = last - Math.round(this.source.liveWindowMs / GRID_MS) + 1;
    const series = this.#series(this.#state.samples, from, last + 1, {}, {}, last);
    const sums = emptySums();
    series.elecW.forEach((elecW, i) => {
      addSlot(
        sums,
        { elecW, heatW: series.heatW[i] ?? null, dhw: null, cooling: series.cooling[i] ?? null },
        this.source.startingPowerW,
      );
    });
    const c = sums.categories.combined;
    const r = sums.categories.running;
    const hours = c.seconds / 3600;
    return {
      running: { elecKwh: r.elecKwh, heatKwh: r.heatKwh, seconds: r.seconds },
      now: { elecW: series.elecW.at(-1) ?? null, heatW: series.heatW.at(-1) ?? null },
      at: Math.max(...marks),
      site: this.source.site,
      device: this.source.device,
      start: from * GRID_MS,
      end: (last + 1) * GRID_MS,
      elecKwh: c.elecKwh,
      heatKwh: c.heatKwh,
      cop: c.elecKwh > 0 ? c.heatKwh / c.elecKwh : null,
      elecW: hours > 0 ? (c.elecKwh * 1000) / hours : null,
      heatW: hours > 0 ? (c.heatKwh * 1000) / hours : null,
      seconds: c.seconds,
    };
  }

  /** Slots that no reading can change any more: every input has passed them by the bridge, or one input by maxLatenessMs. */
  #closableUntil(): number | null {
    const s = this.#state;
    const marks = Object.values(s.watermarks);
    if (marks.length === 0) return s.closedUntil;
    const settled = Math.max(
      Math.min(...marks) - BRIDGE_MS,
      Math.max(...marks) - this.source.maxLatenessMs,
      s.closedUntil ?? -Infinity,
    );
    return settled;
  }

  #close(): void {
    const s = this.#state;
    const until = this.#closableUntil();
    if (until === null) return;
    const to = Math.floor(until / GRID_MS);
    let from = s.next ?? (s.samples[0] === undefined ? null : slotOf(s.samples[0].t));
    if (from === null || to <= from) return;
    const firstT = from * GRID_MS;
    const pending = s.samples.filter((x) => x.t >= firstT);
    from = this.#skipEmpty(from, to, pending);
    const series = this.#series(pending, from, to, s.gauges, s.counters);
    for (let i = 0; i < to - from; i++) {
      const slot = {
        elecW: series.elecW[i] ?? null,
        heatW: series.heatW[i] ?? null,
        dhw: series.dhw[i] ?? null,
        cooling: series.cooling[i] ?? null,
        outsideC: series.outsideC[i] ?? null,
        flowC: series.flowC[i] ?? null,
        split: splitAt(series.split, i),
      };
      if (slot.elecW === null && slot.heatW === null) continue;
      const sums = this.#day((from + i) * GRID_MS).sums;
      s.running = addStartsSlot(sums, slot.elecW, s.running, this.source.startingPowerW);
      addSlot(sums, slot, this.source.startingPowerW);
    }
    s.gauges = series.gauges;
    const endT = to * GRID_MS;
    this.#countersUpTo(pending, endT);
    s.next = to;
    const done = Object.entries(s.days)
      .filter(([, day]) => day.end <= endT)
      .sort(([, a], [, b]) => a.start - b.start);
    for (const [key, day] of done) s.finished.push(this.#row(key, day));
    s.days = Object.fromEntries(Object.entries(s.days).filter(([, day]) => day.end > endT));
    // Closed readings stay while the live window (and the bridge before it) may still read them.
    const liveFrom = Math.max(...Object.values(s.watermarks)) - this.source.liveWindowMs - BRIDGE_MS;
    s.samples = s.samples.filter((x) => x.t >= endT || x.t >= liveFrom);
  }

  /** The first slot worth walking from: past a stretch no carried value can bridge into. */
  #skipEmpty(from: number, to: number, pending: readonly StoredSample[]): number {
    const first = pending[0] === undefined ? to : Math.min(to, slotOf(pending[0].t));
    const reach = [
      ...Object.values(this.#state.gauges).map((g) => g.slot),
      ...Object.values(this.#state.counters).map((p) => slotOf(p.t)),
    ].map((slot) => slot + BRIDGE_MS / GRID_MS);
    return reach.some((r) => r > first) ? from : Math.max(from, first);
  }

  /** Each channel's slot values over [from, to) from the given samples and carries. */
  #series(
    samples: readonly StoredSample[],
    from: number,
    to: number,
    gauges: Partial<Record<GaugeChannel, GaugeCarry>>,
    counters: Partial<Record<CounterChannel, Point>>,
    holdUntil?: number,
  ) {
    // Every channel's points in one pass over the samples (a close can hold thousands of them).
    const byChannel = new Map<Channel, Point[]>();
    for (const x of samples) {
      for (const [channel, v] of Object.entries(x.values) as [Channel, number][]) {
        const list = byChannel.get(channel);
        if (list === undefined) byChannel.set(channel, [{ t: x.t, v }]);
        else list.push({ t: x.t, v });
      }
    }
    const points = (channel: Channel): Point[] => byChannel.get(channel) ?? [];
    const carries: Partial<Record<GaugeChannel, GaugeCarry>> = {};
    const gauge = (channel: GaugeChannel): (number | null)[] => {
      const r = gaugeSlots(points(channel), from, to, gauges[channel], holdUntil);
      if (r.carry !== undefined) carries[channel] = r.carry;
      return r.values;
    };
    const power = (gaugeChannel: GaugeChannel, counter: CounterChannel, fromCounter: boolean) =>
      fromCounter ? counterSlots(points(counter), from, to, counters[counter]) : gauge(gaugeChannel);
    const elecW = power(Channel.elecW, Channel.elecWh, this.source.elec.from === EnergyFrom.counter);
    const heatW = power(Channel.heatW, Channel.heatWh, heatFrom(this.source) === EnergyFrom.counter);
    const dhw = gauge(Channel.dhw);
    const cooling = gauge(Channel.cooling);
    const outsideC = gauge(Channel.outsideC);
    const flowC = gauge(Channel.flowC);
    const split = SPLIT.some((ch) => points(ch).length > 0)
      ? SPLIT.map((ch) => counterSlots(points(ch), from, to, counters[ch]))
      : null;
    return { elecW, heatW, dhw, cooling, outsideC, flowC, split, gauges: carries };
  }

  /** Counter deltas of the readings before `endT` into their days (a reset starts counting again). */
  #countersUpTo(pending: readonly StoredSample[], endT: number): void {
    const s = this.#state;
    for (const [channel, field] of [
      [Channel.elecWh, 'counterElecKwh'],
      [Channel.heatWh, 'counterHeatKwh'],
      ...SPLIT.map((ch) => [ch, null] as const),
    ] as const) {
      let prev = s.counters[channel];
      for (const x of pending) {
        if (x.t >= endT) break;
        const v = x.values[channel];
        if (v === undefined) continue;
        if (field !== null && prev !== undefined && x.t > prev.t && v >= prev.v) {
          const sums = this.#day(x.t).sums;
          sums[field] = (sums[field] ?? 0) + (v - prev.v) / 1000;
        }
        if (prev === undefined || x.t > prev.t) prev = { t: x.t, v };
      }
      if (prev !== undefined) s.counters[channel] = prev;
    }
  }

  #day(t: number): OpenDay {
    const s = this.#state;
    for (const day of Object.values(s.days)) if (t >= day.start && t < day.end) return day;
    const { key, start, end } = localDay(t, this.source.timeZone);
    const day = { start, end, sums: emptySums() };
    s.days[key] = day;
    return day;
  }

  #row(key: string, day: OpenDay): DayRow {
    const span = { site: this.source.site, device: this.source.device, start: day.start, end: day.end };
    return { day: key, ...figuresOf(day.sums, span, categoriesOf(this.source), methodOf(this.source)) };
  }
}
