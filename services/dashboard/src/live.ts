// The live connection: one socket, rooms per site or device, and a callback when it comes back
// after a drop so the page can fill the gap from the history API.
import { io, type Socket } from 'socket.io-client';
import type { Metrics } from './api.ts';

export interface ReadingEvent {
  id: string;
  time: string;
  subject: string;
  data: { site: string; device: string; model: string; metrics: Metrics };
}
export interface StatusEvent {
  time: string;
  data: { site: string; device: string; state: string; reason?: string };
}
export interface AlertEvent {
  time: string;
  data: { site: string; device: string; alertId: string; state: string; severity: string; message: string };
}

/** heatstream.cop-live.v1: a heat source's COP now and over its rolling window. */
export interface CopLiveEvent {
  time: string;
  data: {
    site: string;
    device: string;
    at: string;
    heatW: number | null;
    elecW: number | null;
    cop: number | null;
    reason?: string;
    window: { start: string; end: string; cop: number | null };
  };
}

/** A Socket.IO room of the gateway: a device's, a site's, or the replay room (`heatstream replay live`). */
export interface Room {
  device?: string;
  site?: string;
  replay?: true;
}

export interface Live {
  socket: Socket;
  /** Joins these rooms and leaves the ones followed before that are not among them. */
  follow(rooms: Room[]): void;
  /** Leaves one room (a page that goes), whoever follows next. */
  leave(room: Room): void;
  /** Calls `fill` with the time of the drop each time the socket is back; returns the unsubscribe. */
  onReconnect(fill: (since: Date) => void): () => void;
}

/** The header badge's states, each with its own word and colour (style.css `.conn.*`). */
export const ConnState = {
  live: 'live',
  /** The socket dropped and Socket.IO is trying again. */
  reconnecting: 'reconnecting',
  /** Tries keep failing (or the browser has no network): values are not current. */
  offline: 'offline',
  /** What is shown is a replay of the past (the replay view sets it). */
  replay: 'replay',
} as const;
export type ConnState = (typeof ConnState)[keyof typeof ConnState];

export const CONN_LABELS: Readonly<Record<ConnState, string>> = {
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  replay: 'Replay',
};

/** Failed reconnection tries after which the badge says offline rather than reconnecting. */
const OFFLINE_AFTER_TRIES = 2;

export function connectLive(setState: (state: ConnState) => void): Live {
  const socket = io({ transports: ['websocket'], withCredentials: true });
  let rooms: Room[] = [];
  const key = (room: Room): string => JSON.stringify([room.device, room.site, room.replay]);
  let lostAt: Date | undefined;
  const fills: ((since: Date) => void)[] = [];
  const join = (): void => {
    for (const room of rooms) socket.emit('subscribe', room);
  };
  socket.on('connect', () => {
    setState('live');
    join();
    if (lostAt) {
      const since = lostAt;
      lostAt = undefined;
      for (const fill of fills) fill(since);
    }
  });
  // Events played by `heatstream replay` arrive only in the replay room (the Replay page): say so
  // while they arrive.
  let replayTimer: ReturnType<typeof setTimeout> | undefined;
  socket.on('replay', () => {
    setState('replay');
    clearTimeout(replayTimer);
    replayTimer = setTimeout(() => {
      setState(socket.connected ? 'live' : 'offline');
    }, 5_000);
  });
  let failedTries = 0;
  socket.on('disconnect', () => {
    lostAt ??= new Date();
    failedTries = 0;
    setState(navigator.onLine ? 'reconnecting' : 'offline');
  });
  socket.io.on('reconnect_error', () => {
    failedTries++;
    if (failedTries >= OFFLINE_AFTER_TRIES) setState('offline');
  });
  socket.io.on('reconnect', () => {
    failedTries = 0;
  });
  return {
    socket,
    leave: (room) => {
      rooms = rooms.filter((r) => key(r) !== key(room));
      if (socket.connected) socket.emit('unsubscribe', room);
    },
    follow: (next) => {
      const kept = new Set(next.map(key));
      // A socket that reconnects starts in no room, so leaving matters only while connected.
      if (socket.connected)
        for (const room of rooms) if (!kept.has(key(room))) socket.emit('unsubscribe', room);
      rooms = next;
      if (socket.connected) join();
    },
    onReconnect: (fill) => {
      fills.push(fill);
      // Idempotent: a page that stops twice must not remove another page's catch-up (splice(-1)).
      return () => {
        const i = fills.indexOf(fill);
        if (i >= 0) fills.splice(i, 1);
      };
    },
  };
}

const SITES_KEY = 'heatstream.sites';

/** The sites of the last overview, so a page loaded during an outage knows which rooms to join. */
export function rememberSites(sites: readonly string[]): void {
  sessionStorage.setItem(SITES_KEY, JSON.stringify(sites));
}

export function knownSites(): string[] {
  try {
    const sites: unknown = JSON.parse(sessionStorage.getItem(SITES_KEY) ?? '[]');
    return Array.isArray(sites) ? sites.filter((s): s is string => typeof s === 'string') : [];
  } catch {
    return [];
  }
}
