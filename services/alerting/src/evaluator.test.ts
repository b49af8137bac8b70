// The evaluator with a settable clock: each rule kind raises and resolves, hysteresis and cooldown
// make a flapping input one alert, trips escalate, a restart keeps its alerts, offline follows each
// device's own interval and holds back that device's data-quality alerts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventType, makeEvent } from '@heatstream/contracts';
import { alertV1Data, transitionId } from './alert-v1.ts';
import { AlertEvaluator } from './evaluator.ts';
import { AlertNotFoundError, type Transition } from './lifecycle.ts';
import { defaultRules, parseRules, type Rule, type ThresholdRule } from './rules.ts';
import { MIN, reading, SEC, SITE, status, T0, TestClock } from './testing.ts';

const kinds = (ts: readonly Transition[]) => ts.map((t) => `${t.kind}:${t.alert.rule}:${t.alert.severity}`);

function setup(rules: readonly Rule[] = defaultRules, expectedIntervalMs?: Record<string, number>) {
  const clock = new TestClock();
  const evaluator = new AlertEvaluator({
    rules,
    clock,
    ...(expectedIntervalMs ? { expectedIntervalMs } : {}),
  });
  const log: Transition[] = [];
  /** A reading measured and received now. */
  const send = (device: string, metrics: Parameters<typeof reading>[2]) => {
    const out = evaluator.onReading(reading(device, clock.t, metrics));
    log.push(...out);
    return out;
  };
  const tick = () => {
    const out = evaluator.tick();
    log.push(...out);
    return out;
  };
  return { clock, evaluator, send, tick, log };
}

const thresholds = defaultRules.filter((r): r is ThresholdRule => r.kind === 'threshold');
/** The defaults without offline detection, for tests whose ticks would otherwise also find silence. */
const online = defaultRules.filter((r) => r.kind !== 'offline');

