// Local calendar days in an IANA time zone, from Intl alone (Node 24 has no Temporal). Days are
// named by their local date, "YYYY-MM-DD", and start at local midnight: 23 or 25 hours long across a
// daylight-saving change, as MyHeatpump's Europe/London days are.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

function wallClock(ms: number, timeZone: string): number[] {
  const parts = formatter(timeZone).formatToParts(ms);
  const get = (type: Intl.DateTimeFormatPartTypes): number =>
    Number(parts.find((p) => p.type === type)?.value ?? NaN);
  return [get('year'), get('month'), get('day'), get('hour'), get('minute'), get('second')];
}

/** Local time minus UTC at the instant `ms`, in milliseconds. */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const [y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0] = wallClock(ms, timeZone);
  const wholeSeconds = Math.floor(ms / 1000) * 1000;
  return Date.UTC(y, mo - 1, d, h, mi, s) - wholeSeconds;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** The local date of the instant `ms`. */
export function dayKey(ms: number, timeZone: string): string {
  const [y = 0, mo = 1, d = 1] = wallClock(ms, timeZone);
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
}

function dateParts(key: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(key);
  if (m === null) throw new RangeError(`not a day key: "${key}"`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** The instant of local midnight that starts the day `key`. */
export function dayStart(key: string, timeZone: string): number {
  const [y, mo, d] = dateParts(key);
  const asUtc = Date.UTC(y, mo - 1, d);
  // Two rounds: the offset at the first guess may differ from the offset at midnight itself.
  const guess = asUtc - zoneOffsetMs(asUtc, timeZone);
  return asUtc - zoneOffsetMs(guess, timeZone);
}

/** The day `n` days after `key` (n may be negative). */
export function addDays(key: string, n: number): string {
  const [y, mo, d] = dateParts(key);
  const t = new Date(Date.UTC(y, mo - 1, d + n));
  return `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`;
}

/** Calendar days from `a` to `b` (b − a). */
export function daysBetween(a: string, b: string): number {
  const [ya, ma, da] = dateParts(a);
  const [yb, mb, db] = dateParts(b);
  return Math.round((Date.UTC(yb, mb - 1, db) - Date.UTC(ya, ma - 1, da)) / 86_400_000);
}

/** Year and month (1–12) of a day key. */
export function monthOf(key: string): { year: number; month: number } {
  const [year, month] = dateParts(key);
  return { year, month };
}

/** The day key of the first of a month. */
export function firstOfMonth(year: number, month: number): string {
  return `${pad(year, 4)}-${pad(month)}-01`;
}

/** A day's start and end instants, and its name. */
export interface LocalDay {
  key: string;
  start: number;
  end: number;
}

export function localDay(ms: number, timeZone: string): LocalDay {
  const key = dayKey(ms, timeZone);
  return { key, start: dayStart(key, timeZone), end: dayStart(addDays(key, 1), timeZone) };
}
