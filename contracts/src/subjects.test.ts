import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventTypeNames, type EventTypeName } from './event-types.ts';
import { streams } from './streams.ts';
import {
  coreSubjectPatterns,
  coreSubjects,
  eventTypeOfSubject,
  liveSubjects,
  SubjectError,
  subjectMatches,
  subjectOf,
  subjectPatterns,
  subjects,
} from './subjects.ts';

const build: Record<EventTypeName, (a: string, b: string) => string> = {
  'heatstream.reading.v1': subjects.reading,
  'heatstream.device-status.v1': subjects.deviceStatus,
  // Nothing publishes cop.v1 any more; its stored events keep their subjects.
  'heatstream.cop.v1': (a, b) => `cop.v1.${a}.${b}`,
  'heatstream.cop.v2': subjects.cop,
  'heatstream.cop-live.v1': subjects.copLive,
  'heatstream.alert.v1': subjects.alert,
  'heatstream.command.v1': subjects.command,
  'heatstream.command-result.v1': subjects.commandResult,
  'heatstream.rejected.v1': (a) => subjects.rejected(a),
};

void describe('subjects', () => {
  void it('builds the subjects of the design', () => {
    assert.equal(subjects.reading('home', 'wpm3'), 'readings.v1.home.wpm3');
    assert.equal(subjects.deviceStatus('home', 'wpm3'), 'devices.v1.home.wpm3.status');
    assert.equal(subjects.cop('home', 'wpm3'), 'cop.v2.home.wpm3');
    assert.equal(subjects.alert('home', 'wpm3'), 'alerts.v1.home.wpm3');
    assert.equal(subjects.command('site_2', 'esp32-07'), 'commands.v1.site_2.esp32-07');
    assert.equal(subjects.commandResult('site_2', 'esp32-07'), 'commands.v1.site_2.esp32-07.result');
    assert.equal(subjects.rejected('ingest'), 'rejected.v1.ingest');
  });

  void it('refuses tokens NATS or heatstream cannot carry, with a SubjectError naming the token', () => {
    const bad = ['', 'a.b', 'a*', '>', 'a b', 'hütte', 'x'.repeat(65), 'a/b'];
    for (const token of bad) {
      assert.throws(() => subjects.reading(token, 'dev'), SubjectError, `site ${JSON.stringify(token)}`);
      assert.throws(
        () => subjects.deviceStatus('site', token),
        SubjectError,
        `device ${JSON.stringify(token)}`,
      );
      assert.throws(() => subjects.rejected(token), SubjectError, `service ${JSON.stringify(token)}`);
    }
    assert.throws(() => subjects.cop('a.b', 'dev'), /site "a\.b" is not a subject token/);
    assert.equal(subjects.alert('x'.repeat(64), 'd').length, 'alerts.v1..d'.length + 64);
  });

  void it('maps every built subject back to its event type', () => {
    assert.deepEqual(Object.keys(build).sort(), [...eventTypeNames].sort());
    for (const type of eventTypeNames) {
      const subject = build[type]('site-1', 'dev_1');
      assert.equal(eventTypeOfSubject(subject), type, subject);
    }
  });

  void it('knows no type for subjects outside the map', () => {
    const foreign = [
      'readings.v1.site',
      'readings.v1.site.dev.extra',
      'readings.v2.site.dev',
      'devices.v1.site.dev',
      'devices.v1.site.dev.online',
      'readings.v1.*.dev',
      'readings.v1.site.>',
      'rejected.v1.',
      'heatpump/dev/data',
      '',
    ];
    for (const s of foreign) assert.equal(eventTypeOfSubject(s), undefined, s);
  });

  void it('gives each type a wildcard pattern that matches its subjects', () => {
    for (const type of eventTypeNames) {
      assert.ok(subjectMatches(subjectPatterns[type], build[type]('s', 'd')), type);
    }
    assert.equal(subjectPatterns['heatstream.device-status.v1'], 'devices.v1.*.*.status');
  });

  void it('matches subjects and filters the way NATS does', () => {
    const cases: [string, string, boolean][] = [
      ['readings.v1.>', 'readings.v1.a.b', true],
      ['readings.v1.>', 'readings.v1', false],
      ['readings.v1.*.*', 'readings.v1.a.b', true],
      ['readings.v1.*.*', 'readings.v1.a.b.c', false],
      ['readings.v1.*', 'readings.v1.a.b', false],
      ['devices.v1.*.*.status', 'devices.v1.a.b.status', true],
      ['readings.v1.>', 'readings.v1.*.*', true],
      ['readings.v1.*.*', 'readings.v1.>', false],
      ['readings.v1.*.b', 'readings.v1.*.*', false],
      ['cop.v1.>', 'readings.v1.a.b', false],
    ];
    for (const [filter, subject, expected] of cases) {
      assert.equal(subjectMatches(filter, subject), expected, `${filter} ⊇ ${subject}`);
    }
  });
});

