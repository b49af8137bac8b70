// The COP method over time, on small fixtures worked out by hand: the same rows for duplicates, late
// readings and a save/restore, closed slots and days, the live window, and a state it refuses.
// Grid 60 s; days are UTC days here. What is summed: accumulator.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CopAccumulator, CopStateError } from './accumulator.ts';
import { byTime, DAY, feed, minutes, MIN, near, reading, series, source, T0 } from './testing.ts';

void describe('CopAccumulator over time', () => {
  void it('gives the same rows for duplicates, readings late within the lag, and a save/restore', () => {
    const inOrder = minutes(
      0,
      90,
      (m) => (m % 20 < 10 ? 1200 : 40),
      (m) => (m % 20 < 10 ? 4800 : 0),
    );
    const reference = new CopAccumulator(source());
    feed(reference, inOrder);
    reference.advanceTo(T0 + DAY);
    const expected = reference.takeFinishedDays();

    // The meter lags the heat pump by 8 minutes, and every tenth reading arrives twice.
    const meter = inOrder.filter((e) => e.data.device === 'meter');
    const hp = inOrder.filter((e) => e.data.device === 'hp');
    const shuffled = [...hp.slice(0, 8)];
    meter.forEach((e, i) => {
      shuffled.push(e);
      if (i % 10 === 0) shuffled.push(e);
      const next = hp[i + 8];
      if (next !== undefined) shuffled.push(next);
    });
    const acc = new CopAccumulator(source());
    feed(acc, shuffled.slice(0, 100));
    const restored = new CopAccumulator(source(), JSON.parse(JSON.stringify(acc.toJSON())) as never);
    feed(restored, shuffled.slice(100));
    restored.advanceTo(T0 + DAY);
    assert.deepEqual(restored.takeFinishedDays(), expected);
    assert.equal(restored.dropped.late, 0);
    assert.equal(restored.dropped.duplicates, 9);
  });

  void it('leaves out, and counts, a reading whose slot is already closed', () => {
    const acc = new CopAccumulator(source());
    feed(
      acc,
      minutes(
        0,
        60,
        () => 1000,
        () => 3000,
      ),
    );
    acc.advanceTo(T0 + 30 * MIN);
    assert.equal(acc.add(reading('meter', T0 + 10 * MIN + 5000, { elec_power: 9999 })), 'late');
    assert.equal(acc.add(reading('meter', T0 + 50 * MIN, { elec_power: 1000 })), 'duplicate');
    assert.equal(acc.add(reading('meter', T0 + 50 * MIN, { voltage: 230 })), 'ignored');
    assert.equal(acc.add(reading('other', T0 + 50 * MIN, { elec_power: 1 })), 'ignored');
    acc.advanceTo(T0 + DAY);
    near(acc.takeFinishedDays()[0]!.categories.combined!.elecKwh, 1, 'elec unchanged');
    assert.deepEqual(acc.dropped, { late: 1, duplicates: 1 });
  });

  void it('closes a day once every input has passed its end by the bridge, and each row once', () => {
    const acc = new CopAccumulator(source());
    const end = T0 + DAY;
    feed(
      acc,
      minutes(
        24 * 60 - 5,
        24 * 60 + 14,
        () => 1000,
        () => 3000,
      ),
    );
    assert.deepEqual(acc.takeFinishedDays(), [], 'readings 14 min past midnight can still bridge into it');
    feed(
      acc,
      minutes(
        24 * 60 + 15,
        24 * 60 + 16,
        () => 1000,
        () => 3000,
      ),
    );
    const rows = acc.takeFinishedDays();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.end, end);
    assert.equal(rows[0]!.categories.combined!.seconds, 5 * 60);
    assert.deepEqual(acc.takeFinishedDays(), []);
  });

  void it('closes slots without a silent input once the others are maxLatenessMs ahead', () => {
    // The meter stops at minute 10; the heat pump goes on. After 60 min (maxLatenessMs) of heat pump
    // readings beyond them, minutes 0–9 are closed with what there is: 10 paired slots.
    const acc = new CopAccumulator(source());
    feed(
      acc,
      minutes(
        0,
        10,
        () => 1000,
        () => 3000,
      ),
    );
    feed(
      acc,
      series('hp', T0 + 10 * MIN, T0 + 75 * MIN, MIN, () => ({ heat_power: 3000 })),
    );
    assert.equal(acc.add(reading('meter', T0 + 5 * MIN + 1, { elec_power: 1 })), 'late');
    acc.advanceTo(T0 + DAY);
    assert.equal(acc.takeFinishedDays()[0]!.categories.combined!.seconds, 600);
  });

  void it('gives a live COP over the last 10 minutes that follows new readings', () => {
    // Minutes 0–19 at 1000 W → 4000 W, then 2000 W → 5000 W. Live window = the 10 slots up to the
    // latest reading: at minute 9 all ten at COP 4; at minute 24 slots 15–24: five of each:
    // heat (5·4000 + 5·5000)/(5·1000 + 5·2000) = 45 000/15 000 = 3.
    const acc = new CopAccumulator(source({ liveWindowMs: 600_000 }));
    assert.equal(acc.live(), null);
    const events = minutes(
      0,
      25,
      (m) => (m < 20 ? 1000 : 2000),
      (m) => (m < 20 ? 4000 : 5000),
    );
    feed(
      acc,
      events.filter((e) => Date.parse(e.time) < T0 + 10 * MIN),
    );
    near(acc.live()?.cop, 4, 'live at minute 9');
    feed(
      acc,
      events.filter((e) => Date.parse(e.time) >= T0 + 10 * MIN),
    );
    const live = acc.live()!;
    near(live.cop, 3, 'live at minute 24');
    assert.equal(live.start, T0 + 15 * MIN);
    assert.equal(live.end, T0 + 25 * MIN);
    near(live.elecW, 1500, 'mean electric power');
  });

  void it('carries a slow input into the live window from before it', () => {
    // Heat every 5 min (4000 W), electricity every 10 s (1000 W), readings up to minute 22:
    // the window is slots 13–22; heat's last reading before it (minute 10) holds into slots 13 and
    // 14 because minute 15 follows within 900 s, and minute 20 holds up to the live edge: COP 4
    // over all 10 slots.
    const acc = new CopAccumulator(source({ liveWindowMs: 600_000 }));
    feed(
      acc,
      byTime(
        series('meter', T0, T0 + 22 * MIN + 1, 10_000, () => ({ elec_power: 1000 })),
        series('hp', T0, T0 + 22 * MIN + 1, 5 * MIN, () => ({ heat_power: 4000 })),
      ),
    );
    const live = acc.live()!;
    assert.equal(live.start, T0 + 13 * MIN);
    assert.equal(live.seconds, 600);
    near(live.cop, 4, 'live cop');
  });

  void it('refuses a state it does not know', () => {
    assert.throws(() => new CopAccumulator(source(), { version: 2 } as never), CopStateError);
  });
});
