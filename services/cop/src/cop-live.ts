// The live COP as heatstream.cop-live.v1 data: power now (the latest minute), COP now, and the
// rolling window's running COP. Published on core NATS after each batch for every source whose
// latest reading moved (LivePublisher), so an idle source sends nothing and the next one replaces
// the last; nothing is stored, a page that opens later gets the latest from the gateway.
import { CopLiveGap, type CopLiveV1Data } from '@heatstream/contracts';
import type { Logger } from '@heatstream/runtime';
import type { LiveCop } from './accumulator.ts';
import type { CopSource } from './config.ts';

const iso = (t: number): string => new Date(t).toISOString();

/** Rounded to what a display needs; keeps repeated figures byte-identical. */
const round = (v: number, digits: number): number => Number(v.toFixed(digits));

/**
 * COP now is heat ÷ electricity of the latest minute: null (with the reason) when electricity is
 * unknown or below the starting power (the compressor is off: standby power over a little heat is
 * no COP), when heat is unknown, or while heat is negative (a defrost takes heat out of the house).
 */
export function copLiveData(live: LiveCop, source: CopSource): CopLiveV1Data {
  const { elecW, heatW } = live.now;
  let cop: number | null = null;
  let reason: CopLiveGap | undefined;
  if (elecW === null) reason = CopLiveGap.noElectricity;
  else if (elecW < source.startingPowerW) reason = CopLiveGap.belowStartingPower;
  else if (heatW === null) reason = CopLiveGap.noHeat;
  else if (heatW < 0) reason = CopLiveGap.defrost;
  else cop = round(heatW / elecW, 3);
  const r = live.running;
  return {
    site: live.site,
    device: live.device,
    at: iso(live.at),
    heatW: heatW === null ? null : round(heatW, 1),
    elecW: elecW === null ? null : round(elecW, 1),
    cop,
    ...(reason === undefined ? {} : { reason }),
    startingPowerW: source.startingPowerW,
    window: {
      start: iso(live.start),
      end: iso(live.end),
      runningSeconds: r.seconds,
      heatKwh: round(r.heatKwh, 4),
      elecKwh: round(r.elecKwh, 4),
      cop: r.elecKwh > 0 ? round(r.heatKwh / r.elecKwh, 3) : null,
    },
    heatSource: source.heat.method,
  };
}

/** Sends each source's live COP when its latest reading moved since the last one sent. */
export class LivePublisher {
  readonly #sources: readonly CopSource[];
  readonly #send: (data: CopLiveV1Data) => void;
  readonly #log: Pick<Logger, 'warn'>;
  readonly #sentAt = new Map<string, number>();

  constructor(sources: readonly CopSource[], send: (data: CopLiveV1Data) => void, log: Pick<Logger, 'warn'>) {
    this.#sources = sources;
    this.#send = send;
    this.#log = log;
  }

  /** Publishes what changed; a failed publish is logged, never fails the batch (its rows are stored). */
  publish(lives: readonly LiveCop[]): number {
    let sent = 0;
    for (const live of lives) {
      const key = `${live.site}.${live.device}`;
      if (this.#sentAt.get(key) === live.at) continue;
      const source = this.#sources.find((s) => s.site === live.site && s.device === live.device);
      if (source === undefined) continue;
      try {
        this.#send(copLiveData(live, source));
        this.#sentAt.set(key, live.at);
        sent++;
      } catch (error) {
        this.#log.warn({ err: error, source: key }, 'live COP not published; the next batch tries again');
      }
    }
    return sent;
  }
}
