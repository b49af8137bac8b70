// Invariants over the whole device catalogue at once: unique ids, every field on a catalogue metric
// in its unit, no overlapping registers, every definition round-trips a synthetic register image
// through the real encoder and decoder, and every vendor-documented fault value reads as absent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metrics, MetricKind, type MetricName } from '@heatstream/contracts';
import {
  catalogue,
  decodeDefinition,
  definitionProblems,
  encodeDefinition,
  int16Word,
  pduAddress,
  planReads,
  RegisterImage,
  wordCount,
  type ModbusDefinition,
  type Register,
} from './mod.ts';

/**
 * What each vendor's documentation (protocols.md) gives as "not available" or "sensor missing",
 * to hold the shipped definitions to. A new definition says here what its documentation gives,
 * even when that is nothing; a float32 NaN is not available for every definition (the codec's rule).
 */
const documentedFaultValues: Record<string, { metrics: 'all' | MetricName[]; raw: number[] }[]> = {
  // §3: 0x8000 = object unavailable, every data type; −60.0 °C lead missing, −50.0 °C short circuit.
  'stiebel-eltron-wpm': [
    { metrics: 'all', raw: [0x8000] },
    {
      metrics: [
        'indoor_temp',
        'outside_temp',
        'flow_temp',
        'return_temp',
        'buffer_temp',
        'dhw_temp',
        'source_temp',
        'compressor_temp',
      ],
      raw: [int16Word(-600), int16Word(-500)],
    },
  ],
  // §4: 30006 reads −64.9 °C with no tank sensor; 30007, 30010 and 30011 have such values but are not mapped.
  'lg-therma-v-r290': [{ metrics: ['dhw_temp'], raw: [int16Word(-649)] }],
  // §5.1, §5.2: no fault values documented.
  'wago-879-30xx': [],
  'eastron-sdm630': [],
};

/** A float32 quiet NaN, as a raw unsigned value. */
const NAN_F32 = 0x7fc00000;

/** The fault values a register of a definition maps to "not available": its sentinels, NaN for a float. */
const faultValues = (reg: Register): number[] => [
  ...(reg.notAvailable ?? []),
  ...(reg.type === 'float32' ? [NAN_F32] : []),
];

/** Fields other than `fields[index]` that read a word of `reg`: bit flags of one status word. */
function sharing(def: ModbusDefinition, index: number, reg: Register): Set<MetricName> {
  const start = pduAddress(def, reg);
  const end = start + wordCount(reg.type);
  const out = new Set<MetricName>();
  def.fields.forEach((f, i) => {
    if (i === index) return;
    for (const r of f.registers) {
      const s = pduAddress(def, r);
      if (r.kind === reg.kind && s < end && s + wordCount(r.type) > start) out.add(f.metric);
    }
  });
  return out;
}

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

  void it('has every definition checked against its vendor’s documented fault values', () => {
    assert.deepEqual(Object.keys(documentedFaultValues).sort(), catalogue.map((d) => d.id).sort());
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
        // Totals are the sums of their parts' values.
        const totals = Object.fromEntries(
          (def.totals ?? []).map((t) => [t.metric, t.of.reduce((a, m) => a + (values[m] ?? NaN), 0)]),
        );
        assert.deepEqual(decoded.values, { ...values, ...totals });
        assert.deepEqual(decoded.implausible, []);
        assert.deepEqual(decoded.notAvailable, []);
      });

      void it('maps every fault value its vendor documents to not available', () => {
        for (const { metrics: which, raw } of documentedFaultValues[def.id] ?? []) {
          const fields = which === 'all' ? def.fields : def.fields.filter((f) => which.includes(f.metric));
          assert.equal(fields.length, which === 'all' ? def.fields.length : which.length, 'fields exist');
          for (const f of fields)
            for (const reg of f.registers)
              for (const value of raw)
                assert.ok(
                  reg.notAvailable?.includes(value),
                  `${f.metric} ${reg.kind} ${reg.address}: 0x${value.toString(16)} not in notAvailable`,
                );
        }
      });

      void it('reads each fault value it maps as absent, through the real encoder and decoder', () => {
        const values = Object.fromEntries(def.fields.map((f, i) => [f.metric, sample(f.metric, i)]));
        let checked = 0;
        def.fields.forEach((f, i) => {
          f.registers.forEach((reg, j) => {
            for (const fault of faultValues(reg)) {
              // The encoder writes a missing metric as its first sentinel: a one-field definition
              // whose register j has only this fault value writes exactly it, in the register's
              // word and byte order, over an image of plausible values.
              const only: ModbusDefinition = {
                ...def,
                fields: [
                  {
                    ...f,
                    registers: f.registers.map((r, k) =>
                      k === j ? { ...r, notAvailable: [fault] } : { ...r, notAvailable: [] },
                    ),
                  },
                ],
              };
              const image = encodeDefinition(def, values, new RegisterImage());
              const decoded = decodeDefinition(def, encodeDefinition(only, {}, image));
              const what = `${f.metric} ${reg.kind} ${reg.address} = 0x${fault.toString(16)}`;
              assert.ok(!(f.metric in decoded.values), `${what} decoded as ${decoded.values[f.metric]}`);
              assert.ok(decoded.notAvailable.includes(f.metric), `${what} not reported as not available`);
              assert.deepEqual(decoded.implausible, [], what);
              const shared = sharing(def, i, reg);
              for (const other of def.fields) {
                if (other === f || shared.has(other.metric)) continue;
                assert.equal(decoded.values[other.metric], values[other.metric], `${what}: ${other.metric}`);
              }
              checked++;
            }
          });
        });
        assert.ok(checked > 0, 'no fault value mapped');
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
          def.fields.length + (def.totals?.length ?? 0),
        );
      });
    });
  }
});
