import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricKind, metricNames, metrics } from '@heatstream/contracts';
import { createRollupSql, createTableSql, defaultRetention, rollups } from './schema.ts';
import { readings, tables } from './tables.ts';

test('readings has one column per catalogue metric, states as LONG, the rest DOUBLE', () => {
  const ddl = createTableSql(readings, defaultRetention);
  for (const name of metricNames) {
    const type = metrics[name].kind === MetricKind.state ? 'LONG' : 'DOUBLE';
    assert.ok(ddl.includes(` ${name} ${type}`), `${name} ${type} in ${ddl}`);
  }
  assert.match(
    ddl,
    /TIMESTAMP\(ts\) PARTITION BY DAY TTL 30 DAYS WAL DEDUP UPSERT KEYS\(ts, site, device\)$/,
  );
});

test('every table is WAL, partitioned by day, deduplicated on ts and its identifying columns', () => {
  for (const table of tables) {
    const ddl = createTableSql(table, defaultRetention);
    assert.match(ddl, /PARTITION BY DAY.* WAL DEDUP UPSERT KEYS\(ts, /, table.name);
    for (const key of table.dedupKeys) assert.equal(table.columns[key]?.name, key, `${table.name}.${key}`);
  }
});

test('roll-ups aggregate gauges with avg/min/max and counters and states with last', () => {
  const [hourly] = rollups;
  assert.ok(hourly);
  const ddl = createRollupSql(hourly, defaultRetention);
  for (const name of metricNames) {
    if (metrics[name].kind === MetricKind.gauge) {
      for (const f of ['avg', 'min', 'max'])
        assert.ok(ddl.includes(`${f}(${name}) ${name}_${f}`), `${f} ${name}`);
    } else {
      assert.ok(ddl.includes(`last(${name}) ${name}_last`), `last ${name}`);
      assert.ok(!ddl.includes(`avg(${name})`), `no avg of ${name}`);
    }
  }
  assert.match(ddl, /SAMPLE BY 1h\) PARTITION BY MONTH TTL 12 MONTHS$/);
  assert.doesNotMatch(createRollupSql(rollups[1]!, defaultRetention), /TTL/, 'daily roll-ups are kept');
});
