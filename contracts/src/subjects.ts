import { ALERT_V1 } from './events/alert.v1.ts';
import { COMMAND_V1 } from './events/command.v1.ts';
import { COMMAND_RESULT_V1 } from './events/command-result.v1.ts';
import { COP_V1 } from './events/cop.v1.ts';
import { COP_V2 } from './events/cop.v2.ts';
import { COP_LIVE_V1 } from './events/cop-live.v1.ts';
import { DEVICE_STATUS_V1 } from './events/device-status.v1.ts';
import { READING_V1 } from './events/reading.v1.ts';
import { REJECTED_V1 } from './events/rejected.v1.ts';
import type { EventTypeName } from './event-types.ts';

/** A subject token (site, device or service id) that NATS or heatstream cannot carry, or an unroutable event. */
export class SubjectError extends Error {
  override readonly name = 'SubjectError';
}

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

type Param = 'site' | 'device' | 'service';
const isParam = (part: string): part is `{${Param}}` => part.startsWith('{');

/**
 * The one map of subject → event type. `{site}`, `{device}` and `{service}` are filled from the
 * event's data; the same shapes build subjects and recognise them.
 */
const routes: Record<EventTypeName, readonly string[]> = {
  [READING_V1]: ['readings', 'v1', '{site}', '{device}'],
  [DEVICE_STATUS_V1]: ['devices', 'v1', '{site}', '{device}', 'status'],
  [COP_V1]: ['cop', 'v1', '{site}', '{device}'],
  [COP_V2]: ['cop', 'v2', '{site}', '{device}'],
  [COP_LIVE_V1]: ['cop-live', 'v1', '{site}', '{device}'],
  [ALERT_V1]: ['alerts', 'v1', '{site}', '{device}'],
  [COMMAND_V1]: ['commands', 'v1', '{site}', '{device}'],
  // Beside the command in COMMANDS: one token longer, so `commands.v1.*.*` takes commands only.
  [COMMAND_RESULT_V1]: ['commands', 'v1', '{site}', '{device}', 'result'],
  [REJECTED_V1]: ['rejected', 'v1', '{service}'],
};
const routeList = Object.entries(routes) as [EventTypeName, readonly string[]][];

function token(name: string, value: unknown): string {
  if (typeof value !== 'string' || !TOKEN.test(value)) {
    throw new SubjectError(
      `${name} ${JSON.stringify(value)} is not a subject token: use 1–64 of [A-Za-z0-9_-]`,
    );
  }
  return value;
}

function fill(type: EventTypeName, ids: Partial<Record<Param, unknown>>): string {
  return routes[type]
    .map((part) => (isParam(part) ? token(part.slice(1, -1), ids[part.slice(1, -1) as Param]) : part))
    .join('.');
}

/** Subject builders; each throws SubjectError for a token outside [A-Za-z0-9_-]{1,64}. */
export const subjects = {
  reading: (site: string, device: string) => fill(READING_V1, { site, device }),
  deviceStatus: (site: string, device: string) => fill(DEVICE_STATUS_V1, { site, device }),
  cop: (site: string, device: string) => fill(COP_V2, { site, device }),
  copLive: (site: string, device: string) => fill(COP_LIVE_V1, { site, device }),
  alert: (site: string, device: string) => fill(ALERT_V1, { site, device }),
  command: (site: string, device: string) => fill(COMMAND_V1, { site, device }),
  commandResult: (site: string, device: string) => fill(COMMAND_RESULT_V1, { site, device }),
  rejected: (service: string) => fill(REJECTED_V1, { service }),
} as const;

/**
 * Core NATS subjects: nothing is stored on them. `replay.v1.<site>.<device>` carries a past range
 * played by `heatstream replay` to the live view; `derive.v1.<derivation>` asks the service that
 * serves a derivation (COP) to take a stored event into it again (request/reply). Headers and
 * replies of both are in replay.ts.
 */
export const coreSubjects = {
  replay: (site: string, device: string) => `replay.v1.${token('site', site)}.${token('device', device)}`,
  derive: (derivation: string) => `derive.v1.${token('derivation', derivation)}`,
} as const;

/** Every subject of each core family, for rights and subscriptions. */
export const coreSubjectPatterns = { replay: 'replay.v1.>', derive: 'derive.v1.>' } as const;

/** The wildcard subject of one event type, e.g. `devices.v1.*.*.status`. */
const patternOf = (type: EventTypeName): string => routes[type].map((p) => (isParam(p) ? '*' : p)).join('.');

/** The wildcard of an event family, e.g. `readings.v1.>`. */
const familyOf = (type: EventTypeName): string => `${routes[type].slice(0, 2).join('.')}.>`;

/**
 * What the live push follows with core subscriptions (no JetStream round trip): the families the
 * dashboard shows and the replay channel. The gateway subscribes to these and its NATS user may
 * subscribe to nothing else (access.ts).
 */
export const liveSubjects: readonly string[] = [
  familyOf(READING_V1),
  familyOf(DEVICE_STATUS_V1),
  familyOf(ALERT_V1),
  familyOf(COP_V1),
  familyOf(COP_V2),
  familyOf(COP_LIVE_V1),
  // A device's answer to a command, for the page that sent it; not the commands themselves.
  patternOf(COMMAND_RESULT_V1),
  coreSubjectPatterns.replay,
];

/**
 * Event types published on core subjects only (ctx.publishCore): no stream stores them, the next
 * one replaces the last. A stream capturing their subjects would be a mistake (streams.test.ts).
 */
export const coreEventTypes: readonly EventTypeName[] = [COP_LIVE_V1];

/** The subject an event is published on, from its type and the ids in its data. */
export function subjectOf(event: { type: string; data: unknown }): string {
  const type = routeList.find(([t]) => t === event.type)?.[0];
  if (type === undefined) throw new SubjectError(`no subject for event type ${JSON.stringify(event.type)}`);
  const data = typeof event.data === 'object' && event.data !== null ? event.data : {};
  return fill(type, data);
}

/** The wildcard subject of every event type, e.g. `devices.v1.*.*.status`. */
export const subjectPatterns = Object.fromEntries(
  routeList.map(([type]) => [type, patternOf(type)]),
) as Record<EventTypeName, string>;

/** The event type a concrete subject carries, or undefined if it is no heatstream subject. */
export function eventTypeOfSubject(subject: string): EventTypeName | undefined {
  const tokens = subject.split('.');
  const route = routeList.find(
    ([, shape]) =>
      shape.length === tokens.length &&
      shape.every((part, i) => {
        const token = tokens[i] ?? '';
        return isParam(part) ? TOKEN.test(token) : part === token;
      }),
  );
  return route?.[0];
}

/**
 * NATS subject matching: does `filter` (with `*` and `>`) cover `subject`? `subject` may itself be a
 * filter, and then the answer is whether every subject it matches is matched by `filter`.
 */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    const part = f[i];
    const token = s[i];
    if (part === '>') return token !== undefined;
    if (token === undefined || token === '>') return false;
    if (part !== '*' && part !== token) return false;
  }
  return f.length === s.length;
}
