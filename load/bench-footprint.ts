// Footprint benchmark (DESIGN §9: each service idles under 80 MB RSS). First what a Node process
// costs before any service code (bare, with type stripping of the runtime's module graph, with
// OpenTelemetry's), then each service that starts without site configuration (ingest, gateway,
// alerting, cop) against a real nats-server and QuestDB, idle for --idle-s seconds: once as
// `./heatstream start` runs them and once with Prometheus /metrics on (HS_HTTP__METRICS=true,
// which loads the OpenTelemetry metrics SDK), so the figures say what the SDK costs.
//   npm run bench:footprint -- [--idle-s 15]
import { spawn, type ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { freePort, repoRoot, startNats, startQuestDb } from '@heatstream/testkit';
import { figure, rssMb, writeResults, type Figure } from './results.ts';

const { values } = parseArgs({ options: { 'idle-s': { type: 'string', default: '15' } } });
const idleMs = Number(values['idle-s']) * 1000;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const figures: Figure[] = [];
const notes: string[] = [];

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** RSS of a Node process that evaluates `code` and then idles. */
async function probe(name: string, code: string): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', `${code}; setInterval(() => {}, 1000);`],
    {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  await sleep(Math.min(idleMs, 8_000));
  const rss = rssMb(child.pid);
  await stop(child);
  if (rss !== undefined) figures.push(figure(`node: ${name}`, rss, 'MB'));
}

await probe('bare process', '');
await probe('+ @heatstream/contracts (schemas, type stripping)', "await import('@heatstream/contracts')");
await probe('+ @heatstream/runtime (NATS, pino, OTel API)', "await import('@heatstream/runtime')");
await probe(
  '+ OpenTelemetry OTLP exporters',
  "await import('@opentelemetry/exporter-trace-otlp-http'); await import('@opentelemetry/exporter-metrics-otlp-http')",
);
await probe(
  '+ OpenTelemetry metrics SDK and Prometheus exporter',
  "await import('@heatstream/runtime'); await import('@opentelemetry/sdk-metrics'); await import('@opentelemetry/exporter-prometheus')",
);

const [nats, questdb] = await Promise.all([startNats({ own: true }), startQuestDb({ own: true })]);
try {
  const services: [string, Record<string, string>][] = [
    ['ingest', {}],
    ['gateway', { HS_API__PORT: String(await freePort()) }],
    ['alerting', {}],
    ['cop', {}],
  ];
  const variants: [string, Record<string, string>][] = [
    ['', {}],
    [' with /metrics', { HS_HTTP__METRICS: 'true' }],
  ];
  for (const [name, own] of services)
    for (const [variant, metrics] of variants) {
      const extra = { ...own, ...metrics };
      let output = '';
      const child = spawn(process.execPath, [`${repoRoot}/services/${name}/src/main.ts`], {
        env: {
          PATH: process.env.PATH,
          HS_NATS__URL: nats.url,
          HS_QUESTDB__URL: questdb.httpUrl,
          HS_HTTP__PORT: String(await freePort()),
          HS_LOG__LEVEL: 'warn',
          // Measured as the start command and the image run them (scripts/start.sh, deploy/Dockerfile).
          ...Object.fromEntries(
            ['NODE_OPTIONS', 'NODE_COMPILE_CACHE'].flatMap((k) =>
              process.env[k] ? [[k, process.env[k]]] : [],
            ),
          ),
          ...extra,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-2_000)));
      child.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-2_000)));
      await sleep(idleMs);
      const rss = rssMb(child.pid);
      const alive = child.exitCode === null && child.signalCode === null;
      await stop(child);
      if (!alive || rss === undefined) {
        notes.push(
          `${name} did not stay up without site configuration: ${output.trim().split('\n').pop() ?? ''}`,
        );
        continue;
      }
      figures.push(
        figure(`${name}${variant}: idle RSS after ${idleMs / 1000} s`, rss, 'MB', {
          target: '≤ 80',
          met: rss <= 80,
        }),
      );
    }
  const nrss = rssMb(nats.pid());
  const qrss = rssMb(questdb.pid());
  if (nrss !== undefined) figures.push(figure('nats-server (test settings)', nrss, 'MB'));
  if (qrss !== undefined) figures.push(figure('QuestDB (-Xmx1g, one thread per pool)', qrss, 'MB'));
  notes.push(
    process.env.NODE_COMPILE_CACHE
      ? 'Services ran with NODE_COMPILE_CACHE (warm: as ./heatstream start runs them after warming it), so they load no TypeScript stripper; the probes above ran without it.'
      : 'Services ran without NODE_COMPILE_CACHE: each strips its TypeScript at start (./heatstream start uses a warmed cache; rerun with NODE_COMPILE_CACHE set to measure that).',
    ...(process.env.NODE_OPTIONS ? [`NODE_OPTIONS: ${process.env.NODE_OPTIONS}`] : []),
  );
  notes.push(
    'acq-modbus and the simulators need device configuration (./heatstream start gives them theirs): measure them there with `ps -o rss`.',
  );
  writeResults('footprint', 'Footprint: idle RSS per process', figures, notes);
} finally {
  await Promise.all([nats.stop(), questdb.stop()]);
}
