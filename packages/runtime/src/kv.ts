// KV buckets for services and CLIs: `kv(name)` checks the bucket is declared in contracts and
// that the caller is one of its users, converges it to its declaration (provision.ts) — or, for a
// user without create rights, verifies the provisioning step did — and hands
// out this narrow interface, so no service depends on the NATS client's types.
import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import type { KV, KvEntry as NatsKvEntry } from '@nats-io/kv';
import { buckets as contractBuckets, type BucketSpec, type ServiceAccess } from '@heatstream/contracts';
import type { Logger } from 'pino';
import type { BaseConfig } from './config.ts';
import { ProvisioningError } from './errors.ts';
import { provisionBucket, type ProvisionMode } from './provision.ts';
import { checkBucket } from './rights.ts';

/** A live value of a key. */
export interface KvEntry {
  readonly key: string;
  /** Increases with every write to the bucket; a write's return value. */
  readonly revision: number;
  readonly value: Uint8Array;
  string(): string;
  /** The value parsed as JSON; not validated, so the caller checks or casts it. */
  json(): unknown;
}

export interface Kv {
  readonly bucket: string;
  /** The bucket's TTL in ms as it is now (0: entries stay until deleted). */
  readonly ttlMs: number;
  /** The value of a key, or undefined when it has none (never written, deleted, purged or expired). */
  get(key: string): Promise<KvEntry | undefined>;
  getJson(key: string): Promise<unknown>;
  /** Writes a value; resolves with its revision. */
  put(key: string, value: string | Uint8Array): Promise<number>;
  putJson(key: string, value: unknown): Promise<number>;
  /** Writes only if the key has no value; false, writing nothing, when it has one. */
  create(key: string, value: string | Uint8Array): Promise<boolean>;
  createJson(key: string, value: unknown): Promise<boolean>;
  /**
   * Writes only if the key's latest revision is still `revision` (compare-and-set, for state that
   * several replicas change); false, writing nothing, when someone wrote it since.
   */
  update(key: string, value: string | Uint8Array, revision: number): Promise<boolean>;
  updateJson(key: string, value: unknown, revision: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** The keys that have a value, optionally matching a NATS filter (`users.*`). */
  keys(filter?: string): AsyncIterable<string>;
}

export interface KvOptions {
  /**
   * The TTL the owner's config sets, for a bucket whose declaration names that setting
   * (`ttlSetting`); it reaches an existing bucket too. Refused for a bucket with a fixed TTL.
   */
  ttlMs?: number;
}

/** Opens buckets: one per service or client, with its rights and JetStream settings. */
export type OpenKv = (bucket: string, options?: KvOptions) => Promise<Kv>;

export interface KvDeps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** Who opens (for rights and errors). */
  service: string;
  rights: ServiceAccess | undefined;
  settings: BaseConfig['jetstream'];
  log: Logger;
  /** Defaults to the declarations in contracts/src/buckets.ts. */
  buckets?: readonly BucketSpec[];
  /** `verify` for a user without create/update rights: the bucket must be provisioned as declared. */
  mode?: ProvisionMode;
}

export function kvOpener(deps: KvDeps): OpenKv {
  const known = deps.buckets ?? contractBuckets;
  return async (name, options = {}) => {
    const spec = known.find((b) => b.name === name);
    if (!spec)
      throw new ProvisioningError(`unknown KV bucket ${name}: declare it in contracts/src/buckets.ts`);
    checkBucket(deps.service, deps.rights, name);
    const { bucket, ttlMs } = await provisionBucket(
      deps.js,
      deps.jsm,
      spec,
      deps.settings,
      options.ttlMs,
      deps.log.child({ component: 'kv' }),
      deps.mode,
    );
    return wrap(name, bucket, ttlMs);
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function entryOf(e: NatsKvEntry): KvEntry {
  return {
    key: e.key,
    revision: e.revision,
    value: e.value,
    string: () => decoder.decode(e.value),
    json: () => JSON.parse(decoder.decode(e.value)) as unknown,
  };
}

/** A create refused because the key holds a value (JetStream's expected-last-sequence check). */
const keyExists = (error: unknown): boolean =>
  error instanceof JetStreamApiError &&
  (error.code === JetStreamApiCodes.StreamWrongLastSequence ||
    error.code === JetStreamApiCodes.StreamWrongLastSequenceUnknown);

function wrap(name: string, bucket: KV, ttlMs: number): Kv {
  const get = async (key: string): Promise<KvEntry | undefined> => {
    const e = await bucket.get(key);
    return e && e.operation === 'PUT' ? entryOf(e) : undefined;
  };
  const create = async (key: string, value: string | Uint8Array): Promise<boolean> => {
    try {
      await bucket.create(key, value);
      return true;
    } catch (error) {
      if (keyExists(error)) return false;
      throw error;
    }
  };
  const update = async (key: string, value: string | Uint8Array, revision: number): Promise<boolean> => {
    try {
      await bucket.update(key, value, revision);
      return true;
    } catch (error) {
      if (keyExists(error)) return false;
      throw error;
    }
  };
  return {
    bucket: name,
    ttlMs,
    get,
    getJson: async (key) => (await get(key))?.json(),
    put: (key, value) => bucket.put(key, value),
    putJson: (key, value) => bucket.put(key, encoder.encode(JSON.stringify(value))),
    create,
    createJson: (key, value) => create(key, encoder.encode(JSON.stringify(value))),
    update,
    updateJson: (key, value, revision) => update(key, encoder.encode(JSON.stringify(value)), revision),
    delete: (key) => bucket.delete(key),
    keys: (filter) => ({
      async *[Symbol.asyncIterator]() {
        for await (const key of await bucket.keys(filter)) yield key;
      },
    }),
  };
}
