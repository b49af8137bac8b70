// Day rows and period figures become valid cop.v1 data, one event per category.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventType, makeEvent } from '@heatstream/contracts';
import { CopAccumulator } from './accumulator.ts';
import { parseCopSource } from './config.ts';
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
