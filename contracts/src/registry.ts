import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, ValueErrorType, type TypeCheck, type ValueError } from '@sinclair/typebox/compiler';
import type { Envelope } from './envelope.ts';

/** One event type at one major version. */
export interface EventTypeDef {
  /** `heatstream.<family>.v<version>` */
  type: string;
  /** e.g. `reading` */
  family: string;
  version: number;
  schema: TSchema;
}

/** Turns an event of one version into the next version of its family (exactly one major step). */
export interface Upcaster {
  from: string;
  to: string;
  up(event: Envelope): Envelope;
}

/** Where a value breaks its schema: a JSON Pointer (`/data/metrics/flow_temp`) and what is wrong. */
export interface ContractIssue {
  path: string;
  message: string;
}

/** A value does not meet the contract. The message lists every issue with its path. */
export class ContractError extends Error {
  override readonly name = 'ContractError';
  readonly issues: ContractIssue[];

  constructor(message: string, issues: readonly ContractIssue[] = [], options?: { cause?: unknown }) {
    const listed = issues.map((i) => `${i.path === '' ? '/' : i.path}: ${i.message}`).join('; ');
    super(issues.length === 0 ? message : `${message}: ${listed}`, options);
    this.issues = [...issues];
  }
}

export interface EventRegistry {
  types(): readonly EventTypeDef[];
  has(type: string): boolean;
  /** Throws ContractError for an unknown type. */
  schemaOf(type: string): TSchema;
  /** Every issue of `value` against the schema of `type`; [] when valid. */
  validate(type: string, value: unknown): ContractIssue[];
  /**
   * Parses and validates an event of any registered version, then upcasts it step by step to the
   * newest version of its family. Throws ContractError for anything that is not a valid event.
   */
  decode(bytes: Uint8Array | string): Envelope;
  /** The newest version of a family; throws ContractError for an unknown family. */
  latest(family: string): EventTypeDef;
}

const TYPE_NAME = /^heatstream\.([a-z][a-z0-9-]*)\.v([1-9][0-9]*)$/;

/** An EventTypeDef whose family and version are read from the type name. */
export function defineEventType(type: string, schema: TSchema): EventTypeDef {
  const m = TYPE_NAME.exec(type);
  if (m === null)
    throw new ContractError(`event type ${JSON.stringify(type)} is not heatstream.<family>.v<major>`);
  return { type, family: m[1] ?? '', version: Number(m[2]), schema };
}

/** TypeBox's errors, made readable: a closed set names its values; a missing property is reported once. */
function issuesOf(errors: Iterable<ValueError>): ContractIssue[] {
  const issues: ContractIssue[] = [];
  const missing = new Set<string>();
  for (const e of errors) {
    if (missing.has(e.path)) continue;
    if (e.type === ValueErrorType.ObjectRequiredProperty) missing.add(e.path);
    issues.push({ path: e.path, message: e.type === ValueErrorType.Union ? unionMessage(e) : e.message });
  }
  return issues;
}

