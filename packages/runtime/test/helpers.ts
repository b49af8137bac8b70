import { readFileSync, existsSync } from 'node:fs';
import type { EventOf } from '@heatstream/contracts';
import {
  fileFixture,
  killNodeProcesses,
  natsFixture,
  readingEvent,
  tempDir,
  type NatsFixture,
  type NatsFixtureOptions,
} from '@heatstream/testkit';

export function reading(device: string, i: number, site = 'site1'): EventOf<'heatstream.reading.v1'> {
  return readingEvent(
    { site, device, metrics: { flow_temp: 30 + i / 10, outside_temp: -7.5, elec_power: 1200 + i } },
    { time: new Date(Date.UTC(2026, 0, 15, 6, 0, i)), source: 'runtime-test' },
  );
}

export interface Record {
  phase: 'start' | 'done';
  id: string;
  seq: number;
  delivery: number;
  at: number;
  traceparent: string;
  traceId: string;
}

export function records(file: string): Record[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record);
}

/**
 * What a file whose tests run the recorder as its own process needs: a nats-server, and a scratch
 * folder whose processes are killed after the file's tests, before the server stops.
 */
export function recorderFixtures(
  prefix: string,
  options: NatsFixtureOptions = { own: true },
): { nats: NatsFixture; files: { readonly dir: string } } {
  const nats = fileFixture(() => natsFixture(options));
  const files = fileFixture(async () => ({
    dir: await tempDir(prefix),
    [Symbol.asyncDispose]: killNodeProcesses,
  }));
  return { nats, files };
}
