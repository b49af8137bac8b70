// /livez: the process is up. /readyz: 200 only while started and every dependency is reachable;
// 503 during start-up, while draining, and while NATS (or a service's own store) is down.
// The two probes answer status (/readyz also the outbox's fill: counts), no data, so orchestrators
// can call them without a secret; every other route of a service is its own and authenticated there.
// /metrics (with `http.metrics` on) serves the service's own health figures in Prometheus text:
// counts and durations, no data; the probe port is bound to loopback or kept inside the cluster.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsHandler } from './telemetry.ts';

export type Check = () => string | undefined;

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

/** Figures /readyz's body carries beside the status (the outbox's fill): counts, nothing private. */
export type Details = () => Record<string, unknown>;

export async function startHealthServer(
  host: string,
  port: number,
  ready: Check,
  details: Details = () => ({}),
  metrics?: MetricsHandler,
): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (metrics && req.method === 'GET' && path === '/metrics') {
      metrics(req, res);
      return;
    }
    if (req.method !== 'GET' || (path !== '/livez' && path !== '/readyz')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const problem = path === '/readyz' ? ready() : undefined;
    res
      .writeHead(problem ? 503 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(
        JSON.stringify({
          ...(problem ? { status: 'unavailable', reason: problem } : { status: 'ok' }),
          ...(path === '/readyz' ? details() : {}),
        }),
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
