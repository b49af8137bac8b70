// The meter's energy ledger: published totals that only ever go up, whatever the device's counters
// do. Every interval's per-phase energy — the step between two polls, or one stored record during
// a back-fill — is added to import and export totals, and balanced across the phases the way a
// utility meter counts ("saldierend"): the phases' net of the interval is import if positive,
// export if negative. A counter that went back (a reset, a replaced device) or jumped faster than
// any supply adds nothing; the device's new value becomes the base for the next step.

/** One channel's (phase's) energy, Wh: counters, or the energy of one interval. */
export interface ChannelEnergy {
  imp: number;
  exp: number;
}

export interface Totals {
  imp: number;
  exp: number;
  netImp: number;
  netExp: number;
}

/** What the ledger keeps between polls and across restarts (the service's KV bucket). */
export interface LedgerState {
  /** Measurement time of the last published reading, epoch ms. */
  ts: number;
  /** The device's counters as of `ts` (as far as the published readings account for them). */
  device: ChannelEnergy[];
  totals: Totals;
}

/** Counter steps backwards smaller than this are rounding (status Wh to 2, records to 3 decimals). */
const ROUNDING_WH = 1;

export class EnergyLedger {
  #s: LedgerState;
  readonly #spikeMaxW: number;

  /** Continues `state`, or starts at the device's counters (`begin`). */
  constructor(state: LedgerState, spikeMaxW: number) {
    this.#s = structuredClone(state);
    this.#spikeMaxW = spikeMaxW;
  }

  /** First sight of a device: its own counters are the totals; balancing starts at zero. */
  static begin(ts: number, device: readonly ChannelEnergy[]): LedgerState {
    const sum = (f: (c: ChannelEnergy) => number): number => device.reduce((a, c) => a + f(c), 0);
    return {
      ts,
      device: device.map((c) => ({ ...c })),
      totals: { imp: sum((c) => c.imp), exp: sum((c) => c.exp), netImp: 0, netExp: 0 },
    };
  }

  get state(): LedgerState {
    return structuredClone(this.#s);
  }

  get totals(): Totals {
    return { ...this.#s.totals };
  }

  /**
   * One stored record of `periodS` ending at `end`: its energies are added and the device's
   * counters advance by them. A negative or impossibly large value adds nothing (returned as a problem).
   */
  addRecord(end: number, periodS: number, energy: readonly ChannelEnergy[]): string[] {
    const problems: string[] = [];
    const maxWh = (this.#spikeMaxW * periodS) / 3_600;
    const clean = energy.map((e, i) => {
      const d = { ...e };
      for (const k of ['imp', 'exp'] as const) {
        if (!(d[k] >= 0 && d[k] <= maxWh)) {
          problems.push(
            `record at ${new Date(end).toISOString()}: phase ${i + 1} ${k === 'imp' ? 'import' : 'export'} ${d[k]} Wh ignored`,
          );
          d[k] = 0;
        }
      }
      return d;
    });
    this.#add(clean);
    this.#s.device = this.#s.device.map((c, i) => ({
      imp: c.imp + (clean[i]?.imp ?? 0),
      exp: c.exp + (clean[i]?.exp ?? 0),
    }));
    this.#s.ts = end;
    return problems;
  }

  /**
   * The device's counters at `ts`: the step since the last observation (or the last record) is
   * added. Returns why a step was refused, for a `bad-data` status; the counters are the new base either way.
   */
  observe(ts: number, device: readonly ChannelEnergy[]): string[] {
    const problems: string[] = [];
    const hours = Math.max(ts - this.#s.ts, 1_000) / 3_600_000;
    const maxWh = this.#spikeMaxW * hours;
    const step = device.map((c, i) => {
      const last = this.#s.device[i] ?? c;
      const d = { imp: c.imp - last.imp, exp: c.exp - last.exp };
      for (const k of ['imp', 'exp'] as const) {
        const name = `phase ${i + 1} ${k === 'imp' ? 'import' : 'export'} counter`;
        if (d[k] < -ROUNDING_WH) problems.push(`${name} went back from ${last[k]} to ${c[k]} Wh (reset?)`);
        else if (d[k] > maxWh)
          problems.push(`${name} jumped ${d[k].toFixed(0)} Wh, faster than ${this.#spikeMaxW} W`);
        if (d[k] < 0 || d[k] > maxWh) d[k] = 0;
      }
      return d;
    });
    this.#add(step);
    this.#s.device = device.map((c) => ({ ...c }));
    this.#s.ts = ts;
    return problems;
  }

  #add(energy: readonly ChannelEnergy[]): void {
    const t = this.#s.totals;
    let net = 0;
    for (const e of energy) {
      t.imp += e.imp;
      t.exp += e.exp;
      net += e.imp - e.exp;
    }
    if (net >= 0) t.netImp += net;
    else t.netExp -= net;
  }
}
