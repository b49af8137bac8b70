// Levels with hysteresis, in both directions.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRules, type ThresholdRule } from './rules.ts';
import { thresholdCondition, thresholdLevel } from './threshold.ts';

const [above, below] = parseRules([
  {
    id: 'hot',
    kind: 'threshold',
    metric: 'compressor_temp',
    direction: 'above',
    warning: 85,
    critical: 95,
    hysteresis: 3,
  },
  {
    id: 'low',
    kind: 'threshold',
    metric: 'voltage',
    direction: 'below',
    warning: 215,
    critical: 210,
    hysteresis: 2,
  },
]) as [ThresholdRule, ThresholdRule];

void describe('thresholdLevel', () => {
  void it('enters a level beyond it and leaves it only past the hysteresis', () => {
    assert.equal(thresholdLevel(above, 85, undefined), undefined, 'at the level is not beyond it');
    assert.equal(thresholdLevel(above, 85.1, undefined), 'warning');
    assert.equal(thresholdLevel(above, 82.5, 'warning'), 'warning', '85 − 3 = 82 not yet reached');
    assert.equal(thresholdLevel(above, 82, 'warning'), undefined);
    assert.equal(thresholdLevel(above, 96, 'warning'), 'critical');
    assert.equal(thresholdLevel(above, 93, 'critical'), 'critical', '95 − 3 = 92 not yet reached');
    assert.equal(thresholdLevel(above, 91, 'critical'), 'warning');
    assert.equal(thresholdLevel(below, 214, undefined), 'warning');
    assert.equal(thresholdLevel(below, 216.5, 'warning'), 'warning', '215 + 2 = 217 not yet reached');
    assert.equal(thresholdLevel(below, 217.5, 'warning'), undefined);
    assert.equal(thresholdLevel(below, 209, undefined), 'critical');
  });

  void it('says what crossed which level, in the catalogue unit', () => {
    const c = thresholdCondition(above, 98.2, undefined);
    assert.equal(c.message, 'compressor_temp 98.2 °C is above 95 °C');
    assert.equal(c.threshold, 95);
    assert.equal(thresholdCondition(above, 70, 'warning').message, 'compressor_temp back to 70 °C');
  });
});
