// NATS for command-line tools (the admin CLI, replay): the same connect, bucket declarations and
// convergence, rights checks and request/reply as a service, without a service's lifecycle.
//   await using client = await connectClient(config, 'replay');
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { trace } from '@opentelemetry/api';
import { access as contractAccess, type BucketSpec, type ServiceAccess } from '@heatstream/contracts';
import { pino, type Logger } from 'pino';
import type { BaseConfig } from './config.ts';
import { StartupError } from './errors.ts';
import { kvOpener, type OpenKv } from './kv.ts';
import { connectNats, headersOf } from './nats.ts';
import {
  openStreamReader,
  streamBounds,
  type ReadStreamOptions,
  type StreamBounds,
  type StreamReader,
} from './read.ts';
import { provisionMode } from './provision.ts';
import { requester, type Request } from './request.ts';
import { checkSubject } from './rights.ts';

export interface CorePublishOptions {
  headers?: Readonly<Record<string, string>>;
}

export interface NatsClient extends AsyncDisposable {
  readonly name: string;
  /** Opens a bucket declared in contracts/src/buckets.ts, converging it to its declaration. */
  kv: OpenKv;
  request: Request;
  /** Core NATS publish: stored nowhere, for whoever subscribes now (the replay channel). */
  publish(subject: string, data: Uint8Array | string, options?: CorePublishOptions): void;
  /** Resolves once the server has everything published so far. */
  flush(): Promise<void>;
  streamBounds(stream: string): Promise<StreamBounds>;
  /** An ordered consumer of the client's own over a stream (see read.ts). */
  readStream(stream: string, options: ReadStreamOptions): Promise<StreamReader>;
  connected(): boolean;
  /** Lets what was published reach the server, then closes. `await using` calls it. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export interface ClientConfig {
  nats: BaseConfig['nats'];
  jetstream?: BaseConfig['jetstream'];
}

export interface ClientOptions {
  /** Connection events; silent by default (a CLI writes its own lines). */
  log?: Logger;
  /** The client's rights; by default the entry of `name` in contracts/src/access.ts (none: unrestricted, e.g. admin). */
  access?: ServiceAccess;
  /** Bucket declarations; by default contracts/src/buckets.ts. */
  buckets?: readonly BucketSpec[];
  /** Create and converge the buckets it opens, or only verify them (default: provision.ts `provisionMode`). */
  provision?: boolean;
}

/** Connects as `name` (also the NATS connection name); fails with a StartupError saying what to check. */
export async function connectClient(
  config: ClientConfig,
  name: string,
  options: ClientOptions = {},
): Promise<NatsClient> {
  const log = options.log ?? pino({ level: 'silent' });
  const rights = options.access ?? contractAccess[name];
  const link = await connectNats(config.nats, name, log);
  const { nc } = link;
  let jsm;
  try {
    jsm = await jetstreamManager(nc);
  } catch (error) {
    await nc.close();
    throw new StartupError(`JetStream is not enabled on ${config.nats.url}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const js = jetstream(nc);
  const drain = async (): Promise<void> => {
    if (!nc.isClosed()) await nc.drain();
  };
  return {
    name,
    kv: kvOpener({
      js,
      jsm,
      service: name,
      rights,
      settings: config.jetstream ?? { retention: {} },
      log,
      ...(options.buckets ? { buckets: options.buckets } : {}),
      mode: provisionMode(options.provision, rights, config.nats, options.buckets !== undefined),
    }),
    request: requester({ nc, tracer: trace.getTracer(`heatstream.${name}`), service: name, rights }),
    publish: (subject, data, publishOptions = {}) => {
      checkSubject(name, rights, 'publishes', subject);
      const headers = headersOf(publishOptions.headers);
      nc.publish(subject, data, headers ? { headers } : {});
    },
    flush: () => nc.flush(),
    streamBounds: async (stream) => {
      checkSubject(name, rights, 'replays', stream);
      return streamBounds(jsm, stream);
    },
    readStream: async (stream, readOptions) => {
      checkSubject(name, rights, 'replays', stream);
      return openStreamReader(js, stream, readOptions);
    },
    connected: () => link.connected(),
    drain,
    close: () => nc.close(),
    [Symbol.asyncDispose]: drain,
  };
}
