// Dashboard sockets for the live-push measurements, shared by `npm run bench:live` (readings
// published straight to NATS) and the load harness's live scenario (readings sent by devices):
// each socket follows one device room and reports every reading it gets by event id.
import { io, type Socket } from 'socket.io-client';

export interface Subscribers {
  clients: Socket[];
  close(): void;
}

/** `sockets` sockets with `token`, socket i in the room of `devices[i % devices.length]`. */
export async function subscribe(
  base: string,
  token: string,
  sockets: number,
  devices: readonly string[],
  onReading: (id: string, at: number) => void,
): Promise<Subscribers> {
  const clients: Socket[] = [];
  const close = (): void => {
    for (const c of clients) c.close();
  };
  try {
    for (let i = 0; i < sockets; i++) {
      const socket = io(base, { transports: ['websocket'], auth: { token }, reconnection: false });
      clients.push(socket);
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      });
      await socket.emitWithAck('subscribe', { device: devices[i % devices.length] });
      socket.on('reading', (event: { id: string }) => {
        onReading(event.id, performance.now());
      });
    }
  } catch (error) {
    close();
    throw error;
  }
  return { clients, close };
}
