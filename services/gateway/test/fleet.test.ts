// The fleet table's rows from the read side's answers (fleetOf), without servers: which device is a
// site's heat source, and so which make and model a row shows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Device, MetricValues } from '@heatstream/contracts/api';
import { fleetOf } from '../src/fleet.ts';

const now = Date.parse('2026-12-02T12:00:00Z');
const device = (site: string, id: string, model: string): Device => ({
  site,
  device: id,
  model,
  lastReading: new Date(now - 5_000).toISOString(),
  state: null,
  stateReason: null,
  stateSince: null,
});

test('before its first COP day, a heat pump without heat power is the source, not the meter beside it', () => {
  const latest = new Map<string, MetricValues>([
    ['meter', { elec_power: 1700 }],
    ['lg', { flow_temp: 35.1, compressor_on: 1 }],
  ]);
  const fleet = fleetOf(
    {
      devices: [device('cabin', 'meter', 'wago-879-30xx'), device('cabin', 'lg', 'lg-therma-v-r290')],
      latest,
      cop: [],
      alerts: [],
    },
    '7d',
    now,
  );
  const [row] = fleet.sites;
  assert.equal(row?.heatSource, 'lg');
  assert.equal(row.make, 'LG');
  assert.equal(row.elecW, 1700, 'the meter measures the electricity');
  assert.equal(row.heatW, null, 'no heat measured, none made up');
});

test('a site with only a meter has no heat source, make or model', () => {
  const fleet = fleetOf(
    {
      devices: [device('annex', 'meter', 'wago-879-30xx')],
      latest: new Map([['meter', { elec_power: 640 }]]),
      cop: [],
      alerts: [],
    },
    '7d',
    now,
  );
  assert.equal(fleet.sites[0]?.heatSource, null);
  assert.equal(fleet.sites[0].make, null);
});
