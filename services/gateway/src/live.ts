// Live push: core NATS subscriptions on the live subjects of contracts (no JetStream round trip,
// so a reading reaches the browser milliseconds after its publish) fanned out to Socket.IO rooms
// of its device and its site. Clients join rooms with `subscribe` ({ device } or { site }). The
// runtime decodes and validates each event, skips invalid ones (the durable consumers that own
// them dead-letter them) and closes the subscriptions on shutdown. The live COP (`cop-live`) is
// also kept per source and sent to a socket when it joins a room. A range played by `heatstream
// replay` (replay.v1.>) goes to the replay room only, as `replay` messages: it never reaches the
// live cards of a device's or site's room (issue 14).
import {
  EventType,
  ReplayHeader,
  coreSubjectPatterns,
  liveSubjects,
  subjectMatches,
  type CopLiveV1,
} from '@heatstream/contracts';
import type { SubscriptionHandler } from '@heatstream/runtime';
import type { Server } from 'socket.io';

const COP_LIVE_CHANNEL = 'cop-live';
/** The Socket.IO event of replayed events: `{ channel, event, subject, speed }`. */
export const REPLAY_CHANNEL = 'replay';
export const replayRoom = 'replay';

/** A replayed event as the replay room gets it: the live channel it would have had, and the replay's speed. */
export interface ReplayMessage {
  channel: string;
  event: unknown;
  /** The subject it was stored under (Hs-Replay-Subject). */
  subject: string | null;
  /** Simulated seconds per second; 0 = as fast as possible; null when the header is missing. */
  speed: number | null;
}

/** Socket.IO event name per event type. */
export const liveChannels: Readonly<Record<string, string>> = {
  [EventType.reading]: 'reading',
  [EventType.deviceStatus]: 'status',
  [EventType.alert]: 'alert',
  [EventType.cop]: 'cop',
  [EventType.copLive]: COP_LIVE_CHANNEL,
  [EventType.commandResult]: 'command-result',
};

export const deviceRoom = (device: string): string => `device:${device}`;
export const siteRoom = (site: string): string => `site:${site}`;

export function startLivePush(
  runtime: { subscribe(subject: string, handler: SubscriptionHandler): unknown },
  io: Server,
): void {
  const latestCop = new LatestCop();
  const push: SubscriptionHandler = (envelope, message) => {
    const channel = liveChannels[envelope.type];
    if (!channel) return;
    const event = envelope as typeof envelope & { data: { site?: string; device?: string } };
    if (subjectMatches(coreSubjectPatterns.replay, message.subject)) {
      const speed = Number(message.header(ReplayHeader.speed) ?? Number.NaN);
      const replayed: ReplayMessage = {
        channel,
        event,
        subject: message.header(ReplayHeader.subject) ?? null,
        speed: Number.isFinite(speed) ? speed : null,
      };
      message.span.updateName(`push replay ${channel}`);
      io.to(replayRoom).emit(REPLAY_CHANNEL, replayed);
      return;
    }
    const rooms = [
      event.data.device ? deviceRoom(event.data.device) : undefined,
      event.data.site ? siteRoom(event.data.site) : undefined,
    ].filter((r): r is string => r !== undefined);
    if (rooms.length === 0) return;
    // The message's span continues the trace the publisher started (W3C headers), so one reading
    // can be followed from the poll to the browser; named for what happens to it here.
    message.span.updateName(`push ${channel}`);
    message.span.setAttribute('socket.io.rooms', rooms);
    io.to(rooms).emit(channel, event);
    if (envelope.type === EventType.copLive) latestCop.keep(envelope as CopLiveV1);
  };
  for (const subject of liveSubjects) runtime.subscribe(subject, push);
  // The live COP is stored nowhere, so a page opened between two figures would show none: the
  // newest per source goes to each socket as it joins a room of its site or device. Joining is
  // app.ts's (and its checks'); this only answers a join that happened.
  io.of('/').adapter.on('join-room', (room: string, socketId: string) => {
    for (const event of latestCop.of(room)) io.to(socketId).emit(COP_LIVE_CHANNEL, event);
  });
}

/** The newest cop-live.v1 of each heat source (by `at`: one from before a restart never replaces a newer one). */
export class LatestCop {
  readonly #bySource = new Map<string, CopLiveV1>();

  keep(event: CopLiveV1): void {
    const key = `${event.data.site}.${event.data.device}`;
    const held = this.#bySource.get(key);
    if (held === undefined || Date.parse(held.data.at) <= Date.parse(event.data.at))
      this.#bySource.set(key, event);
  }

  /** The figures a room's members want: its site's sources, or the source that is its device. */
  of(room: string): CopLiveV1[] {
    return [...this.#bySource.values()].filter(
      (e) => room === siteRoom(e.data.site) || room === deviceRoom(e.data.device),
    );
  }
}
