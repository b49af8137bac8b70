// A Shelly Pro 3EM on a heat pump's supply, driven by its own house model. The meter integrates each
// phase's power into import and return counters (Wh) and closes a record every minute with the
// energy of that interval, as the real device does (protocols.md §0: Wh per interval, not totals).
// A power loss stops counting and recording, so the stored records fall into several blocks.
import type { HeatPumpHouse } from '../model/house.ts';

export const Profile = { triphase: 'triphase', monophase: 'monophase' } as const;
export type Profile = (typeof Profile)[keyof typeof Profile];

export const PHASES = ['a', 'b', 'c'] as const;

/** The 17 per-phase keys of a 1-minute record (× 3 phases, plus 3 neutral keys = 51, as the device's). */
export const RECORD_PHASE_KEYS = [
  'total_act_energy',
  'fund_act_energy',
  'total_act_ret_energy',
  'fund_act_ret_energy',
  'lag_react_energy',
  'lead_react_energy',
  'max_act_power',
  'min_act_power',
  'max_aprt_power',
  'min_aprt_power',
  'max_voltage',
  'min_voltage',
  'avg_voltage',
  'max_current',
  'min_current',
  'avg_current',
] as const;
export const NEUTRAL_KEYS = ['n_max_current', 'n_min_current', 'n_avg_current'] as const;

export interface PhaseNow {
  voltage: number;
  current: number;
  actPower: number;
  aprtPower: number;
  pf: number;
  freq: number;
}

export interface MeterRecord {
  /** Interval start, epoch ms. */
  ts: number;
  periodS: number;
  /** Per phase: [import Wh, return Wh, min W, max W, avg V, avg A]. */
  phases: { imp: number; ret: number; minW: number; maxW: number; avgV: number; avgA: number }[];
}

export interface MeterOptions {
  /** Daytime PV on phase a at noon, W: makes phase a export while the heat pump idles. */
  pvPeakW: number;
  /** Records kept (the Pro 3EM: 60 days of 1-minute records). */
  keepRecords: number;
}

const STEP_MS = 10_000;
const MINUTE = 60_000;
const round = (v: number, d: number): number => Number(v.toFixed(d));

interface PhaseAcc {
  imp: number;
  ret: number;
  minW: number;
  maxW: number;
  vSum: number;
  aSum: number;
}

interface Open {
  ts: number;
  phases: PhaseAcc[];
  n: number;
}

const OFFSET_V = [0, 1.2, -0.8] as const;

export class SimulatedMeter {
  readonly #house: HeatPumpHouse;
  readonly #options: MeterOptions;
  #t: number;
  /** Per phase, Wh since the meter was installed. */
  readonly #counters = [
    { imp: 1_250_000, ret: 42_000 },
    { imp: 1_180_000, ret: 0 },
    { imp: 1_210_000, ret: 0 },
  ];
  readonly records: MeterRecord[] = [];
  #open: Open | undefined;
  #powerOffUntil = 0;

  constructor(house: HeatPumpHouse, startMs: number, options: MeterOptions) {
    this.#house = house;
    this.#options = options;
    this.#t = startMs;
  }

  /** Import counters per phase, Wh (a meter in service a while: they do not start at zero). */
  get imp(): number[] {
    return this.#counters.map((c) => c.imp);
  }

  /** Return (export) counters per phase, Wh. */
  get ret(): number[] {
    return this.#counters.map((c) => c.ret);
  }

  get time(): number {
    return this.#t;
  }

  /** The device is without power until `untilMs`: it neither counts nor records. */
  powerOff(untilMs: number): void {
    this.#powerOffUntil = untilMs;
    this.#open = undefined;
  }

  /** The instantaneous per-phase values at the model's current time. */
  phases(): PhaseNow[] {
    const s = this.#house.state;
    const running = s.elecW > 100;
    const pf = running ? 0.97 : 0.5;
    const hour = (s.timeMs / 3_600_000) % 24;
    const pv = this.#options.pvPeakW * Math.max(0, Math.sin((Math.PI * (hour - 6)) / 12));
    return OFFSET_V.map((offset, i) => {
      const voltage = 230 + 2 * Math.sin(s.timeMs / 3_600_000) + offset;
      const actPower = s.elecW / 3 - (i === 0 ? pv : 0);
      const aprtPower = Math.abs(actPower) / pf;
      return {
        voltage: round(voltage, 1),
        current: round(aprtPower / voltage, 3),
        actPower: round(actPower, 1),
        aprtPower: round(aprtPower, 1),
        pf: actPower < 0 ? -pf : pf,
        freq: 50,
      };
    });
  }

  /** Steps the house and the counters to `timeMs`, closing a record at each minute boundary. */
  advanceTo(timeMs: number): void {
    while (this.#t < timeMs) {
      const nextMinute = Math.floor(this.#t / MINUTE) * MINUTE + MINUTE;
      const to = Math.min(timeMs, this.#t + STEP_MS, nextMinute);
      const dtH = (to - this.#t) / 3_600_000;
      this.#house.advanceTo(to);
      if (to > this.#powerOffUntil) this.#count(this.phases(), dtH, to);
      this.#t = to;
      if (to === nextMinute && this.#open) this.#close(nextMinute);
    }
  }

  #count(phases: PhaseNow[], dtH: number, to: number): void {
    if (!this.#open) {
      // Recording starts with the first whole minute after power-up.
      const ts = Math.ceil((to - 1) / MINUTE) * MINUTE - MINUTE;
      if (ts < this.#powerOffUntil) {
        this.#addCounters(phases, dtH);
        return;
      }
      this.#open = {
        ts,
        phases: PHASES.map(() => ({ imp: 0, ret: 0, minW: Infinity, maxW: -Infinity, vSum: 0, aSum: 0 })),
        n: 0,
      };
    }
    const open = this.#open;
    open.phases.forEach((acc, i) => {
      const p = phases[i];
      if (!p) return;
      const wh = p.actPower * dtH;
      if (wh >= 0) acc.imp += wh;
      else acc.ret -= wh;
      acc.minW = Math.min(acc.minW, p.actPower);
      acc.maxW = Math.max(acc.maxW, p.actPower);
      acc.vSum += p.voltage;
      acc.aSum += p.current;
    });
    open.n++;
    this.#addCounters(phases, dtH);
  }

  #addCounters(phases: PhaseNow[], dtH: number): void {
    this.#counters.forEach((c, i) => {
      const wh = (phases[i]?.actPower ?? 0) * dtH;
      if (wh >= 0) c.imp += wh;
      else c.ret -= wh;
    });
  }

  #close(end: number): void {
    const o = this.#open as Open;
    this.#open = undefined;
    this.records.push({
      ts: o.ts,
      periodS: (end - o.ts) / 1000,
      phases: o.phases.map((acc) => ({
        imp: acc.imp,
        ret: acc.ret,
        minW: Number.isFinite(acc.minW) ? acc.minW : 0,
        maxW: Number.isFinite(acc.maxW) ? acc.maxW : 0,
        avgV: acc.vSum / Math.max(1, o.n),
        avgA: acc.aSum / Math.max(1, o.n),
      })),
    });
    if (this.records.length > this.#options.keepRecords) this.records.shift();
  }
}
