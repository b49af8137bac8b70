// A heat pump in a house, stepped through time by whoever owns the clock. What it gets right is what
// matters for COP (cop-method.md): heat from the compressor follows a Carnot fraction of the lift
// between condensing (flow + 2 K) and evaporating (outside − 6 K) temperatures, most systems sitting
// at 45–55 % of Carnot; electric input is heat / COP at every step; reverse-cycle defrost takes heat
// back (negative heat, electricity still drawn); hot-water cycles run at a higher flow temperature
// and so a lower COP. The house is one thermal mass losing heat in proportion to indoor − outside.
import { outsideTemperature, defaultWeather, type WeatherOptions } from './weather.ts';

/** ≈ c_p of water × 1 kg/l / 60: W per (l/min · K), with cop-method's 4150 J/(kg·K). */
export const W_PER_LPM_K = 4150 / 60;

export interface HouseOptions {
  weather: WeatherOptions;
  /** Heat loss coefficient of the building, W/K. */
  heatLossWPerK: number;
  /** Heat capacity of the building, J/K. */
  thermalMassJPerK: number;
  indoorTargetC: number;
  /**
   * Indoor temperature at the start; default the target. At the target the compressor waits until
   * the house has cooled 0.2 K (about half an hour at 3 °C outside); below it, it starts at once.
   */
  startIndoorC?: number;
  /** Heating curve: flow = indoorTarget + slope × (indoorTarget − outside), clamped. */
  curveSlope: number;
  maxFlowC: number;
  minHeatW: number;
  maxHeatW: number;
  /** Fraction of the Carnot COP the machine reaches. */
  carnotFraction: number;
  flowRateLpm: number;
  standbyW: number;
  dhw: {
    targetC: number;
    hysteresisK: number;
    litres: number;
    drawHours: readonly number[];
    drawLitres: number;
  };
  defrost: { belowOutsideC: number; afterRunMin: number; durationMin: number; heatW: number; elecW: number };
}

export const defaultHouse: HouseOptions = {
  weather: defaultWeather,
  heatLossWPerK: 180,
  thermalMassJPerK: 25e6,
  indoorTargetC: 21,
  curveSlope: 0.5,
  maxFlowC: 55,
  minHeatW: 1_800,
  maxHeatW: 8_000,
  carnotFraction: 0.5,
  flowRateLpm: 18,
  standbyW: 12,
  dhw: { targetC: 50, hysteresisK: 6, litres: 200, drawHours: [7, 19], drawLitres: 60 },
  defrost: { belowOutsideC: 6, afterRunMin: 60, durationMin: 5, heatW: -1_500, elecW: 900 },
};

export const Mode = { off: 'off', heating: 'heating', dhw: 'dhw', defrost: 'defrost' } as const;
export type Mode = (typeof Mode)[keyof typeof Mode];

/** What the model is doing at one instant, plus its running totals. */
export interface HouseState {
  timeMs: number;
  mode: Mode;
  outsideC: number;
  indoorC: number;
  dhwC: number;
  flowC: number;
  returnC: number;
  flowTargetC: number;
  heatW: number;
  elecW: number;
  /** Heat / electric input of this instant; 0 when the compressor is off. */
  cop: number;
  compressorHz: number;
  /** Positive heat delivered, Wh (a heat meter's counter). */
  heatWh: number;
  /** Heat taken back by defrost, Wh (positive number). */
  defrostWh: number;
  elecWh: number;
  /**
   * heatWh and elecWh split as a Stiebel WPM counts them (VD HEATING / VD DHW): hot-water mode in
   * the DHW counters, everything else (heating, defrost, standby) in the heating ones, so the two
   * parts always add up to the totals.
   */
  heatWhHeating: number;
  heatWhDhw: number;
  elecWhHeating: number;
  elecWhDhw: number;
  compressorStarts: number;
  compressorHours: number;
}

const STEP_MS = 10_000;
const WATER_J_PER_L_K = 4186;

export class HeatPumpHouse {
  readonly options: HouseOptions;
  #s: HouseState;
  #runSinceDefrostMs = 0;
  #defrostLeftMs = 0;
  #lastDrawHour = -1;

