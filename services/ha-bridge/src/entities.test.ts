// Every catalogue metric becomes an entity whose discovery config Home Assistant accepts, and
// the mapping of units and kinds is the documented one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricNames } from '@heatstream/contracts';
import { discoveryProblems } from '../test/ha-discovery.ts';
import { alertConfigs, copConfigs, copPeriodConfigs, metricConfig } from './discovery.ts';
import { describeMetric, entityName } from './entities.ts';

const topics = { discoveryPrefix: 'homeassistant', statePrefix: 'heatstream' };
const dev = { site: 'home', device: 'wpm' };

void describe('entities', () => {
  void it('gives every catalogue metric a config Home Assistant documents as valid', () => {
    const configs = [
      ...metricNames.map((m) => metricConfig(topics, dev, 'stiebel-eltron-wpm', m)),
      ...copConfigs(topics, dev, undefined),
      ...copPeriodConfigs(topics, dev, undefined),
      ...alertConfigs(topics, dev, 'unknown-model'),
    ];
    assert.deepEqual(
      configs.flatMap((c) => discoveryProblems(c.topic, c.payload)),
      [],
    );
    assert.equal(new Set(configs.map((c) => c.topic)).size, configs.length, 'one topic per entity');
    assert.equal(new Set(configs.map((c) => c.payload.unique_id)).size, configs.length, 'unique ids');
  });

  void it('maps gauges to measurement and energy counters to kWh total_increasing', () => {
    assert.deepEqual(describeMetric('flow_temp'), {
      component: 'sensor',
      name: 'Flow temperature',
      deviceClass: 'temperature',
      unit: '°C',
      stateClass: 'measurement',
      valueTemplate: '{{ value_json.flow_temp }}',
    });
    const energy = describeMetric('elec_energy');
    assert.equal(energy.unit, 'kWh');
    assert.equal(energy.stateClass, 'total_increasing');
    assert.match(energy.valueTemplate, /value_json\.elec_energy \* 0\.001/);
    assert.equal(describeMetric('compressor_on').component, 'binary_sensor');
    assert.equal(describeMetric('operating_mode').component, 'sensor');
    assert.equal(describeMetric('operating_mode').stateClass, undefined);
    assert.equal(describeMetric('power_factor').unit, undefined);
    assert.equal(describeMetric('compressor_starts').stateClass, 'total_increasing');
    assert.equal(entityName('dhw_target_temp'), 'Hot water target temperature');
  });

  void it('the checker refuses what Home Assistant documents as invalid', () => {
    const { topic, payload } = metricConfig(topics, dev, undefined, 'elec_energy');
    const problems = (more: Record<string, unknown>) => discoveryProblems(topic, { ...payload, ...more });
    assert.match(problems({ state_class: 'measurement' }).join(), /energy needs state_class/);
    assert.match(problems({ unit_of_measurement: '°C' }).join(), /does not take unit °C/);
    assert.match(problems({ colour: 'red' }).join(), /unknown key colour/);
    assert.match(problems({ state_topic: undefined }).join(), /missing state_topic/);
  });
});
