// Live push: core NATS subscriptions on the live subjects of contracts (no JetStream round trip,
// so a reading reaches the browser milliseconds after its publish) fanned out to Socket.IO rooms
// of its device and its site. Clients join rooms with `subscribe` ({ device } or { site }). The
// runtime decodes and validates each event, skips invalid ones (the durable consumers that own
// them dead-letter them) and closes the subscriptions on shutdown.
import { EventType, coreSubjectPatterns, liveSubjects, subjectMatches } from '@heatstream/contracts';
import type { SubscriptionHandler } from '@heatstream/runtime';
import type { Server } from 'socket.io';

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
  runtime: { subscribe(subject: string, handler: SubscriptionHandler): unknown },
  io: Server,
): void {
  const push: SubscriptionHandler = (envelope, message) => {
    const channel = liveChannels[envelope.type];
    if (!channel) return;
    const event = envelope as typeof envelope & { data: { site?: string; device?: string } };
    // A replayed event is pushed like a live one, marked so the dashboard can say so.
    const payload = subjectMatches(coreSubjectPatterns.replay, message.subject)
      ? { ...event, replay: true }
      : event;
    const rooms = [
      event.data.device ? deviceRoom(event.data.device) : undefined,
      event.data.site ? siteRoom(event.data.site) : undefined,
    ].filter((r): r is string => r !== undefined);
    if (rooms.length === 0) return;
    // The message's span continues the trace the publisher started (W3C headers), so one reading
    // can be followed from the poll to the browser; named for what happens to it here.
    message.span.updateName(`push ${channel}`);
    message.span.setAttribute('socket.io.rooms', rooms);
    io.to(rooms).emit(channel, payload);
  };
  for (const subject of liveSubjects) runtime.subscribe(subject, push);
}
