// Event builders for tests: valid events of each type with plain defaults, so a test names only
// what it is about: readingEvent({ device: 'wpm1', metrics: { flow_temp: 41.5 } }, { time }).
import {
  makeEvent,
  newEventId,
  type DataOf,
  type EventOf,
  type EventTypeName,
  type MetricName,
} from '@heatstream/contracts';

export interface EnvelopeOptions {
  /** Measurement time (a Date, an ISO string or epoch ms); defaults to now. */
  time?: Date | string | number;
  source?: string;
}

function build<T extends EventTypeName>(
  type: T,
  data: DataOf<T> & { device: string },
  { time, source = 'test' }: EnvelopeOptions,
): EventOf<T> {
  const at = time === undefined ? new Date() : new Date(time);
  // A ULID cannot hold a time before 1970; such an envelope is valid all the same.
  const id = newEventId(Math.max(0, at.getTime()));
  return makeEvent(type, { source, subject: data.device, time: at, id, data });
}

type ReadingData = DataOf<'heatstream.reading.v1'>;

export function readingEvent(
  data: Partial<Omit<ReadingData, 'metrics'>> & { metrics?: Partial<Record<MetricName, number>> } = {},
  envelope: EnvelopeOptions = {},
): EventOf<'heatstream.reading.v1'> {
  const { site = 'home', device = 'hp1', model = 'test-model', metrics = { flow_temp: 40 } } = data;
  return build('heatstream.reading.v1', { ...data, site, device, model, metrics }, envelope);
}

export function statusEvent(
  data: Partial<DataOf<'heatstream.device-status.v1'>> = {},
  envelope: EnvelopeOptions = {},
): EventOf<'heatstream.device-status.v1'> {
  const { site = 'home', device = 'hp1', state = 'online' } = data;
  return build('heatstream.device-status.v1', { ...data, site, device, state }, envelope);
}

export function alertEvent(
  data: Partial<DataOf<'heatstream.alert.v1'>> = {},
  envelope: EnvelopeOptions = {},
): EventOf<'heatstream.alert.v1'> {
  const defaults = {
    site: 'home',
    device: 'hp1',
    alertId: 'alert-1',
    rule: 'test_rule',
    severity: 'warning',
    state: 'raised',
    message: 'test alert',
  } as const;
  return build('heatstream.alert.v1', { ...defaults, ...data }, envelope);
}

/** A daily COP row; the period is the UTC day of the envelope's time unless given. */
export function copEvent(
  data: Partial<DataOf<'heatstream.cop.v1'>> = {},
  envelope: EnvelopeOptions = {},
): EventOf<'heatstream.cop.v1'> {
  const at = new Date(envelope.time ?? Date.now());
  const dayStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const heatKwh = data.heatKwh ?? 30;
  const elecKwh = data.elecKwh ?? 10;
  const defaults = {
    site: 'home',
    device: 'hp1',
    period: 'day',
    periodStart: new Date(dayStart).toISOString(),
    periodEnd: new Date(dayStart + 86_400_000).toISOString(),
    category: 'combined',
    heatKwh,
    elecKwh,
    cop: heatKwh / elecKwh,
    coverage: 1,
    heatSource: 'heat-meter',
  } as const;
  return build('heatstream.cop.v1', { ...defaults, ...data }, envelope);
}

/** A live COP: 8 kW of heat for 2.5 kW of electricity now and over the 30 minutes to the envelope's time. */
export function copLiveEvent(
  data: Partial<DataOf<'heatstream.cop-live.v1'>> = {},
  envelope: EnvelopeOptions = {},
): EventOf<'heatstream.cop-live.v1'> {
  const at = new Date(envelope.time ?? Date.now());
  const end = Math.floor(at.getTime() / 60_000) * 60_000 + 60_000;
  const heatW = data.heatW === undefined ? 8000 : data.heatW;
  const elecW = data.elecW === undefined ? 2500 : data.elecW;
  const defaults = {
    site: 'home',
    device: 'hp1',
    at: at.toISOString(),
    heatW,
    elecW,
    cop: heatW !== null && elecW !== null && elecW > 0 ? heatW / elecW : null,
    startingPowerW: 100,
    window: {
      start: new Date(end - 1_800_000).toISOString(),
      end: new Date(end).toISOString(),
      runningSeconds: 1800,
      heatKwh: 4,
      elecKwh: 1.25,
      cop: 3.2,
    },
    heatSource: 'flow-dt',
  } as const;
  return build('heatstream.cop-live.v1', { ...defaults, ...data }, { ...envelope, time: at });
}

/**
 * A cop.v2 figure: a complete daily `combined` row of a flow-dt source by default (the period is
 * the UTC day of the envelope's time unless given); COP follows heatKwh / elecKwh unless given.
 */
export function copV2Event(
  data: Partial<DataOf<'heatstream.cop.v2'>> = {},
  envelope: EnvelopeOptions = {},
): EventOf<'heatstream.cop.v2'> {
  const at = new Date(envelope.time ?? Date.now());
  const dayStart = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const heatKwh = data.heatKwh ?? 30;
  const elecKwh = data.elecKwh ?? 10;
  const defaults: DataOf<'heatstream.cop.v2'> = {
    site: 'home',
    device: 'hp1',
    period: 'day',
    periodStart: new Date(dayStart).toISOString(),
    periodEnd: new Date(dayStart + 86_400_000).toISOString(),
    category: 'combined',
    elecKwh,
    heatKwh,
    cop: elecKwh > 0 ? heatKwh / elecKwh : null,
    defrostHeatKwh: 0,
    standbyKwh: 0.5,
    starts: 6,
    startsPerHour: 0.25,
    dataSeconds: 86_400,
    coverage: 1,
    dataDays: null,
    partial: false,
    partialReason: null,
    counters: null,
    method: {
      heatSource: 'flow-dt',
      heatFrom: 'flow-dt',
      elecFrom: 'power',
      startingPowerW: 100,
      gridSeconds: 60,
      bridgeSeconds: 900,
      cpJPerKgK: 4150,
    },
    boundary: 'H4',
    metering: { elecMeterClass: 'MID B (1 %)', heatMeterClass: null, backupHeater: 'inside' },
    outsideTempC: 2.5,
    flowTempC: 38,
  };
  return build('heatstream.cop.v2', { ...defaults, ...data }, envelope);
}
