// Small schema building blocks shared by the envelope and every event type.
import { FormatRegistry, Type, type SchemaOptions, type TLiteral, type TUnion } from '@sinclair/typebox';

export const ULID_PATTERN = '^[0-9A-HJKMNP-TV-Z]{26}$';
/** Site, device and service ids: they become NATS subject tokens. */
export const ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
export const SCHEMA_BASE_URL = 'https://heatstream.dev/schemas/';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** RFC 3339 `date-time` (JSON Schema's `format: date-time`); leap seconds are not accepted. */
export function isDateTime(value: string): boolean {
  const m = RFC3339.exec(value);
  if (m === null) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = m[9] === undefined || (Number(m[9]) <= 23 && Number(m[10]) <= 59);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth &&
    hour <= 23 &&
    minute <= 59 &&
    second <= 59 &&
    offsetOk
  );
}

// TypeBox checks formats through a global registry, and fails every value of an unregistered format.
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', isDateTime);

export const DateTime = (description: string) => Type.String({ format: 'date-time', description });

export const Id = (description: string) => Type.String({ pattern: ID_PATTERN, description });

/** A closed set of strings from an `as const` object (STYLE: enums as objects), as a union of literals. */
export function StringEnum<const O extends Readonly<Record<string, string>>>(
  values: O,
  options?: SchemaOptions,
): TUnion<TLiteral<O[keyof O]>[]> {
  const literals = Object.values(values).map((v) => Type.Literal(v));
  return Type.Union(literals, options) as unknown as TUnion<TLiteral<O[keyof O]>[]>;
}
