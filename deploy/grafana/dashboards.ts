// The Grafana dashboards, built with the foundation SDK. Queries read the tables ingest declares
// (packages/questdb/src/tables.ts, schema.ts) through Grafana's PostgreSQL datasource. QuestDB
// speaks a subset of PostgreSQL: the queries use only what its PG wire answers — $__timeFilter
// (a BETWEEN of two timestamps), SAMPLE BY instead of $__timeGroup (whose epoch arithmetic QuestDB
// does not group by), LATEST ON for "the newest row per device". Ranges past the raw rows'
// 30-day retention read the roll-ups readings_1h (gauges: _avg/_min/_max, counters: _last) and
// readings_1d.
//
// The SDK marks the classic dashboard model deprecated in favour of dashboardv2, but Grafana
// provisions v2 dashboards from files only behind feature flags; the classic JSON is what every
// Grafana release loads, so that is what is generated.
/* eslint-disable @typescript-eslint/no-deprecated */
import {
  DashboardBuilder,
  QueryVariableBuilder,
  RowBuilder,
  VariableRefresh,
} from '@grafana/grafana-foundation-sdk/dashboard';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarChart } from '@grafana/grafana-foundation-sdk/barchart';
import { PanelBuilder as Stat } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as Table } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { SqlQuery, q, questdb } from './query.ts';

const siteVar = new QueryVariableBuilder('site')
  .label('Site')
  .datasource(questdb)
  .query('SELECT DISTINCT site FROM device_status ORDER BY site')
  .refresh(VariableRefresh.OnDashboardLoad);

const deviceVar = (where: string): QueryVariableBuilder =>
  new QueryVariableBuilder('device')
    .label('Device')
    .datasource(questdb)
    .query(q(`SELECT DISTINCT device FROM readings WHERE site = '$site' AND ${where} ORDER BY device`))
    .refresh(VariableRefresh.OnDashboardLoad);

const device = `site = '$site' AND device = '$device'`;

/** avg of each gauge per 5 minutes over the dashboard's range of raw rows. */
const sampled = (columns: string[]): string =>
  q(`SELECT ts AS time, ${columns.map((c) => `avg(${c}) AS ${c}`).join(', ')}
     FROM readings WHERE ${device} AND $__timeFilter(ts) SAMPLE BY 5m`);

const base = (uid: string, title: string): DashboardBuilder =>
  new DashboardBuilder(title)
    .uid(uid)
    .tags(['heatstream'])
    .editable()
    .time({ from: 'now-24h', to: 'now' })
    .refresh('1m')
    .timezone('browser');

function heatPump(): dashboard.Dashboard {
  return base('heatstream-heat-pump', 'heatstream · Heat pump')
    .withVariable(siteVar)
    .withVariable(deviceVar('flow_temp IS NOT NULL'))
    .withPanel(
      new TimeSeries()
        .title('Temperatures')
        .unit('celsius')
        .span(24)
        .height(9)
        .withTarget(new SqlQuery(sampled(['flow_temp', 'return_temp', 'outside_temp', 'dhw_temp']))),
    )
    .withPanel(
      new TimeSeries()
        .title('Compressor')
        .unit('hertz')
        .span(12)
        .height(8)
        .withTarget(
          new SqlQuery(
            q(`SELECT ts AS time, avg(compressor_freq) AS compressor_freq, max(compressor_on) AS compressor_on
               FROM readings WHERE ${device} AND $__timeFilter(ts) SAMPLE BY 5m`),
          ),
        ),
    )
    .withPanel(
      new TimeSeries()
        .title('Power in / out')
        .unit('watt')
        .span(12)
        .height(8)
        .withTarget(new SqlQuery(sampled(['elec_power', 'heat_power']))),
    )
    .withPanel(
      new TimeSeries()
        .title('COP (heat out / electricity in, while running)')
        .unit('none')
        .decimals(2)
        .span(12)
        .height(8)
        .withTarget(
          new SqlQuery(
            q(`SELECT ts AS time, sum(heat_power) / sum(elec_power) AS cop
               FROM readings WHERE ${device} AND $__timeFilter(ts) AND compressor_on = 1 AND elec_power > 0
               SAMPLE BY 15m`),
          ),
        ),
    )
    .withPanel(
      new TimeSeries()
        .title('Flow and outside, last 30 days (hourly roll-up)')
        .unit('celsius')
        .span(12)
        .height(8)
        .timeFrom('30d')
        .withTarget(
          new SqlQuery(
            q(`SELECT ts AS time, flow_temp_avg, outside_temp_avg, flow_temp_max
               FROM readings_1h WHERE ${device} AND $__timeFilter(ts) ORDER BY ts`),
          ),
        ),
    )
    .build();
}

