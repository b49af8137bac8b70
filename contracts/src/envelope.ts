import { Type, type TSchema } from '@sinclair/typebox';
import { ulid } from 'ulid';
import { DateTime, SCHEMA_BASE_URL, ULID_PATTERN } from './schema.ts';

/** CloudEvents spec version every heatstream event carries. */
export const SPEC_VERSION = '1.0';

/** The envelope of every event, with CloudEvents 1.0 field names. */
export interface Envelope<D = unknown> {
  specversion: '1.0';
  /** ULID: sortable by time, unique. */
  id: string;
  /** The service (and instance) that published the event. */
  source: string;
  /** `heatstream.<family>.v<major>`. */
  type: string;
  /** The device id; for `rejected` events the service. */
  subject: string;
  /** RFC 3339: when the value was measured, not when it was published. */
  time: string;
  datacontenttype?: 'application/json';
  data: D;
}

/** The full JSON Schema of one event type: the envelope around its `data`. */
export function envelopeSchema<T extends string, D extends TSchema>(type: T, data: D) {
  return Type.Object(
    {
      specversion: Type.Literal(SPEC_VERSION),
      id: Type.String({ pattern: ULID_PATTERN, description: 'ULID from the measurement time' }),
      source: Type.String({ minLength: 1, description: 'publishing service/instance' }),
      type: Type.Literal(type),
      subject: Type.String({ minLength: 1, description: 'device id (for rejected events: the service)' }),
      time: DateTime('when it was measured, not when it was published'),
      datacontenttype: Type.Optional(Type.Literal('application/json')),
      data,
    },
    { $id: `${SCHEMA_BASE_URL}${type}.json`, title: type, additionalProperties: false },
  );
}

/** A ULID whose time part is the given instant (default now), so ids sort by measurement time. */
export function newEventId(timeMs?: number): string {
  return ulid(timeMs);
}
