// The dashboard's number formatting, in whatever locale the machine has: digits and units, with
// either decimal mark.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCop, formatKwh, formatPower, formatValue, heldFor } from './format.ts';

test('power: W below 1 kW, kW with one decimal above', () => {
  assert.equal(formatPower(640), '640 W');
  assert.match(formatPower(999.6), /^1[.,]0 kW$/);
  assert.match(formatPower(2500), /^2[.,]5 kW$/);
  assert.equal(formatPower(null), '—');
  assert.match(formatValue('elec_power', 4321), /^4[.,]3 kW$/);
});

test('energy: decimals at small totals, never "0 kWh" after minutes of running', () => {
  // Four minutes at 2.5 kW.
  assert.match(formatKwh((2.5 * 4) / 60), /^0[.,]17 kWh$/);
  assert.match(formatValue('heat_energy', 170), /^0[.,]17 kWh$/);
  assert.match(formatKwh(42.26), /^42[.,]3 kWh$/);
  assert.match(formatKwh(1234.5), /^1[.,\s\u202f]?23[45] kWh$/);
});

test('ratios keep two places: a power factor of 0.97 is not "1.0"', () => {
  assert.match(formatValue('power_factor', 0.97), /^0[.,]97$/);
  assert.match(formatValue('power_factor', 1), /^1[.,]00$/);
  assert.match(formatCop(3.192), /^3[.,]2$/);
  assert.match(formatValue('flow_temp', 35.24), /^35[.,]2 °C$/);
  assert.equal(formatValue('compressor_on', 1), 'on');
});

test('a state held since the first reading says "at least" that long, not "over a day"', () => {
  const now = Date.parse('2026-12-02T12:00:00Z');
  assert.equal(heldFor('2026-12-02T11:40:00Z', now), 'for 20 min');
  assert.equal(heldFor(null, now, '2026-12-02T11:55:00Z'), 'for at least 5 min');
  assert.equal(heldFor(null, now, '2026-12-01T12:00:00Z'), 'for over a day');
  assert.equal(heldFor(null, now), 'for over a day');
});
