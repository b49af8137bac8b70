// Every benchmark of DESIGN §9, bounded, one after the other (never at once: they would measure
// each other), each writing load/results/<name>.md and .json; then load/results/README.md gathers
// every figure beside its target.
//   npm run bench -- [--count 200000] [--summary]   (--summary: only gather the results already there)
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '@heatstream/testkit';
import type { Figure } from './results.ts';

const { values } = parseArgs({
  options: { count: { type: 'string', default: '200000' }, summary: { type: 'boolean', default: false } },
});
const runs: [string, string, string[]][] = [
  ['ingest', 'bench-ingest.ts', ['--count', values.count, '--timeout-s', '900']],
  ['query', 'bench-query.ts', ['--seconds', '10', '--queries', '50']],
  ['live', 'bench-live.ts', ['--sockets', '1000', '--rate', '1000', '--seconds', '20']],
  ['footprint', 'bench-footprint.ts', []],
];
const failed: string[] = [];
for (const [name, file, args] of values.summary ? [] : runs) {
  console.log(`\n== ${name} ==`);
  const run = spawnSync(process.execPath, [join(repoRoot, 'load', file), ...args], {
    stdio: 'inherit',
    timeout: 20 * 60_000,
  });
  if (run.status !== 0) failed.push(`${name} (exit ${run.status ?? run.signal ?? '?'})`);
}

const lines = [
  '# Benchmark results (DESIGN §9)',
  '',
  'Written by `npm run bench`; each file beside this one has its notes.',
  '',
];
lines.push('| benchmark | figure | value | target | | load |', '|---|---|---|---|---|---|');
for (const name of [...runs.map(([n]) => n), 'ingest-2', 'ingest-3']) {
  const file = join(repoRoot, 'load/results', `${name}.json`);
  if (!existsSync(file)) continue;
  const { figures } = JSON.parse(readFileSync(file, 'utf8')) as { figures: Figure[] };
  for (const f of figures)
    lines.push(
      `| ${name} | ${f.name} | ${Math.round(f.value * 10) / 10} ${f.unit} | ${f.target ?? '—'} | ${f.met === undefined ? '—' : f.met ? 'met' : '**not met**'} | ${f.load} |`,
    );
}
if (failed.length > 0) lines.push('', `Did not finish: ${failed.join(', ')}.`);
writeFileSync(join(repoRoot, 'load/results/README.md'), `${lines.join('\n')}\n`);
console.log(`\n${lines.join('\n')}`);
process.exitCode = failed.length > 0 ? 1 : 0;
