// Day rows and period figures become valid cop.v2 data, one event per category, with the figures
// worked out by hand from small fixtures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventType, makeEvent, type CopV2Data } from '@heatstream/contracts';
import { CopAccumulator } from './accumulator.ts';
import { parseCopSource, type CopSource } from './config.ts';
import { copV2Data, round } from './cop-v2.ts';
import { periodWindows, summarise } from './periods.ts';
import { byTime, feed, MIN, series, T0 } from './testing.ts';

void describe('copV2Data', () => {
  const source = parseCopSource({
    site: 'home',
    device: 'hp',
    elec: { device: 'meter' },
    heat: { method: 'heat-meter', device: 'hp' },
    modes: { device: 'hp', cooling: true },
  });
  const acc = new CopAccumulator(source);
  // 60 min at 1000 W → 3333 W: COP 3.333 to three places; heat 3.333 kWh to four.
  feed(
    acc,
    byTime(
      series('meter', T0, T0 + 60 * MIN, MIN, () => ({ elec_power: 1000 })),
      series('hp', T0, T0 + 60 * MIN, MIN, () => ({ heat_power: 3333, dhw_mode: 0, cooling_mode: 0 })),
    ),
  );
  acc.advanceTo(T0 + 86_400_000);
  const [row] = acc.takeFinishedDays();

  void it('gives one valid event per category, rounded as MyHeatpump stores figures', () => {
    const data = copV2Data(row!);
    assert.deepEqual(
      data.map((d) => d.category),
      ['combined', 'running', 'space_heating', 'hot_water', 'cooling'],
    );
    for (const d of data)
      makeEvent(EventType.cop, { source: 'cop/0', subject: d.device, time: d.periodStart, data: d });
    const combined = data[0]!;
    assert.equal(combined.period, 'day');
    assert.equal(combined.periodStart, '2025-01-14T00:00:00.000Z');
    assert.equal(combined.periodEnd, '2025-01-15T00:00:00.000Z');
    assert.equal(combined.heatKwh, 3.333);
    assert.equal(combined.cop, 3.333);
    assert.equal(combined.coverage, round(1 / 24, 4));
    assert.equal(combined.method.heatSource, 'heat-meter');
    const cooling = data[4]!;
    assert.equal(cooling.cop, null);
    assert.equal(cooling.elecKwh, 0);
  });

  void it('names the period of re-summed figures', () => {
    const windows = periodWindows(row!.day, source.season);
    const data = windows.flatMap((w) => copV2Data(summarise([row!], w, source)));
    assert.deepEqual([...new Set(data.map((d) => d.period))], ['7d', '30d', '90d', '365d', 'season']);
    for (const d of data)
      makeEvent(EventType.cop, { source: 'cop/0', subject: d.device, time: d.periodStart, data: d });
  });

  void it('rounds without a negative zero', () => {
    assert.ok(Object.is(round(-0.00001, 4), 0));
    assert.equal(round(2.34567, 3), 2.346);
  });
});

/** One finished day of `acc` after feeding `events`, as cop.v2 data by category. */
function dayOf(source: CopSource, events: ReturnType<typeof series>): Record<string, CopV2Data> {
  const acc = new CopAccumulator(source);
  feed(acc, byTime(events));
  acc.advanceTo(T0 + 86_400_000);
  const [row] = acc.takeFinishedDays();
  assert.ok(row, 'a finished day');
  const data = copV2Data(row);
  for (const d of data)
    makeEvent(EventType.cop, { source: 'cop/0', subject: d.device, time: d.periodEnd, data: d });
  return Object.fromEntries(data.map((d) => [d.category, d]));
}

