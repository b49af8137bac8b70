// Config is a YAML file plus environment, validated once at start against one TypeBox schema.
// Every key has an environment name derived from its path: nats.url → HS_NATS__URL,
// shutdownGraceMs → HS_SHUTDOWN_GRACE_MS. Keys marked `secret: true` are redacted from logs.
import { readFileSync } from 'node:fs';
import { Type, type Static, type TObject, type TProperties, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './errors.ts';

const LogLevel = Type.Union(
  ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
  { default: 'info' },
);

/** Marks a string setting as secret: never logged, shown as "[redacted]". */
export function Secret(options: { description?: string } = {}) {
  return Type.String({ ...options, secret: true, minLength: 1 });
}

export const baseConfigProperties = {
  nats: Type.Object(
    {
      url: Type.String({ description: 'NATS server URL(s), comma separated', minLength: 1 }),
      user: Type.Optional(Type.String({ minLength: 1 })),
      password: Type.Optional(Secret()),
      token: Type.Optional(Secret()),
    },
    { additionalProperties: false, default: {} },
  ),
  http: Type.Object(
    {
      host: Type.String({ default: '127.0.0.1' }),
      port: Type.Integer({ default: 0, minimum: 0, maximum: 65535, description: '0 picks a free port' }),
      metrics: Type.Boolean({
        default: false,
        description: 'serve the service’s own metrics as Prometheus text at /metrics (loads the metrics SDK)',
      }),
    },
    { additionalProperties: false, default: {} },
  ),
  log: Type.Object({ level: LogLevel }, { additionalProperties: false, default: {} }),
  otel: Type.Object(
    { endpoint: Type.Optional(Type.String({ description: 'OTLP/HTTP traces endpoint', minLength: 1 })) },
    { additionalProperties: false, default: {} },
  ),
  jetstream: Type.Object(
    {
      replicas: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 5,
          description: 'copies of every stream and bucket; by default each one’s replicas in contracts (1)',
        }),
      ),
      retention: Type.Record(
        Type.String(),
        Type.Object(
          {
            maxAgeMs: Type.Optional(Type.Integer({ minimum: 0 })),
            maxBytes: Type.Optional(Type.Integer({ minimum: -1 })),
          },
          { additionalProperties: false },
        ),
        { default: {}, description: 'per stream name, overrides of contracts/src/streams.ts' },
      ),
    },
    { additionalProperties: false, default: {} },
  ),
  // Used by services that declare `outbox: true` (acquisition): there `dir` is required.
  outbox: Type.Object(
    {
      dir: Type.Optional(
        Type.String({
          minLength: 1,
          description: 'where publishes NATS did not confirm are kept until it does',
        }),
      ),
      maxBytes: Type.Integer({
        default: 256 * 1024 ** 2,
        minimum: 1024,
        description: 'the bound of the outbox; beyond it the oldest entries are dropped (and logged)',
      }),
    },
    { additionalProperties: false, default: {} },
  ),
  shutdownGraceMs: Type.Integer({ default: 10_000, minimum: 100 }),
};

export type BaseConfig = Static<TObject<typeof baseConfigProperties>>;

/** A service's settings and the runtime's, as one validated object. */
export type ConfigOf<P extends TProperties> = BaseConfig & Static<TObject<P>>;

