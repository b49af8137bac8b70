// What the remote monitor's sensors would see on a heat pump driven by the simulators' house model:
// the physical values the firmware-in-the-loop binary turns back into ADC counts. The house model
// has no compressor-shell temperature or refrigerant pressures, so they are derived here.
import { Mode, type HouseState } from '../../services/simulators/src/model/house.ts';

export interface SensorValues {
  inletTemp: number;
  outletTemp: number;
  ambientTemp: number;
  compressorTemp: number;
  voltage: number;
  current: number;
  pressureHigh: number;
  pressureLow: number;
  compressor: boolean;
  fan: boolean;
  defrost: boolean;
}

/** Saturation pressure of R32 in PSI gauge: ln(p/kPa) = 15.432 − 2385 / T (fit through 0 °C 813 kPa, 50 °C 3140 kPa). */
export function r32Psig(tempC: number): number {
  const kPa = Math.exp(15.432 - 2385 / (tempC + 273.15));
  return Math.max(0, kPa * 0.145038 - 14.7);
}

/** Sensor values from the model's state; `shellC` carries the compressor's slow thermal state. */
export class RemoteSensors {
  #shellC: number | undefined;
  #lastMs: number | undefined;

  read(s: Readonly<HouseState>): SensorValues {
    const running = s.mode !== Mode.off;
    // The compressor shell heats with its speed and cools towards the outside air over ~10 min.
    const targetShell = running ? s.flowC + 20 + 0.3 * s.compressorHz : s.outsideC + 3;
    const dtS = this.#lastMs === undefined ? 0 : Math.max(0, (s.timeMs - this.#lastMs) / 1000);
    this.#shellC =
      this.#shellC === undefined
        ? targetShell
        : this.#shellC + (targetShell - this.#shellC) * Math.min(1, dtS / 600);
    this.#lastMs = s.timeMs;
    const voltage = 230 + 2 * Math.sin(s.timeMs / 3_600_000);
    // Condensing a few kelvin above the flow, evaporating below the outside air; at rest both sides
    // settle to the pressure of the ambient temperature.
    const condensingC = running ? s.flowC + 5 : s.outsideC;
    const evaporatingC = running && s.mode !== Mode.defrost ? s.outsideC - 8 : s.outsideC;
    return {
      inletTemp: s.returnC,
      outletTemp: s.flowC,
      ambientTemp: s.outsideC,
      compressorTemp: this.#shellC,
      voltage,
      // One phase: the remote monitor's ACS712 sits on a single-phase supply.
      current: s.elecW / voltage,
      pressureHigh: r32Psig(condensingC),
      pressureLow: r32Psig(evaporatingC),
      compressor: running,
      fan: running && s.mode !== Mode.defrost,
      defrost: s.mode === Mode.defrost,
    };
  }
}

/** The line heatpump-sim reads on stdin (firmware/host/sim.cpp). */
export function feedLine(unixS: number, v: SensorValues, csq: number): string {
  const n = (x: number) => x.toFixed(2);
  const b = (x: boolean) => (x ? '1' : '0');
  return (
    `t=${String(Math.floor(unixS))} inletTemp=${n(v.inletTemp)} outletTemp=${n(v.outletTemp)} ` +
    `ambientTemp=${n(v.ambientTemp)} compressorTemp=${n(v.compressorTemp)} voltage=${n(v.voltage)} ` +
    `current=${n(v.current)} pressureHigh=${n(v.pressureHigh)} pressureLow=${n(v.pressureLow)} ` +
    `compressor=${b(v.compressor)} fan=${b(v.fan)} defrost=${b(v.defrost)} csq=${String(csq)}`
  );
}
