// One replay run: position an ordered consumer, hand each batch to the target, checkpoint after
// each batch the target has finished, report progress, and say at the end what was done.
import type { EventRegistry } from '@heatstream/contracts';
import { loadCheckpoint, removeCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { rangeKey, type ReplayPlan } from './plan.ts';
import { Progress, formatDuration } from './progress.ts';
import { readRange, type StreamSource } from './source.ts';
import type { ReplayTarget } from './targets/target.ts';

export interface ReplayDeps {
  /** The stream's bounds and an ordered reader over it (a runtime client). */
  source: StreamSource;
  events: EventRegistry;
  target: ReplayTarget;
  /** Progress and the report, one line at a time. */
  say: (line: string) => void;
  signal: AbortSignal;
  progressEveryMs?: number;
}

export interface ReplayReport {
  completed: boolean;
  scanned: number;
  delivered: number;
  invalid: number;
  firstSeq: number;
  lastSeq: number;
  endSeq: number;
  lines: string[];
}

export async function runReplay(plan: ReplayPlan, deps: ReplayDeps): Promise<ReplayReport> {
  const { source, events, target, say, signal, progressEveryMs = 1_000 } = deps;
  const range = rangeKey(plan);
  const bounds = await source.streamBounds(plan.stream);
  let startSeq = plan.fromSeq;
  let endSeq = Math.min(plan.toSeq ?? bounds.last, bounds.last);
  let scanned = 0;
  if (plan.resume) {
    const checkpoint = await loadCheckpoint(plan.checkpointFile, range);
    startSeq = checkpoint.lastSeq + 1;
    endSeq = checkpoint.endSeq;
    scanned = checkpoint.scanned;
    say(
      `resuming after seq ${checkpoint.lastSeq} (${checkpoint.scanned.toLocaleString('en-US')} events done)`,
    );
  }
  const firstSeq = Math.max(startSeq ?? bounds.first, bounds.first);
  const progress = new Progress(firstSeq, endSeq);
  let lastSeq = firstSeq - 1;
  let delivered = 0;
  let firstScanned: number | undefined;
  let invalid = 0;
  let completed = false;
  let lastReport = 0;
  const startedAt = Date.now();
  // A function, so the compiler does not narrow it across the awaits that change it.
  const aborted = (): boolean => signal.aborted;
  try {
    if (endSeq >= firstSeq && !signal.aborted) {
      for await (const batch of readRange(
        source,
        events,
        {
          stream: plan.stream,
          subjects: plan.subjects,
          startSeq,
          from: plan.from,
          to: plan.to,
          lateMs: plan.lateMs,
          endSeq,
          batch: plan.batch,
        },
        signal,
      )) {
        if (batch.events.length > 0) await target.take(batch.events, signal);
        // Only what the target finished counts as done.
        scanned += batch.scanned;
        delivered += batch.events.length;
        invalid += batch.invalid.length;
        firstScanned ??= batch.firstSeq;
        lastSeq = batch.lastSeq;
        progress.advance(batch.lastSeq, batch.scanned);
        await saveCheckpoint(plan.checkpointFile, {
          range,
          lastSeq,
          endSeq,
          scanned,
          updatedAt: new Date().toISOString(),
        });
        if (Date.now() - lastReport >= progressEveryMs) {
          lastReport = Date.now();
          say(progress.line());
        }
        if (aborted()) break;
      }
    }
    completed = !aborted();
  } catch (error) {
    if (!aborted()) throw error;
  }
  const lines: string[] = [];
  const what = `${plan.target} from ${plan.stream} (${plan.subjects.join(', ')}${plan.from ? `, measured from ${plan.from.toISOString()}` : ''}${plan.to ? ` to ${plan.to.toISOString()}` : ''})`;
  const took = formatDuration(Date.now() - startedAt);
  if (completed) {
    await target.finish();
    await removeCheckpoint(plan.checkpointFile);
    lines.push(
      firstScanned !== undefined
        ? `replayed ${what}: seq ${firstScanned}–${lastSeq}, ${scanned.toLocaleString('en-US')} events scanned, ${delivered.toLocaleString('en-US')} in range, in ${took}`
        : `replayed ${what}: nothing in that range`,
    );
  } else {
    lines.push(
      `interrupted ${what} after seq ${lastSeq} of ${endSeq} (${scanned.toLocaleString('en-US')} events scanned); checkpoint in ${plan.checkpointFile}: run the same command with --resume to continue`,
    );
  }
  lines.push(...target.summary());
  if (invalid > 0) lines.push(`${invalid} stored messages are not valid events and were skipped`);
  for (const line of lines) say(line);
  return { completed, scanned, delivered, invalid, firstSeq, lastSeq, endSeq, lines };
}
