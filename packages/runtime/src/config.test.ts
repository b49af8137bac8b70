import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { ConfigError } from './errors.ts';
import { Secret, configSchema, envName, loadServiceConfig, redact } from './config.ts';

const props = {
  pollIntervalMs: Type.Integer({ default: 10_000, minimum: 1_000 }),
  apiKey: Secret(),
  enabled: Type.Boolean({ default: true }),
};
const schema = configSchema(props);

test('environment names follow the key path', () => {
  assert.equal(envName(['nats', 'url']), 'HS_NATS__URL');
  assert.equal(envName(['shutdownGraceMs']), 'HS_SHUTDOWN_GRACE_MS');
});

test('file, environment and defaults merge; environment wins and is typed by the schema', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const file = join(dir, 'c.yaml');
  writeFileSync(file, 'nats:\n  url: nats://file:4222\npollIntervalMs: 5000\napiKey: from-file\n');
  const config = loadServiceConfig(props, {
    file,
    env: { HS_POLL_INTERVAL_MS: '2000', HS_ENABLED: 'false' },
  });
  assert.equal(config.nats.url, 'nats://file:4222');
  assert.equal(config.pollIntervalMs, 2000);
  assert.equal(config.enabled, false);
  assert.equal(config.http.host, '127.0.0.1');
  assert.equal(config.log.level, 'info');
  assert.equal(config.shutdownGraceMs, 10_000);
});

test('a whole section can come from one variable as JSON; its keys can still be set one by one', () => {
  const config = loadServiceConfig(props, {
    env: { HS_NATS: '{"url":"nats://json:4222","user":"svc"}', HS_NATS__USER: 'override', HS_API_KEY: 'k' },
  });
  assert.deepEqual([config.nats.url, config.nats.user], ['nats://json:4222', 'override']);
  assert.throws(
    () => loadServiceConfig(props, { env: { HS_NATS: '{not json', HS_API_KEY: 'k' } }),
    (e: unknown) => e instanceof ConfigError && e.issues.some((i) => i.startsWith('nats:')),
  );
});

test('every problem is reported at once', () => {
  try {
    loadServiceConfig(props, { env: { HS_POLL_INTERVAL_MS: 'often' } });
    assert.fail('expected a ConfigError');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    const keys = error.issues.map((i) => i.split(':')[0]).sort();
    assert.deepEqual(keys, ['apiKey', 'nats.url', 'pollIntervalMs']);
  }
});

test('secrets are redacted, other values kept', () => {
  const config = loadServiceConfig(props, {
    env: { HS_NATS__URL: 'nats://x:4222', HS_NATS__PASSWORD: 'pw', HS_API_KEY: 'k' },
  });
  const shown = redact(schema, config) as { apiKey: string; nats: { password: string; url: string } };
  assert.equal(shown.apiKey, '[redacted]');
  assert.equal(shown.nats.password, '[redacted]');
  assert.equal(shown.nats.url, 'nats://x:4222');
  assert.equal(config.apiKey, 'k', 'the config itself keeps the secret');
});

test('secrets inside records and lists are redacted too', () => {
  const target = Type.Object({ url: Type.String(), secret: Secret() });
  const s = Type.Object({ targets: Type.Record(Type.String(), target), list: Type.Array(target) });
  const shown = redact(s, {
    targets: { ops: { url: 'https://a', secret: 'whsec_x' } },
    list: [{ url: 'https://b', secret: 'y' }],
  });
  assert.deepEqual(shown, {
    targets: { ops: { url: 'https://a', secret: '[redacted]' } },
    list: [{ url: 'https://b', secret: '[redacted]' }],
  });
});

test('a missing config file is named', () => {
  assert.throws(
    () => loadServiceConfig(props, { file: '/nonexistent/heatstream.yaml', env: {} }),
    (e: unknown) =>
      e instanceof ConfigError && e.message.includes('cannot read /nonexistent/heatstream.yaml'),
  );
});
