// The COP-below-prediction model with hand-worked numbers: the least-squares line, the flat line
// when outside temperatures hardly differ, the 14 days before it predicts, a day 17 % below raising
// and one 14 % below resolving, what is neither judged nor learnt, and the state kept over a restart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitCopLine, judgeCopDay, type CopDayRow, type CopMemory, type CopPoint } from './cop-prediction.ts';
import { AlertEvaluator } from './evaluator.ts';
import { defaultRules, parseRules, RuleError, type CopBelowPredictionRule } from './rules.ts';
import { SITE } from './testing.ts';

const DAY = 86_400_000;
const D0 = Date.UTC(2025, 11, 1);
const [rule] = parseRules([{ id: 'cop_low', kind: 'cop-below-prediction', cooldownMs: 0 }]) as [
  CopBelowPredictionRule,
];

/** Day `i` after D0, a running-category row with 10 kWh of electricity and full coverage. */
function row(i: number, outsideTempC: number | null, cop: number | null, extra: Partial<CopDayRow> = {}) {
  return {
    site: SITE,
    device: 'wpm',
    period: 'day',
    periodStart: new Date(D0 + i * DAY).toISOString(),
    periodEnd: new Date(D0 + (i + 1) * DAY).toISOString(),
    category: 'running',
    elecKwh: 10,
    heatKwh: cop === null ? 0 : 10 * cop,
    cop,
    coverage: 1,
    outsideTempC,
    ...extra,
  } satisfies CopDayRow;
}

/** 14 days at −3 … 10 °C on the line COP = 3 + 0.1 × T. */
function learnt(): CopMemory {
  let memory: CopMemory | undefined;
  for (let i = 0; i < 14; i++) {
    const t = i - 3;
    const r = judgeCopDay(rule, memory, row(i, t, 3 + 0.1 * t));
    assert.equal(r.condition, undefined, `day ${i}: no prediction before 14 days`);
    memory = r.memory;
  }
  assert.ok(memory);
  return memory;
}

const points = (pairs: [number, number][]): CopPoint[] =>
  pairs.map(([outsideTempC, cop], i) => ({ t: D0 + i * DAY, outsideTempC, cop }));

void describe('fitCopLine', () => {
  void it('is the least-squares line of COP against outside temperature', () => {
    // Mean T 2, mean COP 8/3; Sxx = 4 + 0 + 4 = 8; Sxy = (−2)(−2/3) + 0 + 2(1/3) = 2: slope 2/8.
    const line = fitCopLine(
      points([
        [0, 2],
        [2, 3],
        [4, 3],
      ]),
    );
    assert.ok(line);
    assert.ok(Math.abs(line.slope - 0.25) < 1e-12);
    assert.ok(Math.abs(line.intercept - (8 / 3 - 0.5)) < 1e-12);
    assert.deepEqual([line.days, line.minTempC, line.maxTempC], [3, 0, 4]);
  });

  void it('is flat at the mean COP when the temperatures lie within a kelvin of each other', () => {
    // Standard deviation √((0.25 + 0 + 0.25) / 3) = 0.41 K < 1 K: no slope can be told.
    const line = fitCopLine(
      points([
        [4.5, 3],
        [5, 3.1],
        [5.5, 3.2],
      ]),
    );
    assert.ok(line);
    assert.equal(line.slope, 0);
    assert.ok(Math.abs(line.intercept - 3.1) < 1e-12);
  });

  void it('has no line without points', () => {
    assert.equal(fitCopLine([]), undefined);
  });
});

