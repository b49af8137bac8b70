// The sums one day (or any span) collects from its slots, and the figures read from them
// (cop-method.md b.3). COP is always Σ heat kWh / Σ electric kWh over the slots where both exist:
// sums are kept, ratios are only ever taken of sums, never averaged.
import { CopCategory, type HeatSource } from '@heatstream/contracts';
import {
  BRIDGE_MS,
  GRID_MS,
  heatFrom,
  WATER_CP_J_PER_KG_K,
  type Boundary,
  type CopSource,
  type EnergyFrom,
  type HeatFrom,
} from './config.ts';

export interface CategorySums {
  elecKwh: number;
  heatKwh: number;
  /** Σ of the negative heat (defrost) among the same slots; ≤ 0 and already inside heatKwh. */
  defrostHeatKwh: number;
  /** Seconds of slots where electricity and heat both exist (MyHeatpump's data_length). */
  seconds: number;
  /**
   * Σ temperature × seconds, and its seconds, over the category's running slots (combined: every
   * running slot) that had the temperature. Absent on day rows saved before cop.v2.
   */
  outsideTempSum?: number;
  outsideTempSeconds?: number;
  flowTempSum?: number;
  flowTempSeconds?: number;
}

export interface Sums {
  categories: Record<CopCategory, CategorySums>;
  /** Transitions from below to at-or-above the starting power, over slots with electricity. */
  starts: number;
  /** Seconds of slots with electricity (the denominator of starts per hour). */
  elecSeconds: number;
  /** Counter deltas in kWh; null until a delta of that counter was seen. */
  counterElecKwh: number | null;
  counterHeatKwh: number | null;
}

export const emptyCategory = (): CategorySums => ({ elecKwh: 0, heatKwh: 0, defrostHeatKwh: 0, seconds: 0 });

export function emptySums(): Sums {
  const categories = Object.fromEntries(Object.values(CopCategory).map((c) => [c, emptyCategory()]));
  return {
    categories: categories as Record<CopCategory, CategorySums>,
    starts: 0,
    elecSeconds: 0,
    counterElecKwh: null,
    counterHeatKwh: null,
  };
}

/** One slot's inputs after alignment. */
export interface Slot {
  elecW: number | null;
  heatW: number | null;
  dhw: number | null;
  cooling: number | null;
}

const SLOT_SECONDS = GRID_MS / 1000;
const wToKwh = (w: number): number => (w * SLOT_SECONDS) / 3_600_000;

function addTo(c: CategorySums, elecKwh: number, heatKwh: number): void {
  c.elecKwh += elecKwh;
  c.heatKwh += heatKwh;
  if (heatKwh < 0) c.defrostHeatKwh += heatKwh;
  c.seconds += SLOT_SECONDS;
}

/**
 * Adds one slot to the sums. A slot counts when electricity and heat both exist and electricity is
 * not negative (MyHeatpump: `elec !== null && heat !== null && elec >= 0`). Running is electricity at
 * or above the starting power; a running slot is cooling when the cooling flag is set, hot water when
 * dhw_mode is set, space heating otherwise. In cooling the heat's sign is turned so it sums as output.
 */
export function addSlot(sums: Sums, slot: Slot, startingPowerW: number): void {
  const { elecW, heatW } = slot;
  if (elecW === null || heatW === null || elecW < 0) return;
  const cooling = (slot.cooling ?? 0) > 0;
  const elecKwh = wToKwh(elecW);
  const heatKwh = wToKwh(cooling ? -heatW : heatW);
  const c = sums.categories;
  addTo(c.combined, elecKwh, heatKwh);
  if (elecW < startingPowerW) return;
  addTo(c.running, elecKwh, heatKwh);
  if (cooling) addTo(c.cooling, elecKwh, heatKwh);
  else if ((slot.dhw ?? 0) > 0) addTo(c.hot_water, elecKwh, heatKwh);
  else addTo(c.space_heating, elecKwh, heatKwh);
}

/**
 * Counts a compressor start when electricity rises from below to at-or-above the starting power
 * between two slots that have electricity; slots without it are skipped, as in MyHeatpump's
 * compressor_starts. Returns whether this slot runs, to carry into the next call.
 */
export function addStartsSlot(
  sums: Sums,
  elecW: number | null,
  wasRunning: boolean | null,
  startingPowerW: number,
): boolean | null {
  if (elecW === null) return wasRunning;
  const running = elecW >= startingPowerW;
  if (wasRunning === false && running) sums.starts++;
  sums.elecSeconds += SLOT_SECONDS;
  return running;
}