void describe('AlertEvaluator', () => {
  for (const rule of thresholds) {
    void it(`${rule.id}: raises past its warning, holds inside the hysteresis, resolves beyond it`, () => {
      // Values relative to warning w, critical c, hysteresis h (sign s: +1 above, −1 below):
      // w − 2h·s normal; (w + c)/2 warning; w − h/2·s still warning; c + s critical; w − 2h·s resolved.
      const s = rule.direction === 'above' ? 1 : -1;
      const w = rule.warning!;
      const c = rule.critical!;
      const h = rule.hysteresis;
      const t = setup([rule]);
      const at = (v: number) => {
        t.clock.t += 10 * SEC;
        return kinds(t.send('hp', { [rule.metric]: v }));
      };
      assert.deepEqual(at(w - 2 * h * s), []);
      assert.deepEqual(at((w + c) / 2), [`raised:${rule.id}:warning`]);
      assert.deepEqual(at(w - (h / 2) * s), []);
      assert.deepEqual(at(c + s), [`escalated:${rule.id}:critical`]);
      assert.deepEqual(at(w - 2 * h * s), [`resolved:${rule.id}:critical`]);
      assert.equal(new Set(t.log.map((x) => x.alert.alertId)).size, 1, 'one alert id throughout');
    });
  }

  void it('makes an input flapping across a level one alert (hysteresis + cooldown)', () => {
    // Compressor temperature 90 / 80 °C every 30 s for 8 min: 90 raises, 80 (< 85 − 3) resolves,
    // every later 90 falls inside the 10-min cooldown and raises nothing.
    const t = setup(online);
    for (let i = 0; i < 16; i++) {
      t.send('esp32-07', { compressor_temp: i % 2 === 0 ? 90 : 80 });
      t.clock.t += 30 * SEC;
    }
    assert.deepEqual(kinds(t.log), [
      'raised:compressor_temp_high:warning',
      'resolved:compressor_temp_high:warning',
    ]);
    // Hovering at the level (84 / 86) is held by the hysteresis: still no new alert, none resolved.
    const hover = setup();
    for (let i = 0; i < 16; i++) {
      hover.send('esp32-07', { compressor_temp: i % 2 === 0 ? 86 : 84 });
      hover.clock.t += 30 * SEC;
    }
    assert.deepEqual(kinds(hover.log), ['raised:compressor_temp_high:warning']);
    // Once the cooldown is over, a condition still holding raises a new alert on the next tick.
    t.send('esp32-07', { compressor_temp: 90 });
    t.clock.t = T0 + 30 * SEC + 10 * MIN;
    assert.deepEqual(kinds(t.tick()), ['raised:compressor_temp_high:warning']);
    assert.notEqual(t.log[2]!.alert.alertId, t.log[0]!.alert.alertId);
  });

  void it('escalates the third pressure trip within an hour to critical, past the cooldown', () => {
    // High-side pressure 28 bar (> 27.58 warning) / 26 bar (< 27.58 − 0.69) every 5 min:
    // trip 1 raises a warning, 26 resolves it; trip 2 is inside the cooldown; trip 3 within the hour
    // is critical and raised even so.
    const t = setup();
    for (const p of [28, 26, 28, 26, 28]) {
      t.send('hp', { pressure_high: p });
      t.clock.t += 5 * MIN;
    }
    assert.deepEqual(kinds(t.log), [
      'raised:pressure_high:warning',
      'resolved:pressure_high:warning',
      'raised:pressure_high:critical',
    ]);
  });

  void it('keeps an active alert across a restart from saved state', () => {
    const t = setup();
    t.send('esp32-07', { compressor_temp: 98.2 });
    const [raised] = t.log;
    const saved = JSON.parse(JSON.stringify(t.evaluator.toJSON())) as ReturnType<AlertEvaluator['toJSON']>;

    const clock = new TestClock();
    clock.t = t.clock.t + MIN;
    const restarted = new AlertEvaluator({ rules: defaultRules, clock, state: saved });
    assert.deepEqual(restarted.active(), [raised!.alert]);
    assert.deepEqual(
      restarted.onReading(reading('esp32-07', clock.t, { compressor_temp: 97 })),
      [],
      'not raised again',
    );
    assert.deepEqual(restarted.tick(), []);
    clock.t += MIN;
    const [resolved] = restarted.onReading(reading('esp32-07', clock.t, { compressor_temp: 70 }));
    assert.equal(resolved?.kind, 'resolved');
    assert.equal(resolved.alert.alertId, raised!.alert.alertId);
    assert.equal(resolved.alert.alertId, `${SITE}-esp32-07-compressor_temp_high-20250121T060000000Z`);
  });

  void it('declares each device offline after three of its own intervals', () => {
    // "fast" sends every 10 s, "slow" every 5 min (both learnt from their gaps); "told" was
    // configured at 60 s and sent once. Offline: fast after 3·10 = 30 s, told after 180 s, slow after 900 s.
    const t = setup(defaultRules, { told: 60_000 });
    const last = T0 + 20 * MIN;
    for (; t.clock.t <= last; t.clock.t += 10 * SEC) {
      t.send('fast', { voltage: 230 });
      if ((t.clock.t - T0) % (5 * MIN) === 0) t.send('slow', { voltage: 230 });
    }
    t.clock.t = last;
    t.send('told', { voltage: 230 });
    assert.deepEqual(t.log, []);
    const offlineAt = (ms: number) => {
      t.clock.t = last + ms;
      return t.tick().map((x) => `${x.kind}:${x.alert.device}`);
    };
    assert.deepEqual(offlineAt(30 * SEC), []);
    assert.deepEqual(offlineAt(31 * SEC), ['raised:fast']);
    assert.deepEqual(offlineAt(180 * SEC), []);
    assert.deepEqual(offlineAt(181 * SEC), ['raised:told']);
    assert.deepEqual(offlineAt(900 * SEC), []);
    assert.deepEqual(offlineAt(901 * SEC), ['raised:slow']);
    const back = t.send('fast', { voltage: 230 });
    assert.deepEqual(
      back.map((x) => [x.kind, x.alert.message]),
      [['resolved', 'fast is back online after 15 min']],
    );
  });

  void it("takes a batching device's batch cadence as its interval, not the spacing inside a batch", () => {
    // A cellular device measures every 10 s and sends the 30 readings of 5 minutes at once: due
    // again a batch later, so offline only after 3 · 5 min of silence past its newest reading.
    const t = setup();
    const batch = (end: number) => {
      t.clock.t = end + 2 * SEC; // arrival: just after the batch's newest reading
      for (let i = 29; i >= 0; i--) {
        t.evaluator.onReading(reading('remote-1', end - i * 10 * SEC, { voltage: 230 }));
      }
    };
    for (let k = 1; k <= 5; k++) batch(T0 + k * 5 * MIN);
    const newest = T0 + 25 * MIN;
    const at = (ms: number) => {
      t.clock.t = newest + ms;
      return t.tick().map((x) => `${x.kind}:${x.alert.device}`);
    };
    assert.deepEqual(at(4 * MIN), [], 'between batches it is not offline');
    assert.deepEqual(at(15 * MIN), []);
    assert.deepEqual(at(15 * MIN + SEC), ['raised:remote-1']);
  });

  void it('holds back data-quality alerts of a device while it is offline', () => {
    const t = setup(defaultRules, { hp: 10_000 });
    t.send('hp', { voltage: 230 });
    t.clock.t += 31 * SEC;
    assert.deepEqual(kinds(t.tick()), ['raised:device_offline:warning']);
    // Its acquisition reports rejected readings meanwhile: nothing is raised while it is offline…
    assert.deepEqual(t.evaluator.onStatus(status('hp', t.clock.t, 'bad-data', 4)), []);
    // …once it is back, the condition that still holds is raised on the next tick.
    t.clock.t += 10 * SEC;
    assert.deepEqual(kinds(t.send('hp', { voltage: 230 })), ['resolved:device_offline:warning']);
    assert.deepEqual(kinds(t.tick()), ['raised:readings_rejected:warning']);
    // A status with nothing rejected clears it, after the rule's hour.
    t.evaluator.onStatus(status('hp', t.clock.t, 'online', 0));
    t.clock.t += 60 * MIN;
    assert.deepEqual(
      kinds(t.tick()).filter((k) => k.includes('rejected')),
      ['resolved:readings_rejected:warning'],
    );
  });

  void it('defrosts: a third within an hour raises, so does one running past 15 min', () => {
    const rules = parseRules([{ id: 'defrost', kind: 'defrost', cooldownMs: 0 }]);
    const t = setup(rules);
    // Three 5-minute defrosts 20 min apart: the third start is one too many for the hour.
    for (const n of [1, 2, 3]) {
      const started = kinds(t.send('hp', { defrost: 1 }));
      assert.deepEqual(started, n === 3 ? ['raised:defrost:warning'] : [], `defrost ${n}`);
      t.clock.t += 5 * MIN;
      t.send('hp', { defrost: 0 });
      t.clock.t += 15 * MIN;
    }
    assert.match(t.log[0]?.alert.message ?? '', /3 defrosts in the last hour \(limit 2\)/);
    // An hour on, the starts have left the window: resolved at the next reading.
    t.clock.t += 60 * MIN;
    assert.deepEqual(kinds(t.send('hp', { defrost: 0 })), ['resolved:defrost:warning']);
    // One long defrost, told while it runs.
    t.clock.t += MIN;
    t.send('hp', { defrost: 1 });
    t.clock.t += 10 * MIN;
    assert.deepEqual(kinds(t.send('hp', { defrost: 1 })), []);
    t.clock.t += 6 * MIN;
    const long = t.send('hp', { defrost: 1 });
    assert.deepEqual(kinds(long), ['raised:defrost:warning']);
    assert.equal(long[0]?.alert.message, 'Defrost running for 16 min (longest expected 15 min)');
  });

  void it('a counter unchanged through 2 h of running is frozen; idle time does not count', () => {
    const rules = parseRules([{ id: 'counter_frozen', kind: 'frozen-counter', cooldownMs: 0 }]);
    const t = setup(rules);
    // Idle for 5 h with the same total: not frozen, nothing to grow.
    for (let i = 0; i <= 10; i++) {
      assert.deepEqual(kinds(t.send('vicare', { heat_energy: 5_000_000, compressor_on: 0 })), []);
      t.clock.t += 30 * MIN;
    }
    // Running, the summary stuck: more than 2 h of running raises.
    const out: string[] = [];
    for (let i = 0; i <= 5; i++) {
      out.push(...kinds(t.send('vicare', { heat_energy: 5_000_000, compressor_on: 1 })));
      t.clock.t += 30 * MIN;
    }
    assert.deepEqual(out, ['raised:counter_frozen:warning']);
    assert.equal(
      t.log[0]?.alert.message,
      'heat_energy unchanged through more than 2 h of compressor running',
    );
    assert.deepEqual(kinds(t.send('vicare', { heat_energy: 5_001_000, compressor_on: 1 })), [
      'resolved:counter_frozen:warning',
    ]);
  });

  void it('expired credentials at a cloud source: critical, even while the device is offline', () => {
    const t = setup(defaultRules, { vicare: 10 * SEC });
    t.send('vicare', { flow_temp: 40 });
    t.clock.t += 31 * SEC;
    assert.deepEqual(kinds(t.tick()), ['raised:device_offline:warning']);
    const refused = status('vicare', t.clock.t, 'auth-failed');
    refused.data.reason = 'token expired';
    const raised = t.evaluator.onStatus(refused);
    assert.deepEqual(kinds(raised), ['raised:auth_failed:critical']);
    assert.equal(raised[0]?.alert.message, 'vicare: the source refused the credentials (token expired)');
    assert.deepEqual(t.evaluator.onStatus(status('vicare', t.clock.t, 'auth-failed')), [], 'one alert');
    t.clock.t += 10 * SEC;
    assert.deepEqual(kinds(t.evaluator.onStatus(status('vicare', t.clock.t, 'online'))), [
      'resolved:auth_failed:critical',
    ]);
  });

  void it('does not raise a threshold a device left holding when it went offline', () => {
    // 90 °C must hold 2 min (forMs) to raise; the device (every 10 s) falls silent at once: at 31 s
    // it is offline, and at 3 min the waiting threshold stays held back.
    const rules = parseRules([
      {
        id: 'hot',
        kind: 'threshold',
        metric: 'compressor_temp',
        direction: 'above',
        warning: 85,
        forMs: 120_000,
      },
      { id: 'gone', kind: 'offline' },
    ]);
    const t = setup(rules, { hp: 10_000 });
    assert.deepEqual(t.send('hp', { compressor_temp: 90 }), []);
    t.clock.t += 31 * SEC;
    assert.deepEqual(kinds(t.tick()), ['raised:gone:warning']);
    t.clock.t = T0 + 3 * MIN;
    assert.deepEqual(t.tick(), []);
    // Back and still hot: the reading resolves offline, and the held condition (since T0) raises.
    assert.deepEqual(kinds(t.send('hp', { compressor_temp: 90 })), [
      'resolved:gone:warning',
      'raised:hot:warning',
    ]);
  });

  void it('raises a counter that went back, and resolves it after an hour of rising', () => {
    const t = setup(online);
    for (const wh of [1000, 1100, 900]) {
      t.send('meter', { elec_energy: wh });
      t.clock.t += MIN;
    }
    assert.deepEqual(kinds(t.log), ['raised:counter_back:warning']);
    assert.equal(t.log[0]!.alert.message, 'elec_energy went back from 1100 Wh to 900 Wh');
    t.send('meter', { elec_energy: 950 });
    t.clock.t += 59 * MIN;
    assert.deepEqual(t.tick(), []);
    t.clock.t += MIN;
    assert.deepEqual(kinds(t.tick()), ['resolved:counter_back:warning']);
  });

  void it('raises a heat meter at 0 W while the paired meter shows the compressor running', () => {
    // flow 40 °C, return 35 °C (ΔT 5 K > 1.5, flow > 30), heat 0 W, the meter at 1500 W ≥ 100 W:
    // the fault holds from minute 0, and is raised once it has held 120 s (forMs).
    const rules = parseRules([
      { id: 'air', kind: 'heat-meter-zero', forMs: 120_000, elecDevices: { hp: 'meter' } },
    ]);
    const t = setup(rules);
    t.send('meter', { elec_power: 1500 });
    for (let m = 0; m <= 2; m++) {
      t.clock.t = T0 + m * MIN;
      t.send('hp', { heat_power: 0, flow_temp: 40, return_temp: 35 });
    }
    assert.deepEqual(kinds(t.log), ['raised:air:warning']);
    assert.equal(t.log[0]!.at, T0 + 2 * MIN);
    assert.equal(
      t.log[0]!.alert.message,
      'Heat meter reads 0 W while the compressor runs with 5 K across it',
    );
    t.clock.t += MIN;
    assert.deepEqual(kinds(t.send('hp', { heat_power: 5000, flow_temp: 40, return_temp: 35 })), [
      'resolved:air:warning',
    ]);
  });

  void it('raises short cycling past 12 starts an hour, and for runs below the minimum', () => {
    // On 2 min, off 2 min: starts at 2, 6, 10 … min; the 13th start (minute 50) is > 12 in an hour.
    const rules = parseRules([{ id: 'cycling', kind: 'short-cycling' }]);
    const t = setup(rules);
    for (let m = 0; m <= 50; m += 2) {
      t.clock.t = T0 + m * MIN;
      t.send('hp', { compressor_on: (m / 2) % 2 });
    }
    assert.deepEqual(kinds(t.log), ['raised:cycling:warning']);
    assert.equal(t.log[0]!.at, T0 + 50 * MIN);
    assert.equal(t.log[0]!.alert.message, '13 compressor starts in the last hour (limit 12)');
    // Running steadily: an hour after the 2nd start only 11 remain in the window; clear → resolved.
    t.clock.t = T0 + 66 * MIN + 1;
    assert.deepEqual(kinds(t.send('hp', { compressor_on: 1 })), ['resolved:cycling:warning']);

    // Runs of 60 s (minRunMs 120 s), one every 10 min: the third short run raises.
    const short = setup(rules);
    for (let m = 0; m <= 21; m++) {
      short.clock.t = T0 + m * MIN;
      short.send('hp', { elec_power: m % 10 === 0 ? 1200 : 30 });
    }
    assert.deepEqual(kinds(short.log), ['raised:cycling:warning']);
    assert.equal(short.log[0]!.at, T0 + 21 * MIN);
  });

  void it('acknowledges once, and an escalation asks for attention again', () => {
    const t = setup();
    t.send('esp32-07', { compressor_temp: 90 });
    const id = t.log[0]!.alert.alertId;
    const [ack] = t.evaluator.acknowledge(id, 'anna');
    assert.equal(ack?.kind, 'acknowledged');
    assert.equal(ack.alert.acknowledgedBy, 'anna');
    assert.deepEqual(t.evaluator.acknowledge(id, 'anna'), []);
    assert.throws(() => t.evaluator.acknowledge('nope', 'anna'), AlertNotFoundError);
    const [up] = t.send('esp32-07', { compressor_temp: 98.2 });
    assert.equal(up?.kind, 'escalated');
    assert.equal(up.alert.phase, 'raised');
    assert.equal(up.alert.acknowledgedBy, undefined);
  });

  void it('maps every transition onto valid alert.v1 data with a stable id', () => {
    const t = setup();
    t.send('esp32-07', { compressor_temp: 90 });
    t.log.push(...t.evaluator.acknowledge(t.log[0]!.alert.alertId, 'anna'));
    t.send('esp32-07', { compressor_temp: 98.2 });
    t.send('esp32-07', { compressor_temp: 60 });
    const data = t.log.map(alertV1Data);
    assert.deepEqual(
      data.map((d) => d.state),
      ['raised', 'acknowledged', 'raised', 'resolved'],
    );
    for (const d of data) makeEvent(EventType.alert, { source: 'alerting/0', subject: d.device, data: d });
    assert.equal(data[2]!.severity, 'critical');
    assert.equal(data[2]!.message, 'Compressor temperature 98.2 °C is above 95 °C');
    assert.equal(data[3]!.message, 'Compressor temperature back to 60 °C');
    assert.equal(new Set(t.log.map(transitionId)).size, 4);
  });
});
