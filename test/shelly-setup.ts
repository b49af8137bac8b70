// Set-up shared by the Shelly tests: the simulators' Shelly site on the test's clock, acq-shelly's
// pollers publishing to a real nats-server, and what the streams hold afterwards.
import { jetstream } from '@nats-io/jetstream';
import { pino } from 'pino';
import { encodeEvent, events as registry, type Envelope, type EventOf } from '@heatstream/contracts';
import { connectClient, provisionAll, type Publish } from '@heatstream/runtime';
import { natsFixture, type NatsFixture } from '@heatstream/testkit';
import { DeviceEvents } from '../services/acq-shelly/src/events.ts';
import { MeterPoller } from '../services/acq-shelly/src/meter-poller.ts';
import { GatewayPoller } from '../services/acq-shelly/src/rooms.ts';
import { ShellyRpc } from '../services/acq-shelly/src/rpc.ts';
import { defaultHouse } from '../services/simulators/src/model/house.ts';
import { ShellySite } from '../services/simulators/src/shelly/site.ts';

export const silent = pino({ level: 'silent' });

/** The test's clock: it moves only when the test says so; sleeping is not used by pollOnce. */
export class TestClock {
  t: number;
  constructor(t: number) {
    this.t = t;
  }
  now = (): number => this.t;
  sleep = (): Promise<void> => Promise.resolve();
}

export interface SiteOptions {
  password?: string;
  profile?: 'triphase' | 'monophase';
  pageRecords?: number;
  /** Simulated start; default a June morning with PV exporting on phase a. */
  start?: number;
}

export async function shellySite(
  clock: TestClock,
  o: SiteOptions = {},
): Promise<ShellySite & AsyncDisposable> {
  const site = new ShellySite({
    host: '127.0.0.1',
    meterPort: 0,
    gatewayPort: 0,
    meterId: 'shellypro3em-c8f09e878a5c',
    gatewayId: 'shellypro1-30c6f7829a10',
    password: o.password,
    profile: o.profile ?? 'triphase',
    pageRecords: o.pageRecords ?? 60,
    pvPeakW: 2_500,
    house: { ...defaultHouse, startIndoorC: 20, weather: { ...defaultHouse.weather, meanC: 5 } },
    now: clock.now,
    log: silent,
  });
  await site.start();
  return Object.assign(site, { [Symbol.asyncDispose]: () => site.stop() });
}

export interface Harness extends AsyncDisposable {
  nats: NatsFixture;
  events: DeviceEvents;
  store: Awaited<ReturnType<Awaited<ReturnType<typeof connectClient>>['kv']>>;
  meter(
    site: ShellySite,
    o?: { password?: string; profile?: 'triphase' | 'monophase'; clock: TestClock },
  ): MeterPoller;
  gateway(site: ShellySite, clock: TestClock): GatewayPoller;
  /** Every event stored under `subject` (a filter), oldest first. */
  stored<T extends Envelope = Envelope>(stream: string, subject: string): Promise<T[]>;
}

export async function harness(): Promise<Harness> {
  const nats = await natsFixture();
  await provisionAll(nats.nc, { settings: { retention: {} }, log: silent });
  const js = jetstream(nats.nc);
  const publish: Publish = async (subject, event, options) => {
    const ack = await js.publish(subject, encodeEvent(event), options?.msgId ? { msgID: options.msgId } : {});
    return ack;
  };
  const client = await nats.serviceClient('acq-shelly');
  const store = await client.kv('acq_shelly_state');
  const events = new DeviceEvents(publish, 'acq-shelly/test', silent);
  const rpc = (port: number, password?: string) =>
    new ShellyRpc({ host: '127.0.0.1', port, password, timeoutMs: 2_000 });
  return {
    nats,
    events,
    store,
    meter: (site, o) =>
      new MeterPoller({
        device: {
          id: 'villa-meter',
          site: 'villa',
          model: 'shelly-pro-3em',
          profile: o?.profile ?? 'triphase',
          intervalMs: 10_000,
        },
        rpc: rpc(site.meterServer.port, o?.password),
        events,
        store,
        clock: o?.clock as TestClock,
        log: silent,
        backfill: { afterMs: 90_000, maxPages: 100, maxDays: 60 },
        spikeMaxW: 100_000,
      }),
    gateway: (site, clock) =>
      new GatewayPoller({
        gateway: {
          id: 'villa-gateway',
          site: 'villa',
          roomPrefix: 'villa-room',
          intervalMs: 30_000,
          silentAfterMs: 200_000,
        },
        rpc: rpc(site.gatewayServer.port),
        events,
        clock,
        log: silent,
      }),
    async stored<T extends Envelope>(stream: string, subject: string): Promise<T[]> {
      const consumer = await js.consumers.get(stream, { filter_subjects: [subject] });
      const out: T[] = [];
      try {
        // Each message says how many follow it: the loop ends on the last, without waiting out a pull.
        for (;;) {
          const msg = await consumer.next({ expires: 1_000 });
          if (!msg) break;
          out.push(registry.decode(msg.data) as T);
          if (msg.info.pending === 0) break;
        }
      } finally {
        await consumer.delete().catch(() => undefined);
      }
      return out;
    },
    [Symbol.asyncDispose]: () => nats[Symbol.asyncDispose](),
  };
}

export type Reading = EventOf<'heatstream.reading.v1'>;
export type Status = EventOf<'heatstream.device-status.v1'>;
