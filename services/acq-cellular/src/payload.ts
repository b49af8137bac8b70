// Parsing what a device sends against the firmware's wire format. The shapes themselves are the
// contract in @heatstream/contracts (contracts/src/cellular.ts, schemas cellular-*.v1.json), which
// the firmware's encoder is held to by its contract test: one definition for both ends.
import type { Static, TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/** Why a payload was refused: the reason and, for schema failures, each issue. */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
  readonly errors: { path: string; message: string }[];
  constructor(message: string, errors: { path: string; message: string }[] = [], options?: ErrorOptions) {
    super(message, options);
    this.errors = errors;
  }
}

/** Parses JSON bytes against a schema, or throws a PayloadError with every issue. */
export function parsePayload<T extends TSchema>(schema: T, bytes: Uint8Array, what: string): Static<T> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new PayloadError(`malformed JSON in ${what}: ${(error as Error).message}`, [], { cause: error });
  }
  const errors = [...Value.Errors(schema, parsed)].map((e) => ({ path: e.path, message: e.message }));
  if (errors.length > 0) {
    const first = errors[0];
    throw new PayloadError(`invalid ${what}: ${first?.path || '/'} ${first?.message}`, errors);
  }
  return parsed;
}
