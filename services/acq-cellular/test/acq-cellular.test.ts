// acq-cellular against a real Mosquitto with the ACL and passwords generated from its inventory,
// and a real nats-server: devices are fenced into their own topics, batches land under their own
// times with invalid sensors left out, bad payloads are dead-lettered with the reason while the
// service goes on, the last will marks a device offline, and a command is answered.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { encodeEvent, makeEvent, subjects, type Envelope } from '@heatstream/contracts';
import {
  deadLetters,
  eventually,
  fileFixture,
  freePort,
  natsFixture,
  serviceFixture,
} from '@heatstream/testkit';
import { acqCellularService } from '../src/service.ts';
import { batch, cellularBroker, mqttClient, SERVICE_USER, SITE, stored } from './helpers.ts';
import { alert, commandResult, online, reading, will as lastWill } from './wire.ts';

const MAX_BYTES = 64 * 1024;
const nats = fileFixture(() => natsFixture({ own: true }));
const cellular = fileFixture(() => cellularBroker(['dev-a', 'dev-b', 'dev-c', 'dev-d']));
const httpPort = await freePort();
fileFixture(() =>
  serviceFixture(acqCellularService(), {
    env: nats.env({
      HS_INVENTORY: cellular.inventory,
      HS_MQTT__URL: cellular.broker.url,
      HS_MQTT__PASSWORD: SERVICE_USER.password,
      HS_OUTBOX__DIR: join(cellular.dir, 'outbox'),
      HS_BATCH_API__PORT: String(httpPort),
      HS_MAX_PAYLOAD_BYTES: String(MAX_BYTES),
    }),
  }),
);

const device = (id: string, more = {}) =>
  mqttClient(cellular.broker.url, {
    clientId: id,
    username: id,
    password: cellular.secrets[id] ?? '',
    ...more,
  });
const reasons = async (): Promise<string[]> =>
  (await deadLetters(nats.js, 'acq-cellular')).map((d) => d.data.reason);