function energyMeter(): dashboard.Dashboard {
  return base('heatstream-energy-meter', 'heatstream · Energy meter')
    .withVariable(siteVar)
    .withVariable(deviceVar('elec_power_l1 IS NOT NULL'))
    .withPanel(
      new TimeSeries()
        .title('Power per phase')
        .unit('watt')
        .span(12)
        .height(8)
        .withTarget(new SqlQuery(sampled(['elec_power_l1', 'elec_power_l2', 'elec_power_l3']))),
    )
    .withPanel(
      new TimeSeries()
        .title('Voltage per phase')
        .unit('volt')
        .span(12)
        .height(8)
        .withTarget(new SqlQuery(sampled(['voltage_l1', 'voltage_l2', 'voltage_l3']))),
    )
    .withPanel(
      new TimeSeries()
        .title('Frequency')
        .unit('hertz')
        .span(12)
        .height(8)
        .withTarget(new SqlQuery(sampled(['frequency']))),
    )
    .withPanel(
      new TimeSeries()
        .title('Power factor')
        .unit('none')
        .decimals(2)
        .span(12)
        .height(8)
        .withTarget(new SqlQuery(sampled(['power_factor']))),
    )
    .withPanel(
      // The counter's last reading per day from the daily roll-up, less the day before's.
      new BarChart()
        .title('Daily energy (daily roll-up)')
        .unit('kwatth')
        .span(24)
        .height(8)
        .timeFrom('30d')
        .withTarget(
          new SqlQuery(
            q(`SELECT ts AS time, kwh FROM (
                 SELECT ts,
                   (elec_energy_last - lag(elec_energy_last) OVER (ORDER BY ts)) / 1000 AS kwh
                 FROM readings_1d WHERE ${device} AND ts >= dateadd('d', -1, $__timeFrom()) AND ts <= $__timeTo()
               ) WHERE kwh IS NOT NULL ORDER BY ts`),
          ),
        ),
    )
    .build();
}

function cop(): dashboard.Dashboard {
  return base('heatstream-cop', 'heatstream · COP')
    .time({ from: 'now-30d', to: 'now' })
    .refresh('15m')
    .withVariable(siteVar)
    .withVariable(deviceVar('heat_power IS NOT NULL'))
    .withPanel(
      // Long format (time, metric, value): Grafana makes one series per category.
      new BarChart()
        .title('Daily COP by category')
        .unit('none')
        .decimals(2)
        .span(24)
        .height(9)
        .withTarget(
          new SqlQuery(
            q(`SELECT ts AS time, category AS metric, cop FROM cop
               WHERE ${device} AND period = 'day' AND $__timeFilter(ts) ORDER BY ts`),
          ),
        ),
    )
    .withPanel(
      new Stat()
        .title('SCOP (365 days) and coverage')
        .span(12)
        .height(6)
        .withTarget(
          new SqlQuery(
            q(`SELECT cop AS scop, coverage * 100 AS coverage_percent, data_days FROM cop
               WHERE ${device} AND period = '365d' AND category = 'combined'
               LATEST ON ts PARTITION BY device`),
            'table',
          ),
        ),
    )
    .withPanel(
      new TimeSeries()
        .title('Daily heat and electricity')
        .unit('kwatth')
        .span(12)
        .height(6)
        .withTarget(
          new SqlQuery(
            q(`SELECT ts AS time, heat_kwh, elec_kwh FROM cop
               WHERE ${device} AND period = 'day' AND category = 'combined' AND $__timeFilter(ts) ORDER BY ts`),
          ),
        ),
    )
    .build();
}

function fleet(): dashboard.Dashboard {
  return base('heatstream-fleet', 'heatstream · Fleet')
    .withPanel(
      new Table()
        .title('Sites')
        .span(24)
        .height(10)
        .withTarget(
          new SqlQuery(
            q(`SELECT site, count() AS devices,
                 sum(CASE WHEN state = 'online' THEN 1 ELSE 0 END) AS online,
                 max(ts) AS last_status
               FROM (SELECT site, device, state, ts FROM device_status LATEST ON ts PARTITION BY site, device)
               GROUP BY site ORDER BY site`),
            'table',
          ),
        ),
    )
    .withRow(new RowBuilder('Latest readings per site'))
    .withPanel(
      new Table()
        .title('Now')
        .span(12)
        .height(8)
        .withTarget(
          new SqlQuery(
            q(`SELECT site, avg(outside_temp) AS outside_temp, avg(flow_temp) AS flow_temp,
                 sum(heat_power) AS heat_power, sum(elec_power) AS elec_power
               FROM (SELECT site, device, outside_temp, flow_temp, heat_power, elec_power FROM readings
                     WHERE flow_temp IS NOT NULL AND $__timeFilter(ts) LATEST ON ts PARTITION BY site, device)
               GROUP BY site ORDER BY site`),
            'table',
          ),
        ),
    )
    .withPanel(
      new Table()
        .title('Latest daily COP per device (last 7 days)')
        .span(12)
        .height(8)
        .timeFrom('7d')
        .withTarget(
          new SqlQuery(
            q(`SELECT site, device, cop, coverage, ts AS day FROM cop
               WHERE period = 'day' AND category = 'combined' AND $__timeFilter(ts)
               LATEST ON ts PARTITION BY site, device ORDER BY site, device`),
            'table',
          ),
        ),
    )
    .withPanel(
      new Table()
        .title('Alerts in range')
        .span(24)
        .height(8)
        .withTarget(
          new SqlQuery(
            q(`SELECT ts AS time, site, device, severity, state, message FROM alerts
               WHERE $__timeFilter(ts) ORDER BY ts DESC LIMIT 200`),
            'table',
          ),
        ),
    )
    .build();
}

/** File name under deploy/grafana/dashboards/ → dashboard. */
export function dashboards(): Record<string, dashboard.Dashboard> {
  return {
    'heat-pump.json': heatPump(),
    'energy-meter.json': energyMeter(),
    'cop.json': cop(),
    'fleet.json': fleet(),
  };
}
