// The evaluator as a running thing: events and ticks in, one at a time (the evaluator's state is
// one object), transitions published as alert.v1 with the transition id as message id, the state
// saved in KV, notifications handed to the notifier. Order per input: publish, outbox, save —
// a crash in between re-evaluates the input from the saved state and yields the same transitions
// with the same ids, which JetStream and the outbox store once.
import {
  makeEvent,
  subjects,
  type AlertV1Data,
  type DeviceStatusV1,
  type ReadingV1,
} from '@heatstream/contracts';
import type { Clock, Kv, Logger, Publish } from '@heatstream/runtime';
import { alertV1Data, transitionId } from './alert-v1.ts';
import type { CopDayRow } from './cop-prediction.ts';
import { AlertEvaluator, type EvaluatorState } from './evaluator.ts';
import { AlertNotFoundError, AlertPhase, TransitionKind, type Transition } from './lifecycle.ts';
import type { Notifier } from './notifier.ts';
import type { Rule } from './rules.ts';
import { NotificationKind, type Notification } from './targets.ts';

const STATE_KEY = 'evaluator';

export interface EngineOptions {
  rules: readonly Rule[];
  clock: Pick<Clock, 'now'>;
  expectedIntervalMs: Readonly<Record<string, number>>;
  kv: Kv;
  publish: Publish;
  notifier: Notifier;
  log: Logger;
  source: string;
}

export class AlertEngine {
  readonly #o: EngineOptions;
  readonly #rules: ReadonlyMap<string, Rule>;
  #evaluator!: AlertEvaluator;
  #queue: Promise<unknown> = Promise.resolve();
  /** Alert id → the last reminder number told (or skipped, after a restart). */
  readonly #reminded = new Map<string, number>();

  constructor(options: EngineOptions) {
    this.#o = options;
    this.#rules = new Map(options.rules.map((r) => [r.id, r]));
  }

  async load(): Promise<void> {
    const state = (await this.#o.kv.getJson(STATE_KEY)) as EvaluatorState | undefined;
    const { rules, clock, expectedIntervalMs } = this.#o;
    this.#evaluator = new AlertEvaluator({ rules, clock, expectedIntervalMs, ...(state ? { state } : {}) });
    const active = this.#evaluator.active();
    if (active.length > 0)
      this.#o.log.info({ active: active.map((a) => a.alertId) }, 'active alerts restored');
  }

  /** Resolves once the input in hand (a tick, say) is done: the service waits for it at stop. */
  async idle(): Promise<void> {
    await this.#queue;
  }

  onReading(event: ReadingV1): Promise<void> {
    return this.#serial(() => this.#evaluator.onReading(event));
  }

  onStatus(event: DeviceStatusV1): Promise<void> {
    return this.#serial(() => this.#evaluator.onStatus(event));
  }

  /** A cop day row; `log` hears why a row gave no verdict (no model yet, too little data). */
  onCopDay(row: CopDayRow, log: Logger): Promise<void> {
    return this.#serial(() =>
      this.#evaluator.onCopDay(row, (rule, why) => {
        log.debug(
          { rule, site: row.site, device: row.device, day: row.periodStart, why },
          'cop day not judged',
        );
      }),
    );
  }

  tick(): Promise<void> {
    return this.#serial(
      () => this.#evaluator.tick(),
      () => this.#reminders(),
    );
  }

  /**
   * An alert.v1 event from ALERTS. The gateway's acknowledgements are learnt; the event itself is
   * already stored, so it is not published again. Everything else (this service's own events) is
   * ignored.
   */
  onAlertEvent(data: AlertV1Data, log: Logger): Promise<void> {
    if (data.state !== 'acknowledged') return Promise.resolve();
    return this.#serial(() => {
      try {
        const learnt = this.#evaluator.acknowledge(data.alertId, data.acknowledgedBy ?? 'unknown');
        if (learnt.length > 0)
          log.info({ alertId: data.alertId, by: data.acknowledgedBy }, 'alert acknowledged');
      } catch (error) {
        // Resolved meanwhile, or from before this state: nothing to learn, and not bad input.
        if (!(error instanceof AlertNotFoundError)) throw error;
        log.info({ alertId: data.alertId }, 'acknowledgement of an alert that is not active');
      }
      return [];
    });
  }

  #serial(evaluate: () => Transition[], extra: () => Notification[] = () => []): Promise<void> {
    const run = this.#queue.then(async () => {
      const transitions = evaluate();
      for (const t of transitions) await this.#publish(t);
      await this.#o.notifier.enqueue([...transitions.flatMap((t) => this.#notifications(t)), ...extra()]);
      await this.#o.kv.putJson(STATE_KEY, this.#evaluator.toJSON());
    });
    // The queue goes on after a failure; the caller (a consumer: nak and redeliver) sees it.
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #publish(t: Transition): Promise<void> {
    const data = alertV1Data(t);
    const event = makeEvent('heatstream.alert.v1', {
      source: this.#o.source,
      subject: data.device,
      time: new Date(t.at),
      data,
    });
    await this.#o.publish(subjects.alert(data.site, data.device), event, { msgId: transitionId(t) });
    this.#o.log.info({ alertId: data.alertId, transition: t.kind, severity: data.severity }, data.message);
  }

  #notifications(t: Transition): Notification[] {
    if (t.kind === TransitionKind.acknowledged) return [];
    const rule = this.#rules.get(t.alert.rule);
    if (rule === undefined) return [];
    if (t.kind === TransitionKind.resolved && !rule.notify.onResolve) return [];
    if (t.kind === TransitionKind.raised) this.#reminded.set(t.alert.alertId, 0);
    return this.#to(rule, t.kind, transitionId(t), alertV1Data(t));
  }

  #to(rule: Rule, kind: NotificationKind, id: string, alert: AlertV1Data): Notification[] {
    const { muteUntil, targets } = rule.notify;
    if (muteUntil !== undefined && this.#o.clock.now() < Date.parse(muteUntil)) {
      this.#o.log.info({ alertId: alert.alertId, muteUntil }, 'rule muted: not notified');
      return [];
    }
    return (targets ?? this.#o.notifier.targets).map((target) => ({ id, target, kind, alert }));
  }

  /** Reminders for raised, unacknowledged alerts, numbered from the raise so each has a stable id. */
  #reminders(): Notification[] {
    const now = this.#o.clock.now();
    const out: Notification[] = [];
    for (const alert of this.#evaluator.active()) {
      const rule = this.#rules.get(alert.rule);
      const every = rule?.notify.reminderMs;
      if (rule === undefined || every === undefined || alert.phase !== AlertPhase.raised) continue;
      const n = Math.floor((now - alert.raisedAt) / every);
      const told = this.#reminded.get(alert.alertId);
      this.#reminded.set(alert.alertId, n);
      // After a restart the count starts where it is: a restart must not fire a burst of reminders.
      if (told === undefined || n <= told) continue;
      const data = alertV1Data({ kind: TransitionKind.raised, at: now, alert });
      out.push(...this.#to(rule, NotificationKind.reminder, `${alert.alertId}.reminder.${n}`, data));
    }
    const live = new Set(this.#evaluator.active().map((a) => a.alertId));
    for (const id of this.#reminded.keys()) if (!live.has(id)) this.#reminded.delete(id);
    return out;
  }
}
