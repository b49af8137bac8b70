// Rules as data: the defaults, the PSI conversion, and every problem named.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultRules, parseRules, RuleError, type ThresholdRule } from './rules.ts';

const threshold = (id: string) => defaultRules.find((r) => r.id === id) as ThresholdRule;

void describe('rules', () => {
  void it('ships the issue’s default levels, pressures converted from PSI to the catalogue’s bar', () => {
    assert.deepEqual(
      ['voltage_high', 'voltage_low', 'compressor_temp_high', 'current_high'].map((id) => [
        threshold(id).warning,
        threshold(id).critical,
      ]),
      [
        [245, 250],
        [215, 210],
        [85, 95],
        [12, 15],
      ],
    );
    // 400 PSI × 0.0689476 bar/PSI = 27.579 bar → 27.58; 450 → 31.026 → 31.03; 40 → 2.758 → 2.76; 20 → 1.379 → 1.38.
    assert.deepEqual(
      [threshold('pressure_high').warning, threshold('pressure_high').critical],
      [27.58, 31.03],
    );
    assert.deepEqual([threshold('pressure_low').warning, threshold('pressure_low').critical], [2.76, 1.38]);
    assert.equal(threshold('pressure_high').metric, 'pressure_high');
    const offline = defaultRules.find((r) => r.kind === 'offline');
    assert.equal(offline?.kind === 'offline' && offline.missedIntervals, 3);
    assert.equal(threshold('voltage_high').cooldownMs, 600_000, 'defaults filled in');
  });

  void it('names every problem of a rule list at once', () => {
    assert.throws(
      () =>
        parseRules([
          { id: 'a', kind: 'threshold', metric: 'flow_temperature', direction: 'above', warning: 1 },
          { id: 'b', kind: 'threshold', metric: 'voltage', direction: 'above' },
          { id: 'c', kind: 'threshold', metric: 'voltage', direction: 'below', warning: 210, critical: 215 },
          { id: 'c', kind: 'offline' },
          { id: 'd', kind: 'reboot' },
          { id: 'Bad Id', kind: 'counter-back', extra: true },
        ]),
      (e: unknown) => {
        assert.ok(e instanceof RuleError);
        const text = e.problems.join('\n');
        assert.match(text, /rules\[0\]\.metric/);
        assert.match(text, /rules\[1\]: needs a warning or a critical level/);
        assert.match(text, /rules\[2\]: critical 215 is not beyond warning 210/);
        assert.match(text, /rules\[3\]\.id: "c" used twice/);
        assert.match(text, /rules\[4\]\.kind: expected one of/);
        assert.match(text, /rules\[5\]\.id/);
        return true;
      },
    );
    assert.throws(() => parseRules({ rules: [] }), RuleError);
  });
});
