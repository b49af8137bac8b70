// The features response of a simulated Vitocal, shaped as the real /iot/v2 API answers it
// (../shared/reference/protocols.md §1.5, PyViCare's Vitocal250A fixture): one entry per feature
// with `properties` of `{type, value, unit}`, renamed features present under both names with the
// old one marked `deprecated`, energy summaries in kWh.
import { Mode, type HouseState } from '../model/house.ts';

export interface VitocalIdentity {
  installationId: number;
  gatewaySerial: string;
  deviceId: string;
}

interface Property {
  type: 'number' | 'string' | 'boolean' | 'array';
  value: number | string | boolean | number[];
  unit?: string;
}

export interface Feature {
  feature: string;
  apiVersion: 1;
  gatewayId: string;
  deviceId: string;
  isEnabled: boolean;
  isReady: boolean;
  timestamp: string;
  uri: string;
  properties: Record<string, Property>;
  commands: Record<string, never>;
  deprecated?: { info: string; removalDate: string };
}

/** The kWh a summary shows; a frozen one keeps what it showed when it froze. */
export interface Summaries {
  elecKwhHeating: number;
  elecKwhDhw: number;
  heatKwhHeating: number;
  heatKwhDhw: number;
}

const num = (value: number, unit: string): Property => ({ type: 'number', value, unit });
const str = (value: string): Property => ({ type: 'string', value });
const bool = (value: boolean): Property => ({ type: 'boolean', value });
const round1 = (v: number): number => Math.round(v * 10) / 10;

// Removal dates as the API states them for the renamed features (PyViCare deprecated_features.json).
const DHW_REMOVAL = '2026-06-30';
const SCOP_REMOVAL = '2026-09-30';

// What the year had counted before the model started: PyViCare's Vitocal250A fixture (kWh), so
// the summaries look like a unit in its first winter rather than one switched on a second ago.
const YEAR_BEFORE = { elecHeating: 2565.7, elecDhw: 875.1, heatHeating: 10024.2, heatDhw: 3382.9 };

export function summariesOf(s: Readonly<HouseState>): Summaries {
  return {
    elecKwhHeating: round1(YEAR_BEFORE.elecHeating + s.elecWhHeating / 1000),
    elecKwhDhw: round1(YEAR_BEFORE.elecDhw + s.elecWhDhw / 1000),
    heatKwhHeating: round1(YEAR_BEFORE.heatHeating + s.heatWhHeating / 1000),
    heatKwhDhw: round1(YEAR_BEFORE.heatDhw + s.heatWhDhw / 1000),
  };
}

/** Every feature of one poll, from the model's state now and the summaries to show. */
export function vitocalFeatures(
  id: VitocalIdentity,
  s: Readonly<HouseState>,
  summaries: Summaries,
  baseUrl: string,
): Feature[] {
  const timestamp = new Date(s.timeMs).toISOString();
  const running = s.mode !== Mode.off;
  const spf = s.elecWh > 0 ? round1(s.heatWh / s.elecWh) : 0;
  const f = (feature: string, properties: Record<string, Property>, deprecated?: string): Feature => ({
    feature,
    apiVersion: 1,
    gatewayId: id.gatewaySerial,
    deviceId: id.deviceId,
    isEnabled: true,
    isReady: true,
    timestamp,
    uri: `${baseUrl}/iot/v2/features/installations/${id.installationId}/gateways/${id.gatewaySerial}/devices/${id.deviceId}/features/${feature}`,
    properties,
    commands: {},
    ...(deprecated === undefined
      ? {}
      : {
          deprecated: {
            info: `replaced by ${feature.replace('hotWaterStorage', 'dhwCylinder').replace('scop', 'spf')}`,
            removalDate: deprecated,
          },
        }),
  });
  const summary = (current: number): Record<string, Property> => ({
    currentDay: num(round1(current % 20), 'kilowattHour'),
    currentMonth: num(round1(current % 400), 'kilowattHour'),
    currentYear: num(current, 'kilowattHour'),
    lastMonth: num(0, 'kilowattHour'),
    lastSevenDays: num(round1(current % 100), 'kilowattHour'),
    lastYear: num(0, 'kilowattHour'),
  });
  const dhwMode = s.mode === Mode.dhw;
  return [
    f('heating.sensors.temperature.outside', {
      value: num(round1(s.outsideC), 'celsius'),
      status: str('connected'),
    }),
    f('heating.secondaryCircuit.sensors.temperature.supply', {
      value: num(round1(s.flowC), 'celsius'),
      status: str('connected'),
    }),
    f('heating.sensors.temperature.return', {
      value: num(round1(s.returnC), 'celsius'),
      status: str('connected'),
    }),
    f('heating.dhw.sensors.temperature.dhwCylinder', {
      value: num(round1(s.dhwC), 'celsius'),
      status: str('connected'),
    }),
    f(
      'heating.dhw.sensors.temperature.hotWaterStorage',
      { value: num(round1(s.dhwC), 'celsius'), status: str('connected') },
      DHW_REMOVAL,
    ),
    f('heating.compressors', { enabled: { type: 'array', value: [0] } }),
    f('heating.compressors.0', { active: bool(running), phase: str(running ? 'heating' : 'ready') }),
    f('heating.compressors.0.speed.current', {
      value: num(round1(s.compressorHz), 'revolutionsPerSecond'),
    }),
    // Current power and heat output: E3 units such as the Vitocal 250-A (protocols.md §1.5).
    f('heating.compressors.0.power.consumption.current', { value: num(round1(s.elecW / 1000), 'kilowatt') }),
    f('heating.compressors.0.heat.production.current', { value: num(Math.round(s.heatW), 'watt') }),
    f('heating.compressors.0.statistics', {
      hours: num(round1(s.compressorHours), 'hour'),
      starts: num(s.compressorStarts, ''),
    }),
    f('heating.heatingRod', { active: bool(false) }),
    f('heating.circuits.0.circulation.pump', { status: str(running ? 'on' : 'off') }),
    f('heating.circuits.0.operating.modes.active', { value: str('dhwAndHeating') }),
    f('heating.dhw.operating.modes.active', { value: str(dhwMode ? 'comfort' : 'efficient') }),
    f('heating.power.consumption.summary.heating', summary(summaries.elecKwhHeating)),
    f('heating.power.consumption.summary.dhw', summary(summaries.elecKwhDhw)),
    f('heating.heat.production.summary.heating', summary(summaries.heatKwhHeating)),
    f('heating.heat.production.summary.dhw', summary(summaries.heatKwhDhw)),
    f('heating.spf.total', { value: num(spf, '') }),
    f('heating.scop.total', { value: num(spf, '') }, SCOP_REMOVAL),
  ];
}
