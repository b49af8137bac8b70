// The poller's decisions, with a controlled clock and a link that serves a register image: state
// changes, rejections counted and reported, message ids from device and measurement time.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import type { Envelope } from '@heatstream/contracts';
import {
  encodeDefinition,
  RegisterImage,
  stiebelEltronWpm,
  wago87930xx,
  type ModbusDefinition,
  type RegisterKind,
} from '@heatstream/devices';
import type { Publish } from '@heatstream/runtime';
import { ModbusReadError } from './errors.ts';
import { DevicePoller } from './poller.ts';

interface Sent {
  subject: string;
  event: Envelope;
  msgId: string | undefined;
}

class ImageLink {
  image = new RegisterImage();
  failure: ModbusReadError | undefined;
  reads = 0;
  read(_unit: number, kind: RegisterKind, start: number, count: number): Promise<number[]> {
    this.reads++;
    if (this.failure) return Promise.reject(this.failure);
    return Promise.resolve(Array.from({ length: count }, (_, i) => this.image.get(kind, start + i) ?? 0));
  }
}

function setup(definition: ModbusDefinition) {
  const sent: Sent[] = [];
  const publish: Publish = (subject, event, options) => {
    sent.push({ subject, event, msgId: options?.msgId });
    return Promise.resolve({ stream: 'X', seq: sent.length, duplicate: false, domain: '' } as never);
  };
  // Sleeping moves the controlled time on: a retry delay takes no real time.
  const clock = {
    t: Date.UTC(2026, 0, 15, 6, 0, 0),
    now: () => clock.t,
    sleep: (ms: number) => {
      clock.t += ms;
      return Promise.resolve();
    },
  };
  const link = new ImageLink();
  const poller = new DevicePoller({
    device: {
      id: 'hp1',
      site: 'home',
      unitId: 1,
      intervalMs: 10_000,
      retries: 1,
      retryDelayMs: 0,
      statusEveryMs: 60_000,
    },
    definition,
    connection: link,
    publish,
    source: 'acq-modbus/test',
    clock,
    log: pino({ level: 'silent' }),
  });
  const statuses = () => sent.filter((s) => s.event.type === 'heatstream.device-status.v1');
  const readings = () => sent.filter((s) => s.event.type === 'heatstream.reading.v1');
  return { sent, clock, link, poller, statuses, readings };
}

const stiebelValues = {
  outside_temp: -3.5,
  flow_temp: 34.2,
  heat_energy: 12_345_000,
  elec_energy: 3_100_000,
};

