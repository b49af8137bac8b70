// Start-up and lifecycle: config errors end the process naming the key, secrets stay out of logs,
// readiness follows NATS, provisioning refuses incompatible streams.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RetentionPolicy, StorageType } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { streams } from '@heatstream/contracts';
import { eventually, freePort, natsFixture, runNode, startNats } from '@heatstream/testkit';
import { ProvisioningError, runService, type RunningService } from '../src/mod.ts';
import { recorderFixtures } from './helpers.ts';
import { recorder } from './recorder-service.ts';

const recorderMain = new URL('./recorder-main.ts', import.meta.url);
const { nats, files } = recorderFixtures('startup-test');

describe('start-up', () => {
  test('a missing required key fails start-up naming the key', async () => {
    const child = runNode(recorderMain, { HS_RECORD_FILE: join(files.dir, 'x') });
    assert.equal(await child.exited, 1);
    assert.match(child.output(), /recorder: cannot start: invalid configuration/);
    assert.match(child.output(), /nats\.url: required \(set it in the file or HS_NATS__URL\)/);
  });

  test('unknown keys fail start-up, every one named, together with other errors', async () => {
    const file = join(files.dir, 'unknown.yaml');
    await writeFile(
      file,
      `nats:\n  url: ${nats.url}\n  bogus: 1\ncolour: blue\nrecordFile: ${join(files.dir, 'y')}\nhandlerDelayMs: -5\n`,
    );
    const child = runNode(recorderMain, { HS_CONFIG: file });
    assert.equal(await child.exited, 1);
    const out = child.output();
    assert.match(out, /nats\.bogus: unknown key/);
    assert.match(out, /colour: unknown key/);
    assert.match(out, /handlerDelayMs: expected integer to be greater or equal to 0/);
  });

  test('an unreachable NATS fails start-up with what to check', async () => {
    const port = await freePort();
    const child = runNode(recorderMain, {
      HS_NATS__URL: `nats://127.0.0.1:${port}`,
      HS_RECORD_FILE: join(files.dir, 'z'),
    });
    assert.equal(await child.exited, 1);
    assert.match(
      child.output(),
      new RegExp(`cannot connect to NATS at nats://127.0.0.1:${port}.*check nats.url`),
    );
  });

  test('secrets are redacted from the start-up log', async () => {
    const child = runNode(recorderMain, {
      HS_NATS__URL: nats.url,
      HS_NATS__TOKEN: 'tok-very-secret-1234',
      HS_RECORD_FILE: join(files.dir, 'w'),
    });
    await eventually(
      'start-up',
      () => child.output().includes('"msg":"started"') || child.child.exitCode !== null,
    );
    child.child.kill('SIGTERM');
    await child.exited;
    assert.ok(child.output().includes('"token":"[redacted]"'), child.output());
    assert.ok(!child.output().includes('tok-very-secret-1234'));
  });
});

describe('readiness', () => {
  test('/readyz is 200 when running, 503 while NATS is down, 200 again after it returns', async () => {
    const own = await startNats({ own: true });
    const svc: RunningService = await runService(recorder, {
      argv: [],
      env: { HS_NATS__URL: own.url, HS_RECORD_FILE: join(files.dir, 'ready'), HS_LOG__LEVEL: 'silent' },
    });
    const status = async (path: string): Promise<number> =>
      (await fetch(`http://127.0.0.1:${svc.httpPort}${path}`)).status;
    assert.equal(await status('/readyz'), 200);
    assert.equal(await status('/livez'), 200);
    assert.equal(await status('/anything-else'), 404);
    await own.kill();
    await eventually('readiness to drop', async () => (await status('/readyz')) === 503);
    assert.equal(await status('/livez'), 200, 'alive while NATS is down');
    await own.restart();
    await eventually('readiness to return', async () => (await status('/readyz')) === 200, 30_000);
    assert.equal(await svc.stop(), 0);
    await own.stop();
  });
});

describe('provisioning', () => {
  test('streams are created idempotently and a compatible change is applied', async () => {
    await using own = await natsFixture({ own: true });
    const env = { HS_NATS__URL: own.url, HS_RECORD_FILE: join(files.dir, 'prov'), HS_LOG__LEVEL: 'silent' };
    await (await runService(recorder, { argv: [], env })).stop();
    const again = await runService(recorder, {
      argv: [],
      env: { ...env, HS_JETSTREAM__RETENTION: '{"READINGS":{"maxAgeMs":3600000}}' },
    });
    await again.stop();
    const names = (await own.jsm.streams.names().next()).sort();
    assert.deepEqual(names, streams.map((s) => s.name).sort());
    assert.equal((await own.jsm.streams.info('READINGS')).config.max_age, nanos(3_600_000));
  });

  test('an incompatible stream fails start-up with the reason', async () => {
    await using own = await natsFixture({ own: true });
    await own.jsm.streams.add({
      name: 'READINGS',
      subjects: ['readings.v1.>'],
      storage: StorageType.Memory,
      retention: RetentionPolicy.Limits,
    });
    await assert.rejects(
      runService(recorder, {
        argv: [],
        env: { HS_NATS__URL: own.url, HS_RECORD_FILE: join(files.dir, 'inc'), HS_LOG__LEVEL: 'silent' },
      }),
      (error: unknown) =>
        error instanceof ProvisioningError &&
        /stream READINGS exists with storage=memory \(contracts want file\)/.test(error.message),
    );
  });
});
