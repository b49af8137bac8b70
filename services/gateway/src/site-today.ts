// A site's day so far, for the owner's site view: heat and electricity in kWh, compressor starts,
// and each operating state with the time it last changed. Three queries over ingest's readings
// table: minute averages (energy from power or flow × ΔT), counter rises, and the state columns.
import type { MetricName } from '@heatstream/contracts';
import { EnergyFrom, type DeviceToday, type SiteToday, type StateNow } from '@heatstream/contracts/api';
import { readings, sqlRows, sqlString, type QuestDbConnection } from '@heatstream/questdb';

const r = readings.column;
const at = (ms: number): string => sqlString(new Date(ms).toISOString());

/** The states the site view shows, in its order. */
export const SITE_STATES = [
  'compressor_on',
  'defrost',
  'dhw_mode',
  'pump_on',
  'backup_heater_on',
] as const satisfies readonly MetricName[];

/** Water: 4.186 kJ/(kg·K) at 1 kg/l (the cop service's default for flow × ΔT). */
const WATER_KJ_PER_L_K = 4.186;
const HOUR_MS = 3_600_000;
/** Minute averages integrate to kWh: W × (1/60) h / 1000. */
const MINUTE_KWH_PER_W = 1 / 60 / 1000;

type Minute = { device: string } & Partial<Record<MetricName, number | null>>;
type Counters = { device: string } & Record<'elec_min' | 'elec_max' | 'heat_min' | 'heat_max', number | null>;
type StateRow = { ts: string; device: string } & Partial<Record<MetricName, number | null>>;

interface Energy {
  kwh: number;
  from: (typeof EnergyFrom)[keyof typeof EnergyFrom];
}

export async function siteToday(
  conn: QuestDbConnection,
  timeoutMs: number,
  site: string,
  from: number,
  to: number,
): Promise<SiteToday> {
  // States are looked at over at least the last 24 h, so "since" reaches back before midnight.
  const statesFrom = Math.min(from, to - 24 * HOUR_MS);
  const where = (start: number): string =>
    `WHERE ${r.site} = ${sqlString(site)} AND ${r.ts} >= ${at(start)} AND ${r.ts} < ${at(to)}`;
  const gauges = ['elec_power', 'heat_power', 'flow_rate', 'flow_temp', 'return_temp'] as const;
  const [minutes, counters, states] = await Promise.all([
    sqlRows<Minute>(
      conn,
      `SELECT ${r.ts}, ${r.device}, ${gauges.map((m) => `avg(${r[m]}) ${m}`).join(', ')} FROM ${readings.name} ${where(from)} SAMPLE BY 1m ALIGN TO CALENDAR`,
      timeoutMs,
    ),
    sqlRows<Counters>(
      conn,
      `SELECT ${r.device}, min(${r.elec_energy}) elec_min, max(${r.elec_energy}) elec_max, min(${r.heat_energy}) heat_min, max(${r.heat_energy}) heat_max FROM ${readings.name} ${where(from)}`,
      timeoutMs,
    ),
    sqlRows<StateRow>(
      conn,
      `SELECT ${r.ts}, ${r.device}, ${SITE_STATES.map((m) => r[m]).join(', ')} FROM ${readings.name} ${where(statesFrom)} AND (${SITE_STATES.map((m) => `${r[m]} IS NOT NULL`).join(' OR ')})`,
      timeoutMs,
    ),
  ]);

  const devices = new Set([...minutes, ...counters, ...states].map((row) => row.device));
  const perDevice: DeviceToday[] = [...devices].sort().map((device) => {
    const own = minutes.filter((m) => m.device === device);
    const counter = counters.find((c) => c.device === device);
    const heat =
      integrate(own, (m) => m.heat_power) ?? flowDt(own) ?? rise(counter?.heat_min, counter?.heat_max);
    const elec = integrate(own, (m) => m.elec_power) ?? rise(counter?.elec_min, counter?.elec_max);
    const { starts, now } = stateChanges(
      states.filter((s) => s.device === device),
      from,
    );
    return {
      device,
      heatKwh: heat?.kwh ?? null,
      heatFrom: heat?.from ?? null,
      elecKwh: elec?.kwh ?? null,
      elecFrom: elec?.from ?? null,
      starts,
      states: now,
    };
  });
  const sum = (list: readonly (number | null)[]): number | null =>
    list.some((v) => v !== null) ? list.reduce<number>((s, v) => s + (v ?? 0), 0) : null;
  // A meter on the heat pump's supply and the heat pump's own counter measure the same energy:
  // count the meters when there are any (they are the finer measure), the counters otherwise.
  const metered = perDevice.filter((d) => d.elecFrom === EnergyFrom.power);
  const starts = sum(perDevice.map((d) => d.starts));
  const hours = (to - from) / HOUR_MS;
  return {
    site,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    statesFrom: new Date(statesFrom).toISOString(),
    heatKwh: sum(perDevice.map((d) => d.heatKwh)),
    elecKwh: sum((metered.length > 0 ? metered : perDevice).map((d) => d.elecKwh)),
    starts,
    startsPerHour: starts === null || hours <= 0 ? null : starts / hours,
    devices: perDevice,
  };
}

function integrate(
  rows: readonly Minute[],
  watts: (m: Minute) => number | null | undefined,
): Energy | undefined {
  let seen = false;
  let kwh = 0;
  for (const row of rows) {
    const w = watts(row);
    if (typeof w !== 'number') continue;
    seen = true;
    kwh += w * MINUTE_KWH_PER_W;
  }
  return seen ? { kwh, from: EnergyFrom.power } : undefined;
}

/** Heat from flow rate (l/min) × ΔT: kW = l/min / 60 × 4.186 × ΔT; a defrost's negative ΔT stays in. */
function flowDt(rows: readonly Minute[]): Energy | undefined {
  const heat = integrate(rows, (m) =>
    typeof m.flow_rate === 'number' && typeof m.flow_temp === 'number' && typeof m.return_temp === 'number'
      ? (m.flow_rate / 60) * WATER_KJ_PER_L_K * (m.flow_temp - m.return_temp) * 1000
      : undefined,
  );
  return heat && { kwh: heat.kwh, from: EnergyFrom.flowDt };
}

/** A counter's rise in Wh as kWh (counters never go back: acquisition's monotonic guard). */
function rise(min: number | null | undefined, max: number | null | undefined): Energy | undefined {
  if (typeof min !== 'number' || typeof max !== 'number') return undefined;
  return { kwh: (max - min) / 1000, from: EnergyFrom.counter };
}

/** Starts since `from` (compressor off → on) and each state's value now with its last change. */
function stateChanges(rows: readonly StateRow[], from: number): { starts: number | null; now: StateNow[] } {
  let starts: number | null = null;
  const now: StateNow[] = [];
  for (const metric of SITE_STATES) {
    let value: number | undefined;
    let since: string | null = null;
    let seenSince: string | undefined;
    for (const row of rows) {
      const v = row[metric];
      if (typeof v !== 'number') continue;
      seenSince ??= row.ts;
      if (value !== undefined && v !== value) {
        since = row.ts;
        if (metric === 'compressor_on' && v === 1 && Date.parse(row.ts) >= from) starts = (starts ?? 0) + 1;
      }
      if (metric === 'compressor_on') starts ??= 0;
      value = v;
    }
    if (value !== undefined && seenSince !== undefined) now.push({ metric, value, since, seenSince });
  }
  return { starts, now };
}
