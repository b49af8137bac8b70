// acq-shelly as deployed: the service process's wiring (config, KV bucket, outbox, pollers) on a
// real nats-server against the simulated villa devices in real time. A meter with the wrong
// password is auth-failed while the right one and the rooms keep publishing and the service stays ready.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { eventually, serviceFixture, tempDir } from '@heatstream/testkit';
import { acqShelly } from '../services/acq-shelly/src/service.ts';
import { harness, shellySite, TestClock, type Reading, type Status } from './shelly-setup.ts';

test('the service polls the meter and the rooms; a wrong password is one device auth-failed', async () => {
  // The simulated devices on real time: the service uses the system clock.
  const clock = new TestClock(Date.now());
  const tick = setInterval(() => (clock.t = Date.now()), 100);
  try {
    await using h = await harness();
    await using site = await shellySite(clock, { password: 'villa pw' });
    const dir = await tempDir('acq-shelly');
    const config = join(dir, 'acq-shelly.yaml');
    const meter = { site: 'villa', host: '127.0.0.1', port: site.meterServer.port, intervalMs: 1_000 };
    await writeFile(
      config,
      stringify({
        nats: { url: h.nats.url },
        log: { level: 'silent' },
        outbox: { dir: join(dir, 'outbox') },
        devicePassword: 'villa pw',
        meters: [
          { id: 'villa-meter', ...meter },
          { id: 'wrong-meter', ...meter, password: 'not the password' },
        ],
        gateways: [
          {
            id: 'villa-gateway',
            site: 'villa',
            host: '127.0.0.1',
            port: site.gatewayServer.port,
            roomPrefix: 'villa-room',
            intervalMs: 1_000,
          },
        ],
      }),
    );
    await using svc = await serviceFixture(acqShelly, { argv: ['--config', config], env: {} });
    await eventually(
      'readings of the meter and a room, and the wrong meter auth-failed',
      async () =>
        (await h.stored<Reading>('READINGS', 'readings.v1.villa.villa-meter')).length >= 3 &&
        (await h.stored<Reading>('READINGS', 'readings.v1.villa.villa-room-living')).length >= 1 &&
        (await h.stored<Status>('DEVICES', 'devices.v1.villa.wrong-meter.status')).length >= 1,
      30_000,
    );
    const wrong = await h.stored<Status>('DEVICES', 'devices.v1.villa.wrong-meter.status');
    assert.deepEqual(
      wrong.map((s) => s.data.state),
      ['auth-failed'],
    );
    assert.equal((await h.stored<Reading>('READINGS', 'readings.v1.villa.wrong-meter')).length, 0);
    const readings = await h.stored<Reading>('READINGS', 'readings.v1.villa.villa-meter');
    assert.ok(readings.every((r) => r.data.model === 'shelly-pro-3em-triphase'));
    assert.ok((await h.store.getJson('villa-meter')) !== undefined, 'the ledger is kept in KV');
    const ready = await fetch(`http://127.0.0.1:${svc.httpPort}/readyz`);
    assert.equal(ready.status, 200);
  } finally {
    clearInterval(tick);
  }
});
