// Issue 11's Shelly acceptance, on the test's clock against the simulators' Pro 3EM over real HTTP
// and a real nats-server: digest auth right and wrong; a 5-minute device outage and a 5-minute
// acq-shelly outage back-filled from the device's records with their own timestamps, continuous
// counters and no duplicates; malformed and wrong-shaped answers dead-lettered; the monophase
// profile; BLU H&T rooms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deadLetters } from '@heatstream/testkit';
import { ShellyFault } from '../services/simulators/src/shelly/rpc.ts';
import { harness, shellySite, TestClock, type Reading, type Status } from './shelly-setup.ts';

const START = Date.UTC(2026, 5, 15, 9, 0, 3);
const SEC = 1_000;
const MIN = 60_000;

/** Polls every 10 s of test time for `ms`, returning each outcome. */
async function pollFor(clock: TestClock, ms: number, poll: () => Promise<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  const end = clock.t + ms;
  while (clock.t < end) {
    clock.t += 10 * SEC;
    out.push(await poll());
  }
  return out;
}

function assertContinuous(readings: Reading[], deviceImportWh: number, deviceExportWh: number): void {
  const times = readings.map((r) => Date.parse(r.time));
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
    'stored in time order',
  );
  assert.equal(new Set(times).size, times.length, 'no measurement time stored twice');
  const counters = [
    'elec_energy',
    'elec_energy_export',
    'elec_energy_net_import',
    'elec_energy_net_export',
  ] as const;
  for (const m of counters) {
    const values = readings.map((r) => r.data.metrics[m] as number);
    for (let i = 1; i < values.length; i++)
      assert.ok(
        values[i]! >= values[i - 1]!,
        `${m} never goes back: ${values[i - 1]} → ${values[i]} at ${readings[i]!.time}`,
      );
  }
  const first = readings[0]!.data.metrics;
  const last = readings.at(-1)!.data.metrics;
  // The published totals end on the device's own counters (they started on them).
  assert.ok(
    Math.abs((last.elec_energy as number) - deviceImportWh) < 0.1,
    `import ${last.elec_energy} vs device ${deviceImportWh}`,
  );
  assert.ok(
    Math.abs((last.elec_energy_export as number) - deviceExportWh) < 0.1,
    `export ${last.elec_energy_export} vs ${deviceExportWh}`,
  );
  // Balancing moves energy between import and export, it never makes or loses any.
  const d = (m: (typeof counters)[number]) => (last[m] as number) - (first[m] as number);
  assert.ok(
    Math.abs(
      d('elec_energy_net_import') -
        d('elec_energy_net_export') -
        (d('elec_energy') - d('elec_energy_export')),
    ) < 0.1,
  );
}

const sum = (a: readonly number[]): number => a.reduce((x, y) => x + y, 0);