export function addSums(into: Sums, from: Sums): void {
  for (const key of Object.values(CopCategory)) {
    const a = into.categories[key];
    const b = from.categories[key];
    a.elecKwh += b.elecKwh;
    a.heatKwh += b.heatKwh;
    a.defrostHeatKwh += b.defrostHeatKwh;
    a.seconds += b.seconds;
  }
  into.starts += from.starts;
  into.elecSeconds += from.elecSeconds;
  if (from.counterElecKwh !== null) into.counterElecKwh = (into.counterElecKwh ?? 0) + from.counterElecKwh;
  if (from.counterHeatKwh !== null) into.counterHeatKwh = (into.counterHeatKwh ?? 0) + from.counterHeatKwh;
}

/** What every figure states about how it was measured. */
export interface CopMethod {
  heatSource: HeatSource;
  heatFrom: HeatFrom;
  elecFrom: EnergyFrom;
  boundary: Boundary;
  startingPowerW: number;
  gridSeconds: number;
  bridgeSeconds: number;
  /** cp in J/(kg·K), where heat comes from flow × ΔT. */
  cp?: number;
  /** Absent on day rows saved before cop.v2. */
  metering?: CopSource['metering'];
}

export function methodOf(source: CopSource): CopMethod {
  const from = heatFrom(source);
  return {
    heatSource: source.heat.method,
    heatFrom: from,
    elecFrom: source.elec.from,
    boundary: source.boundary,
    startingPowerW: source.startingPowerW,
    gridSeconds: GRID_MS / 1000,
    bridgeSeconds: BRIDGE_MS / 1000,
    ...(from === 'flow-dt' ? { cp: WATER_CP_J_PER_KG_K } : {}),
    metering: source.metering,
  };
}

export interface CategoryFigures extends CategorySums {
  /** heatKwh / elecKwh; null when there is no electricity to divide by. */
  cop: number | null;
}

/** The figures of a day or a period, read off its sums. */
export interface CopFigures {
  site: string;
  device: string;
  /** Start (inclusive) and end (exclusive), epoch ms. */
  start: number;
  end: number;
  /** combined and running always; space_heating with a modes device; hot_water and cooling as configured. */
  categories: Partial<Record<CopCategory, CategoryFigures>>;
  /** Share of the span with paired electricity and heat, 0–1. */
  coverage: number;
  /** Electricity while not running: combined − running elec kWh. */
  standbyKwh: number;
  starts: number;
  /** Seconds with electricity data, the denominator of startsPerHour. */
  elecSeconds: number;
  /** starts / hours with electricity data; null without any. */
  startsPerHour: number | null;
  /** COP from the counters' start and end values, beside the sample-based one; null without both. */
  counters: { elecKwh: number; heatKwh: number; cop: number | null } | null;
  method: CopMethod;
}

const ratio = (heat: number, elec: number): number | null => (elec > 0 ? heat / elec : null);

/** Which categories a source reports: the split needs a modes device (cop-method.md b.3). */
export function categoriesOf(source: CopSource): CopCategory[] {
  const out: CopCategory[] = [CopCategory.combined, CopCategory.running];
  if (source.modes !== undefined) {
    out.push(CopCategory.spaceHeating);
    if (source.modes.hotWater) out.push(CopCategory.hotWater);
    if (source.modes.cooling) out.push(CopCategory.cooling);
  }
  return out;
}

export function figuresOf(
  sums: Sums,
  span: { site: string; device: string; start: number; end: number },
  categories: readonly CopCategory[],
  method: CopMethod,
): CopFigures {
  const out: Partial<Record<CopCategory, CategoryFigures>> = {};
  for (const key of categories) {
    const c = sums.categories[key];
    out[key] = { ...c, cop: ratio(c.heatKwh, c.elecKwh) };
  }
  const { combined, running } = sums.categories;
  const { counterElecKwh: ce, counterHeatKwh: ch } = sums;
  return {
    ...span,
    categories: out,
    coverage: Math.min(1, combined.seconds / ((span.end - span.start) / 1000)),
    standbyKwh: combined.elecKwh - running.elecKwh,
    starts: sums.starts,
    elecSeconds: sums.elecSeconds,
    startsPerHour: sums.elecSeconds > 0 ? sums.starts / (sums.elecSeconds / 3600) : null,
    counters: ce !== null && ch !== null ? { elecKwh: ce, heatKwh: ch, cop: ratio(ch, ce) } : null,
    method,
  };
}
