// Warms Node's compile cache (NODE_COMPILE_CACHE) with every service's module graph, before any
// service starts: `node packages/runtime/src/compile-cache.ts [ROOT]`. A service whose files are all
// in the cache never loads Node's TypeScript stripper (about 25 MB RSS) and compiles nothing.
// Each main.ts runs `main(definition)`, which under HS_COMPILE_CACHE_WARMUP=1 starts nothing (main.ts).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { flushCompileCache } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(process.argv[2] ?? '.');
if (!process.env.NODE_COMPILE_CACHE) {
  process.stderr.write('compile-cache: NODE_COMPILE_CACHE is not set; nothing to warm\n');
  process.exit(1);
}
process.env.HS_COMPILE_CACHE_WARMUP = '1';
const mains = readdirSync(join(root, 'services'))
  .map((name) => join(root, 'services', name, 'src/main.ts'))
  // The dashboard's main.ts is the browser's; only the runtime's services are warmed.
  .filter((file) => existsSync(file) && readFileSync(file, 'utf8').includes("from '@heatstream/runtime'"));
for (const file of mains) await import(pathToFileURL(file).href);
flushCompileCache();
process.stdout.write(`compile-cache: ${mains.length} services warmed\n`);
