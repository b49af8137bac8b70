// The pulling half of a consume loop, shared by both modes: pull requests on one durable consumer,
// the retry after a failed pull, and stopping.
//
// The consumer is looked up once (`js.consumers.get` is a CONSUMER.INFO round trip; a pull needs
// only the consumer's name) and kept. A failed pull looks it up again: the consumer may have been
// deleted and recreated, or the connection may be new after a NATS outage.
import type { Consumer, ConsumerMessages, JetStreamClient } from '@nats-io/jetstream';
import type { ConsumerSpec } from '@heatstream/contracts';
import type { Logger } from 'pino';
import { abortable, backoffDelay, systemClock, type Clock } from './clock.ts';

/**
 * Retry delays after failed pulls: doubling from 500 ms to 2 s. A consumer's leader election fails
 * pulls for a few seconds; with a 10 s ceiling ingest then wrote nothing for up to 23 s after the
 * election had ended (test/cluster-fault.test.ts). A failed pull costs one request, so 2 s is cheap.
 */
const retryBackoff = { initialMs: 500, maxMs: 2_000 };

export interface PullOptions {
  js: JetStreamClient;
  spec: ConsumerSpec;
  log: Logger;
  /** Messages per pull request. */
  batch: number;
  /** How long one pull waits on an idle stream (≥ 1000, a JetStream client limit). */
  expiresMs: number;
  /** Told the consumer's num_pending from the info its lookup returned (its lag at the start). */
  pending?: (numPending: number) => void;
  clock?: Clock;
}

export class PullLoop {
  /** Set while a message or batch is being handled: its pull is then stopped only once it is done. */
  inFlight = false;
  readonly #abort = new AbortController();
  readonly #pulls = new Set<ConsumerMessages>();
  readonly #options: PullOptions;
  #consumer: Promise<Consumer> | undefined;

  constructor(options: PullOptions) {
    this.#options = options;
  }

  /** Aborted when the loop stops: waits end, a batch handler gives up. */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  // A method, not a field, so the compiler does not narrow it across the awaits that change it.
  stopping(): boolean {
    return this.#abort.signal.aborted;
  }

  /** Starts one pull request; call `done` once its messages are iterated. */
  async pull(): Promise<ConsumerMessages> {
    const { js, spec, batch, expiresMs } = this.#options;
    const lookup = !this.#consumer;
    this.#consumer ??= js.consumers.get(spec.stream, spec.durable);
    // During an outage the lookup runs to its request timeout; a stop does not wait for it.
    const consumer = await abortable(this.#consumer, this.signal);
    // The lookup's CONSUMER.INFO answer is cached in the consumer: no second round trip.
    if (lookup && this.#options.pending) this.#options.pending((await consumer.info(true)).num_pending);
    const pull = await consumer.fetch({ max_messages: batch, expires: Math.max(1_000, expiresMs) });
    this.#pulls.add(pull);
    if (this.stopping()) pull.stop();
    return pull;
  }

  done(pull: ConsumerMessages): void {
    this.#pulls.delete(pull);
  }

  /** Ends every pull request; their iterators finish. */
  stopPulls(): void {
    for (const pull of this.#pulls) pull.stop();
  }

  /** Ends the loop: waits are cut short; pulls end now unless a handler is busy (it stops them when done). */
  stop(): void {
    this.#abort.abort(new Error('service stopping'));
    if (!this.inFlight) this.stopPulls();
  }

  /** Runs `body` until stopped, retrying with backoff when a pull fails (NATS down, consumer gone). */
  async run(body: () => Promise<void>): Promise<void> {
    const { log, clock = systemClock } = this.#options;
    let failures = 0;
    while (!this.stopping()) {
      try {
        await body();
        failures = 0;
      } catch (error) {
        if (this.stopping()) break;
        failures++;
        this.#consumer = undefined;
        log.warn({ err: error, failures }, 'pull failed; retrying');
        await clock.sleep(backoffDelay(failures, retryBackoff), this.signal);
      }
    }
    log.info('consume loop stopped');
  }
}
