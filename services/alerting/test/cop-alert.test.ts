// cop-below-prediction against a real nats-server: 14 cop.v2 day rows on DERIVED teach the line
// COP = 3 + 0.1 × T; alerting is restarted (the model must survive in KV); a day 17 % below the
// prediction raises on ALERTS and the next day within the margin resolves it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeEvent, makeEvent, subjects, type CopV2Data } from '@heatstream/contracts';
import { consumerIdle, copV2Event, eventually, natsFixture, type NatsFixture } from '@heatstream/testkit';
import { savedState, SITE, startAlerting, storedAlerts, TestClock } from './helpers.ts';

const DAY = 86_400_000;
const D0 = Date.UTC(2025, 11, 1);
const rules = [{ id: 'cop_low', kind: 'cop-below-prediction', cooldownMs: 0 }];

/** Day `i` after D0: a running-category row of 20 kWh at `cop`, 20 h of data. */
const dayRow = (i: number, outsideTempC: number, cop: number): CopV2Data =>
  copV2Event(
    {
      site: SITE,
      device: 'wpm',
      category: 'running',
      elecKwh: 20,
      heatKwh: 20 * cop,
      cop,
      dataSeconds: 72_000,
      metering: { elecMeterClass: null, heatMeterClass: null, backupHeater: 'none' },
      outsideTempC,
      flowTempC: 35,
    },
    { time: D0 + i * DAY },
  ).data;

async function publishDay(nats: NatsFixture, data: CopV2Data): Promise<void> {
  const event = makeEvent('heatstream.cop.v2', {
    source: 'cop/test',
    subject: data.device,
    time: new Date(data.periodEnd),
    data,
  });
  await nats.js.publish(subjects.cop(data.site, data.device), encodeEvent(event), { msgID: event.id });
}

test('a day row 17 % below what its history predicts raises; the next one within resolves; a restart keeps the model', async () => {
  await using nats = await natsFixture();
  const clock = new TestClock();
  const env = { HS_RULES: JSON.stringify(rules) };
  let alerting = await startAlerting(nats.url, clock, undefined, env);
  try {
    for (let i = 0; i < 14; i++) await publishDay(nats, dayRow(i, i - 3, 3 + 0.1 * (i - 3)));
    await eventually('alerting read the 14 days', () => consumerIdle(nats.jsm, 'DERIVED', 'alerting-cop'));
    const learnt = (await savedState(nats.url)).state.cop?.[`cop_low/${SITE}/wpm`];
    assert.equal(learnt?.points.length, 14, 'the learnt days are in the saved state');
    await alerting.stop();
    alerting = await startAlerting(nats.url, clock, undefined, env);

    // At 5 °C the line predicts 3.5; 2.9 is 17 % below it, past the 15 % margin (limit 2.975).
    await publishDay(nats, dayRow(14, 5, 2.9));
    const raised = await eventually('the raise', async () =>
      (await storedAlerts(nats)).find((a) => a.data.rule === 'cop_low' && a.data.state === 'raised'),
    );
    assert.equal(raised.data.device, 'wpm');
    assert.equal(raised.data.severity, 'warning');
    assert.equal(raised.data.value, 2.9);
    assert.equal(raised.data.threshold, 2.98);
    assert.match(raised.data.message, /17 % below the 3\.5 this system's history predicts/);

    await publishDay(nats, dayRow(15, 5, 3.2));
    const alerts = await eventually('the resolve', async () => {
      const a = (await storedAlerts(nats)).filter((e) => e.data.rule === 'cop_low');
      return a.some((e) => e.data.state === 'resolved') && a;
    });
    assert.deepEqual(
      alerts.map((a) => [a.data.state, a.data.alertId]),
      [
        ['raised', raised.data.alertId],
        ['resolved', raised.data.alertId],
      ],
    );
  } finally {
    await alerting.stop();
  }
});
