// A service's own dependency through ctx.dependency, against a real HTTP server standing in for a
// store: readiness names it and the error while it is down, and a start hook that waits for an
// unreachable one fails start-up with the reason.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { eventually, freePort, fileFixture, natsFixture } from '@heatstream/testkit';
import { DependencyUnavailableError, defineService, runService } from '../src/mod.ts';

const nats = fileFixture(() => natsFixture({ own: true }));

/** Undefined when the server at `url` answers 200, otherwise why not. */
async function httpProbe(url: string, signal: AbortSignal): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(2_000)]) });
    return response.ok ? undefined : `HTTP ${response.status}`;
  } catch (error) {
    const cause = (error as Error).cause;
    return cause instanceof Error ? cause.message : (error as Error).message;
  }
}

function storeService(url: string, startTimeoutMs?: number) {
  return defineService({
    name: 'with-store',
    init(ctx) {
      const store = ctx.dependency({
        name: 'store',
        probe: (signal) => httpProbe(url, signal),
        intervalMs: 100,
      });
      return {
        async start() {
          if (startTimeoutMs !== undefined) await store.waitUntilUp(startTimeoutMs);
        },
      };
    },
  });
}

async function listen(port: number): Promise<Server> {
  const server = createServer((_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

async function close(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

const env = (): NodeJS.ProcessEnv => nats.env();

describe('dependencies', () => {
  test('/readyz names the dependency and its error while it is down, and is 200 again after', async () => {
    const port = await freePort();
    let store = await listen(port);
    const svc = await runService(storeService(`http://127.0.0.1:${port}/`, 10_000), { argv: [], env: env() });
    const readyz = async (): Promise<{ code: number; reason?: string }> => {
      const response = await fetch(`http://127.0.0.1:${svc.httpPort}/readyz`);
      return { code: response.status, ...((await response.json()) as { reason?: string }) };
    };
    assert.equal((await readyz()).code, 200);
    await close(store);
    const down = await eventually('readiness to fail', async () => {
      const answer = await readyz();
      return answer.code === 503 ? answer : undefined;
    });
    assert.match(down.reason ?? '', /^store: connect ECONNREFUSED/);
    store = await listen(port);
    await eventually('readiness to return', async () => (await readyz()).code === 200);
    assert.equal(await svc.stop(), 0);
    await close(store);
  });

  test('a start hook waiting for an unreachable dependency fails start-up with the reason', async () => {
    const port = await freePort();
    await assert.rejects(
      runService(storeService(`http://127.0.0.1:${port}/`, 0), { argv: [], env: env() }),
      (error: unknown) =>
        error instanceof DependencyUnavailableError &&
        /^store not available after 0 ms: connect ECONNREFUSED/.test(error.message),
    );
  });
});
