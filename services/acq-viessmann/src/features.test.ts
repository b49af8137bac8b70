import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeatPumpHouse, defaultHouse } from '../../simulators/src/model/house.ts';
import { summariesOf, vitocalFeatures } from '../../simulators/src/viessmann/features.ts';
import { FrozenWatch, mapFeatures, parseFeatures, type Feature } from './features.ts';

const T0 = Date.UTC(2026, 0, 15, 6, 0, 0);
const id = { installationId: 1, gatewaySerial: 'g', deviceId: '0' };
const state = new HeatPumpHouse(T0, defaultHouse).advanceTo(T0 + 3_600_000);
const all = parseFeatures({ data: vitocalFeatures(id, state, summariesOf(state), 'http://x') }) as Feature[];
const without = (...names: string[]) => all.filter((f) => !names.includes(f.feature));

void describe('Vitocal features → catalogue', () => {
  void it('maps the simulated Vitocal onto catalogue units, summaries in Wh with totals', () => {
    const { values } = mapFeatures(all);
    assert.equal(values.outside_temp, Math.round(state.outsideC * 10) / 10);
    assert.equal(values.flow_temp, Math.round(state.flowC * 10) / 10);
    assert.equal(values.dhw_temp, Math.round(state.dhwC * 10) / 10);
    assert.equal(values.compressor_on, state.mode === 'off' ? 0 : 1);
    assert.equal(values.operating_mode, 3);
    assert.equal(values.elec_energy_heating, Math.round((2565.7 + state.elecWhHeating / 1000) * 10) * 100);
    assert.equal(values.elec_power, Math.round(state.elecW / 100) * 100);
    assert.equal(values.heat_power, Math.round(state.heatW));
    assert.equal(values.elec_energy, (values.elec_energy_heating ?? 0) + (values.elec_energy_dhw ?? 0));
    assert.equal(values.backup_heater_on, 0);
  });

  void it('prefers the new names and falls back to the deprecated ones', () => {
    const full = mapFeatures(all);
    assert.equal(full.from.dhw_temp, 'heating.dhw.sensors.temperature.dhwCylinder');
    assert.equal(full.from.spf, 'heating.spf.total');
    const old = mapFeatures(without('heating.dhw.sensors.temperature.dhwCylinder', 'heating.spf.total'));
    assert.equal(old.from.dhw_temp, 'heating.dhw.sensors.temperature.hotWaterStorage');
    assert.equal(old.from.spf, 'heating.scop.total');
    assert.equal(old.values.dhw_temp, full.values.dhw_temp);
    assert.deepEqual(
      full.deprecated.map((d) => [d.feature, d.removalDate]),
      [
        ['heating.dhw.sensors.temperature.hotWaterStorage', '2026-06-30'],
        ['heating.scop.total', '2026-09-30'],
      ],
    );
  });

  void it('a device without energy summaries still publishes what it has', () => {
    const { values } = mapFeatures(all.filter((f) => !f.feature.includes('.summary.')));
    assert.equal(values.elec_energy, undefined);
    assert.equal(values.heat_energy, undefined);
    assert.ok(values.flow_temp !== undefined && values.compressor_hours !== undefined);
  });

  void it('refuses unexpected shapes with the reason', () => {
    assert.equal(parseFeatures({ items: [] }), 'features answer without a data array');
    assert.equal(parseFeatures({ data: [{ feature: 7, properties: {} }] }), 'data[0].feature is no string');
    assert.equal(
      parseFeatures({ data: [{ feature: 'x', properties: [] }] }),
      'data[0] (x): properties is no object',
    );
  });
});

void describe('frozen summaries', () => {
  const values = (kwh: number, on: number) => ({
    elec_energy_heating: kwh * 1000,
    elec_energy_dhw: 0,
    compressor_on: on,
  });
  void it('names the feature once the compressor ran an hour with the summary unchanged', () => {
    const watch = new FrozenWatch(3_600_000);
    const minute = 60_000;
    for (let i = 0; i <= 60; i++) {
      const frozen = watch.check(values(100, 1), T0 + i * minute);
      assert.deepEqual(
        frozen,
        i < 60 ? [] : ['heating.power.consumption.summary.{heating,dhw}'],
        `minute ${i}`,
      );
    }
    // It moves again: no longer frozen.
    assert.deepEqual(watch.check(values(100.1, 1), T0 + 61 * minute), []);
  });

  void it('a summary resting while the compressor is off is not frozen', () => {
    const watch = new FrozenWatch(3_600_000);
    for (let i = 0; i <= 180; i++) assert.deepEqual(watch.check(values(100, 0), T0 + i * 60_000), []);
  });
});
