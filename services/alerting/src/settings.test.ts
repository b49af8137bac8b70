import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configSchema, redact } from '@heatstream/runtime';
import { defaultRules } from './rules.ts';
import { AlertingConfigError, readRules, settingsProperties } from './settings.ts';

test('no rules given: the defaults', () => {
  assert.deepEqual(readRules(undefined, []), defaultRules);
});

test('every problem at once: bad rules, unknown targets, a name used twice, a bad mute time', () => {
  const raw = [
    { id: 'a', kind: 'threshold', metric: 'voltage', direction: 'above', warning: 250, critical: 245 },
    { id: 'b', kind: 'offline', notify: { targets: ['ops', 'nobody'] } },
    { id: 'c', kind: 'nonsense' },
    { id: 'd', kind: 'offline', notify: { muteUntil: 'tomorrow' } },
  ];
  assert.throws(
    () => readRules(raw, ['ops'], ['ops']),
    (e: unknown) => {
      assert.ok(e instanceof AlertingConfigError);
      for (const part of [
        'ntfy.ops: a webhook has the same name',
        'rules[0]: critical 245 is not beyond warning 250',
        'rules[2].kind: expected one of',
        'rules[3].notify.muteUntil: "tomorrow" is not a date and time',
      ])
        assert.ok(e.message.includes(part), `${part} in ${e.message}`);
      return true;
    },
  );
});

test('unknown targets are named once the rules are valid', () => {
  assert.throws(
    () => readRules([{ id: 'b', kind: 'offline', notify: { targets: ['ops', 'nobody'] } }], ['ops']),
    /rules\[0\]\.notify\.targets: no webhook or ntfy target named "nobody"/,
  );
});

test('webhook secrets and ntfy tokens are redacted in the logged config', () => {
  const shown = redact(configSchema(settingsProperties), {
    webhooks: { ops: { url: 'https://example.org/hook', secret: 'whsec_c2VjcmV0' } },
    ntfy: { phone: { url: 'https://ntfy.sh/hp', token: 'tk_x' } },
  });
  assert.deepEqual(shown, {
    webhooks: { ops: { url: 'https://example.org/hook', secret: '[redacted]' } },
    ntfy: { phone: { url: 'https://ntfy.sh/hp', token: '[redacted]' } },
  });
});
