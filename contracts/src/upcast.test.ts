// A made-up `heatstream.reading.v2`, defined only here, proves the versioning path: a registry with
// v1 + v2 + upcaster reads both versions and hands out v2 only.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Type, type Static } from '@sinclair/typebox';
import { envelopeSchema, type Envelope } from './envelope.ts';
import { events } from './event-types.ts';
import { COP_V2, type CopV2Data } from './events/cop.v2.ts';
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

void describe('upcasting cop v1 → v2 (the production registry)', () => {
  void it('keeps the shared figures and leaves what v1 never had unknown', () => {
    const bytes = fixture('heatstream.cop.v1/day-combined-heat-meter.json');
    const v1 = JSON.parse(bytes.toString('utf8')) as Envelope;
    const v2 = events.decode(bytes);
    assert.equal(v2.type, COP_V2);
    assert.deepEqual(events.validate(COP_V2, v2), []);
    assert.deepEqual([v2.id, v2.time, v2.subject, v2.source], [v1.id, v1.time, v1.subject, v1.source]);
    const data = v2.data as CopV2Data;
    assert.deepEqual(
      [data.heatKwh, data.elecKwh, data.cop, data.defrostHeatKwh, data.coverage, data.method.heatSource],
      [98.4, 33.1, 2.97, -2.6, 0.993, 'heat-meter'],
    );
    assert.deepEqual(
      [data.standbyKwh, data.starts, data.dataSeconds, data.counters, data.boundary, data.outsideTempC],
      [null, null, null, null, null, null],
    );
    assert.equal(data.partial, false);
  });

  void it('gives a v1 figure without defrost a defrost of 0', () => {
    const v2 = events.decode(fixture('heatstream.cop.v1/season-space-heating-flow-dt.json'));
    assert.equal((v2.data as CopV2Data).defrostHeatKwh, 0);
  });

  void it('decodes a v2 event as it is, negative heat included', () => {
    const bytes = fixture('heatstream.cop.v2/day-cooling-net-defrost-vendor.json');
    const v2 = events.decode(bytes);
    assert.deepEqual(v2, JSON.parse(bytes.toString('utf8')));
    assert.equal((v2.data as CopV2Data).heatKwh, -0.3);
  });
});
