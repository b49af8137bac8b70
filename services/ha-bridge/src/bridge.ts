// The latest of every device, as Home Assistant entities: discovery configs (retained, once per
// entity), a JSON state topic per device that follows its readings, availability from its status
// events, live COP and COP by period per heat source and active alerts per device. Everything it published is kept,
// so a broker that lost its retained messages gets all of it again on reconnect (`republish`).
import {
  DeviceState,
  isMetricName,
  type AlertV1,
  CopCategory,
  CopPeriod,
  type CopLiveV1,
  type CopV2,
  type DeviceStatusV1,
  type ReadingV1,
} from '@heatstream/contracts';
import type { Logger } from '@heatstream/runtime';
import {
  alertConfigs,
  alertsTopic,
  availabilityTopic,
  copConfigs,
  copPeriodConfigs,
  copPeriods,
  copPeriodsTopic,
  copTopic,
  type CopPeriodKey,
  metricConfig,
  stateTopic,
  type DeviceId,
  type DiscoveryMessage,
  type Topics,
} from './discovery.ts';

/** Where messages go: retained, QoS 1 (mqtt.ts). */
export type Publish = (topic: string, payload: string) => Promise<void>;

interface ActiveAlert {
  rule: string;
  severity: string;
  state: string;
  message: string;
}

interface DeviceEntry {
  id: DeviceId;
  model: string | undefined;
  metrics: Record<string, number>;
  /** Measurement time (epoch ms) of each metric's value: an older reading never replaces a newer one. */
  times: Record<string, number>;
  time: string | undefined;
  configs: Map<string, DiscoveryMessage>;
  availability: 'online' | 'offline' | undefined;
  alerts: Map<string, ActiveAlert> | undefined;
  cop: Record<string, unknown> | undefined;
  copPeriods: Partial<Record<CopPeriodKey, CopFigure>> | undefined;
}

interface CopFigure {
  cop: number | null;
  heat_kwh: number;
  elec_kwh: number;
  coverage: number;
  partial: boolean;
  partial_reason: string | null;
  period_start: string;
  period_end: string;
}

/** CopPeriod value → its key, for the periods the bridge shows. */
const periodKeys = new Map<string, CopPeriodKey>(
  (Object.keys(copPeriods) as CopPeriodKey[]).map((key) => [CopPeriod[key], key]),
);

export class Bridge {
  readonly #topics: Topics;
  readonly #publish: Publish;
  readonly #log: Logger;
  readonly #devices = new Map<string, DeviceEntry>();

  constructor(topics: Topics, publish: Publish, log: Logger) {
    this.#topics = topics;
    this.#publish = publish;
    this.#log = log;
  }

