// Readiness of the QuestDB side: failing while QuestDB does not answer (or refuses our
// credentials), from a periodic probe and from what the writers see.
import type { Logger } from '@heatstream/runtime';

export interface StoreHealthOptions {
  /** Undefined when the store answers, otherwise why not. */
  probe: () => Promise<string | undefined>;
  intervalMs: number;
  log: Logger;
}

export class StoreHealth {
  #problem: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #options: StoreHealthOptions;

  constructor(options: StoreHealthOptions) {
    this.#options = options;
  }

  /** For `ctx.addReadinessCheck`: undefined when ready, otherwise the reason. */
  readonly check = (): string | undefined => this.#problem;

  /** Probes once now, then every interval. */
  async start(): Promise<void> {
    await this.probeNow();
    this.#timer = setInterval(() => void this.probeNow(), this.#options.intervalMs);
    this.#timer.unref();
  }

  async probeNow(): Promise<void> {
    const problem = await this.#options.probe();
    if (problem) this.down(problem);
    else this.up();
  }

  down(problem: string): void {
    if (this.#problem === undefined) this.#options.log.warn({ problem }, 'QuestDB unavailable: not ready');
    this.#problem = `QuestDB: ${problem}`;
  }

  up(): void {
    if (this.#problem !== undefined) this.#options.log.info('QuestDB available again: ready');
    this.#problem = undefined;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
