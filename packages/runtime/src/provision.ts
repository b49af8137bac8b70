// Streams, durable consumers and KV buckets come from contracts/ as data; this makes the server
// match them. Idempotent: creates what is missing, updates what may change in place (subjects,
// limits, TTL, history, description, replicas), and refuses to start on a change JetStream cannot
// apply to a live stream (storage, retention, ack policy), naming what differs.
// Two modes, one implementation: `converge` is the provisioning step (provision-cli.ts, its own
// NATS user with create/update rights); `verify` is what a service with declared rights does at
// start-up — INFO only, since its user may not change streams — and it fails naming the step
// when something is missing or differs.
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamClient,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm, type KV } from '@nats-io/kv';
import { millis, nanos } from '@nats-io/transport-node';
import {
  streams as allStreams,
  type BucketSpec,
  type ConsumerSpec,
  type ServiceAccess,
  type StreamSpec,
} from '@heatstream/contracts';
import type { Logger } from 'pino';
import type { BaseConfig } from './config.ts';
import { ProvisioningError } from './errors.ts';

const notFound = (error: unknown): boolean => error instanceof JetStreamApiError && error.status === 404;

/** `converge`: create and update (the provisioning step); `verify`: INFO only, fail on any difference. */
export type ProvisionMode = 'converge' | 'verify';

/**
 * Whether a service or client converges what it uses or only verifies it: verify when it has
 * rights in contracts/src/access.ts and logs in (its user then lacks create/update rights; the
 * provisioning step holds them); converge without declared rights (admin, tools), on a server
 * without authentication (development, tests), or for declarations of its own (tests).
 */
export function provisionMode(
  explicit: boolean | undefined,
  rights: ServiceAccess | undefined,
  nats: BaseConfig['nats'],
  ownDeclarations: boolean,
): ProvisionMode {
  if (explicit !== undefined) return explicit ? 'converge' : 'verify';
  const loggedIn = nats.user !== undefined || nats.token !== undefined;
  return rights === undefined || !loggedIn || ownDeclarations ? 'converge' : 'verify';
}

/** What a service tells the operator when provisioning has not run (or ran with other settings). */
export const RUN_PROVISIONING =
  'run the provisioning step first (node packages/runtime/src/provision-cli.ts as NATS user "provision"; ' +
  './heatstream start, compose and k8s run it before the services)';

function notProvisioned(what: string, problem: string): ProvisioningError {
  return new ProvisioningError(`${what} ${problem}: ${RUN_PROVISIONING}`);
}

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
    num_replicas: js.replicas ?? spec.replicas,
  };
}