  #entry(id: DeviceId): DeviceEntry {
    const key = `${id.site}/${id.device}`;
    let entry = this.#devices.get(key);
    if (entry === undefined) {
      entry = {
        id: { site: id.site, device: id.device },
        model: undefined,
        metrics: {},
        times: {},
        time: undefined,
        configs: new Map(),
        availability: undefined,
        alerts: undefined,
        cop: undefined,
        copPeriods: undefined,
      };
      this.#devices.set(key, entry);
    }
    return entry;
  }

  async #discover(entry: DeviceEntry, messages: readonly DiscoveryMessage[]): Promise<void> {
    for (const m of messages) {
      if (entry.configs.has(m.topic)) continue;
      entry.configs.set(m.topic, m);
      await this.#publish(m.topic, JSON.stringify(m.payload));
    }
  }

  async reading(event: ReadingV1): Promise<void> {
    const entry = this.#entry(event.data);
    if (entry.model !== event.data.model && entry.model !== undefined) {
      // A device that changed model (a replaced unit) gets its configs again with the new device block.
      entry.configs.clear();
    }
    entry.model = event.data.model;
    const at = Date.parse(event.time);
    let changed = false;
    for (const [metric, value] of Object.entries(event.data.metrics)) {
      if (!isMetricName(metric)) continue;
      if ((entry.times[metric] ?? -Infinity) > at) continue;
      entry.metrics[metric] = value;
      entry.times[metric] = at;
      changed = true;
    }
    if (!changed) return;
    if (entry.time === undefined || Date.parse(entry.time) < at) entry.time = event.time;
    const metricNames = Object.keys(entry.metrics).filter(isMetricName);
    await this.#discover(entry, [
      ...metricNames.map((m) => metricConfig(this.#topics, entry.id, entry.model, m)),
      ...alertConfigs(this.#topics, entry.id, entry.model),
    ]);
    // A device that reports is up until its status says otherwise.
    if (entry.availability === undefined) await this.#setAvailability(entry, 'online');
    await this.#publish(stateTopic(this.#topics, entry.id), this.#state(entry));
  }

  #state(entry: DeviceEntry): string {
    return JSON.stringify({ ...entry.metrics, time: entry.time });
  }

  async #setAvailability(entry: DeviceEntry, value: 'online' | 'offline'): Promise<void> {
    entry.availability = value;
    await this.#publish(availabilityTopic(this.#topics, entry.id), value);
  }

  async status(event: DeviceStatusV1): Promise<void> {
    const entry = this.#entry(event.data);
    // unavailable, bad-data and auth-failed all mean its values are not current.
    await this.#setAvailability(entry, event.data.state === DeviceState.online ? 'online' : 'offline');
  }

  /**
   * Alerts seen since the bridge started: core subscriptions carry no history, so one raised
   * before a restart counts once it changes again (README: limits). The state topic is published
   * only after an alert event, so a restart does not overwrite the retained count with a guess.
   */
  async alert(event: AlertV1): Promise<void> {
    const { alertId, rule, severity, state, message } = event.data;
    const entry = this.#entry(event.data);
    entry.alerts ??= new Map();
    if (state === 'resolved') entry.alerts.delete(alertId);
    else entry.alerts.set(alertId, { rule, severity, state, message });
    await this.#discover(entry, alertConfigs(this.#topics, entry.id, entry.model));
    await this.#publish(alertsTopic(this.#topics, entry.id), this.#alerts(entry));
  }

  #alerts(entry: DeviceEntry): string {
    const alerts = [...(entry.alerts?.values() ?? [])];
    return JSON.stringify({ active: alerts.length, alerts });
  }

  async copLive(event: CopLiveV1): Promise<void> {
    const { cop, window, heatW, elecW, reason, at } = event.data;
    const entry = this.#entry(event.data);
    entry.cop = { cop, window_cop: window.cop, heat_w: heatW, elec_w: elecW, reason: reason ?? null, at };
    await this.#discover(entry, copConfigs(this.#topics, entry.id, entry.model));
    await this.#publish(copTopic(this.#topics, entry.id), JSON.stringify(entry.cop));
  }

  /** A cop.v2 figure: the newest period start of each shown period replaces what was held. */
  async copFigure(event: CopV2): Promise<void> {
    const d = event.data;
    const key = periodKeys.get(d.period);
    if (key === undefined || d.category !== CopCategory.combined) return;
    const entry = this.#entry(d);
    entry.copPeriods ??= {};
    const held = entry.copPeriods[key];
    if (held && Date.parse(held.period_start) > Date.parse(d.periodStart)) return;
    entry.copPeriods[key] = {
      cop: d.cop,
      heat_kwh: d.heatKwh,
      elec_kwh: d.elecKwh,
      coverage: d.coverage,
      partial: d.partial,
      partial_reason: d.partialReason,
      period_start: d.periodStart,
      period_end: d.periodEnd,
    };
    await this.#discover(entry, copPeriodConfigs(this.#topics, entry.id, entry.model));
    await this.#publish(copPeriodsTopic(this.#topics, entry.id), JSON.stringify(entry.copPeriods));
  }

  /** Everything published so far, again: after a reconnect to a broker that may have lost it. */
  async republish(): Promise<void> {
    let count = 0;
    for (const entry of this.#devices.values()) {
      for (const m of entry.configs.values()) await this.#publish(m.topic, JSON.stringify(m.payload));
      if (entry.availability)
        await this.#publish(availabilityTopic(this.#topics, entry.id), entry.availability);
      if (entry.time !== undefined)
        await this.#publish(stateTopic(this.#topics, entry.id), this.#state(entry));
      if (entry.alerts) await this.#publish(alertsTopic(this.#topics, entry.id), this.#alerts(entry));
      if (entry.cop) await this.#publish(copTopic(this.#topics, entry.id), JSON.stringify(entry.cop));
      if (entry.copPeriods)
        await this.#publish(copPeriodsTopic(this.#topics, entry.id), JSON.stringify(entry.copPeriods));
      count++;
    }
    if (count > 0) this.#log.info({ devices: count }, 'republished discovery and state');
  }
}
