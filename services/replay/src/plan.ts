// What one replay does, from the command line: a target, a stream range and where to keep the
// checkpoint. Parsed and checked at once, every problem reported together.
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { streams } from '@heatstream/contracts';

export const Target = { questdb: 'questdb', derive: 'derive', live: 'live' } as const;
export type Target = (typeof Target)[keyof typeof Target];

export interface ReplayPlan {
  target: Target;
  stream: string;
  /** NATS subject filters inside the stream; default: the whole stream. */
  subjects: readonly string[];
  /** Measurement-time window [from, to) on the events' `time`; also where the scan starts. */
  from?: Date | undefined;
  to?: Date | undefined;
  /** Stream sequence window, inclusive. */
  fromSeq?: number | undefined;
  toSeq?: number | undefined;
  /** With `to`: stop once the stream's store time passes to + lateMs (events stored late are still found within it). */
  lateMs?: number | undefined;
  /** live: playback speed factor (0 = as fast as possible). */
  speed: number;
  /** derive: the derivation to ask for, e.g. "cop" → request subject derive.v1.cop. */
  derivation?: string | undefined;
  /** questdb: run REFRESH MATERIALIZED VIEW … FULL for roll-ups left invalid. */
  refreshViews: boolean;
  batch: number;
  checkpointFile: string;
  resume: boolean;
}

export class PlanError extends Error {
  override readonly name = 'PlanError';
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(problems.join('; '));
    this.problems = problems;
  }
}

export const usage = `usage: ./heatstream replay <questdb|derive|live> --stream NAME [options]

targets
  questdb            rewrite the range into its QuestDB tables (idempotent: DEDUP UPSERT keys)
  derive             ask the service serving --derivation to re-derive each event (NATS request
                     derive.v1.<derivation>; see services/replay/README.md)
  live               play the range to the dashboard channel replay.v1.<site>.<device> at --speed

range
  --stream NAME      READINGS, DEVICES, ALERTS, DERIVED
  --subject FILTER   NATS subject filter inside the stream (repeatable), e.g. 'readings.v1.site1.>'
  --from TIME        measurement time, inclusive (RFC 3339); the scan starts at this store time
  --to TIME          measurement time, exclusive
  --late-ms N        with --to: stop when the stream's store time passes --to + N ms
  --from-seq N       first stream sequence
  --to-seq N         last stream sequence (default: the stream's last at start)

options
  --derivation NAME  derive: which derivation (e.g. cop)
  --speed N          live: N× real time (default 60; 0 = as fast as possible)
  --refresh-views    questdb: fully refresh roll-ups the rebuild left invalid
  --batch N          events per write (default 4000)
  --checkpoint FILE  default .data/replay/<target>-<stream>.json
  --resume           continue from the checkpoint of an interrupted run with the same range
`;

function time(value: string | undefined, name: string, problems: string[]): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms) || !/\d{4}-\d{2}-\d{2}/.test(value)) {
    problems.push(`--${name}: not an RFC 3339 time: ${value}`);
    return undefined;
  }
  return new Date(ms);
}

function integer(value: string | undefined, name: string, problems: string[], min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    problems.push(`--${name}: expected an integer ≥ ${min}, got ${value}`);
    return undefined;
  }
  return n;
}

export function parsePlan(argv: readonly string[], root: string): ReplayPlan {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        stream: { type: 'string' },
        subject: { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        'late-ms': { type: 'string' },
        'from-seq': { type: 'string' },
        'to-seq': { type: 'string' },
        derivation: { type: 'string' },
        speed: { type: 'string' },
        'refresh-views': { type: 'boolean', default: false },
        batch: { type: 'string' },
        checkpoint: { type: 'string' },
        resume: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new PlanError([(error as Error).message]);
  }
  const { values, positionals } = parsed;
  const problems: string[] = [];
  const target = positionals[0];
  if (positionals.length !== 1 || !Object.values(Target).includes(target as Target))
    problems.push(`name one target: questdb, derive or live (got ${positionals.join(' ') || 'none'})`);
  const stream = streams.find((s) => s.name === values.stream);
  if (!stream)
    problems.push(
      `--stream: one of ${streams.map((s) => s.name).join(', ')} (got ${values.stream ?? 'none'})`,
    );
  const from = time(values.from, 'from', problems);
  const to = time(values.to, 'to', problems);
  if (from && to && from >= to) problems.push('--from must be before --to');
  const fromSeq = integer(values['from-seq'], 'from-seq', problems, 1);
  const toSeq = integer(values['to-seq'], 'to-seq', problems, 1);
  if (fromSeq !== undefined && toSeq !== undefined && fromSeq > toSeq)
    problems.push('--from-seq must not exceed --to-seq');
  if (from && fromSeq !== undefined) problems.push('give --from or --from-seq, not both');
  const lateMs = integer(values['late-ms'], 'late-ms', problems);
  if (lateMs !== undefined && !to) problems.push('--late-ms needs --to');
  const speed = values.speed === undefined ? 60 : Number(values.speed);
  if (!Number.isFinite(speed) || speed < 0)
    problems.push(`--speed: expected a number ≥ 0, got ${values.speed ?? ''}`);
  if (target === Target.derive && !values.derivation) problems.push('derive needs --derivation (e.g. cop)');
  if (values.derivation !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(values.derivation))
    problems.push('--derivation: 1–64 of [A-Za-z0-9_-]');
  const batch = integer(values.batch, 'batch', problems, 1) ?? 4_000;
  const subjects = values.subject ?? stream?.subjects ?? [];
  if (problems.length > 0) throw new PlanError(problems);
  return {
    target: target as Target,
    stream: stream?.name ?? '',
    subjects,
    from,
    to,
    fromSeq,
    toSeq,
    lateMs,
    speed,
    derivation: values.derivation,
    refreshViews: values['refresh-views'],
    batch,
    checkpointFile:
      values.checkpoint ?? join(root, '.data', 'replay', `${target ?? ''}-${stream?.name ?? ''}.json`),
    resume: values.resume,
  };
}

/** The fields that make two runs the same replay (a checkpoint only resumes its own range). */
export function rangeKey(plan: ReplayPlan): string {
  return JSON.stringify([
    plan.target,
    plan.stream,
    plan.subjects,
    plan.from?.toISOString(),
    plan.to?.toISOString(),
    plan.fromSeq,
    plan.toSeq,
    plan.derivation,
  ]);
}
