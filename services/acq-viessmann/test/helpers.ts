// Test helpers: clocks the test controls, the simulated Viessmann API on that clock, a logged-in
// token store, a replica's config, and a recorder of what reaches NATS.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { stringify } from 'yaml';
import { sleep, type Clock } from '@heatstream/runtime';
import { tempDir, type NatsFixture } from '@heatstream/testkit';
import { ViessmannApiSimulator } from '../../simulators/src/viessmann/api.ts';
import { HeatPumpHouse, defaultHouse } from '../../simulators/src/model/house.ts';
import { BUCKET } from '../src/service.ts';
import { TokenStore, beginLogin, finishLogin, type OAuthSettings } from '../src/tokens.ts';

export const T0 = Date.UTC(2026, 0, 15, 6, 0, 0);
export const CLIENT_ID = 'test-client';
export const SERIAL = '7736172100000001';

/** Time moves only when the test says so; `waiting` tells whether the service sleeps on it now. */
export class ManualClock implements Clock {
  t = T0;
  readonly #waiters = new Set<{ until: number; wake: () => void }>();
  now = (): number => this.t;
  sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
    if (ms <= 0 || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        until: this.t + ms,
        wake: () => {
          this.#waiters.delete(waiter);
          resolve();
        },
      };
      this.#waiters.add(waiter);
      signal?.addEventListener('abort', waiter.wake, { once: true });
    });
  };
  /** When the earliest sleeper wakes; undefined while nobody sleeps (the service is working). */
  get nextWake(): number | undefined {
    const all = [...this.#waiters].map((w) => w.until);
    return all.length === 0 ? undefined : Math.min(...all);
  }
  advance(ms: number): void {
    this.t += ms;
    for (const w of [...this.#waiters]) if (w.until <= this.t) w.wake();
  }
}

/** Simulated time `speed` times as fast as real time, for tests that let many polls happen. */
export function scaledClock(speed: number, start = T0): Clock {
  const realStart = Date.now();
  return {
    now: () => start + (Date.now() - realStart) * speed,
    sleep: (ms, signal) => sleep(ms / speed, signal),
  };
}

export async function startSimulator(
  clock: Clock,
  limits = { perTenMinutes: 120, daily: 1_450 },
): Promise<ViessmannApiSimulator> {
  const house = new HeatPumpHouse(T0, defaultHouse);
  const sim = new ViessmannApiSimulator({
    host: '127.0.0.1',
    port: 0,
    clientId: CLIENT_ID,
    accessTokenTtlS: 3_600,
    limits,
    identity: { installationId: 4711, gatewaySerial: SERIAL, deviceId: '0' },
    state: () => house.advanceTo(Math.max(T0, clock.now())),
    clock,
    log: pino({ level: 'silent' }),
  });
  await sim.start();
  return sim;
}

export function oauthOf(sim: ViessmannApiSimulator): OAuthSettings {
  return {
    authorizeUrl: `${sim.baseUrl}/idp/v3/authorize`,
    tokenUrl: `${sim.baseUrl}/idp/v3/token`,
    clientId: CLIENT_ID,
    redirectUri: 'http://127.0.0.1:9/callback',
  };
}

/** What `./heatstream viessmann login --follow` does: the simulated IAM approves at once. */
export async function logIn(nats: NatsFixture, sim: ViessmannApiSimulator, clock: Clock): Promise<void> {
  const settings = oauthOf(sim);
  const pending = await beginLogin(settings);
  const redirect = await fetch(pending.url, { redirect: 'manual' });
  const tokens = await finishLogin(settings, pending, redirect.headers.get('location') ?? '', clock);
  const client = await nats.serviceClient('acq-viessmann');
  await new TokenStore(await client.kv(BUCKET), settings, clock, 0).save(tokens);
}

/** A replica's config file: its own outbox, the simulated API, the given limits. */
export async function replicaConfig(
  nats: NatsFixture,
  sim: ViessmannApiSimulator,
  budget: { perTenMinutes: number; daily: number; reserve: number },
  more: Record<string, unknown> = {},
): Promise<string> {
  const dir = await tempDir('acq-viessmann');
  const file = join(dir, 'acq-viessmann.yaml');
  await writeFile(
    file,
    stringify({
      nats: { url: nats.url },
      log: { level: 'silent' },
      outbox: { dir: join(dir, 'outbox') },
      site: 'villa',
      api: { baseUrl: sim.baseUrl, timeoutMs: 5_000 },
      oauth: oauthOf(sim),
      budget,
      devices: [{ gatewaySerial: SERIAL, deviceId: '0', id: 'villa-vitocal' }],
      ...more,
    }),
  );
  return file;
}

export interface Seen {
  subject: string;
  // Decoded JSON of a stored event: the tests read the fields they check.
  event: { type: string; time: string; data: Record<string, unknown> };
}

export async function recordEvents(nats: NatsFixture): Promise<{ seen: Seen[] }> {
  const nc = await nats.client();
  const seen: Seen[] = [];
  const sub = nc.subscribe('>');
  void (async () => {
    for await (const m of sub) {
      if (!m.subject.startsWith('readings.') && !m.subject.startsWith('devices.')) continue;
      seen.push({ subject: m.subject, event: m.json() });
    }
  })();
  await nc.flush();
  return { seen };
}

export const readings = (seen: readonly Seen[]): Seen[] =>
  seen.filter((s) => s.event.type === 'heatstream.reading.v1');
export const states = (seen: readonly Seen[]): string[] =>
  seen.filter((s) => s.event.type === 'heatstream.device-status.v1').map((s) => s.event.data.state as string);
