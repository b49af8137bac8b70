// Shared by the ingest tests (and the benchmark's generator mirrors it): deterministic readings
// whose values are multiples of 1/4, so sums are exact in any order, and the QuestDB figures to
// hold them against.
import { encodeEvent, subjects, type EventOf } from '@heatstream/contracts';
import { sql, walSettled, type QuestDbConnection } from '@heatstream/questdb';
import {
  consumerIdle,
  runNode,
  syntheticReading,
  type NatsFixture,
  type NodeProcess,
} from '@heatstream/testkit';

type JetStreamClient = NatsFixture['js'];
type JetStreamManager = NatsFixture['jsm'];

export const testMetrics = [
  'flow_temp',
  'return_temp',
  'outside_temp',
  'dhw_temp',
  'flow_rate',
  'elec_power',
  'elec_energy',
  'heat_power',
  'heat_energy',
  'compressor_on',
  'compressor_freq',
  'defrost',
] as const;

export type Reading = EventOf<'heatstream.reading.v1'>;

/** Reading i of a site: `devices` devices take turns, one reading per device every 10 s from `start`. */
export function reading(site: string, i: number, devices = 10, start = Date.UTC(2026, 0, 15)): Reading {
  return syntheticReading(i, { site, devices, start, source: 'ingest-test', model: 'test-model' });
}

/** Publishes with bounded concurrency; `msgId` defaults to the event id (JetStream de-duplicates on it). */
export async function publishAll(
  js: JetStreamClient,
  events: readonly Reading[],
  msgId: (e: Reading) => string = (e) => e.id,
): Promise<void> {
  const window = 500;
  for (let i = 0; i < events.length; i += window) {
    await Promise.all(
      events.slice(i, i + window).map((e) =>
        js.publish(subjects.reading(e.data.site, e.data.device), encodeEvent(e), {
          msgID: msgId(e),
          // A loaded machine can take more than the default 5 s to answer; a retry would be
          // de-duplicated on the msgID, but one is not needed when the wait is long enough.
          timeout: 30_000,
        }),
      ),
    );
  }
}

export interface Totals {
  count: number;
  sums: Record<string, number>;
}

export function expectedTotals(events: readonly Reading[]): Totals {
  const sums: Record<string, number> = Object.fromEntries(testMetrics.map((m) => [m, 0]));
  for (const e of events) for (const m of testMetrics) sums[m] = (sums[m] ?? 0) + (e.data.metrics[m] ?? 0);
  return { count: events.length, sums };
}

export async function storedTotals(conn: QuestDbConnection, site: string): Promise<Totals> {
  const [row] = await sql(
    conn,
    `SELECT count(), ${testMetrics.map((m) => `sum(${m})`).join(', ')} FROM readings WHERE site = '${site}'`,
  );
  const [count, ...values] = (row ?? []) as number[];
  return { count: count ?? 0, sums: Object.fromEntries(testMetrics.map((m, i) => [m, values[i] ?? 0])) };
}

/** The consumer has nothing pending or unacknowledged, and QuestDB applied every commit. */
export async function drained(
  jsm: JetStreamManager,
  conn: QuestDbConnection,
  durable = 'ingest-readings',
): Promise<boolean> {
  return (await consumerIdle(jsm, 'READINGS', durable)) && walSettled(conn);
}

/** ingest in its own process, as deployed. */
export const runIngest = (env: NodeJS.ProcessEnv): NodeProcess =>
  runNode(new URL('../src/main.ts', import.meta.url), { HS_LOG__LEVEL: 'warn', ...env });