void describe('copV2Data figures, worked by hand', () => {
  void it('splits standby, counts a start, and means the temperatures over running slots only', () => {
    const source = parseCopSource({
      site: 'home',
      device: 'hp',
      elec: { device: 'meter' },
      heat: { method: 'heat-meter', device: 'hp' },
      modes: { device: 'hp' },
      metering: { elecMeterClass: 'MID B (1 %)', heatMeterClass: '2', backupHeater: 'outside' },
      boundary: 'H2',
    });
    // 00:00–01:00 heating 2000 W → 6000 W, outside 5 °C then −1 °C, flow 35 °C;
    // 01:00–02:00 standby 50 W, no heat, outside 20 °C, flow 20 °C (left out of the means);
    // 02:00–02:30 hot water 2500 W → 7500 W, outside 3 °C, flow 50 °C.
    const at = (t: number) => (t - T0) / MIN;
    const day = dayOf(source, [
      ...series('meter', T0, T0 + 150 * MIN, MIN, (t) => ({
        elec_power: at(t) < 60 ? 2000 : at(t) < 120 ? 50 : 2500,
      })),
      ...series('hp', T0, T0 + 150 * MIN, MIN, (t) => {
        const m = at(t);
        if (m < 60) return { heat_power: 6000, dhw_mode: 0, outside_temp: m < 30 ? 5 : -1, flow_temp: 35 };
        if (m < 120) return { heat_power: 0, dhw_mode: 0, outside_temp: 20, flow_temp: 20 };
        return { heat_power: 7500, dhw_mode: 1, outside_temp: 3, flow_temp: 50 };
      }),
    ]);
    const c = day.combined!;
    // Combined: 2 + 0.05 + 1.25 = 3.3 kWh in, 6 + 3.75 = 9.75 kWh out: COP 2.955.
    assert.deepEqual([c.elecKwh, c.heatKwh, c.cop], [3.3, 9.75, 2.955]);
    assert.deepEqual([day.running!.elecKwh, day.running!.heatKwh, day.running!.cop], [3.25, 9.75, 3]);
    assert.equal(c.standbyKwh, 0.05);
    assert.equal(c.starts, 1); // standby → hot water at 02:00; the first slot is no start
    assert.equal(c.dataSeconds, 150 * 60);
    assert.equal(c.coverage, 0.1042); // 9000 s of 86 400 s
    assert.equal(c.partial, true);
    assert.equal(c.partialReason, 'coverage 10.4 % of the day; a day needs 90 %');
    // Running slots: (30 × 5 + 30 × −1 + 30 × 3) / 90 = 2.33 °C; flow (60 × 35 + 30 × 50) / 90 = 40 °C.
    assert.deepEqual([c.outsideTempC, c.flowTempC], [2.33, 40]);
    assert.deepEqual([day.running!.outsideTempC, day.running!.flowTempC], [2.33, 40]);
    assert.deepEqual([day.space_heating!.outsideTempC, day.space_heating!.flowTempC], [2, 35]);
    assert.deepEqual([day.hot_water!.outsideTempC, day.hot_water!.flowTempC], [3, 50]);
    assert.deepEqual([day.hot_water!.elecKwh, day.hot_water!.heatKwh, day.hot_water!.cop], [1.25, 3.75, 3]);
    assert.deepEqual(c.metering, {
      elecMeterClass: 'MID B (1 %)',
      heatMeterClass: '2',
      backupHeater: 'outside',
    });
    assert.equal(c.boundary, 'H2');
    assert.deepEqual(c.method, {
      heatSource: 'heat-meter',
      heatFrom: 'power',
      elecFrom: 'power',
      startingPowerW: 100,
      gridSeconds: 60,
      bridgeSeconds: 900,
      cpJPerKgK: null,
    });
    assert.equal(c.counters, null);
  });

  void it('publishes a day whose defrost outweighs its heat, defrost reported apart', () => {
    const source = parseCopSource({
      site: 'home',
      device: 'hp',
      elec: { device: 'meter' },
      heat: { method: 'heat-meter', device: 'hp' },
    });
    // 10 min at 1000 W → 2000 W, then 20 min of defrost at 1000 W → −1500 W:
    // heat (20 000 − 30 000) W·min = −0.1667 kWh for 0.5 kWh; defrost −0.5 kWh.
    const at = (t: number) => (t - T0) / MIN;
    const day = dayOf(source, [
      ...series('meter', T0, T0 + 30 * MIN, MIN, () => ({ elec_power: 1000 })),
      ...series('hp', T0, T0 + 30 * MIN, MIN, (t) => ({ heat_power: at(t) < 10 ? 2000 : -1500 })),
    ]);
    const r = day.running!;
    assert.deepEqual([r.elecKwh, r.heatKwh, r.cop, r.defrostHeatKwh], [0.5, -0.1667, -0.333, -0.5]);
    assert.equal(day.combined!.heatKwh, -0.1667);
  });

  void it('takes a hot-water COP from Stiebel’s split counters, whatever dhw_mode says', () => {
    const source = parseCopSource({
      site: 'home',
      device: 'wpm',
      elec: { device: 'wpm', from: 'counter' },
      heat: { method: 'vendor', device: 'wpm' },
      modes: { device: 'wpm' },
    });
    // Every 30 s for 60 min. 00:00–00:30 heating: VD HEATING +4 kWh heat, +1 kWh consumed;
    // 00:30–01:00 hot water: VD DHW +3 kWh heat, +1.5 kWh consumed. dhw_mode is stuck at 0,
    // so classifying by mode would call all of it space heating.
    const at = (t: number) => Math.min(60, (t - T0) / MIN);
    const counters = (t: number) => {
      const m = at(t);
      const h = Math.min(m, 30) / 30;
      const d = Math.max(0, m - 30) / 30;
      return {
        heat_energy_heating: 1_000_000 + 4000 * h,
        elec_energy_heating: 400_000 + 1000 * h,
        heat_energy_dhw: 500_000 + 3000 * d,
        elec_energy_dhw: 200_000 + 1500 * d,
      };
    };
    const day = dayOf(
      source,
      series('wpm', T0, T0 + 61 * MIN, 30_000, (t) => {
        const c = counters(t);
        return {
          ...c,
          heat_energy: c.heat_energy_heating + c.heat_energy_dhw,
          elec_energy: c.elec_energy_heating + c.elec_energy_dhw,
          dhw_mode: 0,
        };
      }),
    );
    assert.deepEqual([day.hot_water!.elecKwh, day.hot_water!.heatKwh, day.hot_water!.cop], [1.5, 3, 2]);
    assert.deepEqual(
      [day.space_heating!.elecKwh, day.space_heating!.heatKwh, day.space_heating!.cop],
      [1, 4, 4],
    );
    assert.deepEqual([day.running!.elecKwh, day.running!.heatKwh], [2.5, 7]);
    assert.deepEqual(day.combined!.counters, { elecKwh: 2.5, heatKwh: 7, cop: 2.8 });
    assert.equal(day.combined!.method.heatFrom, 'counter');
  });
});
