// The load harness's pure helpers (load/harness): percentiles by nearest rank, thresholds, and the
// capacity model's arithmetic. The harness itself runs by `npm run load`, not in the test command.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { capacity } from '../load/harness/capacity.ts';
import { check, latencyOf, percentile } from '../load/harness/stats.ts';

test('percentiles are by nearest rank, over unsorted samples, NaN without any', () => {
  const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 … 1
  const l = latencyOf(samples);
  assert.deepEqual([l.p50, l.p95, l.p99, l.max, l.count], [50, 95, 99, 100, 100]);
  assert.equal(percentile([7], 99), 7);
  assert.equal(percentile([1, 2, 3, 4], 50), 2);
  assert.ok(Number.isNaN(latencyOf([]).p99));
});

test('a threshold fails when missed, and when its value is not a number', () => {
  assert.equal(check({ name: 'p99', value: 250, op: '<=', limit: 250, unit: 'ms' }).passed, true);
  assert.equal(check({ name: 'p99', value: 251, op: '<=', limit: 250, unit: 'ms' }).passed, false);
  assert.equal(check({ name: 'rate', value: 9, op: '>=', limit: 10, unit: '/s' }).passed, false);
  assert.equal(check({ name: 'stored', value: 30, op: '==', limit: 30, unit: '' }).passed, true);
  assert.equal(check({ name: 'p99', value: Number.NaN, op: '<=', limit: 250, unit: 'ms' }).passed, false);
});

test('the capacity model: one machine, and the instances a fleet needs', () => {
  const costs = [
    { stage: 'acq-cellular', cpuUs: 50 },
    { stage: 'nats', cpuUs: 20 },
    { stage: 'ingest', cpuUs: 40 },
    { stage: 'questdb', cpuUs: 30 },
  ];
  const a = {
    cores: 2,
    utilisation: 0.7,
    readingIntervalS: 10,
    replicas: 3,
    diskMbPerMillion: 100,
    retentionDays: 365,
  };
  const c = capacity(costs, a, [1_000, 1_000_000]);
  assert.equal(c.totalCpuUs, 140);
  // 2 cores × 1e6 µs × 0.7 / 140 µs = 10,000 readings/s; at one per 10 s, 100,000 heat pumps.
  assert.equal(Math.round(c.machineReadingsPerS), 10_000);
  assert.equal(c.machineDevices, 100_000);
  const [small, large] = c.fleets;
  assert.deepEqual(
    [small?.readingsPerS, small?.acqInstances, small?.ingestInstances, small?.natsNodes],
    [100, 1, 1, 3],
  );
  // 100,000 readings/s: acq 14,000/s per instance → 8; ingest 17,500/s → 6;
  // nats 100,000 × 20 µs × 3 replicas / 0.7 = 8.6 cores → 5 nodes of 2 cores.
  assert.deepEqual([large?.acqInstances, large?.ingestInstances, large?.natsNodes], [8, 6, 5]);
  // 100,000/s × 86,400 s × 100 MB per million = 864,000 MB a day.
  assert.equal(Math.round((large?.diskGbPerDay ?? 0) * 1024), 864_000);
});