export function consumerConfig(spec: ConsumerSpec): Partial<ConsumerConfig> & { durable_name: string } {
  return {
    durable_name: spec.durable,
    description: spec.description,
    // Both fields every time: an update is merged into the consumer's config, and nats-server
    // refuses a consumer with both set, so going from one filter to several (DERIVED's cop.v1 →
    // cop.v1 + cop.v2) must clear the other field.
    ...(spec.filterSubjects.length === 1
      ? { filter_subject: spec.filterSubjects[0], filter_subjects: [] }
      : { filter_subject: '', filter_subjects: [...spec.filterSubjects] }),
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
  mode: ProvisionMode = 'converge',
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
      if (mode === 'verify') throw notProvisioned(`stream ${spec.name}`, 'does not exist');
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
    if (mode === 'verify')
      throw notProvisioned(
        `stream ${spec.name}`,
        `differs from contracts and config in ${changed.join(', ')}`,
      );
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

/** The server leaves out empty settings (`filter_subjects: []`, `filter_subject: ''`): absent is empty. */
function sameSetting(a: unknown, b: unknown): boolean {
  const empty = (v: unknown): unknown => (v === '' || (Array.isArray(v) && v.length === 0) ? undefined : v);
  return JSON.stringify(empty(a)) === JSON.stringify(empty(b));
}

export async function provisionConsumers(
  jsm: JetStreamManager,
  specs: readonly ConsumerSpec[],
  log: Logger,
  mode: ProvisionMode = 'converge',
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
      if (mode === 'verify')
        throw notProvisioned(`consumer ${spec.stream}/${spec.durable}`, 'does not exist');
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
    if (mode === 'verify') {
      const current = existing;
      const changed = (Object.keys(wanted) as (keyof typeof wanted)[]).filter(
        (k) => !sameSetting(current[k], wanted[k]),
      );
      if (changed.length > 0)
        throw notProvisioned(
          `consumer ${spec.stream}/${spec.durable}`,
          `differs from contracts in ${changed.join(', ')}`,
        );
      continue;
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

/** The stream behind a KV bucket. */
export const bucketStream = (bucket: string): string => `KV_${bucket}`;

export interface ProvisionedBucket {
  bucket: KV;
  /** The TTL the bucket has now, in ms (0: entries stay until deleted). */
  ttlMs: number;
}

/**
 * Creates the bucket from its declaration or converges the existing one to it. `ttlMs` is the
 * owner's configured TTL (only for a bucket whose declaration names a `ttlSetting`); without it a
 * configurable TTL is left as the bucket has it, so the admin CLI does not undo the gateway's.
 */
export async function provisionBucket(
  js: JetStreamClient,
  jsm: JetStreamManager,
  spec: BucketSpec,
  settings: BaseConfig['jetstream'],
  ttlMs: number | undefined,
  log: Logger,
  mode: ProvisionMode = 'converge',
): Promise<ProvisionedBucket> {
  if (ttlMs !== undefined && spec.ttlSetting === undefined) {
    throw new ProvisioningError(
      `bucket ${spec.name}: its TTL is fixed in contracts/src/buckets.ts; declare a ttlSetting to let config override it`,
    );
  }
  // Whole milliseconds: a TTL from hours in config (0.3 h) need not be one, and JetStream takes integers.
  if (ttlMs !== undefined) ttlMs = Math.round(ttlMs);
  const stream = bucketStream(spec.name);
  const replicas = settings.replicas ?? spec.replicas;
  let existing: StreamConfig | undefined;
  try {
    existing = (await jsm.streams.info(stream)).config;
  } catch (error) {
    if (!notFound(error)) throw error;
  }
  if (!existing) {
    if (mode === 'verify') throw notProvisioned(`bucket ${spec.name}`, 'does not exist');
    const ttl = ttlMs ?? spec.ttlMs;
    const created = await new Kvm(js).create(spec.name, {
      description: spec.description,
      history: spec.history,
      ttl,
      max_bytes: spec.maxBytes,
      replicas,
      storage: StorageType.File,
    });
    log.info({ bucket: spec.name }, 'bucket created');
    return { bucket: created, ttlMs: ttl };
  }
  const kvSubject = `$KV.${spec.name}.>`;
  if (existing.subjects.length !== 1 || existing.subjects[0] !== kvSubject || !existing.allow_rollup_hdrs) {
    throw new ProvisioningError(
      `bucket ${spec.name}: stream ${stream} exists but is not a KV bucket (subjects=${JSON.stringify(existing.subjects)}, allow_rollup_hdrs=${String(existing.allow_rollup_hdrs)}; a bucket has subjects ["${kvSubject}"] and allows roll-ups): move that stream away`,
    );
  }
  const current = existing;
  const clash = (
    [
      ['storage', StorageType.File],
      ['retention', RetentionPolicy.Limits],
    ] as const
  ).filter(([k, want]) => current[k] !== want);
  if (clash.length > 0) {
    throw new ProvisioningError(
      `bucket ${spec.name} exists with ${clash.map(([k, want]) => `${k}=${current[k]} (contracts want ${want})`).join(', ')}; ` +
        'JetStream cannot change this in place: migrate the bucket (copy its keys, delete it, let the service recreate it)',
    );
  }
  // Left as it is: a configurable TTL that this opener does not configure.
  const ttl = ttlMs ?? (spec.ttlSetting === undefined ? spec.ttlMs : millis(current.max_age));
  const wanted = {
    description: spec.description,
    max_msgs_per_subject: spec.history,
    max_age: nanos(ttl),
    max_bytes: spec.maxBytes,
    num_replicas: replicas,
  };
  const changed = (Object.keys(wanted) as (keyof typeof wanted)[]).filter(
    (k) => JSON.stringify(current[k]) !== JSON.stringify(wanted[k]),
  );
  if (changed.length > 0 && mode === 'verify') {
    const settingsNamed = changed.map(bucketSetting).join(', ');
    const hint =
      changed.includes('max_age') && spec.ttlSetting ? ` (give it the same ${spec.ttlSetting})` : '';
    throw notProvisioned(
      `bucket ${spec.name}`,
      `differs from contracts and config in ${settingsNamed}${hint}`,
    );
  }
  if (changed.length > 0) {
    // JetStream refuses a duplicate window longer than the age limit (a TTL under its 2 min default).
    const duplicates =
      wanted.max_age > 0 ? Math.min(current.duplicate_window, wanted.max_age) : current.duplicate_window;
    try {
      await jsm.streams.update(stream, { ...current, ...wanted, duplicate_window: duplicates });
    } catch (error) {
      throw new ProvisioningError(
        `bucket ${spec.name}: update of ${changed.map(bucketSetting).join(', ')} refused: ${(error as Error).message}`,
        { cause: error },
      );
    }
    log.info({ bucket: spec.name, changed: changed.map(bucketSetting) }, 'bucket updated');
  }
  // Bound without another INFO round trip; direct gets only where the stream allows them.
  return { bucket: await new Kvm(js).open(spec.name, { allow_direct: current.allow_direct }), ttlMs: ttl };
}

/** The declaration's name for a stream setting of a bucket, for logs and errors. */
function bucketSetting(key: string): string {
  const names: Record<string, string> = {
    max_msgs_per_subject: 'history',
    max_age: 'ttl',
    max_bytes: 'maxBytes',
    num_replicas: 'replicas',
  };
  return names[key] ?? key;
}
