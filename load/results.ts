// What every benchmark shares: CPU and memory of a process from /proc (so a figure measured on a
// loaded, shared machine can be read as CPU per row, not only as wall-clock throughput), the load
// average beside each figure, and the results written to load/results/<name>.md and .json.
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@heatstream/testkit';

/** Clock ticks per second of /proc's utime/stime (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** CPU seconds (user + system, all threads) a process has used so far; 0 when it is gone. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return 0;
  }
}

/** Resident memory of a process in MB; undefined when it is gone. */
export function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** CPU used by several processes over one phase of a run. */
export class CpuMeter {
  readonly #pids: Record<string, () => number | undefined>;
  #start: Record<string, number> = {};
  #t0 = 0;

  constructor(pids: Record<string, () => number | undefined>) {
    this.#pids = pids;
  }

  start(): void {
    this.#t0 = performance.now();
    this.#start = Object.fromEntries(Object.entries(this.#pids).map(([k, pid]) => [k, cpuSeconds(pid())]));
  }

  /** CPU seconds per process since `start`, and the wall seconds. */
  stop(): { wallS: number; cpuS: Record<string, number> } {
    const wallS = (performance.now() - this.#t0) / 1000;
    const cpuS = Object.fromEntries(
      Object.entries(this.#pids).map(([k, pid]) => [k, cpuSeconds(pid()) - (this.#start[k] ?? 0)]),
    );
    return { wallS, cpuS };
  }
}

export interface Figure {
  name: string;
  value: number;
  unit: string;
  /** e.g. '≥ 100,000' or '≤ 2,000'; absent for a ceiling or context figure. */
  target?: string;
  /** Whether the value meets its target; absent without one. */
  met?: boolean;
  /** The 1-minute load average when the figure was taken: the machine is shared. */
  load: number;
  note?: string;
}

export const load1 = (): number => Number((loadavg()[0] ?? 0).toFixed(2));

const fmt = (n: number): string =>
  Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : Number(n.toPrecision(3)).toString();

export function figure(
  name: string,
  value: number,
  unit: string,
  options: { target?: string; met?: boolean; note?: string } = {},
): Figure {
  const f: Figure = { name, value, unit, load: load1(), ...options };
  const target = f.target ? `   target ${f.target} ${f.met ? 'met' : 'NOT met'}` : '';
  console.log(`${name.padEnd(58)} ${fmt(value).padStart(12)} ${unit}${target}   (load ${f.load})`);
  return f;
}

/** Writes load/results/<name>.json and .md. */
export function writeResults(
  name: string,
  title: string,
  figures: readonly Figure[],
  notes: string[] = [],
): void {
  const dir = join(repoRoot, 'load/results');
  mkdirSync(dir, { recursive: true });
  const at = new Date().toISOString();
  const machine = `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`;
  writeFileSync(
    join(dir, `${name}.json`),
    `${JSON.stringify({ name, title, at, machine, figures, notes }, null, 2)}\n`,
  );
  const rows = figures.map(
    (f) =>
      `| ${f.name} | ${fmt(f.value)} ${f.unit} | ${f.target ?? '—'} | ${f.met === undefined ? '—' : f.met ? 'met' : '**not met**'} | ${f.load} |${f.note ? ` ${f.note}` : ''}`,
  );
  const md = [
    `# ${title}`,
    '',
    `${at}, ${machine}. The machine is shared: the load average stands beside each figure.`,
    '',
    '| figure | value | target | | load | note',
    '|---|---|---|---|---|---',
    ...rows,
    '',
    ...notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
  writeFileSync(join(dir, `${name}.md`), md);
}