void describe('acq-shelly against the simulated Pro 3EM', () => {
  void it('authenticates with digest SHA-256; a wrong password is auth-failed once, not a crash loop', async () => {
    const clock = new TestClock(START);
    await using h = await harness();
    await using site = await shellySite(clock, { password: 'right horse' });
    const good = h.meter(site, { password: 'right horse', clock });
    const outcome = (await good.pollOnce()) as { state: string };
    assert.equal(outcome.state, 'online');
    const bad = h.meter(site, { password: 'wrong', clock });
    const nopass = h.meter(site, { clock });
    for (let i = 0; i < 3; i++) {
      clock.t += 10 * SEC;
      assert.equal(((await bad.pollOnce()) as { state: string }).state, 'auth-failed');
    }
    assert.equal(((await nopass.pollOnce()) as { state: string }).state, 'auth-failed');
    const statuses = await h.stored<Status>('DEVICES', 'devices.v1.villa.villa-meter.status');
    assert.deepEqual(
      statuses.map((s) => s.data.state),
      ['online', 'auth-failed'],
      'one event per change: the same pollers share state per device',
    );
    assert.match(statuses[1]!.data.reason ?? '', /password was refused/);
    const readings = await h.stored<Reading>('READINGS', 'readings.v1.villa.villa-meter');
    assert.equal(readings.length, 1);
    const m = readings[0]!.data.metrics;
    assert.ok((m.elec_power_l1 as number) < 0, 'phase a exports (PV)');
    assert.ok(
      m.voltage_l1 &&
        m.current_l2 !== undefined &&
        m.apparent_power &&
        m.power_factor_l3 &&
        m.frequency === 50,
    );
    assert.equal(m.elec_energy, Number(sum(site.meter.imp).toFixed(2)));
  });

  void it('back-fills a 5-minute device outage from the records, at their own times', async () => {
    const clock = new TestClock(START);
    await using h = await harness();
    await using site = await shellySite(clock, { pageRecords: 2 });
    const poller = h.meter(site, { clock });
    await pollFor(clock, 60 * SEC, () => poller.pollOnce());
    const lastBefore = clock.t;
    site.meterServer.setFault(ShellyFault.offline);
    const during = (await pollFor(clock, 5 * MIN, () => poller.pollOnce())) as { state: string }[];
    assert.ok(during.every((o) => o.state === 'unavailable'));
    site.meterServer.setFault(ShellyFault.none);
    clock.t += 10 * SEC;
    const back = (await poller.pollOnce()) as { state: string; backfilled: number };
    assert.equal(back.state, 'online');
    assert.ok(back.backfilled >= 4 && back.backfilled <= 6, `records back-filled: ${back.backfilled}`);
    assert.ok((site.meterServer.calls.get('EMData.GetData') ?? 0) >= 2, 'paged with next_record_ts');
    await pollFor(clock, 30 * SEC, () => poller.pollOnce());

    const readings = await h.stored<Reading>('READINGS', 'readings.v1.villa.villa-meter');
    const gap = readings.filter(
      (r) => Date.parse(r.time) > lastBefore && Date.parse(r.time) < clock.t - 40 * SEC,
    );
    assert.equal(gap.length, back.backfilled);
    for (const r of gap)
      assert.equal(Date.parse(r.time) % MIN, 0, `a record's end is a whole minute: ${r.time}`);
    assertContinuous(readings, sum(site.meter.imp), sum(site.meter.ret));
    const statuses = await h.stored<Status>('DEVICES', 'devices.v1.villa.villa-meter.status');
    assert.deepEqual(
      statuses.map((s) => s.data.state),
      ['online', 'unavailable', 'online'],
    );
  });

  void it('back-fills a 5-minute acq-shelly outage from where the stored ledger stopped', async () => {
    const clock = new TestClock(START);
    await using h = await harness();
    await using site = await shellySite(clock);
    const before = h.meter(site, { clock });
    await pollFor(clock, 60 * SEC, () => before.pollOnce());
    const stoppedAt = clock.t;
    const ledgerAtStop = await h.store.getJson('villa-meter');
    // The service is away: the device goes on recording; a new process starts from KV.
    clock.t += 5 * MIN;
    const after = h.meter(site, { clock });
    const first = (await after.pollOnce()) as { backfilled: number };
    assert.ok(first.backfilled >= 4 && first.backfilled <= 6, `records back-filled: ${first.backfilled}`);
    // It crashed before its KV write: the next process back-fills the same gap again, stored once.
    await h.store.putJson('villa-meter', ledgerAtStop);
    clock.t += 10 * SEC;
    const again = h.meter(site, { clock });
    assert.equal(((await again.pollOnce()) as { backfilled: number }).backfilled, first.backfilled);
    await pollFor(clock, 30 * SEC, () => again.pollOnce());
    const readings = await h.stored<Reading>('READINGS', 'readings.v1.villa.villa-meter');
    const gap = readings.filter(
      (r) => Date.parse(r.time) > stoppedAt && Date.parse(r.time) < stoppedAt + 5 * MIN,
    );
    assert.equal(gap.length, first.backfilled);
    assertContinuous(readings, sum(site.meter.imp), sum(site.meter.ret));
  });

  void it('keeps counters continuous across a power loss (several record blocks)', async () => {
    const clock = new TestClock(START);
    await using h = await harness();
    await using site = await shellySite(clock, { pageRecords: 3 });
    const poller = h.meter(site, { clock });
    await pollFor(clock, 30 * SEC, () => poller.pollOnce());
    site.meterServer.setFault(ShellyFault.offline);
    clock.t += 2 * MIN;
    site.meter.advanceTo(clock.t);
    site.meter.powerOff(clock.t + 3 * MIN);
    clock.t += 3 * MIN;
    site.meter.advanceTo(clock.t);
    clock.t += 3 * MIN;
    site.meterServer.setFault(ShellyFault.none);
    const back = (await poller.pollOnce()) as { backfilled: number };
    assert.ok(back.backfilled >= 3, `records back-filled: ${JSON.stringify(back)}`);
    const data = site.pro3em.call('EMData.GetData', { ts: 0 }) as { data: unknown[] };
    assert.ok(data.data.length >= 2, 'the device holds more than one block');
    const readings = await h.stored<Reading>('READINGS', 'readings.v1.villa.villa-meter');
    assertContinuous(readings, sum(site.meter.imp), sum(site.meter.ret));
  });

  void it('dead-letters malformed and wrong-shaped answers with the reason and keeps polling', async () => {
    const clock = new TestClock(START);
    await using h = await harness();
    await using site = await shellySite(clock);
    const poller = h.meter(site, { clock });
    await poller.pollOnce();
    site.meterServer.setFault(ShellyFault.malformed);
    clock.t += 10 * SEC;
    assert.equal(((await poller.pollOnce()) as { state: string }).state, 'bad-data');
    site.meterServer.setFault(ShellyFault.wrongShape);
    clock.t += 10 * SEC;
    assert.equal(((await poller.pollOnce()) as { state: string }).state, 'bad-data');
    site.meterServer.setFault(ShellyFault.none);
    clock.t += 10 * SEC;
    assert.equal(((await poller.pollOnce()) as { state: string }).state, 'online');
    const letters = await deadLetters(h.nats.js, 'acq-shelly');
    assert.equal(letters.length, 2);
    assert.match(letters[0]!.data.reason, /EM\.GetStatus: not JSON/);
    assert.match(letters[1]!.data.reason, /EM\.GetStatus: unexpected shape: \/a_current/);
    assert.match(letters[0]!.data.originalSubject, /\/rpc\/EM\.GetStatus$/);
    assert.ok(
      Buffer.from(letters[1]!.data.payload, 'base64').toString().includes('renamed'),
      'the bytes the device sent',
    );
    const statuses = await h.stored<Status>('DEVICES', 'devices.v1.villa.villa-meter.status');
    assert.deepEqual(
      statuses.map((s) => s.data.state),
      ['online', 'bad-data', 'online'],
    );
  });

  void it('reads the monophase profile (em1:0..2) and back-fills it per channel', async () => {
    const clock = new TestClock(START);
    await using h = await harness();
    await using site = await shellySite(clock, { profile: 'monophase' });
    const poller = h.meter(site, { clock, profile: 'monophase' });
    await pollFor(clock, 30 * SEC, () => poller.pollOnce());
    clock.t += 4 * MIN;
    const back = (await poller.pollOnce()) as { state: string; backfilled: number };
    assert.equal(back.state, 'online');
    assert.ok(back.backfilled >= 3);
    assert.ok((site.meterServer.calls.get('EM1Data.GetData') ?? 0) >= 3, 'one record stream per channel');
    const readings = await h.stored<Reading>('READINGS', 'readings.v1.villa.villa-meter');
    assert.ok(readings.every((r) => r.data.metrics.elec_power_l3 !== undefined));
    assertContinuous(readings, sum(site.meter.imp), sum(site.meter.ret));
  });
});

