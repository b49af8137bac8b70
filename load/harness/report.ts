// The load report: load/results/load.md and load.json, each scenario's throughput, latency
// percentiles, errors and thresholds beside the ceilings of this run and the capacity model.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@heatstream/testkit';
import type { Figure } from '../results.ts';
import type { Assumptions, Capacity, StageCost } from './capacity.ts';
import { passed, type ScenarioResult } from './stats.ts';

export interface Report {
  at: string;
  machine: string;
  options: Record<string, unknown>;
  scenarios: ScenarioResult[];
  ceilings: Figure[];
  costs: StageCost[];
  assumptions: Assumptions;
  capacity: Capacity;
  notes: string[];
}

const fmt = (n: number): string =>
  !Number.isFinite(n)
    ? '—'
    : Math.abs(n) >= 100
      ? Math.round(n).toLocaleString('en-US')
      : Number(n.toPrecision(3)).toString();

export const machine = (): string => `${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`;

export function markdown(r: Report): string {
  const failed = r.scenarios.filter((s) => !passed(s));
  const lines = [
    '# Load: the entry points under load (`npm run load`)',
    '',
    `${r.at}, ${r.machine}, loopback only. The machine is shared with other work: the 1-minute load`,
    'average stands beside each figure, and figures taken at a high load are low by that much.',
    '',
    failed.length === 0
      ? '**All thresholds met.**'
      : `**Thresholds missed in: ${failed.map((s) => s.name).join(', ')}** (the run exits non-zero).`,
    '',
    '## Scenarios',
    '',
    '| scenario | throughput | p50 | p95 | p99 | ok | errors | seconds | load | thresholds |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...r.scenarios.map(
      (s) =>
        `| ${s.name} | ${fmt(s.throughput)} ${s.throughputUnit} | ${fmt(s.latency.p50)} ms | ${fmt(s.latency.p95)} ms | ${fmt(s.latency.p99)} ms | ${s.ok} | ${s.errors} | ${fmt(s.seconds)} | ${s.load} | ${passed(s) ? 'met' : '**FAILED**'} |`,
    ),
    '',
  ];
  for (const s of r.scenarios) {
    lines.push(`### ${s.name}: ${s.title}`, '');
    for (const t of s.thresholds)
      lines.push(
        `- ${t.passed ? 'met' : '**FAILED**'}: ${t.name} ${fmt(t.value)} ${t.unit} (threshold ${t.op} ${fmt(t.limit)} ${t.unit})`,
      );
    lines.push(
      `- ${Object.entries(s.details)
        .map(([k, v]) => `${k}: ${typeof v === 'number' ? fmt(v) : v}`)
        .join('; ')}`,
    );
    for (const n of s.notes) lines.push(`- ${n}`);
    lines.push('');
  }
  lines.push(
    '## Ceilings (same machine, same run)',
    '',
    '| ceiling | value | load | note |',
    '|---|---|---|---|',
    ...r.ceilings.map((f) => `| ${f.name} | ${fmt(f.value)} ${f.unit} | ${f.load} | ${f.note ?? ''} |`),
    '',
    '## Capacity model',
    '',
    'CPU per reading of each stage, measured over the HTTP batch scenario (CPU seconds each process',
    'used from /proc, divided by the readings it stored); CPU time, unlike wall-clock rates, is little',
    'changed by the neighbours on a shared machine.',
    '',
    '| stage | CPU per reading |',
    '|---|---|',
    ...r.costs.map((c) => `| ${c.stage} | ${fmt(c.cpuUs)} µs |`),
    `| all | ${fmt(r.capacity.totalCpuUs)} µs |`,
    '',
    'Assumptions:',
    '',
    `- one machine of this kind: ${r.assumptions.cores} cores, planned at ${r.assumptions.utilisation * 100} % of each (the rest is headroom for catch-up after an outage);`,
    `- one reading per heat pump every ${r.assumptions.readingIntervalS} s, sent in batches as the cellular firmware does (the cost per reading above is for 30-reading batches);`,
    '- each Node service is one event loop: an instance carries one planned core; acq-cellular and ingest scale out on the same durable consumer / endpoint;',
    `- READINGS with ${r.assumptions.replicas} replicas in a cluster: each nats-server node does the stream work once per replica; nats-server uses every core of its node;`,
    `- QuestDB disk ${fmt(r.assumptions.diskMbPerMillion)} MB per million readings (measured on this run's data folder: small runs overstate it, QuestDB preallocates column files per partition), ${r.assumptions.retentionDays} days of raw readings kept (roll-ups are small beside them);`,
    '- dashboards and history queries are not in the per-reading cost: size the gateway from the history scenario.',
    '',
    `One machine with everything on it carries about **${fmt(r.capacity.machineReadingsPerS)} readings/s, ${fmt(r.capacity.machineDevices)} heat pumps**.`,
    '',
    '| heat pumps | readings/s | acq-cellular instances | ingest instances | NATS nodes | QuestDB cores | QuestDB disk/day | disk retained |',
    '|---|---|---|---|---|---|---|---|',
    ...r.capacity.fleets.map(
      (f) =>
        `| ${fmt(f.heatPumps)} | ${fmt(f.readingsPerS)} | ${f.acqInstances} | ${f.ingestInstances} | ${f.natsNodes} | ${fmt(f.questdbCores)} | ${fmt(f.diskGbPerDay)} GB | ${fmt(f.diskGbRetained)} GB |`,
    ),
    '',
    ...(r.notes.length > 0 ? ['## Notes', '', ...r.notes.map((n) => `- ${n}`), ''] : []),
    `Options: \`${JSON.stringify(r.options)}\``,
    '',
  );
  return lines.join('\n');
}

export function writeReport(r: Report): string {
  const dir = join(repoRoot, 'load/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'load.json'), `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(join(dir, 'load.md'), markdown(r));
  return join(dir, 'load.md');
}
