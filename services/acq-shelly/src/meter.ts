// The Pro 3EM's answers as catalogue values, for both profiles (protocols.md §2.2–2.4): triphase
// reads em:0 and emdata:0, monophase em1:0..2 and em1data:0..2 (channels shown as L1..L3). Stored
// records come from EMData.GetData (EM1Data.GetData per channel), followed through
// `next_record_ts` across as many pages and blocks as the device has.
import type { MetricName } from '@heatstream/contracts';
import type { ChannelEnergy } from './energy.ts';
import type { ShellyRpc } from './rpc.ts';
import { Em1DataStatus, Em1Status, EmDataStatus, EmStatus, GetDataResult } from './shapes.ts';

export type Profile = 'triphase' | 'monophase';
export type Values = Partial<Record<MetricName, number>>;

interface Phase {
  voltage: number;
  current: number;
  actPower: number;
  aprtPower: number;
  pf: number;
  freq: number | null | undefined;
}

export interface MeterSnapshot {
  phases: Phase[];
  counters: ChannelEnergy[];
  /** Errors the device reports about itself (`power_meter_failure`, `out_of_range:voltage`…). */
  deviceErrors: string[];
}

export interface StoredRecord {
  /** Start of the interval, epoch ms. */
  ts: number;
  periodS: number;
  energy: ChannelEnergy[];
  /** Mean voltage and current of the interval per phase, when the record has them. */
  avgVoltage: (number | undefined)[];
  avgCurrent: (number | undefined)[];
}

const X = ['a', 'b', 'c'] as const;
const CHANNELS = [0, 1, 2] as const;

export async function readMeter(rpc: ShellyRpc, profile: Profile): Promise<MeterSnapshot> {
  if (profile === 'triphase') {
    const em = (await rpc.call('EM.GetStatus', EmStatus, { id: 0 })) as Record<string, unknown>;
    const data = (await rpc.call('EMData.GetStatus', EmDataStatus, { id: 0 })) as unknown as Record<
      string,
      number
    >;
    const n = (k: string): number => em[k] as number;
    const errors = [
      ...((em.errors as string[] | undefined) ?? []),
      ...X.flatMap((x) => ((em[`${x}_errors`] as string[] | undefined) ?? []).map((e) => `${x}: ${e}`)),
      ...((data.errors as unknown as string[] | undefined) ?? []),
    ];
    return {
      phases: X.map((x) => ({
        voltage: n(`${x}_voltage`),
        current: n(`${x}_current`),
        actPower: n(`${x}_act_power`),
        aprtPower: n(`${x}_aprt_power`),
        pf: n(`${x}_pf`),
        freq: em[`${x}_freq`] as number | null | undefined,
      })),
      counters: X.map((x) => ({
        imp: data[`${x}_total_act_energy`] ?? NaN,
        exp: data[`${x}_total_act_ret_energy`] ?? NaN,
      })),
      deviceErrors: errors,
    };
  }
  const phases: Phase[] = [];
  const counters: ChannelEnergy[] = [];
  const deviceErrors: string[] = [];
  for (const id of CHANNELS) {
    const em1 = await rpc.call('EM1.GetStatus', Em1Status, { id });
    const d = await rpc.call('EM1Data.GetStatus', Em1DataStatus, { id });
    phases.push({
      voltage: em1.voltage,
      current: em1.current,
      actPower: em1.act_power,
      aprtPower: em1.aprt_power,
      pf: em1.pf,
      freq: em1.freq,
    });
    counters.push({ imp: d.total_act_energy, exp: d.total_act_ret_energy });
    deviceErrors.push(...[...(em1.errors ?? []), ...(d.errors ?? [])].map((e) => `em1:${id}: ${e}`));
  }
  return { phases, counters, deviceErrors };
}

const round = (v: number, d: number): number => Number(v.toFixed(d));
const L = ['l1', 'l2', 'l3'] as const;

/** The live values: per phase and totals; energy totals come from the ledger. */
export function liveMetrics(s: MeterSnapshot): Values {
  const v: Values = {};
  const sum = (f: (p: Phase) => number): number => s.phases.reduce((a, p) => a + f(p), 0);
  s.phases.forEach((p, i) => {
    const l = L[i] ?? 'l1';
    v[`voltage_${l}`] = p.voltage;
    v[`current_${l}`] = p.current;
    v[`elec_power_${l}`] = p.actPower;
    v[`apparent_power_${l}`] = p.aprtPower;
    v[`power_factor_${l}`] = p.pf;
  });
  const act = sum((p) => p.actPower);
  const aprt = sum((p) => p.aprtPower);
  v.elec_power = round(act, 1);
  v.apparent_power = round(aprt, 1);
  v.current = round(
    sum((p) => p.current),
    3,
  );
  v.voltage = round(sum((p) => p.voltage) / s.phases.length, 1);
  // The total power factor is P / S over all phases; with nothing drawn it is undefined.
  if (aprt > 0) v.power_factor = round(Math.min(1, Math.abs(act) / aprt), 3);
  // An unconnected phase reads 0 V and a nonsense frequency (protocols.md §2.2): take a live one.
  const live = s.phases.find((p) => p.voltage > 50 && typeof p.freq === 'number');
  if (live && typeof live.freq === 'number') v.frequency = live.freq;
  return v;
}