function unionMessage(e: ValueError): string {
  const options: unknown[] = Array.isArray(e.schema.anyOf) ? e.schema.anyOf : [];
  const values = options.map((o) => (isObject(o) ? o.const : undefined));
  if (values.length === 0 || values.some((v) => v === undefined)) return e.message;
  const shown = values.slice(0, 8).map((v) => JSON.stringify(v));
  return `Expected one of ${shown.join(', ')}${values.length > shown.length ? `, … (${String(values.length)} values)` : ''}`;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the set for duplicates and upcaster gaps, then serves it. Validators compile on first use. */
export function createEventRegistry(
  types: readonly EventTypeDef[],
  upcasters: readonly Upcaster[] = [],
): EventRegistry {
  const byType = new Map<string, EventTypeDef>();
  const latestOf = new Map<string, EventTypeDef>();
  const versions = new Set<string>();
  for (const def of types) {
    if (byType.has(def.type)) throw new ContractError(`duplicate event type ${def.type}`);
    const key = `${def.family}@${String(def.version)}`;
    if (versions.has(key)) throw new ContractError(`two event types for ${def.family} v${def.version}`);
    byType.set(def.type, def);
    versions.add(key);
    const newest = latestOf.get(def.family);
    if (newest === undefined || newest.version < def.version) latestOf.set(def.family, def);
  }

  const upFrom = new Map<string, Upcaster>();
  for (const u of upcasters) {
    const from = byType.get(u.from);
    const to = byType.get(u.to);
    if (from === undefined || to === undefined) {
      throw new ContractError(`upcaster ${u.from} → ${u.to} names an unregistered type`);
    }
    if (from.family !== to.family || to.version !== from.version + 1) {
      throw new ContractError(`upcaster ${u.from} → ${u.to} is not one major step within a family`);
    }
    if (upFrom.has(u.from)) throw new ContractError(`two upcasters from ${u.from}`);
    upFrom.set(u.from, u);
  }
  for (const def of types) {
    if (def !== latestOf.get(def.family) && !upFrom.has(def.type)) {
      throw new ContractError(`upcaster gap: nothing upcasts ${def.type} to v${def.version + 1}`);
    }
  }

  const checks = new Map<string, TypeCheck<TSchema>>();
  function checkOf(type: string): TypeCheck<TSchema> {
    let check = checks.get(type);
    if (check === undefined) {
      check = TypeCompiler.Compile(schemaOf(type));
      checks.set(type, check);
    }
    return check;
  }

  function schemaOf(type: string): TSchema {
    const def = byType.get(type);
    if (def === undefined) throw new ContractError(`unknown event type ${JSON.stringify(type)}`);
    return def.schema;
  }

  function validate(type: string, value: unknown): ContractIssue[] {
    const check = checkOf(type);
    if (check.Check(value)) return [];
    return issuesOf(check.Errors(value));
  }

  function assertValid(type: string, value: unknown, what: string): void {
    const issues = validate(type, value);
    if (issues.length > 0) throw new ContractError(what, issues);
  }

  function parse(bytes: Uint8Array | string): unknown {
    let text: string;
    try {
      text = typeof bytes === 'string' ? bytes : utf8.decode(bytes);
    } catch (cause) {
      throw new ContractError('invalid JSON: not UTF-8', [], { cause });
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (cause) {
      throw new ContractError(`invalid JSON: ${(cause as Error).message}`, [], { cause });
    }
  }

  return {
    types: () => types,
    has: (type) => byType.has(type),
    schemaOf,
    validate,
    latest(family) {
      const def = latestOf.get(family);
      if (def === undefined) throw new ContractError(`unknown event family ${JSON.stringify(family)}`);
      return def;
    },
    decode(bytes) {
      const value = parse(bytes);
      if (!isObject(value) || typeof value.type !== 'string') {
        throw new ContractError('not an event', [
          { path: '/type', message: 'Expected an object with a string "type"' },
        ]);
      }
      if (!byType.has(value.type))
        throw new ContractError(`unknown event type ${JSON.stringify(value.type)}`);
      assertValid(value.type, value, `invalid ${value.type}`);
      // Validated against the schema of its own type, which is an envelope schema.
      let event = value as unknown as Envelope;
      for (let u = upFrom.get(event.type); u !== undefined; u = upFrom.get(event.type)) {
        try {
          event = u.up(event);
        } catch (cause) {
          throw new ContractError(`upcaster ${u.from} → ${u.to} failed`, [], { cause });
        }
        if (event.type !== u.to)
          throw new ContractError(`upcaster ${u.from} → ${u.to} returned a ${event.type}`);
        assertValid(u.to, event, `upcaster ${u.from} → ${u.to} produced an invalid ${u.to}`);
      }
      return event;
    },
  };
}
