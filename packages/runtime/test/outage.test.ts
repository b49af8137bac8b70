// NATS outages with the service as its own process, as deployed: the consume loop picks up again
// after NATS returns, and SIGTERM during an outage ends the process at once instead of sitting
// out retry delays and a drain that cannot complete; nor does a stop wait out a pull retry delay.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { subjects } from '@heatstream/contracts';
import { eventually, runNode, type NodeProcess } from '@heatstream/testkit';
import { reading, records, recorderFixtures } from './helpers.ts';
import { recorderConsumer } from './recorder-service.ts';

const recorderMain = new URL('./recorder-main.ts', import.meta.url);
// The test's client reconnects at once after each restart of the server.
const { nats, files } = recorderFixtures('outage-test', {
  own: true,
  connect: { maxReconnectAttempts: -1, reconnectTimeWait: 100 },
});

async function publishReading(device: string, i: number): Promise<string> {
  const event = reading(device, i);
  await nats.js.publish(subjects.reading('site1', device), JSON.stringify(event), { msgID: event.id });
  return event.id;
}

/** The recorder as its own process, started and consuming. */
async function startRecorder(name: string, env: Record<string, string> = {}): Promise<NodeProcess> {
  const file = join(files.dir, `${name}.jsonl`);
  const child = runNode(recorderMain, {
    HS_NATS__URL: nats.url,
    HS_RECORD_FILE: file,
    HS_LOG__LEVEL: 'info',
    ...env,
  });
  await eventually('start-up', () => child.output().includes('"msg":"started"'));
  const id = await publishReading(`dev-${name}`, 1);
  await eventually('the first reading', () => records(file).some((r) => r.id === id && r.phase === 'done'));
  return child;
}

describe('NATS outages', () => {
  test('after NATS restarts, the consume loop consumes again', async () => {
    const child = await startRecorder('restart');
    await nats.server.kill();
    await eventually('the disconnect', () => child.output().includes('NATS disconnected'));
    await nats.server.restart();
    await eventually('the reconnect', () => child.output().includes('NATS reconnected'));
    const id = await publishReading('dev-restart', 2);
    await eventually('a reading after the outage', () =>
      records(join(files.dir, 'restart.jsonl')).some((r) => r.id === id && r.phase === 'done'),
    );
    child.child.kill('SIGTERM');
    assert.equal(await child.exited, 0, child.output());
  });

  test('SIGTERM during a NATS outage: the process exits 0 at once, not at the end of its grace period', async (t) => {
    const child = await startRecorder('sigterm', { HS_SHUTDOWN_GRACE_MS: '30000' });
    await nats.server.kill();
    await eventually('the disconnect', () => child.output().includes('NATS disconnected'));
    const signalled = performance.now();
    child.child.kill('SIGTERM');
    const code = await child.exited;
    t.diagnostic(
      `exited ${Math.round(performance.now() - signalled)} ms after SIGTERM (grace period 30000 ms)`,
    );
    assert.equal(code, 0, child.output());
    assert.ok(!child.output().includes('shutdown exceeded its grace period'), child.output());
    assert.ok(!child.output().includes('shutdown step failed'), child.output());
    await nats.server.restart();
  });

  test('SIGTERM while pulls keep failing: the retry delay ends at once', async () => {
    const child = await startRecorder('retry', { HS_SHUTDOWN_GRACE_MS: '5000' });
    // With its consumer gone every pull fails, and the delays before the next one double.
    await nats.jsm.consumers.delete(recorderConsumer.stream, recorderConsumer.durable);
    // After the fifth failure the loop waits 8 s, longer than the grace period.
    await eventually('five failed pulls', () => child.output().includes('"failures":5,'));
    child.child.kill('SIGTERM');
    assert.equal(await child.exited, 0, child.output());
    assert.ok(!child.output().includes('shutdown exceeded its grace period'), child.output());
  });
});
