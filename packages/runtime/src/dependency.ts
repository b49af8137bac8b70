// A service's dependencies (a database, a device bus), declared with `ctx.dependency`: probed on
// an interval, up or down with the reason, and told by the code that uses them when it sees a
// failure (or a success) first. Readiness fails while one is down and names it; each transition
// is logged once. Probing starts when the dependency is declared and stops in the shutdown order.
import type { Logger } from 'pino';
import { abortable, backoffDelay, systemClock, type Clock } from './clock.ts';
import { StartupError } from './errors.ts';

export interface DependencySpec {
  /** Names it in readiness and logs, e.g. `questdb`. */
  name: string;
  /** Undefined when the dependency answers, otherwise why not. Should end when `signal` aborts. */
  probe: (signal: AbortSignal) => Promise<string | undefined>;
  /** Between two probes. */
  intervalMs: number;
}

export interface Dependency {
  readonly name: string;
  /** Undefined while up, otherwise why not (`not probed yet` until the first answer). */
  readonly problem: string | undefined;
  /** Marks it down, e.g. after a failed write; the next probe or `up()` may clear it. */
  down(reason: string): void;
  /** Marks it up, e.g. after a write went through. */
  up(): void;
  /** Probes now (joining a probe already under way) and answers the problem, if any. */
  probeNow(): Promise<string | undefined>;
  /**
   * Start-up wait: probes with backoff until the dependency answers; rejects with
   * DependencyUnavailableError naming it and the last reason after `timeoutMs`, or when `signal`
   * aborts or the service stops.
   */
  waitUntilUp(timeoutMs: number, signal?: AbortSignal): Promise<void>;
}

/** A dependency did not come up in time; start-up fails with the reason. */
export class DependencyUnavailableError extends StartupError {
  override name = 'DependencyUnavailableError';
}

/** Probes while waiting for start-up: doubling from 500 ms to 5 s. */
const waitBackoff = { initialMs: 500, maxMs: 5_000 };

export class DependencyCheck implements Dependency {
  readonly name: string;
  #problem: string | undefined = 'not probed yet';
  #probed = false;
  #probing: Promise<string | undefined> | undefined;
  #running: Promise<void> | undefined;
  readonly #abort = new AbortController();
  readonly #spec: DependencySpec;
  readonly #log: Logger;
  readonly #clock: Clock;

  constructor(spec: DependencySpec, log: Logger, clock: Clock = systemClock) {
    this.name = spec.name;
    this.#spec = spec;
    this.#log = log.child({ component: 'dependency', dependency: spec.name });
    this.#clock = clock;
  }

  get problem(): string | undefined {
    return this.#problem;
  }

  down(reason: string): void {
    if (this.#problem === undefined || !this.#probed)
      this.#log.warn({ reason }, `${this.name} unavailable: not ready`);
    this.#problem = reason;
    this.#probed = true;
  }

  up(): void {
    if (this.#problem !== undefined)
      this.#log.info(this.#probed ? `${this.name} available again: ready` : `${this.name} available`);
    this.#problem = undefined;
    this.#probed = true;
  }

  probeNow(): Promise<string | undefined> {
    this.#probing ??= this.#probe().finally(() => {
      this.#probing = undefined;
    });
    return this.#probing;
  }

  async #probe(): Promise<string | undefined> {
    const signal = this.#abort.signal;
    let problem: string | undefined;
    try {
      // A stop does not wait for a probe that ignores its signal.
      problem = await abortable(this.#spec.probe(signal), signal);
    } catch (error) {
      if (signal.aborted) return this.#problem;
      problem = (error as Error).message;
    }
    if (signal.aborted) return this.#problem;
    if (problem === undefined) this.up();
    else this.down(problem);
    return problem;
  }

  async waitUntilUp(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const stop = signal ? AbortSignal.any([signal, this.#abort.signal]) : this.#abort.signal;
    const deadline = this.#clock.now() + timeoutMs;
    for (let attempt = 1; ; attempt++) {
      const problem = await this.probeNow();
      if (problem === undefined) return;
      if (stop.aborted)
        throw new DependencyUnavailableError(
          `${this.name} not available: stopped while waiting (${problem})`,
        );
      const left = deadline - this.#clock.now();
      if (left <= 0)
        throw new DependencyUnavailableError(`${this.name} not available after ${timeoutMs} ms: ${problem}`);
      if (attempt === 1) this.#log.warn({ problem, timeoutMs }, `waiting for ${this.name}`);
      await this.#clock.sleep(Math.min(backoffDelay(attempt, waitBackoff), left), stop);
    }
  }

  /** Probes now, then every interval, until stopped. */
  start(): void {
    const signal = this.#abort.signal;
    this.#running ??= (async () => {
      while (!signal.aborted) {
        await this.probeNow();
        await this.#clock.sleep(this.#spec.intervalMs, signal);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#abort.abort(new Error('service stopping'));
    await this.#running;
  }
}

/** Readiness: undefined while every dependency is up, otherwise each one down with its reason. */
export function dependencyProblems(dependencies: readonly Dependency[]): string | undefined {
  const down = dependencies.filter((d) => d.problem !== undefined).map((d) => `${d.name}: ${d.problem}`);
  return down.length > 0 ? down.join('; ') : undefined;
}
