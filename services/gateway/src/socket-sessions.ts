// A socket lives only as long as the credential it was opened with. Authentication happens once,
// at the handshake, so without this a socket would keep receiving readings after its session
// logged out, expired, or its user or token was deleted. Logout here ends the session's sockets at
// once; everything else (a logout on another replica, expiry, a user deleted or a token revoked
// with the admin CLI) is found by re-resolving each socket's credential every `recheckMs`.
import { systemClock, type Clock, type Logger } from '@heatstream/runtime';
import type { Socket } from 'socket.io';
import type { Principal } from './users.ts';

/** Sent to a socket just before the server disconnects it, so the page can ask to log in again. */
export const SESSION_ENDED = 'session-ended';

interface Tracked {
  socket: Socket;
  /** The session cookie's secret, when the socket was opened with one (not with a token). */
  session: string | undefined;
  /** The socket's principal as it is now; undefined once its credential no longer holds. */
  resolve(): Promise<Principal | undefined>;
}

export interface SocketSessionsOptions {
  recheckMs: number;
  log: Logger;
  clock?: Clock;
}

export class SocketSessions {
  readonly #sockets = new Map<string, Tracked>();
  readonly #recheckMs: number;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;

  constructor(options: SocketSessionsOptions) {
    this.#recheckMs = options.recheckMs;
    this.#log = options.log;
    this.#clock = options.clock ?? systemClock;
  }

  /** Follows a connected socket until it disconnects. */
  track(socket: Socket, session: string | undefined, resolve: () => Promise<Principal | undefined>): void {
    this.#sockets.set(socket.id, { socket, session, resolve });
    socket.once('disconnect', () => this.#sockets.delete(socket.id));
  }

  /** Disconnects every socket opened with this session (its logout). */
  endSession(session: string): void {
    for (const tracked of this.#sockets.values())
      if (tracked.session === session) this.#end(tracked, 'logged out');
  }

  /** Re-resolves every socket's credential once; those that no longer hold are disconnected. */
  async recheck(): Promise<void> {
    await Promise.all(
      [...this.#sockets.values()].map(async (tracked) => {
        try {
          if (!(await tracked.resolve())) this.#end(tracked, 'session ended');
        } catch (error) {
          // The store is unreachable (NATS down): not a reason to drop a socket; the next round checks again.
          this.#log.warn({ err: error, socket: tracked.socket.id }, 'could not recheck a socket’s session');
        }
      }),
    );
  }

  start(): void {
    const signal = this.#stop.signal;
    this.#loop ??= (async () => {
      for (;;) {
        await this.#clock.sleep(this.#recheckMs, signal);
        if (signal.aborted) return;
        await this.recheck();
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  #end(tracked: Tracked, reason: string): void {
    this.#sockets.delete(tracked.socket.id);
    tracked.socket.emit(SESSION_ENDED, { reason });
    tracked.socket.disconnect(true);
  }
}
