// The runtime's own metrics, so every service reports its health without code of its own: per
// durable consumer what it consumed, acked, dead-lettered, sent back for redelivery, its lag
// (num_pending), batch sizes and handler durations; per service what it published and, for
// acquisition services, the state of each device from the device-status events they publish.
// Without a collector and without `/metrics` the meter is the API's no-op one (telemetry.ts).
import type { JsMsg } from '@nats-io/jetstream';
import type { Attributes, Meter, ObservableCallback, ObservableGauge } from '@opentelemetry/api';
import { DeviceState, EventType, type ConsumerSpec } from '@heatstream/contracts';
import type { Publish } from './publish.ts';

/** Batch sizes in messages: from a quiet stream's single reading to a full pull. */
const BATCH_BUCKETS = [1, 5, 10, 50, 100, 250, 500, 1_000, 2_500, 5_000];
/** Handler durations in seconds: a KV write to a slow QuestDB batch. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The instruments of one durable consumer's loop. */
export class ConsumeMetrics {
  readonly #attrs: Attributes;
  readonly #consumed;
  readonly #acked;
  readonly #rejected;
  readonly #retried;
  readonly #redelivered;
  readonly #batchSize;
  readonly #duration;
  readonly #pendingGauge: ObservableGauge;
  readonly #observePending: ObservableCallback;
  #pending: number | undefined;

  constructor(meter: Meter, spec: Pick<ConsumerSpec, 'stream' | 'durable'>) {
    this.#attrs = { stream: spec.stream, consumer: spec.durable };
    const counter = (name: string, description: string) =>
      meter.createCounter(`heatstream.consumer.${name}`, { description, unit: '{message}' });
    this.#consumed = counter('consumed', 'messages delivered to the consume loop');
    this.#acked = counter('acked', 'messages acked after their handler finished');
    this.#rejected = counter('rejected', 'messages dead-lettered (invalid, rejected, or out of deliveries)');
    this.#retried = counter('retried', 'messages nak-ed with backoff after their handler failed');
    this.#redelivered = counter('redelivered', 'deliveries after the first of a message');
    this.#batchSize = meter.createHistogram('heatstream.consumer.batch.size', {
      description: 'messages per batch handed to a batch handler',
      unit: '{message}',
      advice: { explicitBucketBoundaries: BATCH_BUCKETS },
    });
    this.#duration = meter.createHistogram('heatstream.consumer.handler.duration', {
      description: 'how long a handler took for one message or one batch (ingest: the QuestDB write)',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
    this.#pendingGauge = meter.createObservableGauge('heatstream.consumer.pending', {
      description: 'messages in the stream the consumer has not been delivered yet (num_pending: its lag)',
      unit: '{message}',
    });
    this.#observePending = (result) => {
      if (this.#pending !== undefined) result.observe(this.#pending, this.#attrs);
    };
    this.#pendingGauge.addCallback(this.#observePending);
  }

  /** The consumer's num_pending as its info (looked up once) gave it. */
  pending(numPending: number): void {
    this.#pending = numPending;
  }

  /** A message reached the loop: each delivery carries the consumer's num_pending behind it. */
  received(msg: JsMsg): void {
    this.#consumed.add(1, this.#attrs);
    if (msg.info.deliveryCount > 1) this.#redelivered.add(1, this.#attrs);
    this.#pending = msg.info.pending;
  }

  acked(count = 1): void {
    if (count > 0) this.#acked.add(count, this.#attrs);
  }

  rejected(): void {
    this.#rejected.add(1, this.#attrs);
  }

  retried(): void {
    this.#retried.add(1, this.#attrs);
  }

  batch(size: number): void {
    this.#batchSize.record(size, this.#attrs);
  }

  handled(startedMs: number): void {
    this.#duration.record((performance.now() - startedMs) / 1000, this.#attrs);
  }

  /** Stops reporting the lag of a loop that stopped. */
  close(): void {
    this.#pendingGauge.removeCallback(this.#observePending);
  }
}

const deviceStates = Object.values(DeviceState);

/**
 * Counts what the service publishes (per event type) and keeps the newest state of every device
 * whose device-status it publishes: `heatstream.device.state` is 1 for that state, 0 for the others
 * (Prometheus' enum idiom, so a panel or alert can select `state="unavailable"`).
 */
export function instrumentPublish(meter: Meter, publish: Publish): Publish {
  const published = meter.createCounter('heatstream.events.published', {
    description: 'events handed to JetStream (or the outbox), per event type',
    unit: '{event}',
  });
  const states = new Map<string, { site: string; device: string; state: string }>();
  let observed = false;
  const observe = (): void => {
    if (observed) return;
    observed = true;
    meter
      .createObservableGauge('heatstream.device.state', {
        description: 'the state of each device as its newest device-status said: 1 for it, 0 for the others',
      })
      .addCallback((result) => {
        for (const { site, device, state } of states.values())
          for (const s of deviceStates) result.observe(s === state ? 1 : 0, { site, device, state: s });
      });
  };
  return async (subject, event, options) => {
    const answer = await publish(subject, event, options);
    published.add(1, { type: event.type });
    if (event.type === EventType.deviceStatus) {
      const data = event.data as { site: string; device: string; state: string };
      observe();
      states.set(data.device, { site: data.site, device: data.device, state: data.state });
    }
    return answer;
  };
}

/** Poll durations in seconds: a LAN Modbus read to a cloud API's slow answer. */
const POLL_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export type PollTimer = (labels: { site: string; device: string }, startedMs: number, state: string) => void;

/**
 * For acquisition services: `heatstream.poll.duration` per site, device and the state the poll
 * ended in (`online`, `unavailable`, …, `error` when it threw); its count is the number of polls.
 */
export function pollTimer(meter: Meter): PollTimer {
  const duration = meter.createHistogram('heatstream.poll.duration', {
    description: 'how long one poll of a device took, by the state it ended in',
    unit: 's',
    advice: { explicitBucketBoundaries: POLL_BUCKETS },
  });
  return ({ site, device }, startedMs, state) => {
    duration.record((performance.now() - startedMs) / 1000, { site, device, state });
  };
}
