import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadingV1Data } from './events/reading.v1.ts';
import { isMetricName, MetricKind, metricNames, metrics, units, type MetricName } from './metrics.ts';

void describe('metric catalogue', () => {
  void it('keys every metric by its own name, once', () => {
    for (const [key, def] of Object.entries(metrics)) assert.equal(def.name, key);
    assert.equal(new Set(metricNames).size, metricNames.length);
    assert.deepEqual([...metricNames], Object.keys(metrics));
  });

  void it('uses snake_case names, because they become QuestDB columns', () => {
    const bad = metricNames.filter((n) => !/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(n));
    assert.deepEqual(bad, []);
  });

  void it('gives every metric a valid kind, a unit from `units` and a description', () => {
    const kinds: readonly string[] = Object.values(MetricKind);
    for (const def of Object.values(metrics)) {
      assert.ok(kinds.includes(def.kind), `${def.name}: kind ${def.kind}`);
      assert.ok(units.has(def.unit), `${def.name}: unit ${def.unit}`);
      assert.ok(def.description.length > 10, `${def.name}: description`);
      // States are unitless codes; everything else has a unit.
      assert.equal(def.unit === '', def.kind === MetricKind.state, `${def.name}: unit vs kind`);
    }
  });

  void it('lists exactly the units in use', () => {
    assert.deepEqual(new Set(Object.values(metrics).map((m) => m.unit)), units);
    assert.ok(units.has('°C') && units.has('Wh') && units.has('l/min'));
  });

  void it('holds the metrics the design names, with their units and kinds', () => {
    const expected: [MetricName, string, MetricKind][] = [
      ['flow_temp', '°C', 'gauge'],
      ['return_temp', '°C', 'gauge'],
      ['outside_temp', '°C', 'gauge'],
      ['dhw_temp', '°C', 'gauge'],
      ['flow_rate', 'l/min', 'gauge'],
      ['elec_power', 'W', 'gauge'],
      ['elec_energy', 'Wh', 'counter'],
      ['heat_power', 'W', 'gauge'],
      ['heat_energy', 'Wh', 'counter'],
      ['compressor_on', '', 'state'],
      ['compressor_freq', 'Hz', 'gauge'],
      ['defrost', '', 'state'],
      ['dhw_mode', '', 'state'],
      ['voltage', 'V', 'gauge'],
      ['current', 'A', 'gauge'],
      ['power_factor', '1', 'gauge'],
      ['frequency', 'Hz', 'gauge'],
      ['pressure_high', 'bar', 'gauge'],
      ['pressure_low', 'bar', 'gauge'],
      ['voltage_l3', 'V', 'gauge'],
      ['current_l2', 'A', 'gauge'],
      ['elec_power_l1', 'W', 'gauge'],
    ];
    for (const [name, unit, kind] of expected) {
      assert.deepEqual([metrics[name].unit, metrics[name].kind], [unit, kind], name);
    }
  });

  void it('recognises catalogue names only, not inherited properties or near misses', () => {
    assert.equal(isMetricName('flow_temp'), true);
    for (const s of ['flow_temperature', 'FLOW_TEMP', '', 'toString', '__proto__', 'constructor']) {
      assert.equal(isMetricName(s), false, s);
    }
  });

  void it('is what the reading schema accepts, no more and no less', () => {
    assert.deepEqual(Object.keys(ReadingV1Data.properties.metrics.properties), [...metricNames]);
  });
});
