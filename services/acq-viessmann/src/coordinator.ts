// One loop for every Viessmann device of the account: discovery (installations with gateways),
// then one features call per device per interval, the interval derived from the shared budget and
// the number of devices. Every call is granted by the budget first, so replicas and restarts
// together stay inside the limits; what an answer means for a device becomes a device state.
import { makeEvent, subjects, DeviceState } from '@heatstream/contracts';
import type { Clock, Kv, Logger, Publish } from '@heatstream/runtime';
import type { ViessmannClient, ViessmannDevice } from './api.ts';
import type { CallBudget } from './budget.ts';
import {
  EndpointGoneError,
  MalformedResponseError,
  RateLimitedError,
  ViessmannAuthError,
  ViessmannApiError,
} from './errors.ts';
import { FrozenWatch, mapFeatures, parseFeatures } from './features.ts';
import type { TokenStore } from './tokens.ts';

export interface CoordinatorDeps {
  site: string;
  service: string;
  source: string;
  client: ViessmannClient;
  budget: CallBudget;
  tokens: TokenStore;
  /** `<gatewaySerial>.<deviceId>` → heatstream device id; others get `vitocal-<serial>-<id>`. */
  names: ReadonlyMap<string, string>;
  rediscoverMs: number;
  frozenAfterMs: number;
  publish: Publish;
  /** The bucket the discovered devices are kept in. */
  store: Kv;
  clock: Clock;
  log: Logger;
}

interface Polled {
  device: ViessmannDevice;
  id: string;
  nextAt: number;
  state: DeviceState | undefined;
  frozen: FrozenWatch;
}

/** How long to wait before looking at the tokens again while they are refused or missing. */
const LOGIN_CHECK_MS = 15_000;
const DEVICES_KEY = 'devices';

export class Coordinator {
  readonly #d: CoordinatorDeps;
  readonly #log: Logger;
  #devices: Polled[] = [];
  #discoveredAt: number | undefined;
  readonly #warnedDeprecated = new Set<string>();
  #loginNeeded = false;
  /** The last poll interval: a failed call is not retried sooner than a poll would be. */
  #interval = 60_000;
  #stopping = new AbortController();
  #running: Promise<void> = Promise.resolve();

  constructor(deps: CoordinatorDeps) {
    this.#d = deps;
    this.#log = deps.log.child({ component: 'coordinator' });
  }

  get devices(): readonly string[] {
    return this.#devices.map((d) => d.id);
  }

  /** The devices an earlier run (or replica) discovered: a restart needs no discovery call. */
  async restore(): Promise<void> {
    const stored = (await this.#d.store.getJson(DEVICES_KEY)) as
      { at: number; devices: ViessmannDevice[] } | undefined;
    if (!stored) return;
    this.#adopt(stored.devices);
    this.#discoveredAt = stored.at;
  }

  start(): void {
    this.#stopping = new AbortController();
    const signal = this.#stopping.signal;
    this.#running = (async () => {
      while (!signal.aborted) {
        const waitMs = await this.step().catch((error: unknown) => {
          this.#log.error({ err: error }, 'poll step failed');
          return 5_000;
        });
        await this.#d.clock.sleep(waitMs, signal);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#running;
  }

  /** One round: what is due is called; answers how long to wait for the next. */
  async step(): Promise<number> {
    const { clock, budget, rediscoverMs } = this.#d;
    const now = clock.now();
    try {
      // Tokens first (a KV read, and a refresh when due): refused tokens must cost no API call.
      await this.#d.tokens.accessToken();
      if (this.#loginNeeded) this.#log.info('Viessmann tokens accepted; calling the API again');
      this.#loginNeeded = false;
      if (this.#discoveredAt === undefined || now - this.#discoveredAt >= rediscoverMs) {
        const grant = await budget.take();
        if (!grant.ok) return this.#waitFor(grant.untilMs, grant.reason);
        await this.#discover();
      }
      const interval = budget.intervalMs(this.#devices.length, await budget.dailyLimit());
      this.#interval = interval;
      for (const polled of this.#devices) {
        if (polled.nextAt > clock.now()) continue;
        const grant = await budget.take({ device: `${this.#d.site}.${polled.id}`, intervalMs: interval });
        if (!grant.ok) {
          // Another replica polled it: its turn comes one interval after that poll.
          if (grant.reason === 'polled by another replica') {
            polled.nextAt = grant.untilMs;
            continue;
          }
          return this.#waitFor(grant.untilMs, grant.reason);
        }
        polled.nextAt = grant.at + interval;
        // The granted time is the poll's time: the slot other replicas see and the reading's time.
        await this.#poll(polled, grant.at);
      }
    } catch (error) {
      return this.#failed(error);
    }
    const next = Math.min(...this.#devices.map((d) => d.nextAt), (this.#discoveredAt ?? 0) + rediscoverMs);
    return Math.max(0, next - clock.now());
  }

  #waitFor(untilMs: number, reason: string): number {
    const ms = Math.max(0, untilMs - this.#d.clock.now());
    this.#log.info({ until: new Date(untilMs).toISOString(), reason }, 'no calls until then');
    return ms;
  }

  async #discover(): Promise<void> {
    const found = await this.#d.client.devices();
    this.#adopt(found);
    this.#discoveredAt = this.#d.clock.now();
    await this.#d.store.putJson(DEVICES_KEY, { at: this.#discoveredAt, devices: found });
    this.#log.info(
      {
        devices: this.#devices.map((p) => ({
          id: p.id,
          model: p.device.modelId,
          gateway: p.device.gatewaySerial,
        })),
      },
      'devices discovered',
    );
  }

