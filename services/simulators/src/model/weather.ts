// Outside temperature over the day: a sinusoid, coldest before dawn, plus a slow drift between days
// so a week is not seven copies of one day. Deterministic: the same time gives the same weather.

export interface WeatherOptions {
  /** Daily mean, °C. */
  meanC: number;
  /** Half the day's swing, K. */
  amplitudeC: number;
  /** Hour of the coldest moment (local = UTC here). */
  coldestHour: number;
  /** Swing of the daily mean over a 7-day cycle, K. */
  driftC: number;
}

export const defaultWeather: WeatherOptions = { meanC: 3, amplitudeC: 4, coldestHour: 5, driftC: 3 };

const DAY_MS = 86_400_000;

export function outsideTemperature(timeMs: number, w: WeatherOptions = defaultWeather): number {
  const dayPhase = ((timeMs % DAY_MS) / DAY_MS - w.coldestHour / 24) * 2 * Math.PI;
  const weekPhase = (timeMs / (7 * DAY_MS)) * 2 * Math.PI;
  return w.meanC + w.driftC * Math.sin(weekPhase) - w.amplitudeC * Math.cos(dayPhase);
}
