// The COP method on small fixtures whose answers are worked out by hand (the arithmetic is in each
// test's comment): what is summed — ratio of energies, standby, defrost, hot water, cooling, gaps,
// cadences, counters, flow × ΔT. Grid 60 s; a slot's energy is its mean power × 60 s; days are UTC
// days here. When rows close and what late or repeated readings do: accumulator-timing.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byTime, DAY, minutes, MIN, near, oneDay, reading, series, T0 } from './testing.ts';

void describe('CopAccumulator sums', () => {
  void it('takes COP as the ratio of energies, not the mean of ratios', () => {
    // 30 min at 1000 W → 4000 W (COP 4), 30 min at 3000 W → 6000 W (COP 2); mean of ratios = 3.
    // Σ elec = 1000·0.5 h + 3000·0.5 h = 2 kWh; Σ heat = 4000·0.5 + 6000·0.5 = 5 kWh; COP = 5/2 = 2.5.
    // 60 paired slots = 3600 s of a 86 400 s day: coverage 1/24.
    const row = oneDay(
      minutes(
        0,
        60,
        (m) => (m < 30 ? 1000 : 3000),
        (m) => (m < 30 ? 4000 : 6000),
      ),
    );
    const c = row.categories.combined!;
    near(c.elecKwh, 2, 'elec');
    near(c.heatKwh, 5, 'heat');
    near(c.cop, 2.5, 'cop');
    assert.equal(c.seconds, 3600);
    near(row.coverage, 1 / 24, 'coverage');
    assert.equal(row.day, '2025-01-14');
    assert.equal(row.start, T0);
    assert.equal(row.end, T0 + DAY);
  });

  void it('splits standby from running and counts compressor starts', () => {
    // Minutes 0–19 standby 20 W (heat 0), 20–39 running 2000 W → 7000 W, 40–49 standby, 50–59 running.
    // combined elec = 20 W·(30 min) + 2000 W·(30 min) = 0.01 + 1 = 1.01 kWh; heat = 7000·0.5 h = 3.5 kWh
    // combined COP = 3.5/1.01 = 3.465346…; running elec 1 kWh, COP 3.5; standby = 1.01 − 1 = 0.01 kWh.
    // Starts: below → at-or-above 100 W at minutes 20 and 50 = 2; 2 starts over 1 h of elec = 2/h.
    const on = (m: number) => (m >= 20 && m < 40) || m >= 50;
    const row = oneDay(
      minutes(
        0,
        60,
        (m) => (on(m) ? 2000 : 20),
        (m) => (on(m) ? 7000 : 0),
      ),
    );
    near(row.categories.combined!.elecKwh, 1.01, 'combined elec');
    near(row.categories.combined!.cop, 3.5 / 1.01, 'combined cop');
    near(row.categories.running!.elecKwh, 1, 'running elec');
    near(row.categories.running!.cop, 3.5, 'running cop');
    assert.equal(row.categories.running!.seconds, 1800);
    near(row.standbyKwh, 0.01, 'standby');
    assert.equal(row.starts, 2);
    near(row.startsPerHour, 2, 'starts per hour');
  });

  void it('keeps defrost in the sums and reports it apart', () => {
    // 50 min at 1500 W → 6000 W, then 10 min of defrost at 1500 W → −3000 W.
    // heat = 6000·50/60 + (−3000)·10/60 = 5000 − 500 Wh = 4.5 kWh; elec = 1500·1 h = 1.5 kWh;
    // COP = 4.5/1.5 = 3.0 (3.333… if defrost were dropped); defrost = −0.5 kWh, inside heatKwh.
    const row = oneDay(
      minutes(
        0,
        60,
        () => 1500,
        (m) => (m < 50 ? 6000 : -3000),
      ),
    );
    for (const key of ['combined', 'running'] as const) {
      const c = row.categories[key]!;
      near(c.heatKwh, 4.5, `${key} heat`);
      near(c.cop, 3, `${key} cop`);
      near(c.defrostHeatKwh, -0.5, `${key} defrost`);
    }
  });

  void it('splits space heating and hot water on dhw_mode', () => {
    // 30 min space heating 1000 W → 4500 W: 0.5 kWh → 2.25 kWh, COP 4.5;
    // 30 min hot water 2500 W → 8000 W: 1.25 kWh → 4 kWh, COP 3.2;
    // combined 1.75 kWh → 6.25 kWh, COP 6.25/1.75 = 3.571428…
    const events = byTime(
      series('meter', T0, T0 + 60 * MIN, MIN, (t) => ({ elec_power: t < T0 + 30 * MIN ? 1000 : 2500 })),
      series('hp', T0, T0 + 60 * MIN, MIN, (t) =>
        t < T0 + 30 * MIN ? { heat_power: 4500, dhw_mode: 0 } : { heat_power: 8000, dhw_mode: 1 },
      ),
    );
    const row = oneDay(events, { modes: { device: 'hp' } });
    const { space_heating: space, hot_water: water, combined } = row.categories;
    near(space!.elecKwh, 0.5, 'space elec');
    near(space!.heatKwh, 2.25, 'space heat');
    near(space!.cop, 4.5, 'space cop');
    near(water!.elecKwh, 1.25, 'water elec');
    near(water!.heatKwh, 4, 'water heat');
    near(water!.cop, 3.2, 'water cop');
    near(combined!.cop, 6.25 / 1.75, 'combined cop');
    assert.equal(row.categories.cooling, undefined, 'no cooling category unless configured');
  });

  void it('turns the sign of heat while cooling, so cooling sums as output', () => {
    // 30 min heating 1000 W → 4000 W; 30 min cooling 1000 W with the heat meter at −3000 W.
    // cooling: 0.5 kWh → +1.5 kWh, COP (EER) 3; space: 0.5 → 2, COP 4; combined 1 → 3.5, COP 3.5;
    // no defrost: the negative heat was cooling.
    const cooling = (t: number) => t >= T0 + 30 * MIN;
    const events = byTime(
      series('meter', T0, T0 + 60 * MIN, MIN, () => ({ elec_power: 1000 })),
      series('hp', T0, T0 + 60 * MIN, MIN, (t) => ({
        heat_power: cooling(t) ? -3000 : 4000,
        cooling_mode: cooling(t) ? 1 : 0,
      })),
    );
    const row = oneDay(events, { modes: { device: 'hp', hotWater: false, cooling: true } });
    near(row.categories.cooling!.heatKwh, 1.5, 'cooling output');
    near(row.categories.cooling!.cop, 3, 'cooling cop');
    near(row.categories.space_heating!.cop, 4, 'space cop');
    near(row.categories.combined!.cop, 3.5, 'combined cop');
    assert.equal(row.categories.combined!.defrostHeatKwh, 0);
    assert.equal(row.categories.hot_water, undefined);
  });

  void it('leaves a 20-minute gap out and lowers the coverage; a 10-minute gap is bridged', () => {
    // 2000 W → 6000 W, readings every minute at 0–20 and 40–59: the valued slots 20 and 40 are
    // 20 slots (1200 s ≥ 900 s) apart, so slots 21–39 stay empty: 21 + 20 = 41 paired slots.
    // elec = 2000·41/60 Wh = 1.366… kWh; heat = 6000·41/60 = 4.1 kWh; COP 3; seconds 2460;
    // coverage 2460/86 400. With readings at 0–20 and 30–59 (10 slots apart) all 60 slots count.
    const keep = (gapTo: number) => (m: number) => m <= 20 || m >= gapTo;
    const build = (gapTo: number) =>
      minutes(
        0,
        60,
        () => 2000,
        () => 6000,
      ).filter((e) => keep(gapTo)((Date.parse(e.time) - T0) / MIN));
    const gap = oneDay(build(40)).categories.combined!;
    assert.equal(gap.seconds, 41 * 60);
    near(gap.elecKwh, (2000 * 41) / 60 / 1000, 'elec');
    near(gap.heatKwh, 4.1, 'heat');
    near(gap.cop, 3, 'cop');
    near(oneDay(build(40)).coverage, 2460 / 86_400, 'coverage');
    const bridged = oneDay(build(30));
    assert.equal(bridged.categories.combined!.seconds, 3600);
    near(bridged.coverage, 3600 / 86_400, 'bridged coverage');
  });

  void it('bridges valued slots less than 900 s apart, not 900 s', () => {
    // Readings at minutes 0 and 14: 14 slots apart (840 s) → slots 1–13 filled: 15 slots.
    // Readings at minutes 0 and 15: 900 s, not < 900 → only the 2 valued slots count.
    const at = (...ms: number[]) =>
      byTime(
        ...ms.map((m) => [
          reading('meter', T0 + m * MIN, { elec_power: 1000 }),
          reading('hp', T0 + m * MIN, { heat_power: 3000 }),
        ]),
      );
    assert.equal(oneDay(at(0, 14)).categories.combined!.seconds, 15 * 60);
    assert.equal(oneDay(at(0, 15)).categories.combined!.seconds, 2 * 60);
  });

  void it('aligns inputs at two cadences onto the grid', () => {
    // Shelly elec every 10 s, heat pump heat every 30 s, three slots:
    //   slot 0: elec 1000,1000,1000,2000,2000,2000 → mean 1500; heat 4000, 5000 → 4500
    //   slot 1: elec 6 × 2000 → 2000;                             heat 6000, 6000 → 6000
    //   slot 2: elec 6 × 1000 → 1000;                             heat 3000, 4000 → 3500
    // Σ elec = (1500 + 2000 + 1000) W·60 s = 270 000 J = 0.075 kWh;
    // Σ heat = (4500 + 6000 + 3500) W·60 s = 840 000 J = 0.2333… kWh; COP = 14 000/4500 = 3.111…
    const repeat = (n: number, w: number) => Array<number>(n).fill(w);
    const elec = [...repeat(3, 1000), ...repeat(9, 2000), ...repeat(6, 1000)];
    const heat = [4000, 5000, 6000, 6000, 3000, 4000];
    const events = byTime(
      elec.map((w, i) => reading('meter', T0 + i * 10_000, { elec_power: w })),
      heat.map((w, i) => reading('hp', T0 + i * 30_000, { heat_power: w })),
    );
    const c = oneDay(events).categories.combined!;
    assert.equal(c.seconds, 180);
    near(c.elecKwh, 0.075, 'elec');
    near(c.heatKwh, 840_000 / 3_600_000, 'heat');
    near(c.cop, 14_000 / 4500, 'cop');
  });

  void it('takes heat from vendor counters every 5 minutes, and a counter COP beside the sample one', () => {
    // heat_energy 0, 500, 1000 Wh at minutes 0, 5, 10: 100 Wh per minute = 6000 W in slots 0–9.
    // elec_power 1500 W every 10 s from minute 0 to 10, elec_energy 0 → 250 Wh over the same 10 min.
    // Sample COP: heat 10 × 6000 W·60 s = 1 kWh; elec 10 × 1500 W·60 s = 0.25 kWh (slot 10 has no
    // heat) → COP 4. Counter COP: (1000 − 0) Wh / (250 − 0) Wh = 4, from the counters' end − start.
    const events = byTime(
      series('meter', T0, T0 + 10 * MIN + 1, 10_000, (t) => ({
        elec_power: 1500,
        elec_energy: ((t - T0) / MIN) * 25,
      })),
      [0, 5, 10].map((m) => reading('hp', T0 + m * MIN, { heat_energy: m * 100 })),
    );
    const row = oneDay(events, { heat: { method: 'vendor', device: 'hp' } });
    const c = row.categories.combined!;
    assert.equal(c.seconds, 600);
    near(c.heatKwh, 1, 'heat');
    near(c.elecKwh, 0.25, 'elec');
    near(c.cop, 4, 'cop');
    assert.ok(row.counters);
    near(row.counters.heatKwh, 1, 'counter heat');
    near(row.counters.elecKwh, 0.25, 'counter elec');
    near(row.counters.cop, 4, 'counter cop');
    assert.equal(row.method.heatSource, 'vendor');
    assert.equal(row.method.heatFrom, 'counter');
  });

  void it('computes heat from flow × ΔT × cp with cp 4150 J/(kg·K) and 1 kg/l', () => {
    // The demo house: 18 l/min, flow 46.5 °C, return 40.1 °C, 2500 W electric.
    // heat = 18/60 kg/s × 4150 J/(kg·K) × 6.4 K = 7968 W; COP = 7968/2500 = 3.1872.
    const events = byTime(
      series('meter', T0, T0 + 10 * MIN, MIN, () => ({ elec_power: 2500 })),
      series('hp', T0, T0 + 10 * MIN, MIN, () => ({ flow_rate: 18, flow_temp: 46.5, return_temp: 40.1 })),
    );
    const row = oneDay(events, { heat: { method: 'flow-dt', device: 'hp' } });
    near(row.categories.combined!.heatKwh, (7968 * 10) / 60 / 1000, 'heat');
    near(row.categories.combined!.cop, 3.1872, 'cop');
    assert.equal(row.method.cp, 4150);
  });
});