export function configSchema(service: TProperties): TObject {
  return Type.Object({ ...baseConfigProperties, ...service }, { additionalProperties: false });
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const upperSnake = (key: string): string => key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();

interface Leaf {
  path: string[];
  schema: TSchema;
}

/** Every setting with an environment name: each section (as JSON) before the keys inside it. */
function settings(schema: TSchema, path: string[] = []): Leaf[] {
  if (schema.type === 'object' && isObject(schema.properties)) {
    const self = path.length > 0 ? [{ path, schema }] : [];
    return [
      ...self,
      ...Object.entries(schema.properties as Record<string, TSchema>).flatMap(([k, s]) =>
        settings(s, [...path, k]),
      ),
    ];
  }
  return [{ path, schema }];
}

export function envName(path: readonly string[]): string {
  return `HS_${path.map(upperSnake).join('__')}`;
}

function fromEnv(raw: string, schema: TSchema): unknown {
  if (schema.type === 'integer' || schema.type === 'number') return raw.trim() === '' ? raw : Number(raw);
  if (schema.type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  if (schema.type === 'object' || schema.type === 'array') {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

function setPath(target: Json, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {};
    node = node[key] as Json;
  }
  node[path.at(-1) ?? ''] = value;
}

function unknownKeys(schema: TSchema, value: unknown, path: string[] = []): string[] {
  if (!isObject(value) || schema.type !== 'object') return [];
  const props = (schema.properties ?? {}) as Record<string, TSchema>;
  const record = schema.patternProperties as Record<string, TSchema> | undefined;
  return Object.entries(value).flatMap(([key, child]) => {
    const childSchema = props[key] ?? (record ? Object.values(record)[0] : undefined);
    if (!childSchema) return [`${[...path, key].join('.')}: unknown key`];
    return unknownKeys(childSchema, child, [...path, key]);
  });
}

export interface LoadConfigOptions {
  /** YAML file; absent means environment and defaults only. */
  file?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

/** Reads, merges and validates; throws one ConfigError naming every bad key. */
export function loadConfig<S extends TObject>(schema: S, options: LoadConfigOptions = {}): Static<S> {
  const env = options.env ?? process.env;
  const source = options.file ?? 'environment';
  let value: Json = {};
  if (options.file) {
    let text: string;
    try {
      text = readFileSync(options.file, 'utf8');
    } catch (error) {
      throw new ConfigError([`cannot read ${options.file}: ${(error as Error).message}`], source);
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch (error) {
      throw new ConfigError([`not valid YAML: ${(error as Error).message}`], source);
    }
    if (parsed !== null && parsed !== undefined && !isObject(parsed)) {
      throw new ConfigError(['the file must hold a mapping of keys'], source);
    }
    value = parsed ?? {};
  }
  for (const setting of settings(schema)) {
    const raw = env[envName(setting.path)];
    if (raw !== undefined) setPath(value, setting.path, fromEnv(raw, setting.schema));
  }
  const issues = unknownKeys(schema, value);
  const withDefaults = Value.Default(schema, structuredClone(value));
  const seen = new Set<string>();
  for (const error of Value.Errors(schema, withDefaults)) {
    const key = error.path.split('/').filter(Boolean).join('.') || '(root)';
    if (error.message.startsWith('Unexpected property') || seen.has(key)) continue;
    seen.add(key);
    const message = error.message === 'Expected required property' ? 'required' : error.message.toLowerCase();
    const envHint =
      error.message === 'Expected required property'
        ? ` (set it in the file or ${envName(key.split('.'))})`
        : '';
    issues.push(`${key}: ${message}${envHint}`);
  }
  if (issues.length > 0) throw new ConfigError(issues, source);
  return withDefaults as Static<S>;
}

/** A copy with every secret replaced, for logs. */
export function redact(schema: TSchema, value: unknown): unknown {
  if ((schema as { secret?: boolean }).secret === true && value !== undefined) return '[redacted]';
  if (schema.type === 'object' && isObject(value)) {
    const props = (schema.properties ?? {}) as Record<string, TSchema>;
    // A record (named entries, e.g. notification targets) has one schema for every value.
    const entry = Object.values((schema.patternProperties ?? {}) as Record<string, TSchema>)[0];
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => {
        const child = props[k] ?? entry;
        return [k, child ? redact(child, v) : v];
      }),
    );
  }
  if (schema.type === 'array' && Array.isArray(value) && schema.items !== undefined) {
    return value.map((v: unknown) => redact(schema.items as TSchema, v));
  }
  return value;
}

/** Loads the runtime's settings plus a service's own, typed. */
export function loadServiceConfig<P extends TProperties>(
  service: P,
  options: LoadConfigOptions = {},
): ConfigOf<P> {
  return loadConfig(configSchema(service), options) as ConfigOf<P>;
}
