// One alert per rule and device at a time, and its lifecycle raised → (acknowledged →) resolved.
// Detectors say whether a condition holds; this decides what people hear: a condition must hold for
// forMs before it raises, stay clear for clearAfterMs before it resolves, and after a resolve the
// same rule and device stay quiet for cooldownMs, so an input flapping across a level is one alert.
// N onsets within a window make it critical, past the cooldown. An active alert only ever rises in
// severity. Alert ids come from site, device, rule and the raise time: stable across restarts and
// replays. The state is plain JSON.
import type { MetricName } from '@heatstream/contracts';
import { Level, type Rule } from './rules.ts';

export interface Condition {
  active: boolean;
  /** When active. */
  severity?: Level;
  /** For people: why it is raised, or why it is over. */
  message: string;
  metric?: MetricName;
  value?: number;
  threshold?: number;
}

export const AlertPhase = { raised: 'raised', acknowledged: 'acknowledged' } as const;
export type AlertPhase = (typeof AlertPhase)[keyof typeof AlertPhase];

export interface Alert {
  alertId: string;
  site: string;
  device: string;
  rule: string;
  severity: Level;
  phase: AlertPhase;
  raisedAt: number;
  message: string;
  metric?: MetricName;
  value?: number;
  threshold?: number;
  acknowledgedBy?: string;
}

export const TransitionKind = {
  raised: 'raised',
  /** An active alert became critical (published as raised again, with the new severity). */
  escalated: 'escalated',
  acknowledged: 'acknowledged',
  resolved: 'resolved',
} as const;
export type TransitionKind = (typeof TransitionKind)[keyof typeof TransitionKind];

export interface Transition {
  kind: TransitionKind;
  at: number;
  alert: Alert;
}

export interface KeyState {
  rule: string;
  site: string;
  device: string;
  /** The holding condition and when it began. */
  holding?: Condition & { since: number };
  /** When the condition stopped while the alert is still active, and what the detector said then. */
  clearSince?: number;
  clearMessage?: string;
  alert?: Alert;
  lastResolvedAt?: number;
  /** Onset times within the escalation window. */
  trips: number[];
}

export class AlertNotFoundError extends Error {
  override name = 'AlertNotFoundError';
}

const rank = (s: Level | undefined): number => (s === Level.critical ? 2 : s === Level.warning ? 1 : 0);

/** `20250203T053100123Z`: a sortable, id-safe instant. */
const compact = (t: number): string => new Date(t).toISOString().replace(/[-:.]/g, '');

export const keyOf = (rule: string, site: string, device: string): string => `${rule}/${site}/${device}`;

export class Lifecycle {
  readonly #rules: ReadonlyMap<string, Rule>;
  readonly #keys: Map<string, KeyState>;

  constructor(rules: readonly Rule[], keys: Record<string, KeyState> = {}) {
    this.#rules = new Map(rules.map((r) => [r.id, r]));
    this.#keys = new Map(Object.entries(structuredClone(keys)));
  }

