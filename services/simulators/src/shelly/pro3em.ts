// The Pro 3EM's RPC methods over the simulated meter, shaped as the real device answers them
// (protocols.md §2.2–2.5): EM/EMData in the triphase profile, EM1/EM1Data per channel in the
// monophase profile, EMData.GetData / EM1Data.GetData with their stored 1-minute records, paged
// with `next_record_ts`.
import {
  NEUTRAL_KEYS,
  PHASES,
  Profile,
  RECORD_PHASE_KEYS,
  type MeterRecord,
  type SimulatedMeter,
} from './meter.ts';
import { RpcError, type RpcDevice } from './rpc.ts';

const r = (v: number, d = 2): number => Number(v.toFixed(d));
const seconds = (ms: number): number => Math.floor(ms / 1000);

export interface Pro3emOptions {
  id: string;
  profile: Profile;
  /** Records per GetData answer; more are reached through `next_record_ts`. */
  pageRecords: number;
  authEnabled: boolean;
}

function recordValues(rec: MeterRecord, phases: readonly number[]): number[] {
  const out: number[] = [];
  for (const i of phases) {
    const p = rec.phases[i];
    if (!p) continue;
    const aprt = (w: number): number => Math.abs(w) / 0.97;
    out.push(
      r(p.imp, 3), // total_act_energy
      r(p.imp, 3), // fund_act_energy
      r(p.ret, 3), // total_act_ret_energy
      r(p.ret, 3), // fund_act_ret_energy
      r(p.imp * 0.05, 3), // lag_react_energy
      0, // lead_react_energy
      r(p.maxW, 1),
      r(p.minW, 1),
      r(aprt(p.maxW), 1),
      r(aprt(p.minW), 1),
      r(p.avgV + 0.4, 1),
      r(p.avgV - 0.4, 1),
      r(p.avgV, 1),
      r(p.avgA * 1.02, 3),
      r(p.avgA * 0.98, 3),
      r(p.avgA, 3),
    );
  }
  return out;
}

export class SimulatedPro3em implements RpcDevice {
  readonly #meter: SimulatedMeter;
  readonly #options: Pro3emOptions;
  readonly #now: () => number;

  constructor(meter: SimulatedMeter, now: () => number, options: Pro3emOptions) {
    this.#meter = meter;
    this.#now = now;
    this.#options = options;
  }

  get id(): string {
    return this.#options.id;
  }

  call(method: string, params: Record<string, unknown>): unknown {
    this.#meter.advanceTo(this.#now());
    const tri = this.#options.profile === Profile.triphase;
    const channel = (): number => {
      const id = Number(params.id ?? 0);
      if (!Number.isInteger(id) || id < 0 || id > 2)
        throw new RpcError(-105, `Argument 'id', value ${String(params.id)} not found!`);
      return id;
    };
    switch (method) {
      case 'Shelly.GetDeviceInfo':
        return this.deviceInfo();
      case 'EM.GetStatus':
        if (!tri) break;
        return this.#emStatus();
      case 'EMData.GetStatus':
        if (!tri) break;
        return this.#emDataStatus();
      case 'EMData.GetData':
        if (!tri) break;
        return this.#getData(params, [0, 1, 2], (k, ph) => `${ph}_${k}`, true);
      case 'EM1.GetStatus':
        if (tri) break;
        return this.#em1Status(channel());
      case 'EM1Data.GetStatus':
        if (tri) break;
        return this.#em1DataStatus(channel());
      case 'EM1Data.GetData': {
        if (tri) break;
        const id = channel();
        return this.#getData(params, [id], (k) => k, false);
      }
    }
    throw new RpcError(404, `No handler for ${method}`);
  }

  deviceInfo(): Record<string, unknown> {
    const mac = this.#options.id.split('-').at(-1)?.toUpperCase() ?? '';
    return {
      name: null,
      id: this.#options.id,
      mac,
      slot: 0,
      model: 'SPEM-003CEBEU',
      gen: 2,
      fw_id: '20241011-114455/1.4.4-g6d2a586',
      ver: '1.4.4',
      app: 'Pro3EM',
      auth_en: this.#options.authEnabled,
      auth_domain: this.#options.authEnabled ? this.#options.id : null,
      profile: this.#options.profile,
    };
  }

