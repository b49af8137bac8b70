// What the gateway's API test files share: their own NATS and QuestDB seeded with a home site
// (readings, status, COP v1 and v2 figures, alerts), a gateway on a free port, the admin `anna`
// with a token, and a recorder of every REST answer for the OpenAPI check each file ends with.
import type { DataOf } from '@heatstream/contracts';
import type { NatsClient } from '@heatstream/runtime';
import {
  alertEvent,
  copEvent,
  copV2Event,
  natsFixture,
  questDbFixture,
  readingEvent,
  statusEvent,
  type NatsFixture,
  type QuestDbFixture,
  type ServiceFixture,
} from '@heatstream/testkit';
import { UserStore } from '../src/users.ts';
import { seed, startGateway } from './fixtures.ts';
import { recorder, type Answer } from './openapi-check.ts';

export const PASSWORD = 'correct horse battery staple';
export const T0 = Date.parse('2026-01-15T06:00:00Z');
export const raised: DataOf<'heatstream.alert.v1'> = {
  site: 'home',
  device: 'wpm1',
  alertId: 'a-1',
  rule: 'flow-temp-high',
  severity: 'warning',
  state: 'raised',
  message: 'flow temperature high',
  metric: 'flow_temp',
  value: 61,
  threshold: 60,
};

/** wpm2's cop.v2 figures: two days (combined, hot water), two 7-day figures and a partial 365-day one. */
export const DAY_MS = 86_400_000;
export const dayIso = (d: number) => new Date(T0 + d * DAY_MS).toISOString();
export const wpm2 = { site: 'home', device: 'wpm2' } as const;
export const copV2Seed = [
  ...[0, 1].flatMap((d) => [
    copV2Event({ ...wpm2, heatKwh: 30 + d, elecKwh: 10 }, { time: T0 + d * DAY_MS }),
    copV2Event(
      { ...wpm2, category: 'hot_water', heatKwh: 6, elecKwh: 3, dataSeconds: 3600, outsideTempC: 1.5 },
      { time: T0 + d * DAY_MS },
    ),
  ]),
  ...[-6, -5].map((d) =>
    copV2Event(
      {
        ...wpm2,
        period: '7d',
        periodStart: dayIso(d),
        periodEnd: dayIso(d + 7),
        heatKwh: 205 + d,
        elecKwh: 62,
      },
      { time: T0 + (d + 7) * DAY_MS },
    ),
  ),
  copV2Event(
    {
      ...wpm2,
      period: '365d',
      periodStart: dayIso(2 - 365),
      periodEnd: dayIso(2),
      heatKwh: 61,
      elecKwh: 20,
      dataDays: 2,
      coverage: 0.0055,
      partial: true,
      partialReason: '2 of 365 days with data; 365d needs more than 330',
      counters: { elecKwh: 20, heatKwh: 61, cop: 3.05 },
    },
    { time: T0 + 2 * DAY_MS },
  ),
];

export interface ApiStack extends AsyncDisposable {
  nats: NatsFixture;
  questdb: QuestDbFixture;
  client: NatsClient;
  svc: ServiceFixture;
  base: string;
  token: string;
  /** fetch against the gateway, recording each answer in `answers`. */
  call: (path: string, init?: RequestInit) => Promise<Response>;
  /** Every REST answer of the file's tests, checked against the OpenAPI document at its end. */
  answers: Answer[];
}

/** `env`: more of the gateway's settings (`HS_HTTP__METRICS`, say). */
export async function apiStack(env: Record<string, string> = {}): Promise<ApiStack> {
  const [natsStart, questdbStart] = await Promise.allSettled([natsFixture({ own: true }), questDbFixture()]);
  // One that started is stopped when the other did not: a leaked server kept the test file from ending.
  if (natsStart.status === 'rejected' || questdbStart.status === 'rejected') {
    if (natsStart.status === 'fulfilled') await natsStart.value[Symbol.asyncDispose]();
    if (questdbStart.status === 'fulfilled') await questdbStart.value[Symbol.asyncDispose]();
    throw natsStart.status === 'rejected' ? natsStart.reason : (questdbStart as PromiseRejectedResult).reason;
  }
  const nats = natsStart.value;
  const questdb = questdbStart.value;
  const client = await nats.serviceClient('admin');
  await seed(questdb.conn, [
    ...Array.from({ length: 60 }, (_, i) =>
      readingEvent(
        {
          site: 'home',
          device: 'wpm1',
          model: 'stiebel-wpm',
          metrics: { flow_temp: 30 + (i % 10), outside_temp: -5.5, elec_power: 1000 + i },
        },
        { time: T0 + i * 60_000 },
      ),
    ),
    statusEvent({ site: 'home', device: 'wpm1', state: 'online' }, { time: T0 }),
    ...[0, 1, 2].map((d) =>
      copEvent(
        {
          site: 'home',
          device: 'wpm1',
          periodStart: new Date(T0 + d * 86_400_000).toISOString(),
          periodEnd: new Date(T0 + (d + 1) * 86_400_000).toISOString(),
          heatKwh: 40 + d,
          elecKwh: 10,
        },
        { time: T0 + d * 86_400_000 },
      ),
    ),
    ...copV2Seed,
    alertEvent(raised, { time: Date.now() - 60_000 }),
    ...(['raised', 'resolved'] as const).map((state, i) =>
      alertEvent(
        {
          site: 'home',
          device: 'wpm1',
          alertId: 'a-2',
          rule: 'pump-off',
          severity: 'info',
          state,
          message: 'pump off while heating',
        },
        { time: Date.now() - 120_000 + i * 1_000 },
      ),
    ),
  ]);
  const { svc, base } = await startGateway(nats, questdb.conn, env);
  const answers: Answer[] = [];
  const users = await UserStore.open(client);
  await users.createUser('anna', PASSWORD, 'admin');
  const token = await users.createToken('anna', 'tests');
  return {
    nats,
    questdb,
    client,
    svc,
    base,
    token,
    call: recorder(base, answers),
    answers,
    [Symbol.asyncDispose]: async () => {
      await svc[Symbol.asyncDispose]();
      await Promise.all([nats[Symbol.asyncDispose](), questdb[Symbol.asyncDispose]()]);
    },
  };
}
