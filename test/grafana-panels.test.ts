// Issue 17, Grafana: every query of every committed dashboard (deploy/grafana/dashboards/*.json)
// runs against a real QuestDB over its PostgreSQL wire — the path Grafana's datasource takes — on
// three days of the simulators' house model stored through the project's writer, and answers rows
// with the columns its panel draws: a `time` timestamp and numeric values for time series, each
// column holding at least one value. A misspelt column fails (QuestDB: "Invalid column").
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import pg from 'pg';
import { parse } from 'yaml';
import { sql } from '@heatstream/questdb';
import type { Envelope } from '@heatstream/contracts';
import {
  alertEvent,
  copV2Event,
  eventually,
  questDbFixture,
  readingEvent,
  repoRoot,
  statusEvent,
  type QuestDbFixture,
} from '@heatstream/testkit';
import { simulatorConfig } from '../services/simulators/src/config.ts';
import { HeatPumpHouse } from '../services/simulators/src/model/house.ts';
import { metricValues } from '../services/simulators/src/model/metrics.ts';
import { siteHouse } from '../services/simulators/src/sites.ts';
import { seed } from '../services/gateway/test/fixtures.ts';
import { expand, rangeOf } from './grafana-macros.ts';

const DAY = 86_400_000;
const STEP = 5 * 60_000;
const now = new Date();
const dashboardsDir = `${repoRoot}/deploy/grafana/dashboards`;
// The columns an energy meter (a Pro 3EM, a WAGO 879) reports; the heat pump reports the rest.
const meterMetrics = [
  'elec_power',
  'elec_energy',
  'elec_power_l1',
  'elec_power_l2',
  'elec_power_l3',
  'voltage_l1',
  'voltage_l2',
  'voltage_l3',
  'current_l1',
  'current_l2',
  'current_l3',
  'power_factor',
  'frequency',
] as const;

let questdb: QuestDbFixture | undefined;
let client: pg.Client | undefined;

/** Three days of each site's heat pump and meter from the simulators' house model, every 5 min. */
function modelReadings(site: string, changes: object): Envelope[] {
  const model = Value.Default(simulatorConfig.model, {}) as Parameters<typeof siteHouse>[0];
  const options = siteHouse(model, changes);
  const start = now.getTime() - 3 * DAY;
  const house = new HeatPumpHouse(start, options);
  const out: Envelope[] = [];
  for (let t = start + STEP; t <= now.getTime() - 60_000; t += STEP) {
    const values = metricValues(house.advanceTo(t), options);
    const meter = Object.fromEntries(meterMetrics.map((m) => [m, values[m]]));
    out.push(
      readingEvent(
        { site, device: 'hp1', model: 'sim-heat-pump', metrics: values },
        { time: new Date(t).toISOString() },
      ),
    );
    out.push(
      readingEvent(
        { site, device: 'em1', model: 'sim-meter', metrics: meter },
        { time: new Date(t).toISOString() },
      ),
    );
  }
  return out;
}

function copEvents(site: string): Envelope[] {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const out: Envelope[] = [];
  for (let day = 1; day <= 3; day++)
    for (const [category, heatKwh] of [
      ['combined', 40],
      ['space_heating', 32],
      ['hot_water', 8],
    ] as const) {
      const start = today - day * DAY;
      out.push(
        copV2Event(
          {
            site,
            device: 'hp1',
            category,
            heatKwh,
            elecKwh: heatKwh / 3.5,
            periodStart: new Date(start).toISOString(),
            periodEnd: new Date(start + DAY).toISOString(),
          },
          { time: new Date(start + DAY + 600_000).toISOString() },
        ),
      );
    }
  out.push(
    copV2Event(
      {
        site,
        device: 'hp1',
        period: '365d',
        periodStart: new Date(today - 365 * DAY).toISOString(),
        periodEnd: new Date(today).toISOString(),
        heatKwh: 120,
        elecKwh: 35,
        coverage: 3 / 365,
        dataDays: 3,
        partial: true,
        partialReason: '3 of 365 days with data',
      },
      { time: new Date(today + 600_000).toISOString() },
    ),
  );
  return out;
}