  #adopt(found: readonly ViessmannDevice[]): void {
    const known = new Map(this.#devices.map((p) => [`${p.device.gatewaySerial}.${p.device.deviceId}`, p]));
    this.#devices = found.map((device) => {
      const key = `${device.gatewaySerial}.${device.deviceId}`;
      return (
        known.get(key) ?? {
          device,
          id: this.#d.names.get(key) ?? `vitocal-${device.gatewaySerial}-${device.deviceId}`,
          nextAt: 0,
          state: undefined,
          frozen: new FrozenWatch(this.#d.frozenAfterMs),
        }
      );
    });
  }

  async #poll(polled: Polled, time: number): Promise<void> {
    let answer: { body: unknown; raw: string; path: string };
    try {
      answer = await this.#d.client.features(polled.device);
    } catch (error) {
      if (error instanceof ViessmannApiError || error instanceof EndpointGoneError) {
        await this.#setState(polled, DeviceState.unavailable, error.message, time);
        return;
      }
      if (error instanceof MalformedResponseError) {
        await this.#deadLetter(error.endpoint, error.raw, error.message);
        await this.#setState(polled, DeviceState.badData, error.message, time);
        return;
      }
      throw error;
    }
    const features = parseFeatures(answer.body);
    if (typeof features === 'string') {
      await this.#deadLetter(answer.path, answer.raw, features);
      await this.#setState(polled, DeviceState.badData, features, time);
      return;
    }
    const mapped = mapFeatures(features);
    for (const d of mapped.deprecated) {
      if (this.#warnedDeprecated.has(d.feature)) continue;
      this.#warnedDeprecated.add(d.feature);
      this.#log.warn(
        { feature: d.feature, removalDate: d.removalDate, info: d.info },
        'feature deprecated by Viessmann',
      );
    }
    if (Object.keys(mapped.values).length === 0) {
      await this.#setState(polled, DeviceState.badData, 'no known feature in the answer', time);
      return;
    }
    const { site, source } = this.#d;
    const event = makeEvent('heatstream.reading.v1', {
      source,
      subject: polled.id,
      time: new Date(time),
      data: { site, device: polled.id, model: polled.device.modelId, metrics: mapped.values },
    });
    await this.#d.publish(subjects.reading(site, polled.id), event, {
      msgId: `reading.${site}.${polled.id}.${time}`,
    });
    const frozen = polled.frozen.check(mapped.values, time);
    if (frozen.length > 0)
      await this.#setState(
        polled,
        DeviceState.badData,
        `energy summaries frozen while the compressor runs: ${frozen.join(', ')}`,
        time,
      );
    else await this.#setState(polled, DeviceState.online, undefined, time);
  }

  /** Errors that concern every device: tokens refused, rate limited. */
  async #failed(error: unknown): Promise<number> {
    const now = this.#d.clock.now();
    if (error instanceof ViessmannAuthError) {
      // No API call until the tokens change: only KV is looked at, never the API (core#181620).
      for (const p of this.#devices) await this.#setState(p, DeviceState.authFailed, error.message, now);
      // Once until it works again: the status (or this line, before any device is known) says it.
      if (!this.#loginNeeded)
        this.#log.error({ reason: error.message }, 'Viessmann login needed; no API calls until then');
      this.#loginNeeded = true;
      return LOGIN_CHECK_MS;
    }
    if (error instanceof RateLimitedError) {
      await this.#d.budget.pause(error.untilMs, error.message, error.dailyLimit);
      for (const p of this.#devices) await this.#setState(p, DeviceState.unavailable, error.message, now);
      return this.#waitFor(error.untilMs, error.message);
    }
    if (error instanceof MalformedResponseError) {
      await this.#deadLetter(error.endpoint, error.raw, error.message);
      this.#discoveredAt = undefined;
      return Math.max(60_000, this.#interval);
    }
    if (error instanceof ViessmannApiError || error instanceof EndpointGoneError) {
      this.#log.warn({ err: error }, 'Viessmann call failed');
      return Math.max(60_000, this.#interval);
    }
    throw error;
  }

  async #deadLetter(endpoint: string, raw: string, reason: string): Promise<void> {
    const { service, source } = this.#d;
    const event = makeEvent('heatstream.rejected.v1', {
      source,
      subject: service,
      data: {
        service,
        reason,
        originalSubject: `GET ${endpoint}`,
        payload: Buffer.from(raw).toString('base64'),
        payloadEncoding: 'base64',
      },
    });
    await this.#d.publish(subjects.rejected(service), event);
    this.#log.warn({ endpoint, reason }, 'answer dead-lettered');
  }

  async #setState(p: Polled, state: DeviceState, reason: string | undefined, time: number): Promise<void> {
    if (p.state === state) return;
    const { site, source } = this.#d;
    this.#log.info({ device: p.id, from: p.state ?? null, to: state, reason }, 'device state changed');
    const event = makeEvent('heatstream.device-status.v1', {
      source,
      subject: p.id,
      time: new Date(time),
      data: { site, device: p.id, state, ...(reason === undefined ? {} : { reason }) },
    });
    await this.#d.publish(subjects.deviceStatus(site, p.id), event, {
      msgId: `status.${site}.${p.id}.${time}`,
    });
    p.state = state;
  }
}
