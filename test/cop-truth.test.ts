// Issue 13's acceptance: the pipeline's daily COP within 2 % of the simulators' model, for each demo
// site. Each site has its house from deploy/config/simulators.yaml (issue 14: the sites differ), run
// on the test's clock (a day in seconds, no real-time waiting): every 10 s of model time, each demo
// device of deploy/config/acq-modbus.yaml is encoded into its register image from its site's house
// and decoded again through its definition — the same values and resolution acq-modbus would poll —
// and published as its reading. cop runs with the demo sources of deploy/config/cop.yaml. The truth
// is each site's model's own energy over the local day: (heat delivered − heat taken back by
// defrost) / electricity.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  encodeEvent,
  makeEvent,
  subjects,
  type CopV2Data,
  events,
  type ReadingV1,
} from '@heatstream/contracts';
import { decodeDefinition, encodeDefinition, findDefinition, RegisterImage } from '@heatstream/devices';
import { runService, type Clock } from '@heatstream/runtime';
import { consumerIdle, eventually, natsFixture } from '@heatstream/testkit';
import { copService } from '../services/cop/src/service.ts';
import { Value } from '@sinclair/typebox/value';
import { simulatorConfig, type SiteModel } from '../services/simulators/src/config.ts';
import { HeatPumpHouse, type HouseOptions } from '../services/simulators/src/model/house.ts';
import { metricValues } from '../services/simulators/src/model/metrics.ts';
import { siteHouse } from '../services/simulators/src/sites.ts';
import type { Static } from '@sinclair/typebox';

const STEP_MS = 10_000;
/** 2026-01-14 00:00 in Europe/Berlin, the demo sources' zone: the day the test holds to the truth. */
const DAY_START = Date.UTC(2026, 0, 13, 23);
const DAY_END = DAY_START + 86_400_000;

interface DemoDevice {
  id: string;
  site: string;
  definition: string;
}

const root = new URL('../', import.meta.url);
const devices = (
  parse(readFileSync(new URL('deploy/config/acq-modbus.yaml', root), 'utf8')) as { devices: DemoDevice[] }
).devices;
const sources = (
  parse(readFileSync(new URL('deploy/config/cop.yaml', root), 'utf8')) as {
    sources: { site: string; device: string }[];
  }
).sources;

const demoSimulators = parse(readFileSync(new URL('deploy/config/simulators.yaml', root), 'utf8')) as {
  model?: unknown;
  sites: Record<string, Static<typeof SiteModel>>;
};
const demoModel = Value.Default(simulatorConfig.model, structuredClone(demoSimulators.model ?? {})) as Static<
  typeof simulatorConfig.model
>;
/** Each demo site's house as the simulators build it. */
const houseOptions = (site: string): HouseOptions => {
  const changes = demoSimulators.sites[site];
  if (changes === undefined) throw new Error(`deploy/config/simulators.yaml has no site ${site}`);
  return siteHouse(demoModel, changes);
};

/** A demo device's reading of the model's values, through its register map both ways. */
function poll(device: DemoDevice, values: ReturnType<typeof metricValues>, t: number): ReadingV1 {
  const definition = findDefinition(device.definition);
  if (definition === undefined) throw new Error(`unknown definition ${device.definition}`);
  const decoded = decodeDefinition(definition, encodeDefinition(definition, values, new RegisterImage()));
  return makeEvent('heatstream.reading.v1', {
    source: 'cop-truth-test',
    subject: device.id,
    time: new Date(t),
    data: { site: device.site, device: device.id, model: definition.id, metrics: decoded.values },
  });
}

test("each demo site's daily COP is within 2 % of the model's", async () => {
  await using nats = await natsFixture();
  const clock: Clock = { now: () => DAY_END + 3_600_000, sleep: () => Promise.resolve() };
  const cop = await runService(copService(clock), {
    argv: ['--config', new URL('deploy/config/cop.yaml', root).pathname],
    env: { HS_NATS__URL: nats.url, HS_LOG__LEVEL: 'silent', HS_HTTP__PORT: '0', HS_TICK_MS: '3600000' },
  });
  try {
    // An hour of warm-up before the day, and 20 minutes after it so its last slots close.
    const sites = [...new Set(devices.map((d) => d.site))];
    const houses = new Map(
      sites.map((site) => {
        const options = houseOptions(site);
        return [site, { options, house: new HeatPumpHouse(DAY_START - 3_600_000, options) }];
      }),
    );
    const atStart = new Map<string, { heat: number; elec: number }>();
    const atEnd = new Map<string, { heat: number; elec: number }>();
    let pending: Promise<unknown>[] = [];
    for (let t = DAY_START - 3_600_000; t <= DAY_END + 20 * 60_000; t += STEP_MS) {
      const values = new Map<string, ReturnType<typeof metricValues>>();
      for (const [site, { house, options }] of houses) {
        const state = house.advanceTo(t);
        const energy = { heat: state.heatWh - state.defrostWh, elec: state.elecWh };
        if (t === DAY_START) atStart.set(site, energy);
        if (t === DAY_END) atEnd.set(site, energy);
        values.set(site, metricValues(state, options));
      }
      for (const device of devices) {
        const e = poll(device, values.get(device.site) ?? {}, t);
        pending.push(
          nats.js.publish(subjects.reading(e.data.site, e.data.device), encodeEvent(e), { msgID: e.id }),
        );
      }
      if (pending.length >= 400) {
        await Promise.all(pending);
        pending = [];
      }
    }
    await Promise.all(pending);
    const truthOf = (site: string): number => {
      const start = atStart.get(site);
      const end = atEnd.get(site);
      assert.ok(start && end, site);
      return (end.heat - start.heat) / (end.elec - start.elec);
    };
    // The sites differ, so their COPs do too (a copy of one house would give the same figure).
    const truths = sites.map(truthOf);
    assert.equal(
      new Set(truths.map((c) => c.toFixed(2))).size,
      sites.length,
      `model COPs ${truths.join(', ')}`,
    );

    await eventually('cop took every reading', () => consumerIdle(nats.jsm, 'READINGS', 'cop-readings'));
    const rows = await eventually('a day row per demo site', async () => {
      const consumer = await nats.js.consumers.get('DERIVED');
      const out: CopV2Data[] = [];
      for (;;) {
        const msg = await consumer.next({ expires: 1_000 });
        if (!msg) break;
        const data = (events.decode(msg.data) as { data: CopV2Data }).data;
        if (
          data.period === 'day' &&
          data.category === 'combined' &&
          data.periodStart === new Date(DAY_START).toISOString()
        )
          out.push(data);
      }
      return out.length === sources.length ? out : undefined;
    });
    for (const source of sources) {
      const row = rows.find((r) => r.site === source.site && r.device === source.device);
      assert.ok(row?.cop, `no COP for ${source.site}/${source.device}`);
      const truth = truthOf(source.site);
      const error = Math.abs(row.cop - truth) / truth;
      assert.ok(
        error < 0.02,
        `${source.site}/${source.device}: COP ${row.cop} against the model's ${truth.toFixed(3)} (${(error * 100).toFixed(2)} % off)`,
      );
      assert.ok(row.coverage > 0.99, `${source.site}/${source.device}: coverage ${row.coverage}`);
    }
  } finally {
    await cop.stop();
  }
});