before(async () => {
  const db = await questDbFixture();
  questdb = db;
  const iso = (ago: number) => new Date(now.getTime() - ago).toISOString();
  const events: Envelope[] = [
    ...modelReadings('home', {}),
    ...modelReadings('cabin', { heatLossWPerK: 260, outsideOffsetC: -5 }),
    ...copEvents('home'),
    ...copEvents('cabin'),
    ...['home', 'cabin'].flatMap((site) =>
      ['hp1', 'em1'].map((device) => statusEvent({ site, device, state: 'online' }, { time: iso(2 * DAY) })),
    ),
    alertEvent(
      { site: 'cabin', device: 'hp1', alertId: 'a1', message: 'flow too hot' },
      { time: iso(3_600_000) },
    ),
  ];
  await seed(db.conn, events);
  // The roll-ups refresh on a 1-minute timer; a full refresh builds them from the rows now.
  for (const view of ['readings_1h', 'readings_1d']) {
    await sql(db.conn, `REFRESH MATERIALIZED VIEW ${view} FULL`);
    await eventually(`${view} to hold the seeded days`, async () => {
      const [row] = await sql(db.conn, `SELECT count() FROM ${view}`);
      return Number(row?.[0]) >= (view === 'readings_1d' ? 8 : 4 * 70);
    });
  }
  // As Grafana's datasource does: QuestDB's read-only PostgreSQL user.
  assert.ok(db.server.pgReadOnlyUrl, 'QuestDB has a read-only PG user (QUESTDB_PG_READONLY_URL)');
  client = new pg.Client({ connectionString: db.server.pgReadOnlyUrl });
  await client.connect();
});

after(async () => {
  await client?.end();
  await questdb?.[Symbol.asyncDispose]();
});

interface Target {
  refId: string;
  rawSql: string;
  format: 'time_series' | 'table';
  datasource: { type: string; uid: string };
}
interface Panel {
  type: string;
  title: string;
  timeFrom?: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  title: string;
  time: { from: string };
  templating?: { list: { name: string; query: string; datasource: { type: string; uid: string } }[] };
  panels: Panel[];
}

const dashboards = readdirSync(dashboardsDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => [f, JSON.parse(readFileSync(`${dashboardsDir}/${f}`, 'utf8')) as Dashboard] as const);

// PostgreSQL type OIDs QuestDB answers with: int2/4/8, float4/8, numeric; timestamp (without zone).
const NUMERIC = new Set([20, 21, 23, 700, 701, 1700]);
const TIMESTAMP = 1114;

async function run(text: string): Promise<pg.QueryResult> {
  if (!client) throw new Error('no QuestDB client: the set-up failed');
  try {
    return await client.query(text);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n  query: ${text}`, { cause: error });
  }
}

/** The variables in dashboard order, each set to its first answer (site → home first). */
async function variablesOf(d: Dashboard): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const v of d.templating?.list ?? []) {
    const result = await run(expand(v.query, rangeOf(now, undefined, d.time.from), values));
    const first = result.rows[0] as Record<string, unknown> | undefined;
    assert.ok(first, `${d.title}: variable $${v.name} has options`);
    values[v.name] = String(Object.values(first)[0]);
  }
  return values;
}

function checkColumns(panel: string, target: Target, result: pg.QueryResult): void {
  assert.ok(result.rows.length >= 1, `${panel}: at least one row`);
  const names = result.fields.map((f) => f.name);
  const values = result.fields.filter((f) => f.name !== 'time' && f.name !== 'metric');
  if (target.format === 'time_series') {
    const time = result.fields.find((f) => f.name === 'time');
    assert.ok(time, `${panel}: a time series needs a column named time, got ${names.join(', ')}`);
    assert.equal(time.dataTypeID, TIMESTAMP, `${panel}: time is a timestamp`);
    assert.ok(values.length >= 1, `${panel}: at least one value column`);
    for (const f of values)
      assert.ok(NUMERIC.has(f.dataTypeID), `${panel}: ${f.name} is numeric (type ${f.dataTypeID})`);
  }
  // A column that is NULL in every row is a panel drawing nothing: a metric this device lacks.
  for (const f of result.fields)
    assert.ok(
      result.rows.some((r: Record<string, unknown>) => r[f.name] !== null),
      `${panel}: column ${f.name} holds values`,
    );
}

const panelsOf = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...panelsOf(p.panels ?? [])]);

test('four dashboards are committed: heat pump, energy meter, COP, fleet', () => {
  assert.deepEqual(
    dashboards.map(([f]) => f),
    ['cop.json', 'energy-meter.json', 'fleet.json', 'heat-pump.json'],
  );
});

for (const [file, d] of dashboards) {
  test(`${file}: every panel's query answers rows with the columns the panel uses`, async () => {
    const variables = await variablesOf(d);
    const panels = panelsOf(d.panels).filter((p) => (p.targets ?? []).length > 0);
    assert.ok(panels.length >= 3, `${file} has panels with queries`);
    for (const panel of panels)
      for (const target of panel.targets ?? []) {
        assert.equal(target.datasource.type, 'grafana-postgresql-datasource');
        const range = rangeOf(now, panel.timeFrom, d.time.from);
        const result = await run(expand(target.rawSql, range, variables));
        checkColumns(`${file} › ${panel.title}`, target, result);
      }
  });
}

