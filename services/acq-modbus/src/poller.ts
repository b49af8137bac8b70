// One coordinator per device: one poll per interval, every metric from that one set of block reads.
// Outcomes map onto the closed set of device states; a state change (and data-quality rejections)
// becomes a device-status event, every good value a reading.
import {
  makeEvent,
  metrics,
  MetricKind,
  subjects,
  DeviceState,
  type MetricName,
} from '@heatstream/contracts';
import {
  decodeDefinition,
  planReads,
  RegisterImage,
  type ModbusDefinition,
  type ReadBlock,
} from '@heatstream/devices';
import type { Tracer } from '@opentelemetry/api';
import type { Clock, Logger, PollTimer, Publish } from '@heatstream/runtime';
import type { ModbusConnection } from './connection.ts';
import { ModbusReadError } from './errors.ts';
import { QualityGuard, Rejection, type Values } from './quality.ts';

export interface PolledDevice {
  id: string;
  site: string;
  unitId: number;
  intervalMs: number;
  /** Extra attempts per block read after a failure. */
  retries: number;
  retryDelayMs: number;
  /** While rejections pile up without a state change, report them at most this often. */
  statusEveryMs: number;
}

export interface PollerDeps {
  device: PolledDevice;
  definition: ModbusDefinition;
  connection: Pick<ModbusConnection, 'read'>;
  publish: Publish;
  /** Event source: service/instance. */
  source: string;
  /** Measurement times, the poll grid and retry delays. */
  clock: Clock;
  log: Logger;
  /** Each poll is a span: the root of the trace its reading carries to ingest and the dashboard. */
  tracer?: Tracer;
  /** Records each poll's duration and outcome (`heatstream.poll.duration`). */
  timer?: PollTimer;
}

export interface PollOutcome {
  state: DeviceState;
  published: Values | undefined;
  reason?: string;
}

export class DevicePoller {
  readonly #deps: PollerDeps;
  readonly #blocks: ReadBlock[];
  readonly #guard: QualityGuard;
  readonly #log: Logger;
  #state: DeviceState | undefined;
  #lastStatusAt = 0;
  #rejectedSinceStatus = 0;
  #rejectedTotal = 0;
  #running: Promise<void> = Promise.resolve();
  /** Aborted by stop(): ends the wait for the next poll and any retry delay at once. */
  #stopping = new AbortController();

  constructor(deps: PollerDeps) {
    this.#deps = deps;
    this.#blocks = planReads(deps.definition);
    this.#guard = new QualityGuard(deps.definition);
    this.#log = deps.log.child({ component: 'poller', device: deps.device.id });
  }

  get state(): DeviceState | undefined {
    return this.#state;
  }

  /** Rejected values since start: spikes, counters going backwards, implausible values. */
  get rejectedTotal(): number {
    return this.#rejectedTotal;
  }

