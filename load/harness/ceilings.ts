// The raw ceilings the scenarios stand beside: the load generator against a trivial endpoint on
// the same machine (a node:http server answering 204, in its own process so it does not share the
// generator's event loop), and JetStream's and QuestDB's from the ingest benchmark.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, repoRoot } from '@heatstream/testkit';
import { figure, type Figure } from '../results.ts';
import { httpLoad } from './http-load.ts';
import { latencyOf } from './stats.ts';

const TRIVIAL = `require('node:http').createServer((q, s) => { q.resume(); q.on('end', () => { s.writeHead(204); s.end(); }); }).listen(Number(process.argv[1]), '127.0.0.1', () => console.log('up'));`;

export async function generatorCeiling(connections: number, amount: number): Promise<Figure> {
  const port = await freePort();
  const server = spawn(process.execPath, ['-e', TRIVIAL, String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout.once('data', () => {
        resolve();
      });
      server.once('exit', (code) => {
        reject(new Error(`the trivial endpoint exited (${code})`));
      });
    });
    const r = await httpLoad({
      url: `http://127.0.0.1:${port}`,
      connections,
      amount,
      maxSeconds: 20,
      next: () => ({ method: 'POST', path: '/', body: 'x'.repeat(1000) }),
    });
    const l = latencyOf(r.latencies);
    return figure('ceiling: autocannon → node:http 204', r.ok / r.seconds, 'requests/s', {
      note: `${connections} connections, 1 kB bodies, p50 ${l.p50.toFixed(1)} ms, p99 ${l.p99.toFixed(1)} ms, errors ${r.errors.toString()}`,
    });
  } finally {
    server.kill('SIGTERM');
  }
}

interface IngestJson {
  at: string;
  figures: Figure[];
}

/** Figures of load/results/ingest.json, running `bench-ingest --count <count>` first when asked or missing. */
export function ingestCeilings(run: boolean, count: number, log: (line: string) => void): Figure[] {
  const file = join(repoRoot, 'load/results/ingest.json');
  if (run || !existsSync(file)) {
    log(`ceilings: running bench-ingest --count ${count}`);
    const r = spawnSync(
      process.execPath,
      [join(repoRoot, 'load/bench-ingest.ts'), '--count', String(count)],
      {
        stdio: ['ignore', 'inherit', 'inherit'],
        timeout: 300_000,
      },
    );
    if (r.status !== 0) throw new Error(`bench-ingest failed (exit ${r.status ?? r.signal})`);
  }
  const json = JSON.parse(readFileSync(file, 'utf8')) as IngestJson;
  const taken = run ? 'this run' : `load/results/ingest.json of ${json.at}`;
  return json.figures
    .filter((f) => f.name.startsWith('ceiling:') || f.name.startsWith('ingest: backlog'))
    .map((f) => ({ ...f, note: `${f.note ? `${f.note}; ` : ''}from ${taken}` }));
}
