// Online/offline from the last will, from data, and from silence beyond the allowance, on a clock
// the test sets: each change published once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock } from '@heatstream/runtime';
import type { InventoryDevice } from './inventory.ts';
import { Presence } from './presence.ts';

const device = (id: string, intervalS: number): InventoryDevice => ({
  id,
  site: 'remote',
  intervalS,
  tokenSha256: '0'.repeat(64),
  mqttHash: '$7$101$x$y',
  added: '2026-12-01T00:00:00.000Z',
});

function setUp() {
  let now = Date.UTC(2026, 11, 1);
  const clock: Clock = { now: () => now, sleep: () => Promise.resolve() };
  const devices = new Map([
    ['a', device('a', 300)],
    ['b', device('b', 60)],
  ]);
  const published: string[] = [];
  const presence = new Presence(devices, clock, 3, (d, state, reason) => {
    published.push(`${d.id} ${state} ${reason}`);
    return Promise.resolve();
  });
  return { presence, published, advance: (ms: number) => (now += ms) };
}

describe('presence', () => {
  test('online on connect or data, offline on the last will, each change once', async () => {
    const { presence, published } = setUp();
    await presence.online('a', 'connected to the broker');
    await presence.seen('a');
    await presence.offline('a', 'connection lost (last will)');
    await presence.offline('a', 'connection lost (last will)');
    await presence.seen('a');
    await presence.seen('unknown');
    assert.deepEqual(published, [
      'a online connected to the broker',
      'a unavailable connection lost (last will)',
      'a online data received',
    ]);
  });

  test('silence beyond factor × interval marks a device offline, counted from start for one never heard', async () => {
    const { presence, published, advance } = setUp();
    await presence.seen('a');
    advance(180_000); // b: 3 × 60 s exactly, still allowed
    await presence.checkSilence();
    assert.deepEqual(published, ['a online data received']);
    advance(1_000);
    await presence.checkSilence();
    await presence.checkSilence();
    assert.deepEqual(published, ['a online data received', 'b unavailable silent for 181 s (allowed 180 s)']);
    advance(720_000); // a: 901 s since its data, over 3 × 300 s
    await presence.checkSilence();
    assert.equal(published.at(-1), 'a unavailable silent for 901 s (allowed 900 s)');
    assert.equal(presence.state('a'), 'unavailable');
  });
});