  /** Polls every interval, on a fixed grid so readings of one device stay evenly spaced. */
  start(): void {
    this.#stopping = new AbortController();
    const signal = this.#stopping.signal;
    const { clock, device } = this.#deps;
    this.#running = (async () => {
      while (!signal.aborted) {
        await this.pollOnce().catch((error: unknown) => {
          this.#log.error({ err: error }, 'poll failed');
        });
        await clock.sleep(device.intervalMs - (clock.now() % device.intervalMs), signal);
      }
    })();
  }

  /** Ends the loop: a poll in progress finishes (without further retries), no new one starts. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#running;
  }

  async pollOnce(): Promise<PollOutcome> {
    const { timer, device } = this.#deps;
    const labels = { site: device.site, device: device.id };
    const started = performance.now();
    try {
      const outcome = await this.#tracedPoll();
      timer?.(labels, started, outcome.state);
      return outcome;
    } catch (error) {
      timer?.(labels, started, 'error');
      throw error;
    }
  }

  async #tracedPoll(): Promise<PollOutcome> {
    const { tracer, device } = this.#deps;
    if (!tracer) return this.#poll();
    return tracer.startActiveSpan(`poll ${device.id}`, async (span) => {
      span.setAttributes({ 'heatstream.site': device.site, 'heatstream.device': device.id });
      try {
        const outcome = await this.#poll();
        span.setAttribute('heatstream.device.state', outcome.state);
        return outcome;
      } finally {
        span.end();
      }
    });
  }

  async #poll(): Promise<PollOutcome> {
    const time = this.#deps.clock.now();
    const image = new RegisterImage();
    try {
      for (const block of this.#blocks) image.setMany(block.kind, block.start, await this.#readBlock(block));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (!(error instanceof ModbusReadError)) throw error;
      this.#log.warn({ failure: error.failure, reason }, 'read failed');
      await this.#setState(DeviceState.unavailable, reason, time);
      return { state: DeviceState.unavailable, published: undefined, reason };
    }

    const decoded = decodeDefinition(this.#deps.definition, image);
    // A reply with implausible values is likely garbage throughout; one garbage total higher than
    // the real counter would make the monotonic guard refuse every true value after it, so
    // counters from such a reply are neither published nor remembered.
    const distrusted =
      decoded.implausible.length === 0
        ? []
        : (Object.keys(decoded.values) as MetricName[]).filter((m) => metrics[m].kind === MetricKind.counter);
    const candidates = Object.fromEntries(
      Object.entries(decoded.values).filter(([m]) => !distrusted.includes(m as MetricName)),
    ) as Values;
    const { accepted, rejected } = this.#guard.filter(candidates, time);
    // Implausible values and counters going backwards are bad data; a lone low power reading is not.
    const badData = [
      ...decoded.implausible.map((i) => `${i.metric} implausible: ${i.detail}`),
      ...distrusted.map((m) => `${m} not trusted in a reply with implausible values`),
      ...rejected
        .filter((r) => r.reason === Rejection.counterBackwards)
        .map((r) => `${r.metric} went back from ${r.last ?? '?'} to ${r.value}`),
      ...rejected
        .filter((r) => r.reason === Rejection.counterJump)
        .map((r) => `${r.metric} jumped from ${r.last ?? '?'} to ${r.value}, faster than any supply`),
    ];
    const spikes = rejected
      .filter((r) => r.reason === Rejection.spike)
      .map((r) => `${r.metric} ${r.value} W ignored until it repeats`);
    const count = badData.length + spikes.length;
    if (count > 0) {
      this.#rejectedSinceStatus += count;
      this.#rejectedTotal += count;
      this.#log.warn(
        { rejected: [...badData, ...spikes], rejectedTotal: this.#rejectedTotal },
        'readings rejected',
      );
    }

    let published: Values | undefined;
    if (Object.keys(accepted).length > 0) {
      await this.#publishReading(accepted, time);
      published = accepted;
    }
    const state = badData.length > 0 || published === undefined ? DeviceState.badData : DeviceState.online;
    const reason =
      badData.length > 0
        ? `bad data: ${badData.join('; ')}`
        : published === undefined
          ? 'no usable value in the reply'
          : undefined;
    await this.#setState(state, reason, time);
    return reason === undefined ? { state, published } : { state, published, reason };
  }

  async #readBlock(block: ReadBlock): Promise<number[]> {
    const { device, connection, clock } = this.#deps;
    const signal = this.#stopping.signal;
    for (let attempt = 0; ; attempt++) {
      try {
        const words = await connection.read(device.unitId, block.kind, block.start, block.count);
        if (words.length < block.count) {
          throw new ModbusReadError(
            'exception',
            `short reply: ${words.length} of ${block.count} ${block.kind} values`,
          );
        }
        return words;
      } catch (error) {
        // Waiting out the backoff: retrying now would not try anything.
        const final =
          attempt >= device.retries ||
          signal.aborted ||
          (error instanceof ModbusReadError && error.failure === 'backoff');
        if (final) throw error;
        await clock.sleep(device.retryDelayMs, signal);
      }
    }
  }

  async #publishReading(values: Values, time: number): Promise<void> {
    const { device, definition, source } = this.#deps;
    const event = makeEvent('heatstream.reading.v1', {
      source,
      subject: device.id,
      time: new Date(time),
      data: { site: device.site, device: device.id, model: definition.id, metrics: values },
    });
    // Same device and measurement time → same id: a retried publish is stored once.
    const msgId = `reading.${device.site}.${device.id}.${time}`;
    const result = await this.#deps.publish(subjects.reading(device.site, device.id), event, { msgId });
    // Queued: NATS did not confirm it and the runtime's outbox keeps it until NATS does.
    this.#log.debug({ msgId, queued: 'queued' in result }, 'reading published');
  }

  async #setState(state: DeviceState, reason: string | undefined, time: number): Promise<void> {
    const changed = state !== this.#state;
    const dueRejections =
      this.#rejectedSinceStatus > 0 && time - this.#lastStatusAt >= this.#deps.device.statusEveryMs;
    if (!changed && !dueRejections) return;
    const { device, source } = this.#deps;
    if (changed) this.#log.info({ from: this.#state ?? null, to: state, reason }, 'device state changed');
    const event = makeEvent('heatstream.device-status.v1', {
      source,
      subject: device.id,
      time: new Date(time),
      data: {
        site: device.site,
        device: device.id,
        state,
        ...(reason === undefined ? {} : { reason }),
        rejectedReadings: this.#rejectedSinceStatus,
      },
    });
    await this.#deps.publish(subjects.deviceStatus(device.site, device.id), event, {
      msgId: `status.${device.site}.${device.id}.${time}`,
    });
    this.#state = state;
    this.#lastStatusAt = time;
    this.#rejectedSinceStatus = 0;
  }
}
