// Each request's input as the route table's schemas have it, and the error a handler throws for an
// answer other than 200 (app.ts turns it into the ApiError body).
import { Value } from '@sinclair/typebox/value';
import type { Static, TObject, TSchema } from '@sinclair/typebox';

export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;
  readonly issues: readonly { path: string; message: string }[];
  constructor(status: number, message: string, issues: readonly { path: string; message: string }[] = []) {
    super(message);
    this.status = status;
    this.issues = issues;
  }
}

/**
 * Query and path parameters arrive as strings: each is converted to its schema's type only when
 * it is written exactly as that type (`5`, `-3`, `2.5`, `true`), never by Number() or parseInt,
 * which read `1e3` as 1000 (or 1), `0x10` as 16 and ` 5` or `5.0` as 5. Anything else stays a
 * string and fails validation, so the 400 names the parameter.
 */
const INTEGER = /^-?(0|[1-9][0-9]*)$/;
const NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?$/;
function convertStrict(schema: TSchema, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  const type: unknown = schema.type;
  if (type === 'integer') return INTEGER.test(raw) ? Number(raw) : raw;
  if (type === 'number') return NUMBER.test(raw) ? Number(raw) : raw;
  if (type === 'boolean') return raw === 'true' ? true : raw === 'false' ? false : raw;
  return raw;
}

/** Where a request's input comes from: parameters are strings to convert, a JSON body is typed. */
export type InputPart = 'params' | 'query' | 'body' | 'message';

/** Validates one part of a request against its schema, filling defaults; every problem becomes one 400. */
export function validate<T extends TObject>(schema: T | undefined, raw: unknown, part: InputPart): Static<T> {
  if (!schema) return {};
  const input = structuredClone(raw ?? {}) as unknown;
  if ((part === 'params' || part === 'query') && typeof input === 'object' && input !== null) {
    const record = input as Record<string, unknown>;
    for (const [name, property] of Object.entries(schema.properties as Record<string, TSchema>))
      if (name in record) record[name] = convertStrict(property, record[name]);
  }
  const value = Value.Default(schema, input);
  const errors = [...Value.Errors(schema, value)];
  if (errors.length > 0) {
    const where = part === 'message' ? '' : `/${part}`;
    // The top-level message names each parameter, for callers that show only `error`.
    const names = new Set(errors.map((e) => e.path.split('/').filter(Boolean).join('.') || part));
    throw new HttpError(
      400,
      `invalid ${part}: ${[...names].join(', ')}`,
      errors.map((e) => ({ path: `${where}${e.path}`, message: e.message })),
    );
  }
  return value as Static<T>;
}

/** Express path `/a/:id/b` → OpenAPI path `/a/{id}/b`. */
export const openApiPath = (path: string): string => path.replace(/:(\w+)/g, '{$1}');
