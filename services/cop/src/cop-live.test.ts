// The live COP on hand-worked fixtures: power and COP now from the latest minute, the 30-minute
// running COP as a ratio of sums, the reason when COP now is unknown, one publish per new reading.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventType, makeEvent, type CopLiveV1Data } from '@heatstream/contracts';
import { CopAccumulator } from './accumulator.ts';
import { parseCopSource } from './config.ts';
import { copLiveData, LivePublisher } from './cop-live.ts';
import { byTime, feed, MIN, series, T0 } from './testing.ts';

const source = parseCopSource({
  site: 'home',
  device: 'hp',
  elec: { device: 'meter' },
  heat: { method: 'heat-meter', device: 'hp' },
});

/** elec and heat power each minute over [fromMin, toMin). */
function minutes(fromMin: number, toMin: number, elecW: (m: number) => number, heatW: (m: number) => number) {
  const m = (t: number) => (t - T0) / MIN;
  return byTime(
    series('meter', T0 + fromMin * MIN, T0 + toMin * MIN, MIN, (t) => ({ elec_power: elecW(m(t)) })),
    series('hp', T0 + fromMin * MIN, T0 + toMin * MIN, MIN, (t) => ({ heat_power: heatW(m(t)) })),
  );
}

const live = (acc: CopAccumulator): CopLiveV1Data => {
  const l = acc.live();
  assert.ok(l);
  const data = copLiveData(l, source);
  // Every figure fits the contract.
  makeEvent(EventType.copLive, { source: 'test', subject: data.device, time: data.at, data });
  return data;
};

void describe('copLiveData', () => {
  void it('gives power and COP now, and the 30-minute running COP as Σ heat / Σ elec', () => {
    // Minutes 0–9 standby (50 W, no heat), 10–29 running at 2500 W → 8000 W. The default window is
    // 30 min: slots 0–29. Running: 20 slots = 1200 s; elec 2500 W × 1/3 h = 0.8333 kWh, heat
    // 8000 W × 1/3 h = 2.6667 kWh; COP 2.6667 / 0.8333 = 3.2. Now (minute 29): 8000 / 2500 = 3.2.
    const acc = new CopAccumulator(source);
    feed(
      acc,
      minutes(
        0,
        30,
        (m) => (m < 10 ? 50 : 2500),
        (m) => (m < 10 ? 0 : 8000),
      ),
    );
    const d = live(acc);
    assert.deepEqual(
      { heatW: d.heatW, elecW: d.elecW, cop: d.cop, reason: d.reason, at: d.at },
      { heatW: 8000, elecW: 2500, cop: 3.2, reason: undefined, at: new Date(T0 + 29 * MIN).toISOString() },
    );
    assert.deepEqual(d.window, {
      start: new Date(T0).toISOString(),
      end: new Date(T0 + 30 * MIN).toISOString(),
      runningSeconds: 1200,
      heatKwh: 2.6667,
      elecKwh: 0.8333,
      cop: 3.2,
    });
    assert.equal(d.heatSource, 'heat-meter');
  });

  void it('says the compressor is off below the starting power, and keeps the window COP', () => {
    // Minute 30 at 50 W, no heat: COP now is no COP; the window (slots 1–30) still holds 20 running
    // slots at COP 3.2.
    const acc = new CopAccumulator(source);
    feed(
      acc,
      minutes(
        0,
        31,
        (m) => (m < 10 || m === 30 ? 50 : 2500),
        (m) => (m < 10 || m === 30 ? 0 : 8000),
      ),
    );
    const d = live(acc);
    assert.equal(d.cop, null);
    assert.equal(d.reason, 'below-starting-power');
    assert.equal(d.elecW, 50);
    assert.equal(d.window.cop, 3.2);
    assert.equal(d.window.runningSeconds, 1200);
  });

  void it('names a missing heat reading and a defrost, with no window COP without running data', () => {
    const elecOnly = new CopAccumulator(source);
    feed(
      elecOnly,
      series('meter', T0, T0 + 5 * MIN, MIN, () => ({ elec_power: 2500 })),
    );
    const d = live(elecOnly);
    assert.deepEqual([d.cop, d.reason, d.heatW, d.window.cop], [null, 'no-heat', null, null]);
    const defrost = new CopAccumulator(source);
    feed(
      defrost,
      minutes(
        0,
        5,
        () => 2500,
        (m) => (m < 4 ? 8000 : -1000),
      ),
    );
    const f = live(defrost);
    assert.deepEqual([f.cop, f.reason, f.heatW], [null, 'defrost', -1000]);
    // 4 × 8000 − 1000 = 31 000 W·min of heat over 5 × 2500 = 12 500: 2.48, defrost inside the sum.
    assert.equal(f.window.cop, 2.48);
  });
});

void describe('LivePublisher', () => {
  void it('sends a source once per new latest reading, and again when it moves', () => {
    const sent: CopLiveV1Data[] = [];
    const push = new LivePublisher([source], (d) => sent.push(d), { warn: () => undefined });
    const acc = new CopAccumulator(source);
    const events = minutes(
      0,
      3,
      () => 2500,
      () => 8000,
    );
    feed(acc, events.slice(0, 4));
    assert.equal(push.publish([acc.live()!]), 1);
    assert.equal(push.publish([acc.live()!]), 0, 'nothing new: nothing sent');
    feed(acc, events.slice(4));
    assert.equal(push.publish([acc.live()!]), 1);
    assert.deepEqual(
      sent.map((d) => d.at),
      [new Date(T0 + MIN).toISOString(), new Date(T0 + 2 * MIN).toISOString()],
    );
  });

  void it('logs a failed send and tries the same figure again next time', () => {
    let fail = true;
    const sent: string[] = [];
    const warned: string[] = [];
    const push = new LivePublisher(
      [source],
      (d) => {
        if (fail) throw new Error('connection closed');
        sent.push(d.at);
      },
      { warn: (_obj: unknown, msg?: string) => void warned.push(msg ?? '') },
    );
    const acc = new CopAccumulator(source);
    feed(
      acc,
      series('meter', T0, T0 + MIN, MIN, () => ({ elec_power: 2500 })),
    );
    assert.equal(push.publish([acc.live()!]), 0);
    assert.deepEqual(warned, ['live COP not published; the next batch tries again']);
    fail = false;
    assert.equal(push.publish([acc.live()!]), 1);
    assert.deepEqual(sent, [new Date(T0).toISOString()]);
  });
});
