// The alerting tests' set-up: the service on a settable clock against a real nats-server, a real
// HTTP server standing in for webhook and ntfy receivers, and what the tests read back (alert.v1
// events on ALERTS, the state in KV).
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encodeEvent, events, subjects, type EventOf, type MetricName } from '@heatstream/contracts';
import { connectClient, runService, sleep, type Clock, type RunningService } from '@heatstream/runtime';
import { readingEvent, statusEvent, type NatsFixture } from '@heatstream/testkit';
import { alertingService } from '../src/service.ts';
import type { EvaluatorState } from '../src/evaluator.ts';

type JetStreamClient = NatsFixture['js'];

export const SITE = 'home';
export const T0 = Date.UTC(2026, 0, 15, 6, 0, 0);
/** A throw-away Standard Webhooks secret: whsec_ + base64 of 24 bytes. */
export const WEBHOOK_SECRET = `whsec_${Buffer.from('heatstream-test-secret-24').toString('base64')}`;
export const NTFY_TOKEN = 'tk_testtoken';

export class TestClock implements Clock {
  t = T0;
  now = (): number => this.t;
  sleep = sleep;
  advance(ms: number): void {
    this.t += ms;
  }
}

export const rules = [
  {
    id: 'compressor_temp_high',
    kind: 'threshold',
    metric: 'compressor_temp',
    direction: 'above',
    warning: 85,
    critical: 95,
    hysteresis: 3,
    cooldownMs: 600_000,
  },
  { id: 'device_offline', kind: 'offline', missedIntervals: 3, cooldownMs: 0 },
];

export interface Received {
  path: string;
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook/ntfy receiver: records every request; answers 500 to the first `failFirst` ones. */
export class Receiver implements AsyncDisposable {
  readonly requests: Received[] = [];
  failFirst = 0;
  readonly #server: Server;

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<Receiver> {
    const server = createServer();
    const receiver = new Receiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = receiver.requests.length < receiver.failFirst ? 500 : 200;
        receiver.requests.push({
          path: req.url ?? '',
          status,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        res.writeHead(status).end();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

export function startAlerting(
  natsUrl: string,
  clock: TestClock,
  receiver?: Receiver,
  env: NodeJS.ProcessEnv = {},
): Promise<RunningService> {
  const targets: NodeJS.ProcessEnv = receiver
    ? {
        HS_WEBHOOKS: JSON.stringify({ hook: { url: `${receiver.url}/hook`, secret: WEBHOOK_SECRET } }),
        HS_NTFY: JSON.stringify({ phone: { url: `${receiver.url}/ntfy/heatpump`, token: NTFY_TOKEN } }),
      }
    : {};
  return runService(alertingService(clock), {
    argv: [],
    env: {
      HS_NATS__URL: natsUrl,
      HS_LOG__LEVEL: 'silent',
      HS_TICK_INTERVAL_MS: '20',
      HS_RULES: JSON.stringify(rules),
      HS_EXPECTED_INTERVAL_MS: JSON.stringify({ hp1: 1_000, hp2: 60_000 }),
      HS_DELIVERY: JSON.stringify({ attempts: 4, initialBackoffMs: 20, maxBackoffMs: 100, timeoutMs: 2_000 }),
      ...targets,
      ...env,
    },
  });
}

export async function publishReading(
  js: JetStreamClient,
  clock: TestClock,
  device: string,
  metrics: Partial<Record<MetricName, number>>,
): Promise<void> {
  const e = readingEvent({ site: SITE, device, metrics }, { time: new Date(clock.t) });
  await js.publish(subjects.reading(SITE, device), encodeEvent(e), { msgID: e.id });
}

export async function publishStatus(js: JetStreamClient, clock: TestClock, device: string): Promise<void> {
  const e = statusEvent({ site: SITE, device, state: 'online' }, { time: new Date(clock.t) });
  await js.publish(subjects.deviceStatus(SITE, device), encodeEvent(e), { msgID: e.id });
}

export type AlertEvent = EventOf<'heatstream.alert.v1'>;

/** Every alert.v1 event stored on ALERTS, oldest first. */
export async function storedAlerts(nats: Pick<NatsFixture, 'js' | 'jsm'>): Promise<AlertEvent[]> {
  // Read as many as the stream holds, so the read does not wait out an expiry at the end.
  const count = (await nats.jsm.streams.info('ALERTS')).state.messages;
  const consumer = await nats.js.consumers.get('ALERTS');
  const out: AlertEvent[] = [];
  try {
    while (out.length < count) {
      const msg = await consumer.next({ expires: 5_000 });
      if (!msg) break;
      out.push(events.decode(msg.data) as AlertEvent);
    }
  } finally {
    await consumer.delete().catch(() => undefined);
  }
  return out;
}

/** The evaluator state alerting saved, and the keys of its notification outbox. */
export async function savedState(natsUrl: string): Promise<{ state: EvaluatorState; outbox: string[] }> {
  await using client = await connectClient({ nats: { url: natsUrl } }, 'admin');
  const kv = await client.kv('alerting_state');
  const state = (await kv.getJson('evaluator')) as EvaluatorState;
  const outbox: string[] = [];
  for await (const key of kv.keys('outbox.>')) outbox.push(key);
  return { state, outbox };
}
