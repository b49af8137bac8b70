// Local days across daylight saving: 23 and 25 hours long, starting at local midnight.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addDays, dayKey, dayStart, daysBetween, localDay, zoneOffsetMs } from './zoned.ts';

void describe('zoned days', () => {
  void it('starts a Berlin winter day at 23:00 UTC the evening before', () => {
    assert.equal(new Date(dayStart('2025-01-14', 'Europe/Berlin')).toISOString(), '2025-01-13T23:00:00.000Z');
    assert.equal(dayKey(Date.UTC(2025, 0, 13, 23, 30), 'Europe/Berlin'), '2025-01-14');
    assert.equal(dayKey(Date.UTC(2025, 0, 13, 23, 30), 'UTC'), '2025-01-13');
    assert.equal(zoneOffsetMs(Date.UTC(2025, 6, 1), 'Europe/Berlin'), 2 * 3_600_000);
  });

  void it('makes the spring-forward day 23 h and the fall-back day 25 h long', () => {
    const spring = localDay(Date.UTC(2025, 2, 30, 12), 'Europe/Berlin');
    assert.equal(spring.key, '2025-03-30');
    assert.equal(spring.end - spring.start, 23 * 3_600_000);
    const autumn = localDay(Date.UTC(2025, 9, 26, 12), 'Europe/London');
    assert.equal(autumn.end - autumn.start, 25 * 3_600_000);
  });

  void it('counts calendar days across months and years', () => {
    assert.equal(addDays('2024-12-31', 1), '2025-01-01');
    assert.equal(addDays('2024-03-01', -1), '2024-02-29');
    assert.equal(daysBetween('2024-10-01', '2025-05-01'), 212);
    assert.throws(() => dayStart('14.01.2025', 'UTC'), RangeError);
  });
});
