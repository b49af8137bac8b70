// The grid on its own: slot means, bridging from a carried value, the live hold, counter deltas.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { counterSlots, gaugeSlots } from './slots.ts';

const MIN = 60_000;

void describe('gaugeSlots', () => {
  void it('averages each slot and bridges from a carry across calls', () => {
    // Slot 0: (10 + 20)/2 = 15. Slots 1–4 empty; carry is slot 0 and slot 5 has 30: 5 slots apart
    // (< 15) → slots 1–4 = 15.
    const points = [
      { t: 0, v: 10 },
      { t: 30_000, v: 20 },
      { t: 5 * MIN, v: 30 },
    ];
    const first = gaugeSlots(points, 0, 3, undefined);
    assert.deepEqual(first.values, [15, 15, 15]);
    assert.deepEqual(first.carry, { slot: 0, value: 15 });
    const rest = gaugeSlots(points.slice(2), 3, 6, first.carry);
    assert.deepEqual(rest.values, [15, 15, 30]);
  });

  void it('holds the last value into the live edge only while it is younger than the bridge', () => {
    const points = [{ t: 0, v: 7 }];
    assert.deepEqual(gaugeSlots(points, 0, 3, undefined).values, [7, null, null]);
    assert.deepEqual(gaugeSlots(points, 0, 3, undefined, 2).values, [7, 7, 7]);
    assert.equal(gaugeSlots(points, 15, 16, undefined, 15).values[0], null);
  });
});

void describe('counterSlots', () => {
  void it('spreads each delta over the time between readings, by overlap', () => {
    // 0 Wh at 0:30, 60 Wh at 1:30: 60 Wh = 216 000 J over 60 s = 3600 W, half in each slot. Slot 0
    // is covered 0:30–1:00 and slot 1 1:00–1:30; each reads the mean over its covered part, 3600 W.
    const values = counterSlots(
      [
        { t: 30_000, v: 0 },
        { t: 90_000, v: 60 },
      ],
      0,
      3,
      undefined,
    );
    assert.deepEqual(values, [3600, 3600, null]);
  });

  void it('leaves a reset and a pair further apart than the bridge empty', () => {
    const values = counterSlots(
      [
        { t: MIN, v: 100 },
        { t: 2 * MIN, v: 5 },
        { t: 3 * MIN, v: 10 },
        { t: 18 * MIN, v: 20 },
      ],
      0,
      20,
      { t: 0, v: 90 },
    );
    // 0→1 min: 10 Wh in 60 s = 600 W; 1→2 min the counter went back (reset): empty;
    // 2→3 min: 5 Wh = 300 W; 3→18 min is 900 s, not < 900: empty.
    assert.equal(values[0], 600);
    assert.equal(values[1], null);
    assert.equal(values[2], 300);
    assert.ok(values.slice(3).every((v) => v === null));
  });
});
