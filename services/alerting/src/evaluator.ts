// Readings and device statuses in, alert transitions out. Each rule kind's detector judges one
// device; the lifecycle turns verdicts into raised / escalated / acknowledged / resolved. Time comes
// from a Clock: tick() is what notices silence (offline) and the end of waits (clearAfterMs, forMs,
// cooldownMs). A device that is offline holds back new threshold and data-quality alerts of its own.
// The state is plain JSON, so a restart carries on with the same active alerts and ids.
import { DeviceState, type DeviceStatusV1, type MetricName, type ReadingV1 } from '@heatstream/contracts';
import type { Clock } from '@heatstream/runtime';
import { judgeCopDay, type CopDayRow, type CopMemory } from './cop-prediction.ts';
import { cycling, type CyclingMemory } from './cycling.ts';
import { defrosts, type DefrostMemory } from './defrost.ts';
import { frozenCounters, type FrozenMemory } from './frozen.ts';
import { Lifecycle, type Alert, type Condition, type KeyState, type Transition } from './lifecycle.ts';
import { expectedInterval, formatDuration, seen, type DeviceSeen } from './offline.ts';
import { counterBack, heatMeterZero, isRunning, type CounterMemory, type Metrics } from './quality.ts';
import { inhibitedByOffline, RuleKind, type OfflineRule, type Rule } from './rules.ts';
import { thresholdCondition } from './threshold.ts';

export interface EvaluatorState {
  version: 1;
  alerts: Record<string, KeyState>;
  devices: Record<string, DeviceSeen>;
  /** Latest value of each metric per device, for rules that pair devices. */
  latest: Record<string, Metrics>;
  counters: Record<string, CounterMemory>;
  cycling: Record<string, CyclingMemory>;
  /** Absent in state saved before the defrost rule existed. */
  defrost?: Record<string, DefrostMemory>;
  frozen?: Record<string, Partial<Record<MetricName, FrozenMemory>>>;
  /** Each cop-below-prediction rule's learnt days per heat source; absent before that rule. */
  cop?: Record<string, CopMemory>;
}

export interface EvaluatorOptions {
  rules: readonly Rule[];
  clock: Pick<Clock, 'now'>;
  /** Device id → the interval it is polled or sends at; devices not listed have theirs learnt. */
  expectedIntervalMs?: Readonly<Record<string, number>>;
  state?: EvaluatorState;
}

export class EvaluatorStateError extends Error {
  override name = 'EvaluatorStateError';
}

const deviceKey = (site: string, device: string): string => `${site}/${device}`;

const applies = (rule: Rule, device: string): boolean =>
  rule.enabled && (rule.devices === undefined || rule.devices.includes(device));

export class AlertEvaluator {
  readonly #rules: readonly Rule[];
  readonly #clock: Pick<Clock, 'now'>;
  readonly #intervals: Readonly<Record<string, number>>;
  readonly #lifecycle: Lifecycle;
  readonly #state: Omit<EvaluatorState, 'alerts'>;

