// Delivers notifications: each is written to an outbox in the state bucket before it is tried, so
// a restart carries on with it; tried with backoff and jitter up to `attempts` times; removed once
// a target answered 2xx, or once the last attempt failed — logged with the reason and counted.
// The webhook-id stays the same through retries and restarts, so a receiver that got a delivery
// whose answer was lost recognises the retry (Standard Webhooks: idempotency on webhook-id).
import { backoffDelay, sleep, type Kv, type Logger } from '@heatstream/runtime';
import type { Webhook } from 'standardwebhooks';
import {
  ntfyRequest,
  signer,
  webhookRequest,
  type HttpRequest,
  type Notification,
  type Target,
} from './targets.ts';

export interface DeliveryOptions {
  attempts: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  timeoutMs: number;
}

export interface DeliveryStats {
  delivered: number;
  retried: number;
  failed: number;
}

const OUTBOX = 'outbox.';
// KV keys allow [-/_=.A-Za-z0-9]; ids and target names already keep to that.
const outboxKey = (n: Pick<Notification, 'id' | 'target'>): string => `${OUTBOX}${n.target}.${n.id}`;

class DeliveryError extends Error {
  override name = 'DeliveryError';
}

export class Notifier {
  readonly stats: DeliveryStats = { delivered: 0, retried: 0, failed: 0 };
  readonly #targets: ReadonlyMap<string, Target>;
  readonly #signers = new Map<string, Webhook>();
  readonly #kv: Kv;
  readonly #log: Logger;
  readonly #options: DeliveryOptions;
  readonly #abort = new AbortController();
  readonly #inFlight = new Map<string, Promise<void>>();

  constructor(targets: readonly Target[], kv: Kv, log: Logger, options: DeliveryOptions) {
    this.#targets = new Map(targets.map((t) => [t.name, t]));
    for (const t of targets) if (t.kind === 'webhook') this.#signers.set(t.name, signer(t));
    this.#kv = kv;
    this.#log = log;
    this.#options = options;
  }

  get targets(): string[] {
    return [...this.#targets.keys()];
  }

  /** Records the notifications in the outbox (once each) and starts delivering them. */
  async enqueue(notifications: readonly Notification[]): Promise<void> {
    for (const n of notifications) {
      // create, not put: a redelivered transition must not restart a delivery already under way.
      if (await this.#kv.createJson(outboxKey(n), n)) this.#deliver(n);
    }
  }

  /** What a previous run left in the outbox. */
  async resume(): Promise<void> {
    for await (const key of this.#kv.keys(`${OUTBOX}>`)) {
      const n = (await this.#kv.getJson(key)) as Notification | undefined;
      if (n !== undefined) this.#deliver(n);
    }
  }

  /** Stops retrying; what is still in the outbox is delivered after the next start. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled(this.#inFlight.values());
  }

  #deliver(n: Notification): void {
    const key = outboxKey(n);
    if (this.#inFlight.has(key) || this.#abort.signal.aborted) return;
    const run = this.#attempts(n)
      .catch((error: unknown) => {
        this.#log.error({ err: error, notification: n.id }, 'notification outbox failed');
      })
      .finally(() => this.#inFlight.delete(key));
    this.#inFlight.set(key, run);
  }

  async #attempts(n: Notification): Promise<void> {
    const log = this.#log.child({ notification: n.id, target: n.target });
    const target = this.#targets.get(n.target);
    if (target === undefined) {
      // The target was removed from the config while the notification waited.
      this.stats.failed++;
      log.error({ reason: 'target no longer configured' }, 'notification not delivered');
      await this.#kv.delete(outboxKey(n));
      return;
    }
    const { attempts, initialBackoffMs, maxBackoffMs } = this.#options;
    let reason = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await this.#send(this.#request(target, n));
        this.stats.delivered++;
        log.info({ attempt }, 'notification delivered');
        await this.#kv.delete(outboxKey(n));
        return;
      } catch (error) {
        reason = (error as Error).message;
      }
      if (attempt === attempts) break;
      this.stats.retried++;
      // Full-range jitter on the upper half: receivers that failed together are not retried together.
      const delay = backoffDelay(attempt, { initialMs: initialBackoffMs, maxMs: maxBackoffMs });
      const wait = Math.round(delay / 2 + Math.random() * (delay / 2));
      log.warn({ attempt, reason, retryInMs: wait }, 'notification failed; retrying');
      await sleep(wait, this.#abort.signal);
      if (this.#abort.signal.aborted) return;
    }
    this.stats.failed++;
    log.error(
      { attempts, reason, failedTotal: this.stats.failed },
      'notification not delivered after the last attempt',
    );
    await this.#kv.delete(outboxKey(n));
  }

  #request(target: Target, n: Notification): HttpRequest {
    if (target.kind === 'ntfy') return ntfyRequest(target, n);
    const sign = this.#signers.get(target.name);
    if (sign === undefined) throw new DeliveryError(`no signer for ${target.name}`);
    // The signature's timestamp is wall time: receivers check it against their own clocks.
    return webhookRequest(target, n, sign, new Date());
  }

  async #send(req: HttpRequest): Promise<void> {
    const signal = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#options.timeoutMs)]);
    let res: Response;
    try {
      res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body, signal });
    } catch (error) {
      throw new DeliveryError(`${req.url}: ${(error as Error).message}`, { cause: error });
    }
    await res.body?.cancel();
    if (!res.ok) throw new DeliveryError(`${req.url} answered ${res.status}`);
  }
}
