// The provisioning step: every stream, durable consumer and KV bucket declared in contracts/,
// created or converged by one user that holds those rights (`provision` in access.ts), so no
// service needs them. Settings that change a declaration come from the same config keys the
// services read: jetstream.* (retention, replicas) and each bucket's `ttlSetting` (the gateway's
// api.sessionTtlHours), so the service's verification at start-up finds what it expects.
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Type, type TProperties } from '@sinclair/typebox';
import {
  buckets as contractBuckets,
  consumers as contractConsumers,
  streams as contractStreams,
  type BucketSpec,
  type ConsumerSpec,
  type StreamSpec,
} from '@heatstream/contracts';
import type { Logger } from 'pino';
import type { BaseConfig } from './config.ts';
import { ProvisioningError } from './errors.ts';
import { provisionBucket, provisionConsumers, provisionStreams } from './provision.ts';

export interface ProvisionAllOptions {
  settings: BaseConfig['jetstream'];
  /** TTL in ms per bucket whose declaration names a `ttlSetting` (absent: the declared TTL). */
  bucketTtlMs?: Readonly<Record<string, number>>;
  log: Logger;
  /** Defaults: everything in contracts/. */
  streams?: readonly StreamSpec[];
  consumers?: readonly ConsumerSpec[];
  buckets?: readonly BucketSpec[];
}

/** Creates or converges everything; fails with a ProvisioningError naming what cannot be changed. */
export async function provisionAll(nc: NatsConnection, options: ProvisionAllOptions): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const { settings, log } = options;
  await provisionStreams(jsm, options.streams ?? contractStreams, settings, log);
  await provisionConsumers(jsm, options.consumers ?? contractConsumers, log);
  for (const spec of options.buckets ?? contractBuckets) {
    const ttlMs =
      spec.ttlSetting === undefined ? undefined : (options.bucketTtlMs?.[spec.name] ?? spec.ttlMs);
    await provisionBucket(js, jsm, spec, settings, ttlMs, log);
  }
}

/**
 * Config properties for the buckets' TTL settings (`api.sessionTtlHours` → `api: { sessionTtlHours }`),
 * so the provisioning step reads them under the same names and environment variables
 * (HS_API__SESSION_TTL_HOURS) as the service that owns the bucket.
 */
export function bucketTtlSettings(buckets: readonly BucketSpec[] = contractBuckets): TProperties {
  const sections: Record<string, TProperties> = {};
  for (const b of buckets) {
    if (b.ttlSetting === undefined) continue;
    const [section, key, ...rest] = b.ttlSetting.split('.');
    if (!section || !key || rest.length > 0 || !key.endsWith('Hours'))
      throw new ProvisioningError(
        `bucket ${b.name}: ttlSetting ${b.ttlSetting} must be <section>.<name>Hours (a number of hours)`,
      );
    (sections[section] ??= {})[key] = Type.Optional(Type.Number({ minimum: 0.01 }));
  }
  return Object.fromEntries(
    Object.entries(sections).map(([name, props]) => [name, Type.Object(props, { default: {} })]),
  );
}

/** The TTL per bucket from config loaded with bucketTtlSettings (hours → ms). */
export function bucketTtlsFrom(
  config: Readonly<Record<string, unknown>>,
  buckets: readonly BucketSpec[] = contractBuckets,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const b of buckets) {
    if (b.ttlSetting === undefined) continue;
    const [section = '', key = ''] = b.ttlSetting.split('.');
    const hours = (config[section] as Record<string, unknown> | undefined)?.[key];
    if (typeof hours === 'number') out[b.name] = hours * 3_600_000;
  }
  return out;
}