void describe('DevicePoller', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup(stiebelEltronWpm);
    encodeDefinition(stiebelEltronWpm, stiebelValues, t.link.image);
  });

  void it('publishes a reading and an online status, ids from device and measurement time', async () => {
    const outcome = await t.poller.pollOnce();
    assert.equal(outcome.state, 'online');
    const reading = t.readings()[0];
    assert.ok(reading);
    assert.equal(reading.subject, 'readings.v1.home.hp1');
    assert.equal(reading.msgId, `reading.home.hp1.${t.clock.t}`);
    assert.equal(reading.event.time, '2026-01-15T06:00:00.000Z');
    const data = reading.event.data as { metrics: Record<string, number>; model: string };
    assert.equal(data.model, 'stiebel-eltron-wpm');
    assert.equal(data.metrics.outside_temp, -3.5);
    assert.equal(data.metrics.heat_energy, 12_345_000);
    assert.ok(!('indoor_temp' in data.metrics), 'a sentinel leaves the metric out');
    assert.deepEqual(
      t.statuses().map((s) => s.event.data),
      [{ site: 'home', device: 'hp1', state: 'online', rejectedReadings: 0 }],
    );
    assert.equal(t.link.reads, 3, 'three coalesced block reads');
  });

  void it('goes unavailable on a read failure after retries, and back online when the device answers', async () => {
    await t.poller.pollOnce();
    t.link.failure = new ModbusReadError('timeout', 'no answer within 3000 ms');
    t.clock.t += 10_000;
    const down = await t.poller.pollOnce();
    assert.equal(down.state, 'unavailable');
    assert.equal(t.link.reads, 3 + 2, 'one retry');
    t.clock.t += 10_000;
    await t.poller.pollOnce();
    assert.equal(t.statuses().length, 2, 'no repeated status while the state stays');
    t.link.failure = undefined;
    t.clock.t += 10_000;
    assert.equal((await t.poller.pollOnce()).state, 'online');
    assert.deepEqual(
      t.statuses().map((s) => (s.event.data as { state: string }).state),
      ['online', 'unavailable', 'online'],
    );
    assert.match((t.statuses()[1]?.event.data as { reason: string }).reason, /no answer/);
  });

  void it('rejects a counter that goes backwards, reports bad data and the count', async () => {
    await t.poller.pollOnce();
    encodeDefinition(stiebelEltronWpm, { ...stiebelValues, heat_energy: 12_000_000 }, t.link.image);
    t.clock.t += 10_000;
    const bad = await t.poller.pollOnce();
    assert.equal(bad.state, 'bad-data');
    assert.ok(bad.published && !('heat_energy' in bad.published));
    assert.equal(bad.published.outside_temp, -3.5, 'the good values still flow');
    const status = t.statuses()[1]?.event.data as { state: string; rejectedReadings: number; reason: string };
    assert.equal(status.state, 'bad-data');
    // The Stiebel total and its heating part both went back (the encoder put the total in that part).
    assert.ok(!('heat_energy_heating' in bad.published));
    assert.equal(status.rejectedReadings, 2);
    assert.match(status.reason, /heat_energy went back from 12345000 to 12000000/);
    assert.equal(t.poller.rejectedTotal, 2);
  });

  void it('takes a counter step of its resolution between polls seconds apart as plausible', async () => {
    encodeDefinition(stiebelEltronWpm, { ...stiebelValues, heat_energy: 0 }, t.link.image);
    await t.poller.pollOnce();
    // Stiebel counts whole kWh: one step 2 s later is no 1.8 MW supply.
    encodeDefinition(stiebelEltronWpm, { ...stiebelValues, heat_energy: 1000 }, t.link.image);
    t.clock.t += 2_000;
    const step = await t.poller.pollOnce();
    assert.equal(step.state, 'online', step.reason);
    assert.equal(step.published?.heat_energy, 1000);
    // Ten kWh 2 s later is more than the resolution allows.
    encodeDefinition(stiebelEltronWpm, { ...stiebelValues, heat_energy: 11_000 }, t.link.image);
    t.clock.t += 2_000;
    const jump = await t.poller.pollOnce();
    assert.equal(jump.state, 'bad-data');
    assert.match(jump.reason ?? '', /heat_energy jumped from 1000 to 11000, faster than any supply/);
    assert.deepEqual(
      t.statuses().map((s) => (s.event.data as { state: string }).state),
      ['online', 'bad-data'],
    );
  });

  void it('reports garbage (implausible values) as bad data', async () => {
    t.link.image.set('input', 506, 5000); // outside 500 °C
    const outcome = await t.poller.pollOnce();
    assert.equal(outcome.state, 'bad-data');
    assert.match(outcome.reason ?? '', /outside_temp implausible/);
    assert.ok(outcome.published && !('heat_energy' in outcome.published), 'no counter from a garbage reply');
    assert.equal(outcome.published.flow_temp, 34.2);
    // The garbage did not poison the counter guard: the true total is accepted next time.
    encodeDefinition(stiebelEltronWpm, stiebelValues, t.link.image);
    t.clock.t += 10_000;
    const next = await t.poller.pollOnce();
    assert.equal(next.state, 'online');
    assert.equal(next.published?.heat_energy, 12_345_000);
  });
});

void describe('DevicePoller with a meter', () => {
  void it('ignores a lone 0 W, counts it and reports the count with the next status due', async () => {
    const t = setup(wago87930xx);
    encodeDefinition(
      wago87930xx,
      { elec_power: 1500, elec_energy: 1_000_000, voltage: 230, frequency: 50 },
      t.link.image,
    );
    await t.poller.pollOnce();
    encodeDefinition(
      wago87930xx,
      { elec_power: 0, elec_energy: 1_000_000, voltage: 230, frequency: 50 },
      t.link.image,
    );
    t.clock.t += 10_000;
    const spike = await t.poller.pollOnce();
    assert.equal(spike.state, 'online', 'a spike is filtered, not bad data');
    assert.ok(spike.published && !('elec_power' in spike.published));
    assert.equal(t.statuses().length, 1, 'the count waits for the next status');
    t.clock.t += 60_000;
    const again = await t.poller.pollOnce();
    assert.equal(again.published?.elec_power, 0, 'a repeated 0 W stands');
    assert.deepEqual(t.statuses()[1]?.event.data, {
      site: 'home',
      device: 'hp1',
      state: 'online',
      rejectedReadings: 1,
    });
  });
});