const post = (id: string, body: Uint8Array | string, headers: Record<string, string> = {}) =>
  fetch(`http://127.0.0.1:${httpPort}/v1/devices/${id}/batch`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${cellular.secrets[id] ?? 'none'}`,
      'content-type': 'application/json',
      ...headers,
    },
    body,
  });

/** A PUBACK's reason code (MQTT 5); absent means success. */
const reasonCode = (packet: unknown): number =>
  (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0;

describe('acq-cellular', () => {
  test('device A can neither publish nor subscribe under device B', async () => {
    const a = await device('dev-a');
    const b = await device('dev-b');
    try {
      // Mosquitto grants a subscription and applies `topic read` to each message delivered: what A
      // gets is what counts.
      const seenByA: string[] = [];
      a.on('message', (topic) => seenByA.push(topic));
      await a.subscribeAsync(['heatpump/dev-a/cmd', 'heatpump/dev-b/cmd', 'heatpump/#'], { qos: 1 });
      const seenByB = new Promise<string>((resolve) =>
        b.on('message', (topic) => {
          resolve(topic);
        }),
      );
      await b.subscribeAsync('heatpump/dev-b/cmd', { qos: 1 });
      // One consumer sends commands in stream order, and the broker keeps the order of one
      // publisher: once A has its own command, B's went out before it.
      for (const id of ['dev-b', 'dev-a']) {
        const command = makeEvent('heatstream.command.v1', {
          source: 'test/0',
          subject: id,
          data: { site: SITE, device: id, command: 'STATUS', requestedBy: 'test' },
        });
        await nats.js.publish(subjects.command(SITE, id), encodeEvent(command));
      }
      assert.equal(await seenByB, 'heatpump/dev-b/cmd');
      await eventually('A’s own command', () => seenByA.includes('heatpump/dev-a/cmd'));
      // (Twice, perhaps: MQTT 5 delivers once per matching subscription.)
      assert.deepEqual([...new Set(seenByA)], ['heatpump/dev-a/cmd']);
      const payload = JSON.stringify(batch('dev-b', 1, 1_800_000_000));
      await assert.rejects(a.publishAsync('heatpump/dev-b/data', payload, { qos: 1 }), (error: unknown) => {
        assert.equal((error as { code?: number }).code, 135, 'PUBACK: not authorised');
        return true;
      });
      const own = await a.publishAsync(
        'heatpump/dev-a/data',
        JSON.stringify(batch('dev-a', 1, 1_800_000_000)),
        { qos: 1 },
      );
      assert.equal(reasonCode(own), 0);
    } finally {
      await a.endAsync();
      await b.endAsync();
    }
    // B's secret does not log in as A, nor does a guessed one.
    await assert.rejects(
      mqttClient(cellular.broker.url, {
        clientId: 'x',
        username: 'dev-a',
        password: cellular.secrets['dev-b'] ?? '',
      }),
      /Bad User Name or Password|Not authorized/i,
    );
    await eventually(
      'A’s own reading',
      async () => (await stored(nats.js, 'READINGS', subjects.reading(SITE, 'dev-a'))).length > 0,
    );
    assert.deepEqual(await stored(nats.js, 'READINGS', subjects.reading(SITE, 'dev-b')), []);
  });

  test('a 100-reading backlog lands under its own times, invalid sensors left out; sent twice it is stored once', async () => {
    const startS = Math.floor(Date.UTC(2026, 10, 30, 6, 0, 0) / 1000);
    const backlog = batch('dev-c', 100, startS);
    // The third reading's inlet NTC is open: the firmware sends null and valid.inletTemp false.
    backlog.readings[2] = reading(startS + 20, {}, ['inletTemp']);
    const c = await device('dev-c');
    try {
      for (let i = 0; i < 2; i++)
        await c.publishAsync('heatpump/dev-c/data', JSON.stringify(backlog), { qos: 1 });
    } finally {
      await c.endAsync();
    }
    // And once more over HTTP, gzipped.
    const response = await post('dev-c', gzipSync(JSON.stringify(backlog)), { 'content-encoding': 'gzip' });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { stored: 100, droppedSensors: 1 });
    const subject = subjects.reading(SITE, 'dev-c');
    const readings = await eventually('100 readings', async () => {
      const got = await stored(nats.js, 'READINGS', subject);
      return got.length >= 100 && got;
    });
    assert.equal(readings.length, 100, 'JetStream kept each reading once');
    const times = readings.map((r) => Date.parse(r.time) / 1000).sort((x, y) => x - y);
    assert.deepEqual(
      times,
      Array.from({ length: 100 }, (_, i) => startS + i * 10),
    );
    const third = readings.find((r) => Date.parse(r.time) / 1000 === startS + 20) as Envelope<{
      metrics: Record<string, number>;
    }>;
    assert.equal(third.data.metrics.return_temp, undefined);
    assert.equal(third.data.metrics.flow_temp, 43.5);
    assert.equal(third.data.metrics.pressure_high, 20.6843, '300 PSI in bar');
    // The batch's signal goes with its newest reading only.
    const withSignal = readings.filter((r) => 'signal_rssi' in (r.data as { metrics: object }).metrics);
    assert.deepEqual(
      withSignal.map((r) => [r.time, (r.data as { metrics: Record<string, number> }).metrics.signal_rssi]),
      [[new Date((startS + 990) * 1000).toISOString(), -83]],
    );
  });

  test('malformed JSON, wrong types, oversize and an unknown device are rejected with the reason; the service goes on', async () => {
    const d = await device('dev-d');
    const good = JSON.stringify(batch('dev-d', 1, 1_800_000_500));
    try {
      await d.publishAsync('heatpump/dev-d/data', '{"device": "dev-d", "readings": [', { qos: 1 });
      const wrongType = batch('dev-d', 1, 1_800_000_000);
      await d.publishAsync(
        'heatpump/dev-d/data',
        JSON.stringify({ ...wrongType, readings: [{ ...wrongType.readings[0], voltage: '230' }] }),
        { qos: 1 },
      );
      // The format before the contract: status as "1", not the firmware's JSON.
      await d.publishAsync('heatpump/dev-d/status/online', '1', { qos: 1 });
      // The firmware's answer to a command it could not parse: no id to record it against.
      const unparsed = { ...commandResult('', 'FOO', 'unknown command FOO'), ok: false };
      await d.publishAsync('heatpump/dev-d/cmd/result', JSON.stringify(unparsed), { qos: 1 });
      await d.publishAsync('heatpump/dev-d/data', JSON.stringify(batch('dev-d', 400, 1_800_000_000)), {
        qos: 1,
      });
    } finally {
      await d.endAsync();
    }
    const ghost = await mqttClient(cellular.broker.url, {
      clientId: 'svc-test',
      username: SERVICE_USER.user,
      password: SERVICE_USER.password,
    });
    try {
      await ghost.publishAsync('heatpump/ghost/data', good, { qos: 1 });
    } finally {
      await ghost.endAsync();
    }
    const unknownHttp = await post('ghost', good);
    assert.equal(unknownHttp.status, 404);
    const wrongToken = await post('dev-d', good, { authorization: 'Bearer guessed' });
    assert.equal(wrongToken.status, 401);
    const tooBig = await post('dev-d', JSON.stringify(batch('dev-d', 400, 1_800_000_000)));
    assert.equal(tooBig.status, 413);
    const all = await eventually('eight dead letters', async () => {
      const got = await reasons();
      return got.length >= 8 && got;
    });
    const expected = [
      /^malformed JSON in cellular batch/,
      /^invalid cellular batch: \/readings\/0\/voltage /,
      /^invalid device status: \/ Expected object/,
      /^command result for no command id: unknown command FOO$/,
      /^payload of \d+ bytes is over the limit of 65536/,
      /^unknown device "ghost": not in the inventory/,
      /^unknown device "ghost": not in the inventory/,
      /^body over the limit of 65536 bytes/,
    ];
    for (const pattern of expected) {
      const i = all.findIndex((r) => pattern.test(r));
      assert.ok(i >= 0, `a dead letter matching ${pattern} in ${JSON.stringify(all)}`);
      all.splice(i, 1);
    }
    // Still serving: a good batch after all that lands.
    const ok = await post('dev-d', good);
    assert.equal(ok.status, 200);
    await eventually(
      'dev-d’s good reading',
      async () => (await stored(nats.js, 'READINGS', subjects.reading(SITE, 'dev-d'))).length === 1,
    );
  });

  test('a device whose connection dies goes offline through its last will', async () => {
    const will = {
      topic: 'heatpump/dev-b/status/online',
      payload: Buffer.from(JSON.stringify(lastWill)),
      qos: 1 as const,
      retain: true,
    };
    const b = await device('dev-b', { will });
    await b.publishAsync('heatpump/dev-b/status/online', JSON.stringify(online()), { qos: 1, retain: true });
    const statusSubject = subjects.deviceStatus(SITE, 'dev-b');
    await eventually('dev-b online', async () =>
      (await stored(nats.js, 'DEVICES', statusSubject)).some(
        (e) => (e.data as { state: string }).state === 'online',
      ),
    );
    // The modem drops off the network: no DISCONNECT, the socket just goes.
    b.stream.destroy();
    const offline = await eventually('dev-b offline', async () =>
      (await stored(nats.js, 'DEVICES', statusSubject)).find(
        (e) => (e.data as { state: string }).state === 'unavailable',
      ),
    );
    assert.equal((offline.data as { reason: string }).reason, 'offline (last will, or an orderly stop)');
    b.end(true);
  });

  test('a STATUS command reaches the device and its answer is recorded', async () => {
    const b = await device('dev-b');
    try {
      const received = new Promise<{ id: string; command: string }>((resolve) =>
        b.on('message', (_topic, payload) => {
          resolve(JSON.parse(payload.toString()) as { id: string; command: string });
        }),
      );
      await b.subscribeAsync('heatpump/dev-b/cmd', { qos: 1 });
      const command = makeEvent('heatstream.command.v1', {
        source: 'test/0',
        subject: 'dev-b',
        data: { site: SITE, device: 'dev-b', command: 'STATUS', requestedBy: 'anna' },
      });
      await nats.js.publish(subjects.command(SITE, 'dev-b'), encodeEvent(command));
      const sent = await received;
      assert.deepEqual(sent, { id: command.id, command: 'STATUS' });
      await b.publishAsync(
        'heatpump/dev-b/cmd/result',
        JSON.stringify(commandResult(sent.id, 'STATUS', 'dev-b In38C Out44C Alerts:none Buf0/120')),
        { qos: 1 },
      );
      const [result] = await eventually('the answer', async () => {
        const got = await stored(nats.js, 'COMMANDS', subjects.commandResult(SITE, 'dev-b'));
        return got.length > 0 && got;
      });
      const { text, ...rest } = result?.data as { text: string };
      assert.deepEqual(rest, {
        site: SITE,
        device: 'dev-b',
        commandId: command.id,
        command: 'STATUS',
        ok: true,
      });
      // The device's message, then what its status block adds.
      const [message, summary] = text.split('\n');
      assert.equal(message, 'dev-b In38C Out44C Alerts:none Buf0/120');
      assert.match(
        summary ?? '',
        /^alerts: none · buffered 0\/120 · signal -77 dBm \(csq 18, 58 %\) · up 1 h 2 min · publishes every 300 s · last reading /,
      );
      assert.equal(result?.type, 'heatstream.command-result.v1');
    } finally {
      await b.endAsync();
    }
  });

  test('the firmware’s alerts are recorded as alert.v1, raised and resolved, with the firmware as source', async () => {
    const timeS = 1_800_001_000;
    const c = await device('dev-c');
    try {
      await c.publishAsync('heatpump/dev-c/alerts', JSON.stringify(alert('dev-c', timeS)), { qos: 1 });
      const cleared = alert('dev-c', timeS + 60, {
        state: 'resolved',
        value: 80,
        sms: false,
        message: 'dev-c OK Compressor temp 80.0C (was critical)',
      });
      await c.publishAsync('heatpump/dev-c/alerts', JSON.stringify(cleared), { qos: 1 });
      const pressure = alert('dev-c', timeS, {
        rule: 'high_pressure_high',
        severity: 'warning',
        value: 420,
        threshold: 400,
        sms: false,
        message: 'dev-c WARNING High pressure 420.0PSI > 400PSI',
      });
      await c.publishAsync('heatpump/dev-c/alerts', JSON.stringify(pressure), { qos: 1 });
    } finally {
      await c.endAsync();
    }
    const got = await eventually('three alerts', async () => {
      const all = await stored(nats.js, 'ALERTS', subjects.alert(SITE, 'dev-c'));
      return all.length >= 3 && all;
    });
    type Data = {
      alertId: string;
      rule: string;
      state: string;
      severity: string;
      value: number;
      threshold: number;
      message: string;
      metric: string;
    };
    const byState = (rule: string, state: string) =>
      got.find((e) => (e.data as Data).rule === rule && (e.data as Data).state === state) as Envelope<Data>;
    const raised = byState('firmware:compressor_temp_high', 'raised');
    const resolved = byState('firmware:compressor_temp_high', 'resolved');
    assert.equal(raised.time, new Date(timeS * 1000).toISOString());
    assert.equal(raised.data.severity, 'critical');
    assert.equal(raised.data.message, 'dev-c CRITICAL Compressor temp 96.5C > 95C (SMS sent)');
    assert.deepEqual(
      [raised.data.metric, raised.data.value, raised.data.threshold],
      ['compressor_temp', 96.5, 95],
    );
    assert.equal(resolved.data.alertId, raised.data.alertId, 'the resolution closes the instance raised');
    assert.equal(resolved.data.message, 'dev-c OK Compressor temp 80.0C (was critical)');
    const high = byState('firmware:high_pressure_high', 'raised');
    assert.deepEqual(
      [high.data.metric, high.data.value, high.data.threshold],
      ['pressure_high', 28.958, 27.579],
    );
    assert.match(high.data.message, /\(no SMS: cooldown\)$/);
  });
});