void describe('acq-shelly: BLU H&T rooms through a gateway', () => {
  void it('publishes one reading per beacon per room and makes a silent sensor unavailable', async () => {
    const clock = new TestClock(START);
    await using h = await harness();
    await using site = await shellySite(clock);
    const gateway = h.gateway(site, clock);
    const rooms = await gateway.pollOnce();
    assert.deepEqual(rooms.map((r) => r.device.id).sort(), ['villa-room-bedroom', 'villa-room-living']);
    clock.t += 10 * SEC;
    await gateway.pollOnce(); // the same beacons: nothing new
    clock.t += 60 * SEC;
    site.gateway.silence('bedroom');
    await gateway.pollOnce();
    clock.t += 4 * MIN;
    await gateway.pollOnce();

    const living = await h.stored<Reading>('READINGS', 'readings.v1.villa.villa-room-living');
    const times = living.map((r) => Date.parse(r.time));
    assert.equal(new Set(times).size, times.length, 'one reading per beacon');
    assert.ok(living.length >= 3);
    const m = living.at(-1)!.data.metrics;
    assert.equal(m.indoor_temp, Number(site.house.state.indoorC.toFixed(1)));
    assert.ok(
      m.indoor_humidity !== undefined && m.battery_level !== undefined && m.signal_rssi !== undefined,
    );
    const bedroom = await h.stored<Status>('DEVICES', 'devices.v1.villa.villa-room-bedroom.status');
    assert.deepEqual(
      bedroom.map((s) => s.data.state),
      ['online', 'unavailable'],
    );
    assert.match(bedroom[1]!.data.reason ?? '', /silent since/);
  });
});
