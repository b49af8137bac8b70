// The one NATS connect of heatstream: services (runService) and CLIs (connectClient) both use it.
import { connect, headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { inboxPrefixOf } from '@heatstream/contracts';
import type { BaseConfig } from './config.ts';
import { StartupError } from './errors.ts';

export interface NatsLink {
  nc: NatsConnection;
  /** False between a disconnect and the reconnect that follows it. */
  connected(): boolean;
}

/** Connects (failing start-up if the first attempt fails) and reconnects forever afterwards. */
export async function connectNats(config: BaseConfig['nats'], name: string, log: Logger): Promise<NatsLink> {
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers: config.url.split(',').map((s) => s.trim()),
      name,
      ...(config.user ? { user: config.user } : {}),
      ...(config.password ? { pass: config.password } : {}),
      ...(config.token ? { token: config.token } : {}),
      // The user's own inbox: its NATS rights let it subscribe to no other (contracts/src/access.ts).
      ...(config.user ? { inboxPrefix: inboxPrefixOf(config.user) } : {}),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
      timeout: 10_000,
    });
  } catch (error) {
    throw new StartupError(
      `cannot connect to NATS at ${config.url}: ${(error as Error).message} (check nats.url and credentials)`,
      {
        cause: error,
      },
    );
  }
  let up = true;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        up = false;
        log.warn({ server: status.server }, 'NATS disconnected');
      } else if (status.type === 'reconnect') {
        up = true;
        log.info({ server: status.server }, 'NATS reconnected');
      } else if (status.type === 'error') {
        log.error({ err: status.error }, 'NATS error');
      }
    }
  })();
  return { nc, connected: () => up && !nc.isClosed() };
}

/** NATS headers from a plain record (undefined when there are none). */
export function headersOf(record: Readonly<Record<string, string>> | undefined): MsgHdrs | undefined {
  if (!record || Object.keys(record).length === 0) return undefined;
  const h = natsHeaders();
  for (const [k, v] of Object.entries(record)) h.set(k, v);
  return h;
}

/** A header lookup that hides the NATS type from handlers. */
export function headerReader(h: MsgHdrs | undefined): (name: string) => string | undefined {
  return (name) => (h?.has(name) ? h.get(name) : undefined);
}
