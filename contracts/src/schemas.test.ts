// The committed JSON Schemas are what the TypeBox sources generate; other languages rely on them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { cellularSchemas } from './cellular.ts';
import { eventTypeNames } from './event-types.ts';
import { renderSchemas, SCHEMAS_DIR, staleSchemas } from './generate.ts';
import { metricNames } from './metrics.ts';

void describe('generated schemas', () => {
  const files = renderSchemas();

  void it('render one schema per event type plus the metric catalogue', () => {
    assert.deepEqual(
      [...files.keys()].sort(),
      [...eventTypeNames.map((t) => `${t}.json`), ...cellularSchemas.keys(), 'metrics.json'].sort(),
    );
    for (const type of eventTypeNames) {
      const schema = JSON.parse(files.get(`${type}.json`) ?? '') as Record<string, unknown>;
      assert.equal(schema.$id, `https://heatstream.dev/schemas/${type}.json`);
      assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    }
    const catalogue = JSON.parse(files.get('metrics.json') ?? '') as { metrics: { name: string }[] };
    assert.deepEqual(
      catalogue.metrics.map((m) => m.name),
      [...metricNames],
    );
  });

  void it('render the same bytes every time, pretty-printed with a trailing newline', () => {
    assert.deepEqual(renderSchemas(), files);
    for (const [name, text] of files) {
      assert.ok(text.endsWith('}\n') && text.startsWith('{\n  "'), name);
    }
  });

  void it('are committed as generated', () => {
    for (const [name, text] of files) {
      assert.equal(
        readFileSync(join(SCHEMAS_DIR, name), 'utf8'),
        text,
        `${name}: run node contracts/src/generate.ts`,
      );
    }
    assert.deepEqual(staleSchemas(SCHEMAS_DIR, files), []);
  });

  void it('name every changed, missing or orphaned file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'schemas-'));
    try {
      for (const [name, text] of files) writeFileSync(join(dir, name), text);
      assert.deepEqual(staleSchemas(dir, files), []);
      writeFileSync(join(dir, 'heatstream.cop.v1.json'), '{}\n');
      rmSync(join(dir, 'metrics.json'));
      writeFileSync(join(dir, 'heatstream.cop.v0.json'), '{}\n');
      assert.deepEqual(staleSchemas(dir, files), [
        'heatstream.cop.v0.json',
        'heatstream.cop.v1.json',
        'metrics.json',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  void it('pass `generate.ts --check`, which fails naming each stale file', () => {
    const script = fileURLToPath(new URL('generate.ts', import.meta.url));
    const check = (...args: string[]) =>
      spawnSync(process.execPath, [script, '--check', ...args], { encoding: 'utf8' });
    const committed = check();
    assert.equal(committed.status, 0, committed.stderr);
    assert.equal(committed.stderr, '');

    const dir = mkdtempSync(join(tmpdir(), 'schemas-'));
    try {
      for (const [name, text] of files)
        writeFileSync(join(dir, name), name === 'heatstream.alert.v1.json' ? '{}\n' : text);
      const stale = check('--dir', dir);
      assert.equal(stale.status, 1);
      assert.match(stale.stderr, /heatstream\.alert\.v1\.json differs from the source/);
      assert.doesNotMatch(stale.stderr, /metrics\.json/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