  #emStatus(): Record<string, unknown> {
    const phases = this.#meter.phases();
    const out: Record<string, unknown> = { id: 0 };
    phases.forEach((p, i) => {
      const x = PHASES[i] ?? 'a';
      Object.assign(out, {
        [`${x}_current`]: p.current,
        [`${x}_voltage`]: p.voltage,
        [`${x}_act_power`]: p.actPower,
        [`${x}_aprt_power`]: p.aprtPower,
        [`${x}_pf`]: p.pf,
        [`${x}_freq`]: p.freq,
      });
    });
    const sum = (f: (p: (typeof phases)[number]) => number): number => phases.reduce((a, p) => a + f(p), 0);
    return {
      ...out,
      n_current: null,
      total_current: r(
        sum((p) => p.current),
        3,
      ),
      total_act_power: r(
        sum((p) => p.actPower),
        3,
      ),
      total_aprt_power: r(
        sum((p) => p.aprtPower),
        3,
      ),
      user_calibrated_phase: [],
    };
  }

  #emDataStatus(): Record<string, unknown> {
    const m = this.#meter;
    const out: Record<string, unknown> = { id: 0 };
    PHASES.forEach((x, i) => {
      out[`${x}_total_act_energy`] = r(m.imp[i] ?? 0);
      out[`${x}_total_act_ret_energy`] = r(m.ret[i] ?? 0);
    });
    out.total_act = r(m.imp.reduce((a, b) => a + b, 0));
    out.total_act_ret = r(m.ret.reduce((a, b) => a + b, 0));
    return out;
  }

  #em1Status(id: number): Record<string, unknown> {
    const p = this.#meter.phases()[id];
    if (!p) throw new RpcError(-105, `Argument 'id', value ${id} not found!`);
    return {
      id,
      current: p.current,
      voltage: p.voltage,
      act_power: p.actPower,
      aprt_power: p.aprtPower,
      pf: p.pf,
      freq: p.freq,
      calibration: 'factory',
    };
  }

  #em1DataStatus(id: number): Record<string, unknown> {
    return {
      id,
      total_act_energy: r(this.#meter.imp[id] ?? 0),
      total_act_ret_energy: r(this.#meter.ret[id] ?? 0),
    };
  }

  /** Records from `ts` (unix s) to `end_ts`, in blocks of contiguous records, one page at a time. */
  #getData(
    params: Record<string, unknown>,
    phases: readonly number[],
    key: (k: string, phase: string) => string,
    neutral: boolean,
  ): Record<string, unknown> {
    const from = params.ts === undefined ? 0 : Number(params.ts) * 1000;
    const to = params.end_ts === undefined ? Infinity : Number(params.end_ts) * 1000;
    if (!Number.isFinite(from)) throw new RpcError(-103, "Invalid argument 'ts'");
    const keys = phases.flatMap((i) => RECORD_PHASE_KEYS.map((k) => key(k, PHASES[i] ?? 'a')));
    if (neutral) keys.push(...NEUTRAL_KEYS);
    const all = this.#meter.records.filter((rec) => rec.ts >= from && rec.ts <= to);
    const page = all.slice(0, this.#options.pageRecords);
    const data: { ts: number; period: number; values: number[][] }[] = [];
    let last: MeterRecord | undefined;
    for (const rec of page) {
      const values = [...recordValues(rec, phases), ...(neutral ? [0, 0, 0] : [])];
      const contiguous = last && rec.ts === last.ts + last.periodS * 1000 && rec.periodS === last.periodS;
      const block = data.at(-1);
      if (contiguous && block) block.values.push(values);
      else data.push({ ts: seconds(rec.ts), period: rec.periodS, values: [values] });
      last = rec;
    }
    const next = all[page.length];
    return { keys, data, ...(next ? { next_record_ts: seconds(next.ts) } : {}) };
  }
}
