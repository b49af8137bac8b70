// STATUS from the dashboard to a cellular device and back, through the real parts: Chromium →
// gateway → commands.v1 → acq-cellular → Mosquitto (generated ACLs) → the device, which answers on
// its cmd/result topic → command-result.v1 → the gateway's live push → the device page.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Browser } from 'playwright-core';
import {
  freePort,
  launchChromium,
  natsFixture,
  questDbFixture,
  readingEvent,
  serviceFixture,
  type NatsFixture,
  type QuestDbFixture,
  type ServiceFixture,
} from '@heatstream/testkit';
import { acqCellularService } from '../services/acq-cellular/src/service.ts';
import {
  cellularBroker,
  mqttClient,
  SERVICE_USER,
  SITE,
  type CellularBroker,
} from '../services/acq-cellular/test/helpers.ts';
import { commandResult } from '../services/acq-cellular/test/wire.ts';
import { seed, startGateway } from '../services/gateway/test/fixtures.ts';
import { addInstaller, buildDashboard, closeStack, logIn, shots } from './dashboard-stack.ts';

let nats: NatsFixture;
let questdb: QuestDbFixture;
let cellular: CellularBroker;
let gateway: ServiceFixture;
let acq: ServiceFixture;
let device: MqttClient;
let browser: Browser;
let base: string;
let dist: string;

before(async () => {
  dist = await buildDashboard();
  [nats, questdb, cellular] = await Promise.all([
    natsFixture({ own: true }),
    questDbFixture({ own: true }),
    cellularBroker(['remote-1']),
  ]);
  // What ingest would have stored of the device's first batch: the page knows its site and model.
  await seed(questdb.conn, [
    readingEvent(
      {
        site: SITE,
        device: 'remote-1',
        model: 'esp32-sim800c',
        metrics: { voltage: 231, compressor_temp: 64 },
      },
      { time: Date.now() - 60_000 },
    ),
  ]);
  ({ svc: gateway, base } = await startGateway(nats, questdb.conn, { HS_API__PUBLIC_DIR: dist }));
  acq = await serviceFixture(acqCellularService(), {
    env: nats.env({
      HS_INVENTORY: cellular.inventory,
      HS_MQTT__URL: cellular.broker.url,
      HS_MQTT__PASSWORD: SERVICE_USER.password,
      HS_OUTBOX__DIR: join(cellular.dir, 'outbox'),
      HS_BATCH_API__PORT: String(await freePort()),
    }),
  });
  // The device: answers STATUS in the firmware's format, on its own cmd/result topic.
  device = await mqttClient(cellular.broker.url, {
    clientId: 'remote-1',
    username: 'remote-1',
    password: cellular.secrets['remote-1'] ?? '',
  });
  device.on('message', (_topic, payload) => {
    const { id, command } = JSON.parse(payload.toString()) as { id: string; command: string };
    void device.publishAsync(
      'heatpump/remote-1/cmd/result',
      JSON.stringify(commandResult(id, command, 'remote-1 Cmp64C 231V Alerts:none Buf0/120 Sig-77dBm(58%)')),
      { qos: 1 },
    );
  });
  await device.subscribeAsync('heatpump/remote-1/cmd', { qos: 1 });
  await addInstaller(nats);
  browser = await launchChromium();
});

after(async () => {
  await device.endAsync();
  await acq[Symbol.asyncDispose]();
  await cellular[Symbol.asyncDispose]();
  await closeStack(browser, gateway, nats, questdb, dist);
});

test('STATUS sent from the device page is answered by the device, and the answer is shown', async () => {
  const page = await browser.newPage();
  await logIn(page, base);
  // The overview first, as the other dashboard tests do: a device route taken while the login's
  // overview is still loading is overwritten by it when it lands (main.ts route() has no guard).
  await page.locator('[data-device="remote-1"]').waitFor({ timeout: 30_000 });
  await page.goto(`${base}/#/device/remote-1`);
  await page.getByRole('heading', { name: 'Commands' }).waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'STATUS' }).click();
  const answer = page.locator('.command-answer');
  await answer.getByText('STATUS answered').waitFor({ timeout: 30_000 });
  const shown = (await answer.textContent()) ?? '';
  assert.match(shown, /remote-1 Cmp64C 231V Alerts:none Buf0\/120 Sig-77dBm\(58%\)/);
  // The status block's summary under the SMS text.
  assert.match(shown, /alerts: none · buffered 0\/120 · signal -77 dBm/);
  await page.screenshot({ path: join(shots, '9-device-commands.png'), fullPage: true });
  await page.close();
});
