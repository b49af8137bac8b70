// The installer's fleet table in one answer: one row per site with its status, heat source (make and
// model from its device definition), live heat and electricity, COP of the newest day, of the chosen
// rolling period and SCOP (365 d) with coverage, metering boundary and active alerts. Four queries
// for the whole fleet (devices, latest readings, newest COP figures, active alerts), never one per
// site: 500 sites answer as fast as two.
import { AlertSeverity, CopPeriod, DeviceState } from '@heatstream/contracts';
import {
  FleetStatus,
  type Alert,
  type CopRow,
  type Device,
  type Fleet,
  type FleetCop,
  type FleetSite,
  type MetricValues,
} from '@heatstream/contracts/api';
import { findDefinition } from '@heatstream/devices';

/** A site whose newest reading is older than this is offline (the demo polls every 5 s, real units every 30–60 s). */
export const FLEET_OFFLINE_MS = 15 * 60_000;

export type FleetPeriod = Fleet['period'];

export interface FleetInputs {
  devices: readonly Device[];
  latest: ReadonlyMap<string, MetricValues>;
  cop: readonly (CopRow & { device: string; period: string })[];
  alerts: readonly Alert[];
}

/** What the fleet table needs from the read side. */
export interface FleetSource {
  devices(): Promise<Device[]>;
  latestAll(): Promise<Map<string, MetricValues>>;
  copNewest(periods: readonly CopPeriod[]): Promise<(CopRow & { device: string; period: string })[]>;
  alerts(options: { hours: number; limit: number; activeOnly: boolean }): Promise<Alert[]>;
}

export async function readFleet(source: FleetSource, period: FleetPeriod, nowMs: number): Promise<Fleet> {
  const [devices, latest, cop, alerts] = await Promise.all([
    source.devices(),
    source.latestAll(),
    source.copNewest([...new Set([CopPeriod.day, period, CopPeriod.days365])]),
    source.alerts({ hours: 720, limit: 10_000, activeOnly: true }),
  ]);
  return fleetOf({ devices, latest, cop, alerts }, period, nowMs);
}

const figure = (row: CopRow | undefined): FleetCop | null =>
  row === undefined
    ? null
    : {
        cop: row.cop,
        coverage: row.coverage,
        partial: row.partial,
        partialReason: row.partialReason,
        periodStart: row.periodStart,
        periodEnd: row.periodEnd,
      };

export function fleetOf(inputs: FleetInputs, period: FleetPeriod, nowMs: number): Fleet {
  const copOf = Map.groupBy(inputs.cop, (row) => row.device);
  const alertsOf = Map.groupBy(inputs.alerts, (a) => a.site);
  const sites: FleetSite[] = [];
  for (const [site, devices] of Map.groupBy(inputs.devices, (d) => d.site)) {
    // The heat source is the device with COP figures; before its first day, the one reporting heat.
    // The heat source: the device cop derives for, else one that reports heat, else — before the
    // first COP day, for a heat pump that reports no heat power — one that reports heat-pump
    // temperatures or a compressor (not a meter), so its make and model show from the first minute.
    const source =
      devices.find((d) => copOf.has(d.device)) ??
      devices.find((d) => inputs.latest.get(d.device)?.heat_power !== undefined) ??
      devices.find((d) => {
        const v = inputs.latest.get(d.device);
        return v?.compressor_on !== undefined || v?.flow_temp !== undefined;
      });
    const values = source ? (inputs.latest.get(source.device) ?? {}) : {};
    // A meter on the supply (a device reporting electricity but no heat) is what the COP counts.
    const meter = devices.find((d) => {
      const v = inputs.latest.get(d.device);
      return d !== source && v?.elec_power !== undefined && v.heat_power === undefined;
    });
    const rows = source ? (copOf.get(source.device) ?? []) : [];
    const of = (p: string): CopRow | undefined => rows.find((row) => row.period === p);
    const definition = source ? findDefinition(source.model) : undefined;
    const lastSeen = devices
      .map((d) => d.lastReading)
      .reduce<string | null>((a, b) => (b && (!a || b > a) ? b : a), null);
    const active = alertsOf.get(site) ?? [];
    sites.push({
      site,
      status: statusOf(devices, lastSeen, nowMs),
      lastSeen,
      devices: devices.length,
      heatSource: source?.device ?? null,
      make: definition?.vendor ?? null,
      model: definition?.model ?? (source?.model || null),
      heatW: values.heat_power ?? null,
      elecW: (meter && inputs.latest.get(meter.device)?.elec_power) ?? values.elec_power ?? null,
      copDay: figure(of(CopPeriod.day)),
      copPeriod: figure(of(period)),
      scop: figure(of(CopPeriod.days365)),
      boundary: rows.find((row) => row.boundary !== null)?.boundary ?? null,
      alerts: {
        active: active.length,
        critical: active.filter((a) => a.severity === AlertSeverity.critical).length,
        warning: active.filter((a) => a.severity === AlertSeverity.warning).length,
      },
    });
  }
  sites.sort((a, b) => a.site.localeCompare(b.site));
  return { period, asOf: new Date(nowMs).toISOString(), sites };
}

function statusOf(devices: readonly Device[], lastSeen: string | null, nowMs: number): FleetSite['status'] {
  if (lastSeen !== null && nowMs - Date.parse(lastSeen) > FLEET_OFFLINE_MS) return FleetStatus.offline;
  if (lastSeen === null && devices.every((d) => d.state === null)) return FleetStatus.unknown;
  if (devices.some((d) => d.state !== null && d.state !== DeviceState.online)) return FleetStatus.fault;
  return FleetStatus.ok;
}