  constructor(startMs: number, options: HouseOptions = defaultHouse) {
    this.options = options;
    const outsideC = outsideTemperature(startMs, options.weather);
    this.#s = {
      timeMs: startMs,
      mode: Mode.off,
      outsideC,
      indoorC: options.startIndoorC ?? options.indoorTargetC,
      dhwC: options.dhw.targetC - 2,
      flowC: options.indoorTargetC + 4,
      returnC: options.indoorTargetC + 4,
      flowTargetC: this.#curve(outsideC),
      heatW: 0,
      elecW: options.standbyW,
      cop: 0,
      compressorHz: 0,
      heatWh: 0,
      defrostWh: 0,
      elecWh: 0,
      heatWhHeating: 0,
      heatWhDhw: 0,
      elecWhHeating: 0,
      elecWhDhw: 0,
      compressorStarts: 0,
      compressorHours: 0,
    };
  }

  get state(): Readonly<HouseState> {
    return this.#s;
  }

  /** COP of a lift, as a fraction of Carnot between condensing and evaporating temperatures. */
  copAt(flowC: number, outsideC: number): number {
    const condensing = flowC + 2 + 273.15;
    const evaporating = outsideC - 6 + 273.15;
    return this.options.carnotFraction * (condensing / Math.max(condensing - evaporating, 5));
  }

  /** Advances the model to `timeMs` in steps of 10 s; time never runs backwards. */
  advanceTo(timeMs: number): Readonly<HouseState> {
    while (this.#s.timeMs + STEP_MS <= timeMs) this.#step(STEP_MS);
    return this.#s;
  }

  #curve(outsideC: number): number {
    const o = this.options;
    return Math.min(o.maxFlowC, Math.max(25, o.indoorTargetC + o.curveSlope * (o.indoorTargetC - outsideC)));
  }

  #step(dtMs: number): void {
    const o = this.options;
    const s = this.#s;
    const dtS = dtMs / 1000;
    const timeMs = s.timeMs + dtMs;
    const outsideC = outsideTemperature(timeMs, o.weather);
    const hour = new Date(timeMs).getUTCHours();

    // Hot-water draws: mains water at 10 °C replaces what is drawn.
    if (o.dhw.drawHours.includes(hour) && this.#lastDrawHour !== hour) {
      s.dhwC -= (o.dhw.drawLitres / o.dhw.litres) * (s.dhwC - 10);
      this.#lastDrawHour = hour;
    } else if (!o.dhw.drawHours.includes(hour)) {
      this.#lastDrawHour = -1;
    }

    const wasRunning = s.mode !== Mode.off;
    const mode = this.#chooseMode(outsideC);
    const flowTargetC = this.#curve(outsideC);
    let heatW = 0;
    let elecW = o.standbyW;
    let cop = 0;
    let flowC = s.flowC;
    let toHouseW = 0;
    let toCylinderW = 0;

    if (mode === Mode.defrost) {
      // Reverse cycle: heat comes out of the heating water, the compressor still draws power.
      heatW = o.defrost.heatW;
      elecW = o.defrost.elecW;
      cop = heatW / elecW;
      toHouseW = heatW;
      this.#defrostLeftMs -= dtMs;
    } else if (mode === Mode.dhw) {
      heatW = o.maxHeatW;
      flowC = Math.min(o.maxFlowC + 5, s.dhwC + 8);
      cop = this.copAt(flowC, outsideC);
      elecW = heatW / cop;
      toCylinderW = heatW;
      this.#runSinceDefrostMs += dtMs;
    } else if (mode === Mode.heating) {
      // Modulate to the house's loss plus a correction towards the indoor target.
      const lossW = o.heatLossWPerK * (s.indoorC - outsideC);
      const wanted = lossW + 800 * (o.indoorTargetC - s.indoorC);
      heatW = Math.min(o.maxHeatW, Math.max(o.minHeatW, wanted));
      flowC = flowTargetC;
      cop = this.copAt(flowC, outsideC);
      elecW = heatW / cop;
      toHouseW = heatW;
      this.#runSinceDefrostMs += dtMs;
    } else {
      flowC = s.flowC + (s.indoorC + 2 - s.flowC) * Math.min(1, dtS / 900);
    }

    const running = mode !== Mode.off;
    if (running && !wasRunning) s.compressorStarts++;
    const dh = dtS / 3600;
    const dhw = mode === Mode.dhw;
    if (heatW > 0) {
      s.heatWh += heatW * dh;
      if (dhw) s.heatWhDhw += heatW * dh;
      else s.heatWhHeating += heatW * dh;
    } else s.defrostWh += -heatW * dh;
    s.elecWh += elecW * dh;
    if (dhw) s.elecWhDhw += elecW * dh;
    else s.elecWhHeating += elecW * dh;
    if (running) s.compressorHours += dh;

    const lossW = o.heatLossWPerK * (s.indoorC - outsideC);
    s.indoorC += ((toHouseW - lossW) * dtS) / o.thermalMassJPerK;
    // Standing loss of the cylinder, ≈ 1.5 W/K to a 20 °C room.
    s.dhwC += ((toCylinderW - 1.5 * (s.dhwC - 20)) * dtS) / (o.dhw.litres * WATER_J_PER_L_K);

    // Flow − return follows from heat and flow rate; negative while defrost cools the water.
    const deltaT = running ? heatW / (o.flowRateLpm * W_PER_LPM_K) : 0;
    Object.assign(s, {
      timeMs,
      mode,
      outsideC,
      flowTargetC,
      flowC,
      returnC: flowC - deltaT,
      heatW,
      elecW,
      cop,
      compressorHz: running
        ? Math.round(25 + (65 * Math.max(0, Math.abs(heatW) - o.minHeatW)) / (o.maxHeatW - o.minHeatW))
        : 0,
    });
  }

  #chooseMode(outsideC: number): Mode {
    const o = this.options;
    const s = this.#s;
    if (this.#defrostLeftMs > 0) return Mode.defrost;
    if (
      s.mode !== Mode.off &&
      outsideC < o.defrost.belowOutsideC &&
      this.#runSinceDefrostMs >= o.defrost.afterRunMin * 60_000
    ) {
      this.#runSinceDefrostMs = 0;
      this.#defrostLeftMs = o.defrost.durationMin * 60_000;
      return Mode.defrost;
    }
    if (s.mode === Mode.dhw ? s.dhwC < o.dhw.targetC : s.dhwC < o.dhw.targetC - o.dhw.hysteresisK)
      return Mode.dhw;
    // Space heating: on below the target, off once the house is 0.5 K over it or mild enough.
    const needHeat = o.indoorTargetC - s.indoorC;
    if (s.mode === Mode.heating || s.mode === Mode.defrost) return needHeat > -0.5 ? Mode.heating : Mode.off;
    return needHeat > 0.2 && outsideC < o.indoorTargetC - 3 ? Mode.heating : Mode.off;
  }
}
