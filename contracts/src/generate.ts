// Writes the committed JSON Schemas (contracts/schemas/) from the TypeBox sources.
//   node contracts/src/generate.ts           write them
//   node contracts/src/generate.ts --check   exit 1 naming every file that differs from the source
//   --dir <path>                             another directory than contracts/schemas/ (tests)
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cellularSchemas } from './cellular.ts';
import { events } from './event-types.ts';
import { metrics } from './metrics.ts';
import { SCHEMA_BASE_URL } from './schema.ts';

export const SCHEMAS_DIR = fileURLToPath(new URL('../schemas/', import.meta.url));

const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

const render = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** File name → file text of every generated schema; the same input always gives the same bytes. */
export function renderSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const def of events.types()) {
    // JSON.stringify drops TypeBox's symbol-keyed metadata, leaving plain JSON Schema.
    files.set(`${def.type}.json`, render({ $schema: JSON_SCHEMA_DIALECT, ...def.schema }));
  }
  // The cellular firmware's wire format (not events; firmware/ and acq-cellular meet here).
  for (const [name, schema] of cellularSchemas)
    files.set(name, render({ $schema: JSON_SCHEMA_DIALECT, ...schema }));
  files.set(
    'metrics.json',
    render({
      $id: `${SCHEMA_BASE_URL}metrics.json`,
      description: 'heatstream metric catalogue: canonical names, units and kinds (gauge, counter, state)',
      metrics: Object.values(metrics),
    }),
  );
  return files;
}

/** Names of files that are missing, differ from the source, or are no longer generated. */
export function staleSchemas(dir: string, files: Map<string, string>): string[] {
  const present = readdirSync(dir).filter((f) => f.endsWith('.json'));
  const stale = [...files].filter(
    ([name, text]) => !present.includes(name) || readFileSync(join(dir, name), 'utf8') !== text,
  );
  const orphans = present.filter((name) => !files.has(name));
  return [...stale.map(([name]) => name), ...orphans].sort();
}

function main(args: readonly string[]): number {
  const dirArg = args.indexOf('--dir');
  const dir = dirArg >= 0 ? (args[dirArg + 1] ?? '') : SCHEMAS_DIR;
  const files = renderSchemas();
  mkdirSync(dir, { recursive: true });
  const stale = staleSchemas(dir, files);
  if (args.includes('--check')) {
    for (const name of stale) console.error(`${join(dir, name)} differs from the source`);
    if (stale.length > 0) console.error('run: node contracts/src/generate.ts');
    return stale.length > 0 ? 1 : 0;
  }
  for (const name of stale) rmSync(join(dir, name), { force: true });
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  console.log(`wrote ${String(files.size)} files to ${dir}`);
  return 0;
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
