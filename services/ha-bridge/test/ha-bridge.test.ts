// ha-bridge against a real nats-server and a real Mosquitto with the ACL ./heatstream start
// writes: readings, device states, alerts and the live COP published on NATS come out as retained
// Home Assistant discovery configs (checked against Home Assistant's documented fields) and state
// topics that follow them, seen by a client logged in as Home Assistant; the bridge's broker user
// can publish nowhere else.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { encodeEvent, makeEvent, subjectOf, type EventTypeName } from '@heatstream/contracts';
import { eventually, fileFixture, natsFixture, serviceFixture } from '@heatstream/testkit';
import { service } from '../src/service.ts';
import { DISCOVERY_TOPIC, discoveryProblems } from './ha-discovery.ts';
import { haBroker, Recorder, USERS } from './helpers.ts';

const nats = fileFixture(() => natsFixture({ own: true }));
const broker = fileFixture(haBroker);
const bridge = fileFixture(() =>
  serviceFixture(service, {
    env: nats.env({ HS_MQTT__URL: broker.url, HS_MQTT__PASSWORD: USERS['ha-bridge'] }),
  }),
);

const T0 = Date.parse('2026-01-10T12:00:00Z');
let seq = 0;
function publish(type: EventTypeName, data: Record<string, unknown>, time = T0 + ++seq * 1000): void {
  const event = makeEvent(type, {
    source: 'test',
    subject: String(data.device),
    time: new Date(time),
    data,
  } as never);
  nats.nc.publish(subjectOf(event), encodeEvent(event));
}
function reading(device: string, model: string, metrics: Record<string, number>, time?: number): void {
  publish('heatstream.reading.v1', { site: 'home', device, model, metrics }, time);
}

const ha = fileFixture(() =>
  Recorder.connect(broker.url, 'homeassistant', ['homeassistant/#', 'heatstream/#']),
);
const configOf = (component: string, device: string, objectId: string) =>
  ha.json(`homeassistant/${component}/heatstream_${device}/${objectId}/config`);

/**
 * The service's subscriptions open as it starts; a first reading published before the server has
 * them would be lost, so it is sent again until its state shows (the state is idempotent).
 */
async function firstReading(device: string, model: string, metrics: Record<string, number>): Promise<void> {
  await eventually(
    `state of ${device}`,
    async () => {
      reading(device, model, metrics, T0);
      await nats.nc.flush();
      await new Promise((r) => setTimeout(r, 100));
      return ha.last(`heatstream/home/${device}/state`) !== undefined;
    },
    20_000,
  );
}

