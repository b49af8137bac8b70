// alerting against a real nats-server and a real HTTP receiver: alerts raised and resolved on
// ALERTS, one alert for a flapping input, a restart that keeps an alert, offline by each device's
// own interval, a webhook retried after 500s and delivered once with a valid signature, ntfy
// headers, and acknowledgements learnt from the gateway's alert.v1 events.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook } from 'standardwebhooks';
import { encodeEvent, subjects } from '@heatstream/contracts';
import { alertEvent, consumerIdle, eventually, natsFixture } from '@heatstream/testkit';
import {
  NTFY_TOKEN,
  publishReading,
  publishStatus,
  Receiver,
  rules,
  savedState,
  SITE,
  startAlerting,
  storedAlerts,
  TestClock,
  WEBHOOK_SECRET,
  type AlertEvent,
} from './helpers.ts';

const SEC = 1_000;
const states = (alerts: AlertEvent[], rule: string, device = 'hp1'): string[] =>
  alerts.filter((a) => a.data.rule === rule && a.data.device === device).map((a) => a.data.state);

describe('alerting', () => {
  test('a threshold rule raises and resolves, as alert.v1 events on ALERTS', async () => {
    await using nats = await natsFixture();
    const clock = new TestClock();
    const alerting = await startAlerting(nats.url, clock);
    try {
      await publishReading(nats.js, clock, 'hp1', { compressor_temp: 88 });
      const [raised] = await eventually('the raise', async () => {
        const a = (await storedAlerts(nats)).filter((e) => e.data.rule === 'compressor_temp_high');
        return a.length === 1 && a;
      });
      assert.ok(raised);
      assert.equal(raised.data.state, 'raised');
      assert.equal(raised.data.severity, 'warning');
      assert.equal(raised.data.value, 88);
      assert.equal(raised.data.site, SITE);
      clock.advance(10 * SEC);
      await publishReading(nats.js, clock, 'hp1', { compressor_temp: 97 });
      clock.advance(10 * SEC);
      await publishReading(nats.js, clock, 'hp1', { compressor_temp: 70 });
      const alerts = await eventually('the resolve', async () => {
        const a = await storedAlerts(nats);
        return states(a, 'compressor_temp_high').includes('resolved') && a;
      });
      const compressor = alerts.filter((a) => a.data.rule === 'compressor_temp_high');
      assert.deepEqual(
        compressor.map((a) => a.data.state),
        ['raised', 'raised', 'resolved'],
      );
      const ids = new Set(compressor.map((a) => a.data.alertId));
      assert.equal(ids.size, 1, 'the escalation and the resolve belong to the raised alert');
      // Other rules' alerts (e.g. offline as the test clock jumps) may interleave on ALERTS.
      assert.equal(compressor[1]?.data.severity, 'critical');
    } finally {
      await alerting.stop();
    }
  });

  test('a flapping input gives one alert', async () => {
    await using nats = await natsFixture();
    const clock = new TestClock();
    const alerting = await startAlerting(nats.url, clock);
    try {
      for (const value of [88, 80, 88, 80, 88, 80, 88]) {
        await publishReading(nats.js, clock, 'hp1', { compressor_temp: value });
        clock.advance(10 * SEC);
      }
      await eventually('alerting read every reading', () =>
        consumerIdle(nats.jsm, 'READINGS', 'alerting-readings'),
      );
      const alerts = (await storedAlerts(nats)).filter((a) => a.data.rule === 'compressor_temp_high');
      // Raised at the first 88, resolved at the first 80; the cooldown holds back every later onset.
      assert.deepEqual(
        alerts.map((a) => a.data.state),
        ['raised', 'resolved'],
      );
    } finally {
      await alerting.stop();
    }
  });

  test('a restart in the middle of an alert keeps it: no second raise, the resolve still comes', async () => {
    await using nats = await natsFixture();
    const clock = new TestClock();
    let alerting = await startAlerting(nats.url, clock);
    try {
      await publishReading(nats.js, clock, 'hp1', { compressor_temp: 90 });
      await eventually(
        'the raise',
        async () => states(await storedAlerts(nats), 'compressor_temp_high').length === 1,
      );
      await alerting.stop();
      alerting = await startAlerting(nats.url, clock);
      clock.advance(10 * SEC);
      await publishReading(nats.js, clock, 'hp1', { compressor_temp: 91 });
      clock.advance(10 * SEC);
      await publishReading(nats.js, clock, 'hp1', { compressor_temp: 60 });
      const alerts = await eventually('the resolve', async () => {
        const a = (await storedAlerts(nats)).filter((e) => e.data.rule === 'compressor_temp_high');
        return a.some((e) => e.data.state === 'resolved') && a;
      });
      assert.deepEqual(
        alerts.map((a) => a.data.state),
        ['raised', 'resolved'],
      );
      assert.equal(alerts[0]?.data.alertId, alerts[1]?.data.alertId);
    } finally {
      await alerting.stop();
    }
  });

  test("offline follows each device's own interval", async () => {
    await using nats = await natsFixture();
    const clock = new TestClock();
    const alerting = await startAlerting(nats.url, clock);
    try {
      // hp1 sends every second, hp2 every minute (HS_EXPECTED_INTERVAL_MS); offline after 3 missed.
      await publishReading(nats.js, clock, 'hp1', { flow_temp: 40 });
      await publishReading(nats.js, clock, 'hp2', { flow_temp: 40 });
      await eventually('alerting read both', () => consumerIdle(nats.jsm, 'READINGS', 'alerting-readings'));
      clock.advance(3.5 * SEC);
      const alerts = await eventually('hp1 offline', async () => {
        const a = await storedAlerts(nats);
        return states(a, 'device_offline', 'hp1').length === 1 && a;
      });
      assert.deepEqual(states(alerts, 'device_offline', 'hp2'), [], 'hp2 is within its interval');
      assert.match(alerts.find((a) => a.data.device === 'hp1')?.data.message ?? '', /expected every 1 s/);
      // hp1 is back; hp2 has now been silent for more than 3 minutes.
      clock.advance(180 * SEC);
      await publishReading(nats.js, clock, 'hp1', { flow_temp: 40 });
      const later = await eventually('hp1 back, hp2 offline', async () => {
        const a = await storedAlerts(nats);
        const done =
          states(a, 'device_offline', 'hp1').includes('resolved') &&
          states(a, 'device_offline', 'hp2').includes('raised');
        return done && a;
      });
      assert.deepEqual(states(later, 'device_offline', 'hp1'), ['raised', 'resolved']);
    } finally {
      await alerting.stop();
    }
  });

  test('a device known only from its status is expected from then on', async () => {
    await using nats = await natsFixture();
    const clock = new TestClock();
    const alerting = await startAlerting(nats.url, clock);
    try {
      await publishStatus(nats.js, clock, 'hp1');
      await eventually('alerting read it', () => consumerIdle(nats.jsm, 'DEVICES', 'alerting-devices'));
      clock.advance(3.5 * SEC);
      await eventually(
        'hp1 offline',
        async () => states(await storedAlerts(nats), 'device_offline', 'hp1').length === 1,
      );
    } finally {
      await alerting.stop();
    }
  });

  test('a webhook that answers 500 is retried and delivered once, signed; ntfy gets its headers', async () => {
    await using nats = await natsFixture();
    await using receiver = await Receiver.start();
    receiver.failFirst = 2;
    const clock = new TestClock();
    const alerting = await startAlerting(nats.url, clock, receiver);
    try {
      await publishReading(nats.js, clock, 'hp1', { compressor_temp: 96 });
      await eventually('both delivered and the outbox empty', async () => {
        const ok = receiver.requests.filter((r) => r.status === 200).map((r) => r.path);
        return ok.length === 2 && (await savedState(nats.url)).outbox.length === 0;
      });
      const hooks = receiver.requests.filter((r) => r.path === '/hook');
      assert.ok(hooks.length >= 2, 'the webhook was tried again after a 500');
      assert.equal(hooks.filter((r) => r.status === 200).length, 1, 'delivered once');
      assert.equal(
        new Set(hooks.map((r) => r.headers['webhook-id'])).size,
        1,
        'one webhook-id across retries',
      );
      const wh = new Webhook(WEBHOOK_SECRET);
      for (const r of hooks) {
        const body = wh.verify(r.body, r.headers as Record<string, string>) as {
          type: string;
          data: { rule: string; severity: string; state: string };
        };
        assert.equal(body.type, 'alert.raised');
        assert.deepEqual([body.data.rule, body.data.severity], ['compressor_temp_high', 'critical']);
      }
      assert.throws(() =>
        new Webhook(`whsec_${Buffer.from('another-secret').toString('base64')}`).verify(
          hooks[0]?.body ?? '',
          hooks[0]?.headers as Record<string, string>,
        ),
      );

      const ntfy = receiver.requests.find((r) => r.path === '/ntfy/heatpump' && r.status === 200);
      assert.ok(ntfy, 'ntfy got it');
      assert.equal(ntfy.headers.authorization, `Bearer ${NTFY_TOKEN}`);
      assert.equal(ntfy.headers.priority, '5');
      assert.equal(ntfy.headers.tags, 'rotating_light,heatstream');
      const title = /^=\?UTF-8\?B\?(.*)\?=$/.exec(String(ntfy.headers.title))?.[1] ?? '';
      assert.equal(Buffer.from(title, 'base64').toString(), 'Critical: compressor_temp_high on home/hp1');
      assert.match(ntfy.body, /Compressor|compressor_temp/);
    } finally {
      await alerting.stop();
    }
  });

  test('per rule: its targets, reminders while raised, no resolve notice, a muted rule', async () => {
    await using nats = await natsFixture();
    await using receiver = await Receiver.start();
    const clock = new TestClock();
    const temp = { ...rules[0], notify: { targets: ['hook'], onResolve: false, reminderMs: 60_000 } };
    const muted = {
      ...rules[0],
      id: 'voltage_high',
      metric: 'voltage',
      warning: 245,
      critical: 250,
      notify: { muteUntil: new Date(clock.t + 3_600_000).toISOString() },
    };
    const alerting = await startAlerting(nats.url, clock, receiver, {
      HS_RULES: JSON.stringify([temp, muted]),
    });
    try {
      await publishReading(nats.js, clock, 'hp1', { compressor_temp: 90, voltage: 251 });
      await eventually('the raise told', () => receiver.requests.length === 1);
      clock.advance(61 * SEC);
      await eventually('a reminder', () => receiver.requests.length === 2);
      await publishReading(nats.js, clock, 'hp1', { compressor_temp: 60, voltage: 230 });
      await eventually('both resolved', async () => {
        const a = await storedAlerts(nats);
        return a.filter((e) => e.data.state === 'resolved').length === 2;
      });
      await eventually('the outbox empty', async () => (await savedState(nats.url)).outbox.length === 0);
      const told = receiver.requests.map((r) => [r.path, r.headers['webhook-id']]);
      const [raised] = (await storedAlerts(nats)).filter((a) => a.data.rule === 'compressor_temp_high');
      assert.ok(raised);
      // Only the webhook (the rule's one target), no resolve notice, nothing for the muted rule.
      assert.deepEqual(told, [
        ['/hook', `${raised.data.alertId}.raised.${Date.parse(raised.time)}`],
        ['/hook', `${raised.data.alertId}.reminder.1`],
      ]);
    } finally {
      await alerting.stop();
    }
  });

  test('a delivery failing every attempt is given up after the last one, not retried forever', async () => {
    await using nats = await natsFixture();
    await using receiver = await Receiver.start();
    receiver.failFirst = Number.MAX_SAFE_INTEGER;
    const clock = new TestClock();
    const alerting = await startAlerting(nats.url, clock, receiver, {
      HS_RULES: JSON.stringify([{ ...rules[0], notify: { targets: ['hook'] } }]),
    });
    try {
      await publishReading(nats.js, clock, 'hp1', { compressor_temp: 90 });
      await eventually('tried', () => receiver.requests.length > 0);
      await eventually('given up', async () => (await savedState(nats.url)).outbox.length === 0);
      assert.equal(receiver.requests.length, 4, 'delivery.attempts in the test config');
    } finally {
      await alerting.stop();
    }
  });

  test("an acknowledgement from the gateway's alert.v1 event reaches the state", async () => {
    await using nats = await natsFixture();
    const clock = new TestClock();
    const alerting = await startAlerting(nats.url, clock);
    try {
      await publishReading(nats.js, clock, 'hp1', { compressor_temp: 90 });
      const raised = await eventually('the raise', async () =>
        (await storedAlerts(nats)).find((a) => a.data.rule === 'compressor_temp_high'),
      );
      const ack = alertEvent({ ...raised.data, state: 'acknowledged', acknowledgedBy: 'anna' });
      await nats.js.publish(subjects.alert(SITE, 'hp1'), encodeEvent(ack));
      const alert = await eventually('the acknowledgement in the saved state', async () => {
        const { state } = await savedState(nats.url);
        const a = Object.values(state.alerts).find((k) => k.alert?.alertId === raised.data.alertId)?.alert;
        return a?.phase === 'acknowledged' && a;
      });
      assert.equal(alert.acknowledgedBy, 'anna');
      // Learnt, not published again: the gateway's event is the only acknowledged one.
      await eventually('alerting read ALERTS', () => consumerIdle(nats.jsm, 'ALERTS', 'alerting-alerts'));
      assert.deepEqual(states(await storedAlerts(nats), 'compressor_temp_high'), ['raised', 'acknowledged']);
    } finally {
      await alerting.stop();
    }
  });
});
