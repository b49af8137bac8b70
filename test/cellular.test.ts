// A cellular device's backlog through the real pipeline: Mosquitto with the generated ACLs →
// acq-cellular → JetStream → ingest → QuestDB. A 100-reading batch from after an outage lands
// under its original timestamps, and sent again (MQTT twice, then over HTTP) it is stored once.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { subjects } from '@heatstream/contracts';
import { sql, walSettled } from '@heatstream/questdb';
import {
  consumerIdle,
  eventually,
  fileFixture,
  freePort,
  natsFixture,
  questDbFixture,
  serviceFixture,
} from '@heatstream/testkit';
import { acqCellularService } from '../services/acq-cellular/src/service.ts';
import { service as ingest } from '../services/ingest/src/service.ts';
import {
  batch,
  cellularBroker,
  mqttClient,
  SERVICE_USER,
  SITE,
  stored,
} from '../services/acq-cellular/test/helpers.ts';
import { reading } from '../services/acq-cellular/test/wire.ts';

const nats = fileFixture(() => natsFixture({ own: true }));
const questdb = fileFixture(() => questDbFixture({ own: true }));
const cellular = fileFixture(() => cellularBroker(['field-7']));
const httpPort = await freePort();
fileFixture(() => serviceFixture(ingest, { env: nats.env({ HS_QUESTDB__URL: questdb.conn.url }) }));
fileFixture(() =>
  serviceFixture(acqCellularService(), {
    env: nats.env({
      HS_INVENTORY: cellular.inventory,
      HS_MQTT__URL: cellular.broker.url,
      HS_MQTT__PASSWORD: SERVICE_USER.password,
      HS_OUTBOX__DIR: join(cellular.dir, 'outbox'),
      HS_BATCH_API__PORT: String(httpPort),
    }),
  }),
);

describe('cellular backlog into QuestDB', () => {
  test('100 readings after an outage keep their times; sent twice they are stored once', async () => {
    // The modem was offline for the morning: 100 readings 10 s apart, from 06:00.
    const startS = Math.floor(Date.UTC(2026, 10, 30, 6, 0, 0) / 1000);
    // In the firmware's format; at 06:00:20 the low-pressure transducer read at a rail (null, invalid).
    const readings = batch('field-7', 100, startS);
    readings.readings[2] = reading(startS + 20, {}, ['pressureLow']);
    const backlog = JSON.stringify(readings);
    const marker = JSON.stringify(batch('field-7', 1, startS + 3_600));
    const device = await mqttClient(cellular.broker.url, {
      clientId: 'field-7',
      username: 'field-7',
      password: cellular.secrets['field-7'] ?? '',
    });
    try {
      await device.publishAsync('heatpump/field-7/data', backlog, { qos: 1 });
      await device.publishAsync('heatpump/field-7/data', backlog, { qos: 1 });
    } finally {
      await device.endAsync();
    }
    const again = await fetch(`http://127.0.0.1:${httpPort}/v1/devices/field-7/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cellular.secrets['field-7'] ?? ''}` },
      body: backlog,
    });
    assert.equal(again.status, 200);
    // The marker goes last over HTTP, answered once published: when it is in the stream and ingest
    // has caught up, every copy before it has been through ingest.
    const last = await fetch(`http://127.0.0.1:${httpPort}/v1/devices/field-7/batch`, {
      method: 'POST',
      headers: { authorization: `Bearer ${cellular.secrets['field-7'] ?? ''}` },
      body: marker,
    });
    assert.equal(last.status, 200);
    const subject = subjects.reading(SITE, 'field-7');
    await eventually(
      'the MQTT copies and the marker in READINGS',
      async () => (await stored(nats.js, 'READINGS', subject)).length === 101,
    );
    await eventually(
      'ingest to catch up',
      async () => (await consumerIdle(nats.jsm, 'READINGS', 'ingest-readings')) && walSettled(questdb.conn),
    );
    const rows = await sql(
      questdb.conn,
      `SELECT count(), min(ts), max(ts), count_distinct(ts) FROM readings WHERE device = 'field-7' AND ts < '2026-11-30T07:00:00.000000Z'`,
    );
    assert.deepEqual(rows, [[100, '2026-11-30T06:00:00.000000Z', '2026-11-30T06:16:30.000000Z', 100]]);
    const [[voltage, inlet]] = (await sql(
      questdb.conn,
      `SELECT voltage, return_temp FROM readings WHERE device = 'field-7' AND ts = '2026-11-30T06:00:10.000000Z'`,
    )) as [[number, number]];
    assert.deepEqual([voltage, inlet], [230, 38.25]);
    // Left out, not zeroed: the invalid sensor's column is NULL beside the others of its row.
    const [[pressureLow, pressureHigh]] = (await sql(
      questdb.conn,
      `SELECT pressure_low, pressure_high FROM readings WHERE device = 'field-7' AND ts = '2026-11-30T06:00:20.000000Z'`,
    )) as [[number | null, number]];
    assert.deepEqual([pressureLow, pressureHigh], [null, 20.6843]);
  });
});