  constructor(options: EvaluatorOptions) {
    const state = options.state;
    const version: unknown = state?.version;
    if (state !== undefined && version !== 1) {
      throw new EvaluatorStateError(`unknown alerting state version ${String(version)}`);
    }
    this.#rules = options.rules;
    this.#clock = options.clock;
    this.#intervals = options.expectedIntervalMs ?? {};
    this.#lifecycle = new Lifecycle(options.rules, state?.alerts);
    const saved = structuredClone(state);
    this.#state = {
      version: 1,
      devices: saved?.devices ?? {},
      latest: saved?.latest ?? {},
      counters: saved?.counters ?? {},
      cycling: saved?.cycling ?? {},
      defrost: saved?.defrost ?? {},
      frozen: saved?.frozen ?? {},
      cop: saved?.cop ?? {},
    };
  }

  toJSON(): EvaluatorState {
    return { ...structuredClone(this.#state), alerts: this.#lifecycle.toJSON() };
  }

  active(): Alert[] {
    return this.#lifecycle.active();
  }

  onReading(event: ReadingV1): Transition[] {
    const now = this.#clock.now();
    const t = Date.parse(event.time);
    const { site, device, metrics: values } = event.data;
    const key = deviceKey(site, device);
    const before = this.#state.devices[key];
    this.#state.devices[key] = seen(before, site, t, now);
    const out: Transition[] = [];
    for (const rule of this.#of(RuleKind.offline, device)) {
      const gone = before === undefined ? '' : ` after ${formatDuration(Math.max(0, now - before.lastSeen))}`;
      out.push(
        ...this.#update(
          rule,
          site,
          device,
          { active: false, message: `${device} is back online${gone}` },
          now,
        ),
      );
    }
    // A reading older than the latest one seen tells of the past: it is kept out of the conditions.
    if (before !== undefined && t < before.lastSeen) return out;
    this.#state.latest[key] = { ...this.#state.latest[key], ...values };

    for (const rule of this.#of(RuleKind.threshold, device)) {
      const value = values[rule.metric];
      if (value === undefined) continue;
      const held = this.#lifecycle.holding(rule.id, site, device);
      out.push(...this.#update(rule, site, device, thresholdCondition(rule, value, held), t));
    }
    for (const rule of this.#of(RuleKind.counterBack, device)) {
      const r = counterBack(this.#state.counters[key] ?? {}, t, values);
      this.#state.counters[key] = r.memory;
      if (r.condition !== undefined) out.push(...this.#update(rule, site, device, r.condition, t));
    }
    for (const rule of this.#of(RuleKind.heatMeterZero, device)) {
      const elecDevice = rule.elecDevices[device];
      const elecW =
        elecDevice === undefined ? undefined : this.#state.latest[deviceKey(site, elecDevice)]?.elec_power;
      const condition = heatMeterZero(rule, this.#state.latest[key] ?? {}, elecW);
      if (condition !== undefined) out.push(...this.#update(rule, site, device, condition, t));
    }
    for (const rule of this.#of(RuleKind.shortCycling, device)) {
      const running = isRunning(values, undefined, rule.startingPowerW);
      if (running === undefined) continue;
      const r = cycling(rule, this.#state.cycling[`${rule.id}/${key}`], t, running);
      this.#state.cycling[`${rule.id}/${key}`] = r.memory;
      out.push(...this.#update(rule, site, device, r.condition, t));
    }
    const defrostOn = values.defrost;
    for (const rule of defrostOn === undefined ? [] : this.#of(RuleKind.defrost, device)) {
      const memory = (this.#state.defrost ??= {});
      const r = defrosts(rule, memory[`${rule.id}/${key}`], t, defrostOn === 1);
      memory[`${rule.id}/${key}`] = r.memory;
      out.push(...this.#update(rule, site, device, r.condition, t));
    }
    for (const rule of this.#of(RuleKind.frozenCounter, device)) {
      const memory = (this.#state.frozen ??= {});
      const mine = (memory[`${rule.id}/${key}`] ??= {});
      const running = isRunning(this.#state.latest[key] ?? {}, undefined, rule.startingPowerW);
      const condition = frozenCounters(rule, mine, t, values, running);
      if (condition !== undefined) out.push(...this.#update(rule, site, device, condition, t));
    }
    return out;
  }

  onStatus(event: DeviceStatusV1): Transition[] {
    const now = this.#clock.now();
    const { site, device, rejectedReadings, state, reason } = event.data;
    const key = deviceKey(site, device);
    // A device known only from its statuses is still expected to send readings: from now on.
    this.#state.devices[key] ??= { site, lastSeen: now, gaps: [] };
    const t = Date.parse(event.time);
    // Any other state says the source let the service in again (or fails for another reason).
    const auth = this.#of(RuleKind.authFailed, device).flatMap((rule) => {
      const active = state === DeviceState.authFailed;
      const message = active
        ? `${device}: the source refused the credentials${reason === undefined ? '' : ` (${reason})`}`
        : `${device}: credentials accepted again`;
      return this.#update(rule, site, device, { active, message }, t);
    });
    if (rejectedReadings === undefined) return auth;
    return [
      ...auth,
      ...this.#of(RuleKind.rejectedReadings, device).flatMap((rule) => {
        const active = rejectedReadings >= rule.minRejected;
        const message = active
          ? `${rejectedReadings} readings rejected by the data-quality guards`
          : 'No readings rejected';
        return this.#update(rule, site, device, { active, message, value: rejectedReadings }, t);
      }),
    ];
  }

  /**
   * A day row of the cop service: learnt by each cop-below-prediction rule of its heat source, and
   * judged against what the days before it predict. `skipped` hears why a row gave no verdict.
   */
  onCopDay(row: CopDayRow, skipped: (rule: string, why: string) => void = () => undefined): Transition[] {
    const { site, device } = row;
    const out: Transition[] = [];
    for (const rule of this.#of(RuleKind.copBelowPrediction, device)) {
      const memory = (this.#state.cop ??= {});
      const key = `${rule.id}/${deviceKey(site, device)}`;
      const held = this.#lifecycle.holding(rule.id, site, device) !== undefined;
      const r = judgeCopDay(rule, memory[key], row, held);
      memory[key] = r.memory;
      if (r.condition === undefined) skipped(rule.id, r.skipped ?? 'no verdict');
      else out.push(...this.#update(rule, site, device, r.condition, Date.parse(row.periodEnd)));
    }
    return out;
  }

  /** Offline detection and the end of every wait; the service calls it on an interval. */
  tick(): Transition[] {
    const now = this.#clock.now();
    const out: Transition[] = [];
    for (const [key, d] of Object.entries(this.#state.devices)) {
      const device = key.slice(d.site.length + 1);
      for (const rule of this.#of(RuleKind.offline, device)) {
        out.push(...this.#update(rule, d.site, device, this.#offline(rule, device, d, now), now));
      }
    }
    out.push(...this.#lifecycle.tick(now, (site, device, rule) => this.#inhibited(rule, site, device)));
    return out;
  }

  acknowledge(alertId: string, by: string): Transition[] {
    return this.#lifecycle.acknowledge(alertId, by, this.#clock.now());
  }

  #offline(rule: OfflineRule, device: string, d: DeviceSeen, now: number): Condition {
    const interval = expectedInterval(d, this.#intervals[device], rule.defaultIntervalMs);
    const silent = now - d.lastSeen;
    return silent > rule.missedIntervals * interval
      ? {
          active: true,
          message: `${device} sent nothing for ${formatDuration(silent)} (expected every ${formatDuration(interval)})`,
        }
      : { active: false, message: `${device} is back online` };
  }

  #of<K extends RuleKind>(kind: K, device: string): Extract<Rule, { kind: K }>[] {
    return this.#rules.filter((r): r is Extract<Rule, { kind: K }> => r.kind === kind && applies(r, device));
  }

  #inhibited(rule: Rule, site: string, device: string): boolean {
    if (!inhibitedByOffline.has(rule.kind)) return false;
    return this.#of(RuleKind.offline, device).some((r) => this.#lifecycle.isActive(r.id, site, device));
  }

  #update(rule: Rule, site: string, device: string, condition: Condition, at: number): Transition[] {
    const c = condition.active && 'severity' in rule ? { ...condition, severity: rule.severity } : condition;
    return this.#lifecycle.update(rule, site, device, c, at, this.#inhibited(rule, site, device));
  }
}
