// Writes the Grafana dashboards of dashboards.ts as the JSON files Grafana provisions
// (deploy/grafana/dashboards/*.json, committed). `node deploy/grafana/generate.ts --check` fails
// naming each stale or missing file, so CI catches a dashboard edited only on one side.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dashboards } from './dashboards.ts';

const dir = new URL('dashboards/', import.meta.url);
const files = Object.fromEntries(
  Object.entries(dashboards()).map(([name, d]) => [name, `${JSON.stringify(d, null, 2)}\n`]),
);

const check = process.argv.includes('--check');
const stale: string[] = [];
mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(files)) {
  const url = new URL(name, dir);
  let current = '';
  try {
    current = readFileSync(url, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current === text) continue;
  if (check) stale.push(name);
  else writeFileSync(url, text);
}
// A dashboard removed from the code but left on disk would still be provisioned.
const extra = readdirSync(dir).filter((f) => f.endsWith('.json') && !(f in files));
if (extra.length > 0) stale.push(...extra.map((f) => `${f} (no longer generated: delete it)`));
if (stale.length > 0) {
  process.stderr.write(
    `stale Grafana dashboards in deploy/grafana/dashboards: ${stale.join(', ')}; run node deploy/grafana/generate.ts\n`,
  );
  process.exit(1);
}
