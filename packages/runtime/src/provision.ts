// Streams and durable consumers come from contracts/ as data; this makes the server match them.
// Idempotent: creates what is missing, updates what may change in place (subjects, limits,
// description, replicas), and refuses to start on a change JetStream cannot apply to a live
// stream (storage, retention, ack policy), naming what differs.
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { streams as allStreams, type ConsumerSpec, type StreamSpec } from '@heatstream/contracts';
import type { Logger } from 'pino';
import type { BaseConfig } from './config.ts';
import { ProvisioningError } from './errors.ts';

const notFound = (error: unknown): boolean => error instanceof JetStreamApiError && error.status === 404;

export function streamConfig(
  spec: StreamSpec,
  js: BaseConfig['jetstream'],
): Partial<StreamConfig> & { name: string } {
  const override = js.retention[spec.name] ?? {};
  return {
    name: spec.name,
    subjects: [...spec.subjects],
    description: spec.description,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    max_age: nanos(override.maxAgeMs ?? spec.maxAgeMs),
    max_bytes: override.maxBytes ?? spec.maxBytes,
    duplicate_window: nanos(spec.duplicateWindowMs),
    num_replicas: js.replicas,
  };
}

export function consumerConfig(spec: ConsumerSpec): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: spec.durable,
    description: spec.description,
    ...(spec.filterSubjects.length === 1
      ? { filter_subject: spec.filterSubjects[0] }
      : { filter_subjects: [...spec.filterSubjects] }),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(spec.ackWaitMs),
    // One delivery beyond the handler's attempts: the consume loop uses it to dead-letter a
    // message whose last attempt ended in a crash or an ack timeout rather than an error.
    // Redelivery delays are naks with the spec's backoff; a server-side backoff would also
    // replace ack_wait, cutting short a slow but healthy handler.
    max_deliver: spec.maxDeliver + 1,
    max_ack_pending: spec.maxAckPending,
  };
}

export async function provisionStreams(
  jsm: JetStreamManager,
  specs: readonly StreamSpec[],
  settings: BaseConfig['jetstream'],
  log: Logger,
): Promise<void> {
  const known = [...allStreams, ...specs];
  const unknown = Object.keys(settings.retention).filter((name) => !known.some((s) => s.name === name));
  if (unknown.length > 0) {
    throw new ProvisioningError(`jetstream.retention names unknown streams: ${unknown.join(', ')}`);
  }
  for (const spec of specs) {
    const wanted = streamConfig(spec, settings);
    let existing: StreamConfig | undefined;
    try {
      existing = (await jsm.streams.info(spec.name)).config;
    } catch (error) {
      if (!notFound(error)) throw error;
    }
    if (!existing) {
      await jsm.streams.add(wanted);
      log.info({ stream: spec.name }, 'stream created');
      continue;
    }
    const clash = (['storage', 'retention'] as const).filter((k) => existing[k] !== wanted[k]);
    if (clash.length > 0) {
      throw new ProvisioningError(
        `stream ${spec.name} exists with ${clash.map((k) => `${k}=${existing[k]} (contracts want ${wanted[k] ?? ''})`).join(', ')}; ` +
          'JetStream cannot change this in place: migrate the stream (back it up, delete it, let the service recreate it)',
      );
    }
    const changed = (
      ['subjects', 'description', 'max_age', 'max_bytes', 'duplicate_window', 'num_replicas'] as const
    ).filter((k) => JSON.stringify(existing[k]) !== JSON.stringify(wanted[k]));
    if (changed.length === 0) continue;
    try {
      await jsm.streams.update(spec.name, { ...existing, ...wanted });
    } catch (error) {
      throw new ProvisioningError(
        `stream ${spec.name}: update of ${changed.join(', ')} refused: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    log.info({ stream: spec.name, changed }, 'stream updated');
  }
}

export async function provisionConsumers(
  jsm: JetStreamManager,
  specs: readonly ConsumerSpec[],
  log: Logger,
): Promise<void> {
  for (const spec of specs) {
    const wanted = consumerConfig(spec);
    let existing: ConsumerConfig | undefined;
    try {
      existing = (await jsm.consumers.info(spec.stream, spec.durable)).config;
    } catch (error) {
      if (!notFound(error)) throw error;
    }
    if (!existing) {
      await jsm.consumers.add(spec.stream, wanted);
      log.info({ stream: spec.stream, consumer: spec.durable }, 'consumer created');
      continue;
    }
    if (existing.deliver_subject) {
      throw new ProvisioningError(
        `consumer ${spec.stream}/${spec.durable} is a push consumer; contracts declare a pull consumer`,
      );
    }
    const clash = (['ack_policy', 'deliver_policy'] as const).filter((k) => existing[k] !== wanted[k]);
    if (clash.length > 0) {
      throw new ProvisioningError(
        `consumer ${spec.stream}/${spec.durable} exists with ${clash.map((k) => `${k}=${existing[k]} (contracts want ${wanted[k] ?? ''})`).join(', ')}; delete it to recreate it`,
      );
    }
    try {
      await jsm.consumers.update(spec.stream, spec.durable, wanted);
    } catch (error) {
      throw new ProvisioningError(
        `consumer ${spec.stream}/${spec.durable}: update refused: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }
}
