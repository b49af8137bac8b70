// autocannon (pinned in package.json) as the HTTP load generator of every HTTP scenario: a bounded
// number of requests over a fixed number of connections, each request built by `next` (its own
// path, headers and body), every response's latency and status collected for the harness's own
// percentiles (load/harness/stats.ts).
import autocannon from 'autocannon';
import { ErrorCounter } from './stats.ts';

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface HttpLoad {
  url: string;
  connections: number;
  /** Requests in all; the run also ends after `maxSeconds`. */
  amount: number;
  maxSeconds: number;
  /** The n-th request (0-based). */
  next: (n: number) => HttpRequest;
  /** The body of each 2xx answer, for scenarios that count what was stored. */
  onBody?: (body: string) => void;
}

export interface HttpLoadResult {
  latencies: number[];
  ok: number;
  errors: ErrorCounter;
  seconds: number;
  sent: number;
}

export async function httpLoad(load: HttpLoad): Promise<HttpLoadResult> {
  const latencies: number[] = [];
  const errors = new ErrorCounter();
  let ok = 0;
  let n = 0;
  const started = performance.now();
  let done: (result: autocannon.Result) => void = () => undefined;
  let failed: (error: unknown) => void = () => undefined;
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  const instance = autocannon(
    {
      url: load.url,
      connections: load.connections,
      amount: load.amount,
      duration: load.maxSeconds,
      timeout: 30,
      requests: [
        {
          setupRequest: (req) => {
            const r = load.next(n++);
            return { ...req, method: r.method, path: r.path, headers: r.headers ?? {}, body: r.body ?? '' };
          },
          ...(load.onBody
            ? {
                onResponse: (status: number, body: string) => {
                  if (status >= 200 && status < 300) load.onBody?.(body);
                },
              }
            : {}),
        },
      ],
    },
    (error, result) => {
      if (error) failed(error);
      else done(result);
    },
  );
  instance.on('response', (_client, statusCode: number, _bytes: number, responseTime: number) => {
    latencies.push(responseTime);
    if (statusCode >= 200 && statusCode < 300) ok++;
    else errors.add(`HTTP ${statusCode}`);
  });
  const result = await finished;
  const seconds = (performance.now() - started) / 1000;
  // autocannon counts a timeout among its errors too.
  if (result.errors > result.timeouts) errors.add('connection errors', result.errors - result.timeouts);
  if (result.timeouts > 0) errors.add('timeouts', result.timeouts);
  return { latencies, ok, errors, seconds, sent: n };
}
