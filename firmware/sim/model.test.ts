// The sensor values the firmware-in-the-loop devices get from the shared house model.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultHouse, HeatPumpHouse, Mode } from '../../services/simulators/src/model/house.ts';
import { feedLine, r32Psig, RemoteSensors } from './model.ts';

void describe('remote sensors from the house model', () => {
  void it('R32 saturation pressure through its fit points', () => {
    assert.ok(Math.abs(r32Psig(0) - (813 * 0.145038 - 14.7)) < 1);
    assert.ok(Math.abs(r32Psig(50) - (3140 * 0.145038 - 14.7)) < 2);
    assert.ok(r32Psig(45) > r32Psig(40));
  });

  void it('follows the model for a day: plausible ranges, states from its mode', () => {
    const start = Date.UTC(2026, 0, 15);
    const house = new HeatPumpHouse(start, defaultHouse);
    const sensors = new RemoteSensors();
    let running = 0;
    for (let t = start; t < start + 86_400_000; t += 60_000) {
      const s = house.advanceTo(t);
      const v = sensors.read(s);
      assert.equal(v.outletTemp, s.flowC);
      assert.equal(v.inletTemp, s.returnC);
      assert.equal(v.defrost, s.mode === Mode.defrost);
      assert.equal(v.compressor, s.mode !== Mode.off);
      assert.ok(v.voltage > 225 && v.voltage < 235);
      assert.ok(v.current >= 0 && v.current < 40, String(v.current));
      assert.ok(v.pressureHigh >= v.pressureLow, `${String(v.pressureHigh)} < ${String(v.pressureLow)}`);
      if (!v.compressor) assert.ok(Math.abs(v.pressureHigh - v.pressureLow) < 1e-9);
      assert.ok(v.compressorTemp > -30 && v.compressorTemp < 120);
      if (v.compressor) running++;
    }
    assert.ok(running > 0, 'the heat pump ran in January');
  });

  void it('writes the line heatpump-sim reads', () => {
    const line = feedLine(
      1764642600.7,
      {
        inletTemp: 30,
        outletTemp: 35.126,
        ambientTemp: -2,
        compressorTemp: 70,
        voltage: 230,
        current: 8,
        pressureHigh: 300,
        pressureLow: 90,
        compressor: true,
        fan: false,
        defrost: false,
      },
      18,
    );
    assert.equal(
      line,
      't=1764642600 inletTemp=30.00 outletTemp=35.13 ambientTemp=-2.00 compressorTemp=70.00 voltage=230.00 ' +
        'current=8.00 pressureHigh=300.00 pressureLow=90.00 compressor=1 fan=0 defrost=0 csq=18',
    );
  });
});