describe('ha-bridge', () => {
  test('publishes a retained, documented discovery config per metric with the device from packages/devices', async () => {
    await firstReading('wpm', 'stiebel-eltron-wpm', {
      flow_temp: 35.5,
      heat_energy: 1_234_000,
      compressor_on: 1,
      operating_mode: 3,
    });
    await firstReading('meter', 'wago-879-30xx', {
      voltage: 231,
      current: 4.2,
      frequency: 50,
      power_factor: 0.97,
      elec_energy: 500_000,
      elec_power: 950,
    });
    const expected = [
      ['sensor', 'wpm', 'flow_temp'],
      ['sensor', 'wpm', 'heat_energy'],
      ['binary_sensor', 'wpm', 'compressor_on'],
      ['sensor', 'wpm', 'operating_mode'],
      ['sensor', 'meter', 'voltage'],
      ['sensor', 'meter', 'elec_energy'],
      ['sensor', 'meter', 'power_factor'],
      ['binary_sensor', 'meter', 'alert_problem'],
      ['sensor', 'meter', 'alerts_active'],
    ] as const;
    await eventually('every config', () => expected.every(([c, d, o]) => configOf(c, d, o)), 10_000);

    // Home Assistant connecting later gets them all as retained messages.
    await using late = await Recorder.connect(broker.url, 'homeassistant', ['homeassistant/#']);
    await eventually('retained configs', () => late.messages.length >= expected.length, 10_000);
    const configs = late.messages.filter((m) => DISCOVERY_TOPIC.test(m.topic));
    assert.ok(configs.length >= expected.length);
    assert.ok(
      configs.every((m) => m.retain),
      'every config is retained',
    );
    assert.deepEqual(
      configs.flatMap((m) => discoveryProblems(m.topic, JSON.parse(m.payload) as Record<string, unknown>)),
      [],
    );

    const temp = configOf('sensor', 'wpm', 'flow_temp')!;
    assert.equal(temp.device_class, 'temperature');
    assert.equal(temp.unit_of_measurement, '°C');
    assert.equal(temp.state_class, 'measurement');
    assert.equal(temp.state_topic, 'heatstream/home/wpm/state');
    assert.equal(temp.unique_id, 'heatstream_wpm_flow_temp');
    assert.equal(temp.default_entity_id, 'sensor.heatstream_wpm_flow_temp');
    assert.deepEqual((temp.device as Record<string, unknown>).identifiers, ['heatstream_wpm']);
    assert.equal((temp.device as Record<string, unknown>).manufacturer, 'Stiebel Eltron');
    assert.equal(
      (configOf('sensor', 'meter', 'voltage')!.device as Record<string, unknown>).manufacturer,
      'WAGO',
    );
    const energy = configOf('sensor', 'meter', 'elec_energy')!;
    assert.equal(energy.device_class, 'energy');
    assert.equal(energy.unit_of_measurement, 'kWh');
    assert.equal(energy.state_class, 'total_increasing');
    assert.equal(configOf('binary_sensor', 'wpm', 'compressor_on')!.device_class, 'running');
    assert.equal(configOf('sensor', 'meter', 'power_factor')!.unit_of_measurement, undefined);
  });

  test('state topics follow the readings; an older reading does not replace a newer value', async () => {
    await firstReading('hp2', 'lg-therma-v-r290', { flow_temp: 30 });
    reading('hp2', 'lg-therma-v-r290', { flow_temp: 31.5, outside_temp: -2 }, T0 + 60_000);
    await eventually('flow 31.5', () => ha.json('heatstream/home/hp2/state')?.flow_temp === 31.5, 10_000);
    // An older flow temperature arrives late, beside a new metric: the new one is taken, the old one not.
    reading('hp2', 'lg-therma-v-r290', { flow_temp: 29, return_temp: 25 }, T0 + 30_000);
    await eventually('return_temp', () => ha.json('heatstream/home/hp2/state')?.return_temp === 25, 10_000);
    const state = ha.json('heatstream/home/hp2/state')!;
    assert.equal(state.flow_temp, 31.5);
    assert.equal(state.outside_temp, -2);
    assert.equal(state.time, new Date(T0 + 60_000).toISOString());
    assert.ok(configOf('sensor', 'hp2', 'return_temp'), 'a metric seen later gets its config then');
  });

  test('availability follows the device status events, and the bridge is online', async () => {
    await firstReading('hp3', 'lg-therma-v-r290', { flow_temp: 30 });
    const topic = 'heatstream/home/hp3/availability';
    await eventually('online from the reading', () => ha.last(topic) === 'online', 10_000);
    publish('heatstream.device-status.v1', {
      site: 'home',
      device: 'hp3',
      state: 'unavailable',
      reason: 'timeout',
    });
    await eventually('offline', () => ha.last(topic) === 'offline', 10_000);
    publish('heatstream.device-status.v1', { site: 'home', device: 'hp3', state: 'online' });
    await eventually('online again', () => ha.last(topic) === 'online', 10_000);
    const config = configOf('sensor', 'hp3', 'flow_temp')!;
    assert.deepEqual(
      (config.availability as { topic: string }[]).map((a) => a.topic),
      [topic, 'heatstream/bridge/availability'],
    );
    assert.equal(config.availability_mode, 'all');
    assert.equal(ha.last('heatstream/bridge/availability'), 'online');
  });

  test('live COP and active alerts become entities of their device', async () => {
    await firstReading('hp4', 'stiebel-eltron-wpm', { flow_temp: 40 });
    const at = new Date(T0).toISOString();
    publish('heatstream.cop-live.v1', {
      site: 'home',
      device: 'hp4',
      at,
      heatW: 4000,
      elecW: 1000,
      cop: 4,
      startingPowerW: 100,
      window: { start: at, end: at, runningSeconds: 600, heatKwh: 0.6, elecKwh: 0.2, cop: 3 },
      heatSource: 'flow-dt',
    });
    await eventually('cop state', () => ha.json('heatstream/home/hp4/cop')?.cop === 4, 10_000);
    assert.equal(ha.json('heatstream/home/hp4/cop')!.window_cop, 3);
    const copConfig = configOf('sensor', 'hp4', 'cop_now')!;
    assert.equal(copConfig.state_topic, 'heatstream/home/hp4/cop');
    assert.deepEqual(discoveryProblems(`homeassistant/sensor/heatstream_hp4/cop_now/config`, copConfig), []);
    assert.ok(configOf('sensor', 'hp4', 'cop_window'));

    const alert = (alertId: string, state: string): void => {
      publish('heatstream.alert.v1', {
        site: 'home',
        device: 'hp4',
        alertId,
        rule: 'flow_temp_high',
        severity: 'warning',
        state,
        message: 'flow temperature high',
      });
    };
    alert('a1', 'raised');
    alert('a2', 'raised');
    await eventually('two active', () => ha.json('heatstream/home/hp4/alerts')?.active === 2, 10_000);
    alert('a1', 'resolved');
    alert('a2', 'acknowledged');
    await eventually(
      'one active',
      () => {
        const s = ha.json('heatstream/home/hp4/alerts');
        return s?.active === 1 && (s.alerts as { state: string }[])[0]?.state === 'acknowledged';
      },
      10_000,
    );
    alert('a2', 'resolved');
    await eventually('none active', () => ha.json('heatstream/home/hp4/alerts')?.active === 0, 10_000);
    assert.equal(configOf('binary_sensor', 'hp4', 'alert_problem')!.device_class, 'problem');
  });

  test("the cop service's figures by period become COP day / 7 days / 30 days / SCOP entities", async () => {
    await firstReading('hp5', 'stiebel-eltron-wpm', { flow_temp: 40 });
    const fixture = JSON.parse(
      readFileSync(
        new URL(
          '../../../contracts/fixtures/heatstream.cop.v2/365d-combined-partial-heat-meter.json',
          import.meta.url,
        ),
        'utf8',
      ),
    ) as { data: Record<string, unknown> };
    const figure = (period: string, category: string, periodStart: string, cop: number): void => {
      publish('heatstream.cop.v2', {
        ...fixture.data,
        site: 'home',
        device: 'hp5',
        period,
        category,
        periodStart,
        cop,
      });
    };
    figure('season', 'combined', '2025-10-01T00:00:00Z', 3.6);
    figure('day', 'combined', '2026-01-09T00:00:00Z', 3.1);
    figure('day', 'running', '2026-01-09T00:00:00Z', 9.9); // another category: not shown
    figure('day', 'combined', '2026-01-08T00:00:00Z', 2.0); // an older day: does not replace
    figure('7d', 'combined', '2026-01-02T00:00:00Z', 3.3);
    await eventually(
      'periods',
      () => ha.json('heatstream/home/hp5/cop-periods')?.days7 !== undefined,
      10_000,
    );
    const periods = ha.json('heatstream/home/hp5/cop-periods') as Record<
      string,
      { cop: number; period_start: string }
    >;
    assert.equal(periods.season?.cop, 3.6);
    assert.equal(periods.day?.cop, 3.1);
    assert.equal(periods.day.period_start, '2026-01-09T00:00:00Z');
    assert.equal(periods.days7?.cop, 3.3);
    assert.equal(periods.days30, undefined);
    for (const key of ['day', 'days7', 'days30', 'season']) {
      const config = configOf('sensor', 'hp5', `cop_${key}`);
      assert.ok(config, `cop_${key}`);
      assert.deepEqual(
        discoveryProblems(`homeassistant/sensor/heatstream_hp5/cop_${key}/config`, config),
        [],
      );
    }
    assert.equal(configOf('sensor', 'hp5', 'cop_season')!.name, 'SCOP season');
  });

  test("the bridge's broker user may publish under homeassistant/ and heatstream/ only", async () => {
    await using watcher = await Recorder.connect(broker.url, 'heatstream', ['heatpump/#']);
    await using bridgeUser = await Recorder.connect(broker.url, 'ha-bridge');
    const code = (client: Recorder, topic: string): Promise<number> => client.reasonCode(topic);
    // 135: not authorized (MQTT 5), from Mosquitto's ACL.
    assert.equal(await code(bridgeUser, 'heatpump/dev-a/cmd'), 135);
    assert.equal(await code(bridgeUser, 'elsewhere/topic'), 135);
    assert.equal(await code(bridgeUser, 'heatstream/acl-check/x'), 0);
    assert.equal(await code(bridgeUser, 'homeassistant/sensor/acl_check/x/config'), 0);
    // Home Assistant's own user only reads; it may publish its birth message.
    await using haUser = await Recorder.connect(broker.url, 'homeassistant');
    assert.equal(await code(haUser, 'heatstream/home/wpm/state'), 135);
    assert.equal(await code(haUser, 'homeassistant/status'), 0);
    // What was refused reached no one: the heatstream user (heatpump/#) saw nothing after a
    // message of its own, sent after the refused one on the same broker.
    await watcher.client.publishAsync('heatpump/marker/data', 'm', { qos: 1 });
    await eventually(
      'marker',
      () => watcher.messages.some((m) => m.topic === 'heatpump/marker/data'),
      10_000,
    );
    assert.deepEqual(
      watcher.messages.map((m) => m.topic),
      ['heatpump/marker/data'],
    );
  });

  // Last: it stops the bridge.
  test('a stopped bridge leaves its entities unavailable (bridge availability offline, retained)', async () => {
    assert.equal(await bridge.stop('test'), 0);
    await eventually('offline', () => ha.last('heatstream/bridge/availability') === 'offline', 10_000);
    await using late = await Recorder.connect(broker.url, 'homeassistant', [
      'heatstream/bridge/availability',
    ]);
    await eventually(
      'retained offline',
      () => late.last('heatstream/bridge/availability') === 'offline',
      10_000,
    );
  });
});