test('the check fails on a misspelt column: QuestDB refuses it over the PG wire', async () => {
  const [, heatPump] = dashboards.find(([f]) => f === 'heat-pump.json') ?? assert.fail('heat-pump.json');
  const variables = await variablesOf(heatPump);
  const target = panelsOf(heatPump.panels)[0]?.targets?.[0];
  assert.ok(target);
  assert.ok(target.rawSql.includes('flow_temp'));
  const wrong = target.rawSql.replaceAll('flow_temp', 'flow_temperature');
  await assert.rejects(
    run(expand(wrong, rangeOf(now, undefined, heatPump.time.from), variables)),
    /Invalid column: flow_temperature/i,
  );
});

test('the provisioned datasource is the one every query names, as the read-only user compose gives Grafana', () => {
  const file = (path: string): unknown => parse(readFileSync(`${repoRoot}/${path}`, 'utf8'));
  const { datasources } = file('deploy/grafana/provisioning/datasources/questdb.yaml') as {
    datasources: {
      uid: string;
      type: string;
      url: string;
      user: string;
      jsonData: { database: string; sslmode: string };
      secureJsonData: { password: string };
    }[];
  };
  assert.equal(datasources.length, 1);
  const [ds] = datasources;
  assert.ok(ds);
  assert.deepEqual(
    [ds.type, ds.url, ds.jsonData.database, ds.jsonData.sslmode, ds.user, ds.secureJsonData.password],
    [
      'grafana-postgresql-datasource',
      'questdb:8812',
      'qdb',
      'disable',
      '$__env{QUESTDB_READONLY_USER}',
      '$__env{QUESTDB_READONLY_PASSWORD}',
    ],
  );
  for (const [f, d] of dashboards) {
    const refs = [
      ...(d.templating?.list ?? []).map((v) => v.datasource),
      ...panelsOf(d.panels).flatMap((p) => (p.targets ?? []).map((t) => t.datasource)),
    ];
    for (const ref of refs)
      assert.deepEqual(ref, { type: ds.type, uid: ds.uid }, `${f} queries the provisioned datasource`);
  }
  const { providers } = file('deploy/grafana/provisioning/dashboards/heatstream.yaml') as {
    providers: { options: { path: string } }[];
  };
  const compose = readFileSync(`${repoRoot}/docker-compose.yml`, 'utf8');
  assert.ok(
    compose.includes(`./deploy/grafana/dashboards:${providers[0]?.options.path ?? '?'}:ro`),
    'compose mounts the dashboards where the provider reads them',
  );
});

test("Grafana's read-only user may query but not change the tables", async () => {
  assert.ok((await run('SELECT count() FROM readings')).rows.length === 1);
  await assert.rejects(
    run("INSERT INTO alerts (ts, site) VALUES (now(), 'x')"),
    /permission denied|read.only/i,
  );
  await assert.rejects(run('DROP TABLE readings'), /permission denied|read.only/i);
});

test('a panel on a metric the device lacks is caught: a NULL-only column fails the check', async () => {
  // em1 (the meter) has no flow temperature: the heat pump's query on it answers NULLs only.
  const [, heatPump] = dashboards.find(([f]) => f === 'heat-pump.json') ?? assert.fail('heat-pump.json');
  const target = panelsOf(heatPump.panels)[0]?.targets?.[0];
  assert.ok(target);
  const result = await run(
    expand(target.rawSql, rangeOf(now, undefined, heatPump.time.from), { site: 'home', device: 'em1' }),
  );
  assert.throws(() => {
    checkColumns('heat pump on em1', target, result);
  }, /column flow_temp holds values/);
});
