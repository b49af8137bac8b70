// Events and a settable clock for the alerting tests.
import {
  EventType,
  makeEvent,
  type DeviceState,
  type DeviceStatusV1,
  type MetricName,
  type ReadingV1,
} from '@heatstream/contracts';

export const SITE = 'alm-huette';
export const T0 = Date.UTC(2025, 0, 21, 6, 0, 0);
export const SEC = 1000;
export const MIN = 60_000;

export class TestClock {
  t = T0;
  now = (): number => this.t;
}

export function reading(device: string, t: number, metrics: Partial<Record<MetricName, number>>): ReadingV1 {
  return makeEvent(EventType.reading, {
    source: 'test/0',
    subject: device,
    time: new Date(t),
    data: { site: SITE, device, model: 'test', metrics },
  });
}

export function status(
  device: string,
  t: number,
  state: DeviceState,
  rejectedReadings?: number,
): DeviceStatusV1 {
  return makeEvent(EventType.deviceStatus, {
    source: 'test/0',
    subject: device,
    time: new Date(t),
    data: { site: SITE, device, state, ...(rejectedReadings === undefined ? {} : { rejectedReadings }) },
  });
}
