// One coordinator per Pro 3EM: one status read per interval, every metric from it, and after a gap
// — the device, the network or this service away — the device's stored 1-minute records first,
// each published at its own time, so the history has no hole and the counters stay continuous.
// The ledger (energy.ts) is kept in KV after every reading, so a restarted service knows where it
// stopped and back-fills from there.
import { DeviceState } from '@heatstream/contracts';
import type { Clock, Kv, Logger } from '@heatstream/runtime';
import { EnergyLedger, type LedgerState, type Totals } from './energy.ts';
import { RpcFailure, ShellyRpcError } from './errors.ts';
import type { Device, DeviceEvents } from './events.ts';
import {
  liveMetrics,
  readMeter,
  readRecords,
  RecordShapeError,
  recordMetrics,
  type Profile,
  type Values,
} from './meter.ts';
import type { ShellyRpc } from './rpc.ts';

export interface MeterPollerOptions {
  device: Device & { profile: Profile; intervalMs: number };
  rpc: ShellyRpc;
  events: DeviceEvents;
  /** The service's bucket: one ledger per device id. */
  store: Pick<Kv, 'getJson' | 'putJson'>;
  clock: Clock;
  log: Logger;
  backfill: { afterMs: number; maxPages: number; maxDays: number };
  spikeMaxW: number;
}

export interface MeterPollOutcome {
  state: DeviceState;
  /** Records published by a back-fill in this poll. */
  backfilled: number;
  reason?: string;
}

const energyMetrics = (t: Totals): Values => ({
  elec_energy: Number(t.imp.toFixed(2)),
  elec_energy_export: Number(t.exp.toFixed(2)),
  elec_energy_net_import: Number(t.netImp.toFixed(2)),
  elec_energy_net_export: Number(t.netExp.toFixed(2)),
});

/** Records saved to KV at most this many apart during a long back-fill. */
const SAVE_EVERY = 60;

export class MeterPoller {
  readonly #o: MeterPollerOptions;
  readonly #log: Logger;
  #ledger: EnergyLedger | undefined;
  #loaded = false;
  #running: Promise<void> = Promise.resolve();
  #stopping = new AbortController();

  constructor(o: MeterPollerOptions) {
    this.#o = o;
    this.#log = o.log.child({ component: 'meter', device: o.device.id });
  }

  start(): void {
    this.#stopping = new AbortController();
    const signal = this.#stopping.signal;
    const { clock, device } = this.#o;
    this.#running = (async () => {
      while (!signal.aborted) {
        await this.pollOnce().catch((error: unknown) => {
          this.#log.error({ err: error }, 'poll failed');
        });
        await clock.sleep(device.intervalMs - (clock.now() % device.intervalMs), signal);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#running;
  }

  async pollOnce(): Promise<MeterPollOutcome> {
    const { device, rpc, events, clock } = this.#o;
    const time = clock.now();
    if (!this.#loaded) {
      const saved = (await this.#o.store.getJson(device.id)) as LedgerState | undefined;
      if (saved) this.#ledger = new EnergyLedger(saved, this.#o.spikeMaxW);
      this.#loaded = true;
    }
    let snapshot;
    try {
      snapshot = await readMeter(rpc, device.profile);
    } catch (error) {
      return this.#failed(error, time);
    }
    const problems: string[] = [];
    let backfilled = 0;
    if (!this.#ledger) {
      this.#ledger = new EnergyLedger(EnergyLedger.begin(time, snapshot.counters), this.#o.spikeMaxW);
    } else if (time - this.#ledger.state.ts > this.#o.backfill.afterMs) {
      try {
        backfilled = await this.#backfill(this.#ledger, time, problems);
      } catch (error) {
        // The gap stays (the next gap's back-fill does not reach back into it); the live reading goes on.
        if (!(error instanceof ShellyRpcError || error instanceof RecordShapeError)) throw error;
        if (error instanceof ShellyRpcError && !isBadAnswer(error)) return this.#failed(error, time);
        problems.push(`back-fill failed: ${error.message}`);
        if (error instanceof ShellyRpcError) await events.deadLetter(error, time);
      }
    }
    problems.push(...this.#ledger.observe(time, snapshot.counters));
    problems.push(...snapshot.deviceErrors.map((e) => `device reports ${e}`));
    await events.reading(device, time, { ...liveMetrics(snapshot), ...energyMetrics(this.#ledger.totals) });
    await this.#o.store.putJson(device.id, this.#ledger.state);
    const state = problems.length > 0 ? DeviceState.badData : DeviceState.online;
    const reason =
      problems.length > 0
        ? problems.join('; ')
        : backfilled > 0
          ? `back-filled ${backfilled} records`
          : undefined;
    if (problems.length > 0) this.#log.warn({ problems }, 'readings with problems');
    await events.status(
      device,
      time,
      state,
      reason,
      problems.length > 0 && events.stateOf(device.id) === state,
    );
    return { state, backfilled, ...(reason === undefined ? {} : { reason }) };
  }

  /** Publishes the stored records between the last reading and `time`; returns how many. */
  async #backfill(ledger: EnergyLedger, time: number, problems: string[]): Promise<number> {
    const { device, rpc, events, backfill } = this.#o;
    const from = Math.max(ledger.state.ts, time - backfill.maxDays * 86_400_000);
    const records = await readRecords(rpc, device.profile, from, time, backfill.maxPages);
    this.#log.info({ from: new Date(from).toISOString(), records: records.length }, 'back-filling a gap');
    let n = 0;
    for (const record of records) {
      const end = record.ts + record.periodS * 1000;
      problems.push(...ledger.addRecord(end, record.periodS, record.energy));
      await events.reading(device, end, { ...recordMetrics(record), ...energyMetrics(ledger.totals) });
      if (++n % SAVE_EVERY === 0) await this.#o.store.putJson(device.id, ledger.state);
    }
    return n;
  }

  async #failed(error: unknown, time: number): Promise<MeterPollOutcome> {
    if (!(error instanceof ShellyRpcError)) throw error;
    const { device, events } = this.#o;
    const state =
      error.failure === RpcFailure.auth
        ? DeviceState.authFailed
        : isBadAnswer(error)
          ? DeviceState.badData
          : DeviceState.unavailable;
    if (isBadAnswer(error)) await events.deadLetter(error, time);
    this.#log.warn({ failure: error.failure, reason: error.message }, 'poll failed');
    await events.status(device, time, state, error.message);
    return { state, backfilled: 0, reason: error.message };
  }
}

/** An answer that came but cannot be used: dead letter and bad-data, not unavailable. */
export const isBadAnswer = (e: ShellyRpcError): boolean =>
  e.failure === RpcFailure.malformed || e.failure === RpcFailure.shape;
