// Live push: NATS core subscriptions on the event subjects (no JetStream round trip, so a reading
// reaches the browser milliseconds after its publish) fanned out to Socket.IO rooms of its device
// and its site. Clients join rooms with `subscribe` ({ device } or { site }).
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { SpanKind, context, type Tracer } from '@opentelemetry/api';
import { ContractError, EventType, type Envelope, type EventRegistry } from '@heatstream/contracts';
import { extractTraceContext } from '@heatstream/runtime';
import type { Server } from 'socket.io';
import type { Logger } from 'pino';

/** The subjects live push follows; replay.v1.> carries a past range played by `heatstream replay`. */
export const liveSubjects = [
  'readings.v1.>',
  'devices.v1.>',
  'alerts.v1.>',
  'cop.v1.>',
  'replay.v1.>',
] as const;

/** Socket.IO event name per event type. */
export const liveChannels: Readonly<Record<string, string>> = {
  [EventType.reading]: 'reading',
  [EventType.deviceStatus]: 'status',
  [EventType.alert]: 'alert',
  [EventType.cop]: 'cop',
};

export const deviceRoom = (device: string): string => `device:${device}`;
export const siteRoom = (site: string): string => `site:${site}`;

export function startLivePush(
  nc: NatsConnection,
  io: Server,
  events: EventRegistry,
  tracer: Tracer,
  log: Logger,
): { stop(): void } {
  const subs: Subscription[] = [];
  for (const subject of liveSubjects) {
    const sub = nc.subscribe(subject, {
      callback: (error, msg) => {
        if (error) {
          log.warn({ err: error, subject }, 'live subscription error');
          return;
        }
        let event: Envelope<{ site?: string; device?: string }>;
        try {
          event = events.decode(msg.data) as Envelope<{ site?: string; device?: string }>;
        } catch (e) {
          // Invalid events are dead-lettered by the consumers that own them; the live view skips them.
          if (e instanceof ContractError)
            log.debug({ subject: msg.subject, reason: e.message }, 'skipping invalid event');
          else throw e;
          return;
        }
        const channel = liveChannels[event.type];
        if (!channel) return;
        // A replayed event is pushed like a live one, marked so the dashboard can say so.
        const payload = msg.subject.startsWith('replay.') ? { ...event, replay: true } : event;
        const rooms = [
          event.data.device ? deviceRoom(event.data.device) : undefined,
          event.data.site ? siteRoom(event.data.site) : undefined,
        ].filter((r): r is string => r !== undefined);
        if (rooms.length === 0) return;
        // The push continues the trace the publisher started (W3C headers), so one reading can be
        // followed from the poll to the browser.
        context.with(extractTraceContext(msg.headers), () => {
          tracer.startActiveSpan(
            `push ${channel}`,
            { kind: SpanKind.PRODUCER, attributes: { 'socket.io.rooms': rooms } },
            (span) => {
              io.to(rooms).emit(channel, payload);
              span.end();
            },
          );
        });
      },
    });
    subs.push(sub);
  }
  return {
    stop: () => {
      for (const sub of subs) sub.unsubscribe();
    },
  };
}
