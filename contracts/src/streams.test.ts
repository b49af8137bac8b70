import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eventTypeNames } from './event-types.ts';
import { consumers, streamOfSubject, streams } from './streams.ts';
import { coreEventTypes, subjectMatches, subjectPatterns } from './subjects.ts';

void describe('streams', () => {
  void it('stores every event type in exactly one stream, and the core-only types in none', () => {
    for (const type of coreEventTypes) {
      const pattern = subjectPatterns[type];
      const holders = streams.filter((s) => s.subjects.some((f) => subjectMatches(f, pattern)));
      assert.deepEqual(holders, [], type);
    }
    for (const type of eventTypeNames.filter((t) => !coreEventTypes.includes(t))) {
      const pattern = subjectPatterns[type];
      const holders = streams.filter((s) => s.subjects.some((f) => subjectMatches(f, pattern)));
      assert.equal(holders.length, 1, `${type}: ${holders.map((s) => s.name).join(', ')}`);
    }
  });

  void it('has unique names and subjects that do not overlap (JetStream refuses overlaps)', () => {
    assert.equal(new Set(streams.map((s) => s.name)).size, streams.length);
    const filters = streams.flatMap((s) => s.subjects.map((f) => ({ stream: s.name, f })));
    // All stream subjects are `prefix.>`: two overlap exactly when one covers the other.
    for (const a of filters) {
      for (const b of filters) {
        if (a === b) continue;
        assert.ok(!subjectMatches(a.f, b.f), `${a.stream} ${a.f} overlaps ${b.stream} ${b.f}`);
      }
    }
  });

  void it('keeps sensible limits', () => {
    for (const s of streams) {
      assert.ok(s.maxAgeMs >= 24 * 3_600_000, s.name);
      assert.ok(s.duplicateWindowMs > 0 && s.duplicateWindowMs <= s.maxAgeMs, s.name);
      assert.ok(s.maxBytes === -1 || s.maxBytes > 0, s.name);
      assert.ok(s.replicas >= 1, s.name);
    }
    assert.equal(streams.find((s) => s.name === 'READINGS')?.maxAgeMs, 30 * 24 * 3_600_000);
  });

  void it('finds the stream of a subject', () => {
    assert.equal(streamOfSubject('readings.v1.home.wpm3')?.name, 'READINGS');
    assert.equal(streamOfSubject('devices.v1.home.wpm3.status')?.name, 'DEVICES');
    assert.equal(streamOfSubject('rejected.v1.ingest')?.name, 'REJECTED');
    assert.equal(streamOfSubject('heatpump.wpm3.data'), undefined);
  });
});

void describe('consumers', () => {
  void it('have unique durable names', () => {
    assert.equal(new Set(consumers.map((c) => c.durable)).size, consumers.length);
  });

  void it('read an existing stream, with filters inside it', () => {
    for (const c of consumers) {
      const stream = streams.find((s) => s.name === c.stream);
      assert.ok(stream, `${c.durable}: stream ${c.stream}`);
      assert.ok(c.filterSubjects.length > 0, c.durable);
      for (const f of c.filterSubjects) {
        assert.ok(
          stream.subjects.some((s) => subjectMatches(s, f)),
          `${c.durable}: ${f} outside ${c.stream}`,
        );
      }
    }
  });

  void it('retry a bounded number of times with a backoff for each retry', () => {
    for (const c of consumers) {
      assert.ok(c.maxDeliver >= 1 && c.backoffMs.length < c.maxDeliver, c.durable);
      assert.ok(
        c.backoffMs.every((ms, i) => ms > 0 && ms >= (c.backoffMs[i - 1] ?? 0)),
        `${c.durable}: rising`,
      );
      assert.ok(c.ackWaitMs > 0 && c.maxAckPending > 0, c.durable);
    }
  });

  void it('cover the planned services', () => {
    const durables = consumers.map((c) => c.durable).sort();
    assert.deepEqual(durables, [
      'acq-cellular-commands',
      'alerting-alerts',
      'alerting-cop',
      'alerting-devices',
      'alerting-readings',
      'cop-readings',
      'ingest-alerts',
      'ingest-derived',
      'ingest-devices',
      'ingest-readings',
    ]);
    assert.equal(consumers.find((c) => c.durable === 'ingest-readings')?.maxAckPending, 40_000);
    assert.equal(consumers.find((c) => c.durable === 'cop-readings')?.maxAckPending, 1_000);
  });
});