void describe('subjectOf', () => {
  void it('routes an event by its type and the ids in its data', () => {
    const data = { site: 'home', device: 'wpm3', service: 'ingest' };
    assert.equal(subjectOf({ type: 'heatstream.reading.v1', data }), 'readings.v1.home.wpm3');
    assert.equal(subjectOf({ type: 'heatstream.device-status.v1', data }), 'devices.v1.home.wpm3.status');
    assert.equal(subjectOf({ type: 'heatstream.rejected.v1', data }), 'rejected.v1.ingest');
  });

  void it('refuses unknown types and missing or bad ids', () => {
    assert.throws(() => subjectOf({ type: 'heatstream.reading.v9', data: {} }), /no subject for event type/);
    assert.throws(() => subjectOf({ type: 'heatstream.cop.v1', data: { site: 'home' } }), /device undefined/);
    assert.throws(() => subjectOf({ type: 'heatstream.cop.v1', data: null }), SubjectError);
    assert.throws(
      () => subjectOf({ type: 'heatstream.alert.v1', data: { site: 'a.b', device: 'd' } }),
      SubjectError,
    );
  });
});

void describe('core subjects', () => {
  void it('builds the replay channel and derivation subjects, refusing bad tokens', () => {
    assert.equal(coreSubjects.replay('home', 'wpm3'), 'replay.v1.home.wpm3');
    assert.equal(coreSubjects.derive('cop'), 'derive.v1.cop');
    assert.ok(subjectMatches(coreSubjectPatterns.replay, coreSubjects.replay('s', 'd')));
    assert.ok(subjectMatches(coreSubjectPatterns.derive, coreSubjects.derive('cop')));
    assert.throws(() => coreSubjects.derive('a.b'), /derivation "a\.b" is not a subject token/);
    assert.throws(() => coreSubjects.replay('home', '>'), SubjectError);
  });

  void it('are stored by no stream, and carry no event type of their own', () => {
    for (const pattern of Object.values(coreSubjectPatterns)) {
      for (const s of streams) {
        assert.ok(
          !s.subjects.some((f) => subjectMatches(f, pattern) || subjectMatches(pattern, f)),
          `${pattern} overlaps ${s.name}`,
        );
      }
    }
    assert.equal(eventTypeOfSubject(coreSubjects.replay('s', 'd')), undefined);
  });

  void it('live push follows readings, device status, alerts, COP, command answers and the replay channel', () => {
    assert.deepEqual(liveSubjects, [
      'readings.v1.>',
      'devices.v1.>',
      'alerts.v1.>',
      'cop.v1.>',
      'cop.v2.>',
      'cop-live.v1.>',
      'commands.v1.*.*.result',
      'replay.v1.>',
    ]);
    for (const type of [
      'heatstream.reading.v1',
      'heatstream.device-status.v1',
      'heatstream.alert.v1',
      'heatstream.cop.v1',
      'heatstream.cop.v2',
      'heatstream.cop-live.v1',
    ] as const) {
      assert.ok(
        liveSubjects.some((f) => subjectMatches(f, build[type]('s', 'd'))),
        type,
      );
    }
  });
});
