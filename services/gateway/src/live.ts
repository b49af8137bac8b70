// Live push: NATS core subscriptions on the event subjects (no JetStream round trip, so a reading
// reaches the browser milliseconds after its publish) fanned out to Socket.IO rooms of its device
// and its site. Clients join rooms with `subscribe` ({ device } or { site }).
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { SpanKind, context, type Tracer } from '@opentelemetry/api';
import { ContractError, type Envelope, type EventRegistry } from '@heatstream/contracts';
import { extractTraceContext } from '@heatstream/runtime';
import type { Server } from 'socket.io';
import type { Logger } from 'pino';

/** Socket.IO event name per event family. */
export const liveChannels = {
  'readings.v1.>': 'reading',
  'devices.v1.>': 'status',
  'alerts.v1.>': 'alert',
  'cop.v1.>': 'cop',
} as const;

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
  for (const [subject, channel] of Object.entries(liveChannels)) {
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
              io.to(rooms).emit(channel, event);
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
