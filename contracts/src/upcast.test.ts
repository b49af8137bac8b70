// A made-up `heatstream.reading.v2`, defined only here, proves the versioning path: a registry with
// v1 + v2 + upcaster reads both versions and hands out v2 only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Type, type Static } from '@sinclair/typebox';
import { envelopeSchema, type Envelope } from './envelope.ts';
import { events } from './event-types.ts';
import { READING_V1, ReadingV1, type ReadingV1Data } from './events/reading.v1.ts';
import { metricNames, type MetricName } from './metrics.ts';
import { ContractError, createEventRegistry, defineEventType, type Upcaster } from './registry.ts';
import { Id } from './schema.ts';

const READING_V2 = 'heatstream.reading.v2';
// v2: `site` becomes `siteId`, and metrics become a list of { metric, value }.
const ReadingV2Data = Type.Object(
  {
    siteId: Id('site id'),
    device: Id('device id'),
    model: Type.String({ minLength: 1 }),
    values: Type.Array(
      Type.Object(
        { metric: Type.Union(metricNames.map((m) => Type.Literal(m))), value: Type.Number() },
        { additionalProperties: false },
      ),
      { minItems: 1 },
    ),
  },
  { additionalProperties: false },
);
type ReadingV2Data = Static<typeof ReadingV2Data>;
const ReadingV2 = envelopeSchema(READING_V2, ReadingV2Data);

const readingV1toV2: Upcaster = {
  from: READING_V1,
  to: READING_V2,
  up(event: Envelope): Envelope {
    // The registry validated `event` against ReadingV1 before calling.
    const { site, device, model, metrics } = event.data as ReadingV1Data;
    const values = Object.entries(metrics).map(([metric, value]) => ({
      metric: metric as MetricName,
      value,
    }));
    const data: ReadingV2Data = { siteId: site, device, model, values };
    return { ...event, type: READING_V2, data };
  },
};

const registry = createEventRegistry(
  [defineEventType(READING_V1, ReadingV1), defineEventType(READING_V2, ReadingV2)],
  [readingV1toV2],
);

const fixture = (path: string) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url));

void describe('upcasting reading v1 → v2', () => {
  void it('decodes a golden v1 event into a valid v2 event', () => {
    const v1 = events.decode(fixture('heatstream.reading.v1/stiebel-wpm3-frosty-morning.json'));
    const decoded = registry.decode(fixture('heatstream.reading.v1/stiebel-wpm3-frosty-morning.json'));
    assert.equal(decoded.type, READING_V2);
    assert.deepEqual(registry.validate(READING_V2, decoded), []);
    const data = decoded.data as ReadingV2Data;
    assert.equal(data.siteId, 'hausmann');
    assert.deepEqual(
      data.values.find((v) => v.metric === 'outside_temp'),
      { metric: 'outside_temp', value: -7.4 },
    );
    assert.equal(data.values.length, Object.keys((v1.data as ReadingV1Data).metrics).length);
    // The envelope is kept: same id, time and subject.
    assert.deepEqual([decoded.id, decoded.time, decoded.subject], [v1.id, v1.time, v1.subject]);
    assert.equal(registry.latest('reading').type, READING_V2);
  });

  void it('decodes a v2 event as it is', () => {
    const v2 = registry.decode(fixture('heatstream.reading.v1/lg-therma-v-r290-defrost.json'));
    assert.deepEqual(registry.decode(JSON.stringify(v2)), v2);
  });

  void it('rejects a bad v1 event before upcasting it', () => {
    let called = false;
    const spy = createEventRegistry(registry.types(), [
      {
        ...readingV1toV2,
        up: (e) => {
          called = true;
          return readingV1toV2.up(e);
        },
      },
    ]);
    assert.throws(
      () => spy.decode(fixture('invalid/reading-unknown-metric-flow_temperature.json')),
      (e: unknown) =>
        e instanceof ContractError && e.issues.some((i) => i.path === '/data/metrics/flow_temperature'),
    );
    assert.equal(called, false);
  });

  void it('rejects what a faulty upcaster produces', () => {
    const faulty = createEventRegistry(registry.types(), [
      { ...readingV1toV2, up: (e) => ({ ...readingV1toV2.up(e), data: { values: [] } }) },
    ]);
    assert.throws(
      () => faulty.decode(fixture('heatstream.reading.v1/stiebel-wpm3-frosty-morning.json')),
      /upcaster heatstream\.reading\.v1 → heatstream\.reading\.v2 produced an invalid heatstream\.reading\.v2: \/data\/siteId/,
    );
  });
});
