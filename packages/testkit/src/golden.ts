// The golden events of contracts/fixtures, for tests that run every one of them through a
// projection (ingest's tables, the live push …).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { events, type Envelope } from '@heatstream/contracts';
import { repoRoot } from './process.ts';

export interface GoldenEvent {
  /** The event type, the fixture's folder. */
  type: string;
  file: string;
  event: Envelope;
}

const fixturesDir = join(repoRoot, 'contracts/fixtures');

/** Every valid golden event, decoded (and upcast) through the registry; `invalid/` is left out. */
export function goldenEvents(): GoldenEvent[] {
  return readdirSync(fixturesDir)
    .filter((dir) => dir !== 'invalid')
    .sort()
    .flatMap((type) =>
      readdirSync(join(fixturesDir, type))
        .filter((file) => file.endsWith('.json'))
        .sort()
        .map((file) => ({ type, file, event: events.decode(readFileSync(join(fixturesDir, type, file))) })),
    );
}
