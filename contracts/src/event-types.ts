import type { Static } from '@sinclair/typebox';
import { newEventId, type Envelope } from './envelope.ts';
import { ALERT_V1, AlertV1 } from './events/alert.v1.ts';
import { COMMAND_V1, CommandV1 } from './events/command.v1.ts';
import { COMMAND_RESULT_V1, CommandResultV1 } from './events/command-result.v1.ts';
import { COP_V1, CopV1 } from './events/cop.v1.ts';
import { COP_V2, CopV2, copV1toV2 } from './events/cop.v2.ts';
import { COP_LIVE_V1, CopLiveV1 } from './events/cop-live.v1.ts';
import { DEVICE_STATUS_V1, DeviceStatusV1 } from './events/device-status.v1.ts';
import { READING_V1, ReadingV1 } from './events/reading.v1.ts';
import { REJECTED_V1, RejectedV1 } from './events/rejected.v1.ts';
import { ContractError, createEventRegistry, defineEventType, type EventRegistry } from './registry.ts';

/** The newest name of every event type, by role. */
export const EventType = {
  reading: READING_V1,
  deviceStatus: DEVICE_STATUS_V1,
  cop: COP_V2,
  copLive: COP_LIVE_V1,
  alert: ALERT_V1,
  command: COMMAND_V1,
  commandResult: COMMAND_RESULT_V1,
  rejected: REJECTED_V1,
} as const;

const schemas = {
  [READING_V1]: ReadingV1,
  [DEVICE_STATUS_V1]: DeviceStatusV1,
  [COP_V1]: CopV1,
  [COP_V2]: CopV2,
  [COP_LIVE_V1]: CopLiveV1,
  [ALERT_V1]: AlertV1,
  [COMMAND_V1]: CommandV1,
  [COMMAND_RESULT_V1]: CommandResultV1,
  [REJECTED_V1]: RejectedV1,
} as const;

export type EventTypeName = keyof typeof schemas;
export type EventOf<T extends EventTypeName> = Static<(typeof schemas)[T]>;
export type DataOf<T extends EventTypeName> = EventOf<T>['data'];

export const eventTypeNames: readonly EventTypeName[] = Object.freeze(
  Object.keys(schemas) as EventTypeName[],
);

/** The production registry: every type heatstream publishes, and the upcasters of older versions. */
export const events: EventRegistry = createEventRegistry(
  eventTypeNames.map((type) => defineEventType(type, schemas[type])),
  [copV1toV2],
);

export interface MakeEventInit<D> {
  /** Publishing service/instance. */
  source: string;
  /** Device id; for rejected events the service. */
  subject: string;
  /** When it was measured; default now. */
  time?: Date | string;
  /** Default: a ULID from `time`. */
  id?: string;
  data: D;
}

/** A valid event, or a ContractError listing every issue. */
export function makeEvent<T extends EventTypeName>(type: T, init: MakeEventInit<DataOf<T>>): EventOf<T> {
  const time = init.time === undefined ? new Date() : init.time;
  const timeMs = time instanceof Date ? time.getTime() : Date.parse(time);
  if (Number.isNaN(timeMs)) {
    throw new ContractError(`invalid ${type}`, [
      { path: '/time', message: 'Expected an RFC 3339 date-time' },
    ]);
  }
  const event = {
    specversion: '1.0',
    id: init.id ?? newEventId(timeMs),
    source: init.source,
    type,
    subject: init.subject,
    time: time instanceof Date ? time.toISOString() : time,
    data: init.data,
  } satisfies Envelope;
  const issues = events.validate(type, event);
  if (issues.length > 0) throw new ContractError(`invalid ${type}`, issues);
  return event as EventOf<T>;
}

const utf8 = new TextEncoder();

/** JSON, UTF-8: the bytes published on NATS. */
export function encodeEvent(event: Envelope): Uint8Array {
  return utf8.encode(JSON.stringify(event));
}
