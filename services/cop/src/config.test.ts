// A heat source's settings: defaults filled in, every problem named at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CopConfigError, heatFrom, parseCopSource } from './config.ts';

const minimal = {
  site: 'home',
  device: 'hp',
  elec: { device: 'meter' },
  heat: { method: 'flow-dt', device: 'hp' },
};

void describe('parseCopSource', () => {
  void it('fills in the method’s defaults', () => {
    const s = parseCopSource(minimal);
    assert.equal(s.startingPowerW, 100);
    assert.equal(s.elec.from, 'power');
    assert.equal(s.boundary, 'H4');
    assert.equal(s.timeZone, 'UTC');
    assert.deepEqual(s.season, { startMonth: 10, endMonth: 5 });
    assert.equal(heatFrom(s), 'flow-dt');
    assert.equal(
      heatFrom(parseCopSource({ ...minimal, heat: { method: 'vendor', device: 'hp' } })),
      'counter',
    );
    assert.equal(
      heatFrom(parseCopSource({ ...minimal, heat: { method: 'heat-meter', device: 'm', from: 'counter' } })),
      'counter',
    );
  });

  void it('reports every problem together', () => {
    assert.throws(
      () => parseCopSource({ ...minimal, site: 'a.b', startingPowerW: -1, extra: 1 }),
      (e: unknown) => e instanceof CopConfigError && e.problems.length >= 3,
    );
    assert.throws(
      () =>
        parseCopSource({
          ...minimal,
          timeZone: 'Mars/Olympus',
          heat: { method: 'flow-dt', device: 'hp', from: 'power' },
          season: { startMonth: 5, endMonth: 5 },
        }),
      (e: unknown) => e instanceof CopConfigError && e.problems.length === 3,
    );
  });
});
