import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Type } from '@sinclair/typebox';
import { decodeTime } from 'ulid';
import { envelopeSchema, newEventId } from './envelope.ts';
import { encodeEvent, events, eventTypeNames, makeEvent } from './event-types.ts';
import { ContractError, createEventRegistry, defineEventType, type Upcaster } from './registry.ts';
import { isDateTime } from './schema.ts';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const reading = {
  site: 'home',
  device: 'wpm3',
  model: 'stiebel-eltron-wpm3',
  metrics: { outside_temp: -3.5, flow_temp: 38.2, compressor_on: 1 },
};

/** Asserts that `fn` throws a ContractError and returns it. */
function contractError(fn: () => unknown): ContractError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ContractError, `expected a ContractError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ContractError');
}

void describe('makeEvent', () => {
  void it('stamps a ULID from the measurement time and keeps that time', () => {
    const time = new Date('2025-01-14T06:30:00.000Z');
    const e = makeEvent('heatstream.reading.v1', {
      source: 'acq-modbus/0',
      subject: 'wpm3',
      time,
      data: reading,
    });
    assert.match(e.id, ULID);
    assert.equal(decodeTime(e.id), time.getTime());
    assert.equal(e.time, '2025-01-14T06:30:00.000Z');
    assert.deepEqual(
      { specversion: e.specversion, type: e.type, source: e.source, subject: e.subject, data: e.data },
      {
        specversion: '1.0',
        type: 'heatstream.reading.v1',
        source: 'acq-modbus/0',
        subject: 'wpm3',
        data: reading,
      },
    );
    assert.deepEqual(events.validate(e.type, e), []);
  });

  void it('keeps an RFC 3339 string with its offset, and defaults the time to now', () => {
    const withOffset = makeEvent('heatstream.reading.v1', {
      source: 's',
      subject: 'wpm3',
      time: '2025-01-20T23:45:10+01:00',
      data: reading,
    });
    assert.equal(withOffset.time, '2025-01-20T23:45:10+01:00');
    assert.equal(decodeTime(withOffset.id), Date.parse('2025-01-20T22:45:10Z'));

    const before = Date.now();
    const now = makeEvent('heatstream.reading.v1', { source: 's', subject: 'wpm3', data: reading });
    const after = Date.now();
    const t = Date.parse(now.time);
    assert.ok(t >= before && t <= after, now.time);
    assert.equal(decodeTime(now.id), t);
  });

  void it('takes a given id', () => {
    const id = newEventId(0);
    assert.equal(makeEvent('heatstream.reading.v1', { id, source: 's', subject: 'd', data: reading }).id, id);
  });

  void it('refuses invalid data with every issue and its path', () => {
    const bad = { ...reading, site: 'a.b', metrics: { flow_temperature: 40 } };
    const err = contractError(() =>
      // @ts-expect-error flow_temperature is not a catalogue metric
      makeEvent('heatstream.reading.v1', { source: 's', subject: 'd', data: bad }),
    );
    const paths = err.issues.map((i) => i.path);
    assert.ok(paths.includes('/data/site') && paths.includes('/data/metrics/flow_temperature'), paths.join());
    assert.match(err.message, /\/data\/site: .*; .*\/data\/metrics\/flow_temperature: Unexpected property/);
  });

  void it('refuses a time that is not RFC 3339', () => {
    for (const time of ['yesterday', '2025-01-14', '2025-01-14T06:30:00', new Date(Number.NaN)]) {
      const err = contractError(() =>
        makeEvent('heatstream.reading.v1', { source: 's', subject: 'd', time, data: reading }),
      );
      assert.deepEqual(
        err.issues.map((i) => i.path),
        ['/time'],
        String(time),
      );
    }
  });
});

void describe('events registry', () => {
  void it('holds the six families, cop at v1 and v2, newest per family', () => {
    assert.deepEqual(
      events.types().map((t) => `${t.family}@${String(t.version)}`),
      [
        'reading@1',
        'device-status@1',
        'cop@1',
        'cop@2',
        'cop-live@1',
        'alert@1',
        'command@1',
        'command-result@1',
        'rejected@1',
      ],
    );
    assert.deepEqual(
      events.types().map((t) => t.type),
      [...eventTypeNames],
    );
    assert.equal(events.latest('device-status').type, 'heatstream.device-status.v1');
    assert.equal(events.has('heatstream.cop.v1'), true);
    assert.equal(events.latest('cop').type, 'heatstream.cop.v2');
    assert.equal(events.has('heatstream.cop.v3'), false);
    assert.throws(() => events.latest('weather'), ContractError);
    assert.throws(() => events.schemaOf('heatstream.cop.v3'), /unknown event type "heatstream.cop.v3"/);
    assert.throws(() => events.validate('nope', {}), ContractError);
  });

  void it('decodes what encodeEvent wrote, from bytes or a string', () => {
    const e = makeEvent('heatstream.device-status.v1', {
      source: 'acq-shelly/0',
      subject: 'meter',
      data: { site: 'home', device: 'meter', state: 'unavailable', reason: 'timeout', rejectedReadings: 0 },
    });
    const bytes = encodeEvent(e);
    assert.ok(bytes instanceof Uint8Array);
    assert.deepEqual(events.decode(bytes), e);
    assert.deepEqual(events.decode(new TextDecoder().decode(bytes)), e);
  });

  void it('says why bytes are not an event', () => {
    assert.match(
      contractError(() => events.decode(new Uint8Array([0x7b, 0xff, 0x7d]))).message,
      /^invalid JSON: not UTF-8/,
    );
    assert.match(contractError(() => events.decode('{"type":')).message, /^invalid JSON: /);
    for (const notAnEvent of ['null', '[]', '42', '{"type": 1}', '{}']) {
      assert.deepEqual(
        contractError(() => events.decode(notAnEvent)).issues.map((i) => i.path),
        ['/type'],
        notAnEvent,
      );
    }
    assert.match(
      contractError(() => events.decode('{"type":"heatstream.foo.v1"}')).message,
      /unknown event type/,
    );
  });

  void it('lists every issue, names the allowed values of a closed set, and reports a missing field once', () => {
    const e = makeEvent('heatstream.alert.v1', {
      source: 'alerting/0',
      subject: 'd',
      data: {
        site: 's',
        device: 'd',
        alertId: 'a1',
        rule: 'r',
        severity: 'info',
        state: 'raised',
        message: 'm',
      },
    });
    const bad = { ...e, data: { ...e.data, severity: 'fatal', state: undefined } };
    const err = contractError(() => events.decode(JSON.stringify(bad)));
    assert.deepEqual(err.issues, [
      { path: '/data/state', message: 'Expected required property' },
      { path: '/data/severity', message: 'Expected one of "info", "warning", "critical"' },
    ]);
    assert.equal(err.name, 'ContractError');
    assert.match(
      err.message,
      /^invalid heatstream\.alert\.v1: \/data\/state: Expected required property; \/data\/severity/,
    );
  });
});

void describe('createEventRegistry', () => {
  const data = Type.Object({ n: Type.Number() });
  const v1 = defineEventType('heatstream.test.v1', envelopeSchema('heatstream.test.v1', data));
  const v2 = defineEventType('heatstream.test.v2', envelopeSchema('heatstream.test.v2', data));
  const up: Upcaster = { from: v1.type, to: v2.type, up: (e) => ({ ...e, type: v2.type }) };

  void it('reads family and version from the type name', () => {
    assert.deepEqual([v2.family, v2.version], ['test', 2]);
    assert.throws(() => defineEventType('reading.v1', data), ContractError);
    assert.throws(() => defineEventType('heatstream.reading.v0', data), ContractError);
  });

  void it('refuses duplicate types', () => {
    assert.throws(() => createEventRegistry([v1, v1]), /duplicate event type heatstream\.test\.v1/);
  });

  void it('refuses an upcaster gap', () => {
    assert.throws(() => createEventRegistry([v1, v2]), /upcaster gap: nothing upcasts heatstream\.test\.v1/);
    const v3 = defineEventType('heatstream.test.v3', envelopeSchema('heatstream.test.v3', data));
    assert.throws(() => createEventRegistry([v1, v3]), /upcaster gap/);
    assert.throws(() => createEventRegistry([v1, v3], [{ ...up, to: v3.type }]), /not one major step/);
  });

  void it('refuses upcasters between unknown types or twice from one type', () => {
    assert.throws(() => createEventRegistry([v1], [up]), /unregistered type/);
    assert.throws(() => createEventRegistry([v1, v2], [up, up]), /two upcasters from heatstream\.test\.v1/);
  });

  void it('accepts a complete chain', () => {
    const registry = createEventRegistry([v2, v1], [up]);
    assert.equal(registry.latest('test'), v2);
  });
});

void describe('isDateTime', () => {
  void it('accepts RFC 3339 date-times only', () => {
    const good = [
      '2025-01-14T06:30:00Z',
      '2025-01-14T06:30:00.123456+01:00',
      '2024-02-29t23:59:59z',
      '2025-01-14T06:30:00-05:30',
    ];
    const bad = [
      '2025-01-14',
      '2025-01-14T06:30:00',
      '2025-02-29T00:00:00Z',
      '2025-13-01T00:00:00Z',
      '2025-01-14T24:00:00Z',
      '2025-01-14 06:30:00Z',
      '2025-01-14T06:30:00+25:00',
      '',
    ];
    for (const s of good) assert.equal(isDateTime(s), true, s);
    for (const s of bad) assert.equal(isDateTime(s), false, s);
  });
});