  toJSON(): Record<string, KeyState> {
    return structuredClone(Object.fromEntries(this.#keys));
  }

  active(): Alert[] {
    return [...this.#keys.values()].flatMap((k) => (k.alert ? [{ ...k.alert }] : []));
  }

  isActive(rule: string, site: string, device: string): boolean {
    return this.#keys.get(keyOf(rule, site, device))?.alert !== undefined;
  }

  /** The level the condition holds at now (before any escalation by trips); undefined when clear. */
  holding(rule: string, site: string, device: string): Level | undefined {
    return this.#keys.get(keyOf(rule, site, device))?.holding?.severity;
  }

  /** A detector's verdict for one rule and device at `at`; `inhibited` holds back a new raise. */
  update(
    rule: Rule,
    site: string,
    device: string,
    condition: Condition,
    at: number,
    inhibited: boolean,
  ): Transition[] {
    const id = keyOf(rule.id, site, device);
    let k = this.#keys.get(id);
    if (k === undefined) {
      k = { rule: rule.id, site, device, trips: [] };
      this.#keys.set(id, k);
    }
    if (!condition.active) {
      k.holding = undefined;
      if (k.alert === undefined) return [];
      k.clearSince ??= at;
      k.clearMessage = condition.message;
      return this.#maybeResolve(k, rule, at);
    }
    if (k.holding === undefined) {
      k.holding = { ...condition, since: at };
      if (rule.escalate !== undefined) {
        k.trips = [...k.trips.filter((t) => t > at - (rule.escalate?.windowMs ?? 0)), at];
      }
    } else {
      k.holding = { ...condition, since: k.holding.since };
    }
    k.clearSince = undefined;
    const severity = this.#severity(k, rule, condition);
    const alert = k.alert;
    if (alert === undefined) return this.#maybeRaise(k, rule, at, inhibited);
    if (rank(severity) <= rank(alert.severity)) return [];
    Object.assign(alert, detail(condition));
    alert.severity = severity;
    alert.phase = AlertPhase.raised;
    delete alert.acknowledgedBy;
    return [{ kind: TransitionKind.escalated, at, alert: { ...alert } }];
  }

  /** Time passing: resolves alerts clear for long enough, raises conditions whose wait is over. */
  tick(now: number, inhibited: (site: string, device: string, rule: Rule) => boolean): Transition[] {
    const out: Transition[] = [];
    for (const [id, k] of this.#keys) {
      const rule = this.#rules.get(k.rule);
      if (rule === undefined) continue;
      if (k.alert !== undefined && k.clearSince !== undefined) out.push(...this.#maybeResolve(k, rule, now));
      else if (k.alert === undefined && k.holding !== undefined) {
        out.push(...this.#maybeRaise(k, rule, now, inhibited(k.site, k.device, rule)));
      }
      // A key with nothing left to remember is dropped, so the saved state stays small.
      const quiet = k.lastResolvedAt === undefined || now >= k.lastResolvedAt + rule.cooldownMs;
      const tripsOver = k.trips.every((t) => t <= now - (rule.escalate?.windowMs ?? 0));
      if (k.alert === undefined && k.holding === undefined && quiet && tripsOver) this.#keys.delete(id);
    }
    return out;
  }

  acknowledge(alertId: string, by: string, at: number): Transition[] {
    const alert = [...this.#keys.values()].find((k) => k.alert?.alertId === alertId)?.alert;
    if (alert === undefined) throw new AlertNotFoundError(`no active alert "${alertId}"`);
    if (alert.phase === AlertPhase.acknowledged) return [];
    alert.phase = AlertPhase.acknowledged;
    alert.acknowledgedBy = by;
    return [{ kind: TransitionKind.acknowledged, at, alert: { ...alert } }];
  }

  #tripped(k: KeyState, rule: Rule): boolean {
    return rule.escalate !== undefined && k.trips.length >= rule.escalate.trips;
  }

  #severity(k: KeyState, rule: Rule, condition: Condition): Level {
    return this.#tripped(k, rule) ? Level.critical : (condition.severity ?? Level.warning);
  }

  #maybeRaise(k: KeyState, rule: Rule, at: number, inhibited: boolean): Transition[] {
    const holding = k.holding;
    if (holding === undefined || inhibited || at - holding.since < rule.forMs) return [];
    const severity = this.#severity(k, rule, holding);
    const cooling = k.lastResolvedAt !== undefined && at < k.lastResolvedAt + rule.cooldownMs;
    // Repeated trips are the fault itself: they are told even inside the cooldown.
    if (cooling && !this.#tripped(k, rule)) return [];
    const alert: Alert = {
      alertId: `${k.site}-${k.device}-${k.rule}-${compact(at)}`,
      site: k.site,
      device: k.device,
      rule: k.rule,
      severity,
      phase: AlertPhase.raised,
      raisedAt: at,
      ...detail(holding),
    };
    k.alert = alert;
    return [{ kind: TransitionKind.raised, at, alert: { ...alert } }];
  }

  #maybeResolve(k: KeyState, rule: Rule, at: number): Transition[] {
    const alert = k.alert;
    if (alert === undefined || k.clearSince === undefined || at - k.clearSince < rule.clearAfterMs) return [];
    const message = k.clearMessage ?? alert.message;
    k.alert = undefined;
    k.clearSince = undefined;
    k.clearMessage = undefined;
    k.lastResolvedAt = at;
    return [{ kind: TransitionKind.resolved, at, alert: { ...alert, message } }];
  }
}

function detail(c: Condition): Pick<Alert, 'message' | 'metric' | 'value' | 'threshold'> {
  return {
    message: c.message,
    ...(c.metric !== undefined ? { metric: c.metric } : {}),
    ...(c.value !== undefined ? { value: c.value } : {}),
    ...(c.threshold !== undefined ? { threshold: c.threshold } : {}),
  };
}
