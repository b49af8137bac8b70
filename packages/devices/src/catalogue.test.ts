// Invariants over the whole device catalogue at once: unique ids, every field on a catalogue metric
// in its unit, no overlapping registers, and every definition round-trips a synthetic register
// image through the real encoder and decoder.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metrics, MetricKind } from '@heatstream/contracts';
import {
  catalogue,
  decodeDefinition,
  definitionProblems,
  encodeDefinition,
  planReads,
  RegisterImage,
} from './mod.ts';

/** A plausible value per metric, so the image exercises sign, scale and composites. */
function sample(metric: keyof typeof metrics, i: number): number {
  const { kind, unit } = metrics[metric];
  if (kind === MetricKind.state) return metric === 'error_code' ? 17 : 1;
  if (kind === MetricKind.counter) return 12_345_000 + i * 1000; // Wh: whole kWh, so MWh/kWh splits are exact
  if (unit === '°C') return metric === 'outside_temp' ? -7.5 : 20 + i / 2;
  if (metric === 'power_factor') return 0.5;
  if (metric === 'frequency') return 50;
  if (unit === 'V') return 230 + i;
  return 2 + i;
}

void describe('device catalogue', () => {
  void it('has unique ids', () => {
    const ids = catalogue.map((d) => d.id);
    assert.deepEqual(ids, [...new Set(ids)]);
    assert.ok(ids.length >= 4);
  });

  for (const def of catalogue) {
    void describe(def.id, () => {
      void it('is sound: catalogue metrics and units, known types, no overlapping registers', () => {
        assert.deepEqual(definitionProblems(def), []);
      });

      void it('decodes a synthetic register image through the real decoder', () => {
        const values = Object.fromEntries(def.fields.map((f, i) => [f.metric, sample(f.metric, i)]));
        const image = encodeDefinition(def, values, new RegisterImage());
        const decoded = decodeDefinition(def, image);
        assert.deepEqual(decoded.values, values);
        assert.deepEqual(decoded.implausible, []);
        assert.deepEqual(decoded.notAvailable, []);
      });

      void it('reads every register in blocks of at most 125 registers', () => {
        const blocks = planReads(def);
        for (const b of blocks)
          assert.ok(b.count >= 1 && b.count <= (b.kind === 'coil' || b.kind === 'discrete' ? 2000 : 125));
        const image = new RegisterImage();
        for (const b of blocks) for (let a = b.start; a < b.start + b.count; a++) image.set(b.kind, a, 0);
        const decoded = decodeDefinition(def, image);
        assert.equal(
          Object.keys(decoded.values).length + decoded.notAvailable.length + decoded.implausible.length,
          def.fields.length,
        );
      });
    });
  }
});
