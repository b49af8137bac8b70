// The STATUS answer's structured part as one line for people: the firmware's message is its SMS
// text, cut at 160 characters, so the dashboard shows what the SMS could not hold beside it.
import type { CellularCommandResultV1 } from '@heatstream/contracts';

type Status = NonNullable<CellularCommandResultV1['status']>;

const duration = (s: number): string =>
  s >= 86_400
    ? `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3_600)} h`
    : `${Math.floor(s / 3_600)} h ${Math.floor((s % 3_600) / 60)} min`;

export function statusSummary(status: Status): string {
  const { signal } = status;
  const strength =
    signal.dbm === null
      ? `signal unknown (csq ${signal.csq})`
      : `signal ${signal.dbm} dBm (csq ${signal.csq}, ${signal.percent ?? '?'} %)`;
  return [
    `alerts: ${status.alerts.length === 0 ? 'none' : status.alerts.join(', ')}`,
    `buffered ${status.buffered}/${status.capacity}`,
    strength,
    `up ${duration(status.uptimeS)}`,
    `publishes every ${status.intervalS} s`,
    status.reading === null ? 'no reading yet' : `last reading ${status.reading.time}`,
  ].join(' · ');
}
