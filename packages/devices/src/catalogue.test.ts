// Invariants over the whole device catalogue at once, checked on the shipped catalogue and on a
// sample definition, so they mean something even while the catalogue is small.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMetricName, type MetricName } from '@heatstream/contracts';
import { catalogue, Transport, type DeviceDefinition } from './mod.ts';

/** Every broken invariant, as one line each; [] when the definitions are sound. */
function problems(defs: readonly DeviceDefinition[]): string[] {
  const found: string[] = [];
  const transports: readonly string[] = Object.values(Transport);
  const seen = new Set<string>();
  for (const def of defs) {
    if (seen.has(def.id)) found.push(`${def.id}: duplicate id`);
    seen.add(def.id);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(def.id)) found.push(`${def.id}: id is not kebab-case`);
    if (def.vendor.trim() === '' || def.model.trim() === '')
      found.push(`${def.id}: vendor and model are required`);
    if (!transports.includes(def.transport)) found.push(`${def.id}: unknown transport ${def.transport}`);
    if (def.metrics.length === 0) found.push(`${def.id}: maps no metric`);
    const mapped = new Set<string>();
    for (const m of def.metrics) {
      // Typed as MetricName, but definitions are data: check it as the string it is at runtime.
      const metric: string = m.metric;
      if (!isMetricName(metric)) found.push(`${def.id}: ${metric} is not in the metric catalogue`);
      if (mapped.has(metric)) found.push(`${def.id}: ${metric} mapped twice`);
      mapped.add(metric);
      if (m.source.trim() === '') found.push(`${def.id}: ${metric} has no source`);
      if (m.scale !== undefined && (!Number.isFinite(m.scale) || m.scale === 0)) {
        found.push(`${def.id}: ${metric} scale ${String(m.scale)}`);
      }
    }
  }
  return found;
}

// Shelly Pro 3EM, triphase profile (EM.GetStatus / EMData.GetStatus; energies in Wh).
const shellyPro3em: DeviceDefinition = {
  id: 'shelly-pro-3em-triphase',
  vendor: 'Shelly',
  model: 'Pro 3EM (triphase profile)',
  transport: 'shelly-rpc',
  metrics: [
    { metric: 'elec_power', source: 'EM.GetStatus total_act_power' },
    { metric: 'elec_power_l1', source: 'EM.GetStatus a_act_power' },
    { metric: 'voltage_l1', source: 'EM.GetStatus a_voltage' },
    { metric: 'current', source: 'EM.GetStatus total_current' },
    { metric: 'frequency', source: 'EM.GetStatus a_freq' },
    { metric: 'elec_energy', source: 'EMData.GetStatus total_act' },
  ],
};

const sample = [...catalogue, shellyPro3em];

void describe('device catalogue', () => {
  void it('holds sound definitions', () => {
    assert.deepEqual(problems(catalogue), []);
    assert.deepEqual(problems(sample), []);
  });

  void it('catches a duplicate id', () => {
    assert.deepEqual(problems([...sample, { ...shellyPro3em }]), ['shelly-pro-3em-triphase: duplicate id']);
  });

  void it('catches a metric that is not in the contracts catalogue, or mapped twice', () => {
    const bad: DeviceDefinition = {
      ...shellyPro3em,
      id: 'bad',
      metrics: [
        ...shellyPro3em.metrics,
        { metric: 'flow_temperature' as MetricName, source: 'x' },
        { metric: 'elec_power', source: 'y' },
      ],
    };
    assert.deepEqual(problems([bad]), [
      'bad: flow_temperature is not in the metric catalogue',
      'bad: elec_power mapped twice',
    ]);
  });

  void it('catches an unknown transport, an empty mapping, a bad id and a zero scale', () => {
    const bad = {
      ...shellyPro3em,
      id: 'Bad_Id',
      transport: 'bluetooth',
      metrics: [{ metric: 'elec_power', source: 'p', scale: 0 }],
    } as unknown as DeviceDefinition;
    assert.deepEqual(problems([bad, { ...shellyPro3em, id: 'empty', metrics: [] }]), [
      'Bad_Id: id is not kebab-case',
      'Bad_Id: unknown transport bluetooth',
      'Bad_Id: elec_power scale 0',
      'empty: maps no metric',
    ]);
  });
});
