import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ConfigError } from '@heatstream/runtime';
import { parseSources } from './site-config.ts';

const source = (device: string, more: object = {}) => ({
  site: 'home',
  device,
  elec: { device: 'meter' },
  heat: { method: 'heat-meter', device: 'hm' },
  ...more,
});

test('every problem of every entry at once, named by its index in the list', () => {
  assert.throws(
    () =>
      parseSources([
        source('hp'),
        source('bad', { heat: { method: 'guess', device: 'hm' } }),
        source('hp'),
        source('tz', { timeZone: 'Mars/Olympus' }),
      ]),
    (error: Error) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(
        error.issues.map((i) => i.split(':')[0]),
        ['sources[1].heat.method', 'sources[3].timeZone', 'sources[2]'],
      );
      assert.match(error.message, /sources\[2\]: heat source home\/hp is already sources\[0\]/);
      return true;
    },
  );
});

test('an empty list is refused: a COP service with nothing to derive is a mistake', () => {
  assert.throws(() => parseSources([]), /no heat source configured/);
});

test('the demo sources parse, with the method defaults filled in', () => {
  const raw = parse(readFileSync(new URL('../../../deploy/config/cop.yaml', import.meta.url), 'utf8')) as {
    sources: unknown[];
  };
  const sources = parseSources(raw.sources);
  assert.deepEqual(
    sources.map((s) => [s.site, s.device, s.elec.device, s.heat.method, s.startingPowerW]),
    [
      ['home', 'wpm', 'meter', 'flow-dt', 100],
      ['cabin', 'lg', 'cabin-meter', 'flow-dt', 100],
    ],
  );
});
