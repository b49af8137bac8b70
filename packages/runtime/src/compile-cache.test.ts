import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '@heatstream/testkit';

describe('the compile-cache warm-up', () => {
  it('compiles every service into the cache and starts none of them', async () => {
    const cache = await tempDir('compile-cache');
    const run = spawnSync(
      process.execPath,
      [join(repoRoot, 'packages/runtime/src/compile-cache.ts'), repoRoot],
      {
        // No NATS to reach: a service that started would fail or hang, not exit 0 at once.
        env: { PATH: process.env.PATH, NODE_COMPILE_CACHE: cache, HS_NATS__URL: 'nats://127.0.0.1:1' },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(run.status, 0, run.stderr);
    const warmed = Number(/(\d+) services warmed/.exec(run.stdout)?.[1]);
    assert.ok(warmed >= 9, `every service's main.ts: ${run.stdout}`);
    const files = readdirSync(cache, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    assert.ok(files.length > 0, 'the cache holds compiled modules');
  });

  it('refuses without NODE_COMPILE_CACHE, saying what is missing', () => {
    const run = spawnSync(
      process.execPath,
      [join(repoRoot, 'packages/runtime/src/compile-cache.ts'), repoRoot],
      {
        env: { PATH: process.env.PATH },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    assert.equal(run.status, 1);
    assert.match(run.stderr, /NODE_COMPILE_CACHE is not set/);
  });
});