void describe('judgeCopDay', () => {
  void it('predicts from 14 days on; 17 % below raises, 14 % below is within the 15 % margin', () => {
    const memory = learnt();
    assert.equal(memory.points.length, 14);
    // At 5 °C the line predicts 3 + 0.5 = 3.5; the limit is 3.5 × 0.85 = 2.975.
    const low = judgeCopDay(rule, memory, row(14, 5, 2.9));
    assert.deepEqual(low.condition, {
      active: true,
      message: "COP 2.9 on 2025-12-15 at 5 °C outside is 17 % below the 3.5 this system's history predicts",
      value: 2.9,
      threshold: 2.98,
    });
    assert.equal(low.memory.points.length, 14, 'a day below the line is not learnt');
    const ok = judgeCopDay(rule, low.memory, row(15, 5, 3.0));
    assert.deepEqual(ok.condition, {
      active: false,
      message:
        "COP 3 on 2025-12-16 at 5 °C outside is 14 % below the 3.5 this system's history predicts, within the 15 % margin",
    });
    assert.equal(ok.memory.points.length, 15, 'a day within the margin is learnt');
  });

  void it('keeps a raised alert until a day is within margin − hysteresis (10 %: 3.15 at 5 °C)', () => {
    const memory = learnt();
    const held = judgeCopDay(rule, memory, row(14, 5, 3.1), true);
    assert.equal(held.condition?.active, true, '11 % below: inside the band, still raised');
    assert.equal(held.memory.points.length, 15, 'a day inside the margin is learnt even while raised');
    const back = judgeCopDay(rule, memory, row(14, 5, 3.16), true);
    assert.equal(back.condition?.active, false, '9.7 % below: back within 10 %');
    const above = judgeCopDay(rule, memory, row(14, 5, 3.6), true);
    assert.equal(
      above.condition?.message,
      "COP 3.6 on 2025-12-15 at 5 °C outside is at or above the 3.5 this system's history predicts",
    );
  });

  void it('says how many days it still needs', () => {
    let memory: CopMemory | undefined;
    for (let i = 0; i < 13; i++) memory = judgeCopDay(rule, memory, row(i, i, 3)).memory;
    const r = judgeCopDay(rule, memory, row(13, 0, 1));
    assert.equal(r.condition, undefined);
    assert.equal(r.skipped, '13 of 14 days learnt');
  });

  void it('neither judges nor learns a day with too little electricity, coverage or data', () => {
    const memory = learnt();
    for (const bad of [
      row(14, 5, 1, { elecKwh: 1.9 }),
      row(14, 5, 1, { coverage: 0.79 }),
      row(14, null, 1),
      row(14, 5, null),
      row(14, 5, 1, { category: 'combined' }),
      row(14, 5, 1, { period: '7d' }),
    ]) {
      const r = judgeCopDay(rule, memory, bad);
      assert.equal(r.condition, undefined);
      assert.deepEqual(r.memory, memory);
    }
  });

  void it('does not judge a day more than 3 K outside the learnt temperatures, but learns it', () => {
    const memory = learnt(); // −3 … 10 °C
    const cold = judgeCopDay(rule, memory, row(14, -6.5, 1));
    assert.equal(cold.condition, undefined);
    assert.equal(cold.skipped, 'outside the learnt range');
    assert.equal(cold.memory.points.length, 15);
    const edge = judgeCopDay(rule, memory, row(14, 13, 1));
    assert.equal(edge.condition?.active, true, '13 °C is within 3 K of 10 °C');
  });

  void it('learns an older day (a re-derivation) without judging it, replacing the day it had', () => {
    const memory = learnt();
    const r = judgeCopDay(rule, memory, row(12, 9, 1));
    assert.equal(r.condition, undefined);
    assert.equal(r.skipped, 'an older day: learnt, not judged');
    assert.equal(r.memory.points.length, 14);
    assert.deepEqual(r.memory.points.at(-2), { t: D0 + 12 * DAY, outsideTempC: 9, cop: 1 });
  });

  void it('forgets days older than historyDays before the newest', () => {
    const memory = learnt();
    const r = judgeCopDay(rule, memory, row(61, 5, 3.5));
    // The 60 days before day 61 are days 1 … 60: day 0 falls out, and the 13 left are too few.
    assert.equal(r.skipped, '13 of 14 days learnt');
    assert.deepEqual(
      r.memory.points.map((p) => (p.t - D0) / DAY),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 61],
    );
  });
});

void describe('cop-below-prediction in the evaluator', () => {
  void it('raises and resolves per heat source, and keeps what it learnt over a restart', () => {
    const clock = { now: () => D0 + 30 * DAY };
    const first = new AlertEvaluator({ rules: [rule], clock });
    for (let i = 0; i < 14; i++) assert.deepEqual(first.onCopDay(row(i, i - 3, 3 + 0.1 * (i - 3))), []);
    const skipped: string[] = [];
    assert.deepEqual(
      first.onCopDay(row(14, 5, 3.5, { device: 'other' }), (r, why) => skipped.push(r, why)),
      [],
    );
    assert.deepEqual(skipped, ['cop_low', '0 of 14 days learnt'], 'each heat source has its own history');

    const again = new AlertEvaluator({ rules: [rule], clock, state: first.toJSON() });
    const raised = again.onCopDay(row(14, 5, 2.9));
    assert.deepEqual(
      raised.map((t) => [t.kind, t.alert.severity, t.alert.alertId]),
      [['raised', 'warning', `${SITE}-wpm-cop_low-20251216T000000000Z`]],
    );
    assert.equal(raised[0]?.at, D0 + 15 * DAY, 'the alert is at the end of the day it judged');
    assert.deepEqual(again.onCopDay(row(15, 5, 3.1)), [], '11 % below: inside the hysteresis band');
    const resolved = again.onCopDay(row(16, 5, 3.4));
    assert.deepEqual(
      resolved.map((t) => [t.kind, t.alert.alertId]),
      [['resolved', `${SITE}-wpm-cop_low-20251216T000000000Z`]],
    );
  });

  void it('is among the default rules; refuses minDays beyond historyDays and a hysteresis as wide as the margin', () => {
    const fallback = defaultRules.find((r) => r.kind === 'cop-below-prediction');
    assert.deepEqual(
      fallback && [fallback.id, fallback.margin, fallback.hysteresis, fallback.minDays, fallback.historyDays],
      ['cop_below_prediction', 0.15, 0.05, 14, 60],
    );
    const bad = {
      id: 'c',
      kind: 'cop-below-prediction',
      historyDays: 10,
      minDays: 14,
      margin: 0.1,
      hysteresis: 0.1,
    };
    assert.throws(
      () => parseRules([bad]),
      (e: unknown) =>
        e instanceof RuleError &&
        e.problems.join('|') ===
          'rules[0].minDays: 14 days can never fit in historyDays 10|rules[0].hysteresis: 0.1 must be less than the margin 0.1',
    );
  });
});