/** What a stored record tells beyond its energy: mean power, voltage and current per phase. */
export function recordMetrics(r: StoredRecord): Values {
  const v: Values = {};
  let total = 0;
  r.energy.forEach((e, i) => {
    const l = L[i] ?? 'l1';
    const w = ((e.imp - e.exp) * 3_600) / r.periodS;
    total += w;
    v[`elec_power_${l}`] = round(w, 1);
    const volts = r.avgVoltage[i];
    const amps = r.avgCurrent[i];
    if (volts !== undefined) v[`voltage_${l}`] = volts;
    if (amps !== undefined) v[`current_${l}`] = amps;
  });
  v.elec_power = round(total, 1);
  return v;
}

export class RecordShapeError extends Error {
  override name = 'RecordShapeError';
}

interface Row {
  periodS: number;
  /** Per channel of this stream: energy and means. */
  channels: { imp: number; exp: number; v: number | undefined; a: number | undefined }[];
}

/** Records of one GetData stream (triphase: 3 phases; monophase: one channel) from `fromMs`, by start. */
async function recordsOf(
  rpc: ShellyRpc,
  method: string,
  id: number,
  prefixes: readonly string[],
  fromMs: number,
  toMs: number,
  maxPages: number,
): Promise<Map<number, Row>> {
  const out = new Map<number, Row>();
  let ts = Math.ceil(fromMs / 1000);
  const endTs = Math.floor(toMs / 1000);
  for (let page = 0; page < maxPages; page++) {
    const result = await rpc.call(method, GetDataResult, { id, ts, end_ts: endTs });
    const cols = prefixes.map((p) => {
      const at = (k: string): number => result.keys.indexOf(`${p}${k}`);
      const c = {
        imp: at('total_act_energy'),
        exp: at('total_act_ret_energy'),
        v: at('avg_voltage'),
        a: at('avg_current'),
      };
      if (c.imp < 0 || c.exp < 0)
        throw new RecordShapeError(`${method}: keys lack ${p}total_act_energy / ${p}total_act_ret_energy`);
      return c;
    });
    for (const block of result.data) {
      block.values.forEach((row, k) => {
        const num = (i: number): number | undefined =>
          i >= 0 && typeof row[i] === 'number' ? row[i] : undefined;
        out.set((block.ts + k * block.period) * 1000, {
          periodS: block.period,
          // A missing energy value is NaN: the ledger refuses it and names it.
          channels: cols.map((c) => ({
            imp: num(c.imp) ?? NaN,
            exp: num(c.exp) ?? NaN,
            v: num(c.v),
            a: num(c.a),
          })),
        });
      });
    }
    if (result.next_record_ts === undefined || result.next_record_ts > endTs) return out;
    if (result.next_record_ts <= ts)
      throw new RecordShapeError(
        `${method}: next_record_ts ${result.next_record_ts} does not move on from ${ts}`,
      );
    ts = result.next_record_ts;
  }
  return out;
}

/** The device's stored records that start at or after `fromMs` and end by `toMs`, ascending. */
export async function readRecords(
  rpc: ShellyRpc,
  profile: Profile,
  fromMs: number,
  toMs: number,
  maxPages: number,
): Promise<StoredRecord[]> {
  const streams: Map<number, Row>[] = [];
  if (profile === 'triphase') {
    streams.push(await recordsOf(rpc, 'EMData.GetData', 0, ['a_', 'b_', 'c_'], fromMs, toMs, maxPages));
  } else {
    for (const id of CHANNELS)
      streams.push(await recordsOf(rpc, 'EM1Data.GetData', id, [''], fromMs, toMs, maxPages));
  }
  const starts = [...new Set(streams.flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  return starts.flatMap((ts) => {
    // Monophase: a channel without the record (it was added later) had no energy in it.
    const rows = streams.map((m) => m.get(ts));
    const periodS = rows.find((r) => r !== undefined)?.periodS ?? 60;
    if (ts < fromMs || ts + periodS * 1000 > toMs) return [];
    const channels = rows.flatMap((r) => r?.channels ?? [{ imp: 0, exp: 0, v: undefined, a: undefined }]);
    return [
      {
        ts,
        periodS,
        energy: channels.map((c) => ({ imp: c.imp, exp: c.exp })),
        avgVoltage: channels.map((c) => c.v),
        avgCurrent: channels.map((c) => c.a),
      },
    ];
  });
}
