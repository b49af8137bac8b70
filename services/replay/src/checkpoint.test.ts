import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '@heatstream/testkit';
import { loadCheckpoint, removeCheckpoint, saveCheckpoint } from './checkpoint.ts';

test('a checkpoint round-trips, refuses another range, and is gone once removed', async () => {
  const file = join(await tempDir('replay-checkpoint'), 'sub', 'cp.json');
  const checkpoint = { range: 'A', lastSeq: 42, endSeq: 100, scanned: 40, updatedAt: '2026-01-01T00:00:00Z' };
  await saveCheckpoint(file, checkpoint);
  assert.deepEqual(await loadCheckpoint(file, 'A'), checkpoint);
  await assert.rejects(loadCheckpoint(file, 'B'), /belongs to another replay/);
  await removeCheckpoint(file);
  await assert.rejects(loadCheckpoint(file, 'A'), /no checkpoint to resume/);
});
