// The load side of the cluster fault test: a steady publisher of readings that retries what a
// leader election leaves unconfirmed (with the same Nats-Msg-Id, as the acquisition services'
// publisher does, so JetStream stores each reading once), and a sampler of QuestDB's row count
// that tells when writes stopped and resumed.
import { encodeEvent, subjects } from '@heatstream/contracts';
import { sql, type QuestDbConnection } from '@heatstream/questdb';
import { sleep } from '@heatstream/runtime';
import { syntheticReading, type NatsClusterFixture } from '@heatstream/testkit';

type JetStreamClient = NatsClusterFixture['js'];

export interface PublishStats {
  /** Publishes that failed at least once and were sent again with their message id. */
  retried: number;
  /** Acks JetStream answered as a duplicate: an earlier attempt had been stored after all. */
  duplicates: number;
  /** When each reading was confirmed (ms since the epoch), in confirmation order. */
  ackTimes: number[];
}

export interface SteadyPublishOptions {
  site: string;
  count: number;
  perSecond: number;
  /** A reading unconfirmed for this long fails the run: a fault must not take longer to heal. */
  giveUpMs: number;
}

/** The message id the acquisition services give a reading: device and measurement time. */
const msgIdOf = (site: string, device: string, time: string): string => `reading.${site}.${device}.${time}`;

/** Publishes `count` readings at `perSecond`, each retried until confirmed or `giveUpMs` passed. */
export async function publishSteadily(js: JetStreamClient, o: SteadyPublishOptions): Promise<PublishStats> {
  const stats: PublishStats = { retried: 0, duplicates: 0, ackTimes: [] };
  const start = Date.UTC(2026, 0, 15);
  const one = async (i: number): Promise<void> => {
    const event = syntheticReading(i, {
      site: o.site,
      devices: 50,
      start,
      source: 'cluster-test',
      model: 'm',
    });
    const { device } = event.data;
    const data = encodeEvent(event);
    const msgID = msgIdOf(o.site, device, event.time);
    const deadline = Date.now() + o.giveUpMs;
    for (let attempt = 1; ; attempt++) {
      try {
        const ack = await js.publish(subjects.reading(o.site, device), data, { msgID, timeout: 2_000 });
        if (ack.duplicate) stats.duplicates++;
        stats.ackTimes.push(Date.now());
        return;
      } catch (error) {
        if (attempt === 1) stats.retried++;
        if (Date.now() > deadline)
          throw new Error(`reading ${i} not confirmed after ${attempt} attempts in ${o.giveUpMs} ms`, {
            cause: error,
          });
        await sleep(Math.min(2_000, 200 * 2 ** Math.min(attempt - 1, 4)));
      }
    }
  };
  // Ticks of 100 ms, each sending its share without waiting for earlier ones: the rate holds
  // while a fault stalls confirmations, as devices keep measuring.
  const perTick = o.perSecond / 10;
  const sending: Promise<void>[] = [];
  const began = Date.now();
  for (let i = 0; i < o.count; i++) {
    const due = began + Math.floor(i / perTick) * 100;
    if (due > Date.now()) await sleep(due - Date.now());
    sending.push(one(i));
  }
  await Promise.all(sending);
  return stats;
}

/** Row counts of one site sampled over time; `stop` ends the sampling. */
export interface WriteSampler {
  /** [time, rows] at every sample where the count grew (the first sample too). */
  readonly increases: [number, number][];
  stop(): Promise<void>;
}

export function sampleWrites(conn: QuestDbConnection, site: string, everyMs = 200): WriteSampler {
  const increases: [number, number][] = [];
  const stopping = new AbortController();
  const running = (async () => {
    let last = -1;
    while (!stopping.signal.aborted) {
      // A failed sample (QuestDB busy) counts as no progress.
      const result = (await sql(conn, `SELECT count() FROM readings WHERE site = '${site}'`).catch(() => [
        [last],
      ])) as number[][];
      const rows = result[0]?.[0] ?? last;
      if (rows > last) {
        increases.push([Date.now(), rows]);
        last = rows;
      }
      await sleep(everyMs);
    }
  })();
  return {
    increases,
    async stop() {
      stopping.abort();
      await running;
    },
  };
}

/**
 * The longest time without progress (gaps between successive times) among gaps that end after
 * `from` and by `to`: the stall a fault at `from` caused (progress resumed after it), before the
 * next fault at `to`.
 */
export function longestGap(times: readonly number[], from: number, to: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1] ?? 0, sorted[i] ?? 0];
    if (b > from && b <= to) longest = Math.max(longest, b - a);
  }
  return longest;
}
