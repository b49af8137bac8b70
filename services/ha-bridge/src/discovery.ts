// Home Assistant MQTT discovery (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery):
// the topics the bridge publishes and the config payload of each entity, in Home Assistant's
// snake_case keys. One device per heatstream device; its entities read one JSON state topic.
import { findDefinition } from '@heatstream/devices';
import type { MetricName } from '@heatstream/contracts';
import { Component, describeMetric, type EntityDescription } from './entities.ts';

export interface Topics {
  /** Home Assistant's discovery prefix (`homeassistant`). */
  discoveryPrefix: string;
  /** Root of the state topics (`heatstream`). */
  statePrefix: string;
}

export interface DeviceId {
  site: string;
  device: string;
}

export const BridgeState = { online: 'online', offline: 'offline' } as const;

/** Retained `online`, and `offline` as the bridge's last will: every entity goes unavailable with it. */
export const bridgeAvailabilityTopic = (t: Topics): string => `${t.statePrefix}/bridge/availability`;

export const stateTopic = (t: Topics, d: DeviceId): string => `${t.statePrefix}/${d.site}/${d.device}/state`;
export const availabilityTopic = (t: Topics, d: DeviceId): string =>
  `${t.statePrefix}/${d.site}/${d.device}/availability`;
export const copTopic = (t: Topics, d: DeviceId): string => `${t.statePrefix}/${d.site}/${d.device}/cop`;
export const copPeriodsTopic = (t: Topics, d: DeviceId): string =>
  `${t.statePrefix}/${d.site}/${d.device}/cop-periods`;
export const alertsTopic = (t: Topics, d: DeviceId): string =>
  `${t.statePrefix}/${d.site}/${d.device}/alerts`;

/**
 * Device ids are unique across the fleet (the gateway's rooms are keyed by device alone), so the
 * node id needs no site. Topic levels and entity ids allow [a-zA-Z0-9_-]; ids are tokens of that set.
 */
const nodeId = (d: DeviceId): string => `heatstream_${d.device}`;
const entitySlug = (s: string): string => s.toLowerCase().replaceAll('-', '_');

export const configTopic = (t: Topics, component: Component, d: DeviceId, objectId: string): string =>
  `${t.discoveryPrefix}/${component}/${nodeId(d)}/${objectId}/config`;

/** The `device` block: identifiers, and vendor and model from packages/devices where the model is known there. */
export function deviceBlock(d: DeviceId, model: string | undefined): Record<string, unknown> {
  const definition = model === undefined ? undefined : findDefinition(model);
  return {
    identifiers: [nodeId(d)],
    name: `${d.device} (${d.site})`,
    ...(definition
      ? { manufacturer: definition.vendor, model: definition.model, model_id: definition.id }
      : {}),
    ...(!definition && model !== undefined ? { model } : {}),
    suggested_area: d.site,
  };
}

export interface DiscoveryMessage {
  topic: string;
  payload: Record<string, unknown>;
}

function entity(
  t: Topics,
  d: DeviceId,
  model: string | undefined,
  objectId: string,
  state: string,
  description: EntityDescription,
  extra: Record<string, unknown> = {},
): DiscoveryMessage {
  const uniqueId = `${nodeId(d)}_${objectId}`;
  return {
    topic: configTopic(t, description.component, d, objectId),
    payload: {
      name: description.name,
      unique_id: uniqueId,
      default_entity_id: `${description.component}.${entitySlug(uniqueId)}`,
      state_topic: state,
      value_template: description.valueTemplate,
      ...(description.deviceClass ? { device_class: description.deviceClass } : {}),
      ...(description.unit ? { unit_of_measurement: description.unit } : {}),
      ...(description.stateClass ? { state_class: description.stateClass } : {}),
      // Both must say online: the device's status (from its DEVICES events) and the bridge itself,
      // so values stop showing as current when the bridge is gone.
      availability: [
        { topic: availabilityTopic(t, d), payload_available: 'online', payload_not_available: 'offline' },
        {
          topic: bridgeAvailabilityTopic(t),
          payload_available: BridgeState.online,
          payload_not_available: BridgeState.offline,
        },
      ],
      availability_mode: 'all',
      ...extra,
      device: deviceBlock(d, model),
      origin: { name: 'heatstream ha-bridge' },
    },
  };
}

export const metricConfig = (t: Topics, d: DeviceId, model: string | undefined, metric: MetricName) =>
  entity(t, d, model, metric, stateTopic(t, d), describeMetric(metric));

/** The live COP of a heat source (cop-live events): now, and over the rolling window. */
export function copConfigs(t: Topics, d: DeviceId, model: string | undefined): DiscoveryMessage[] {
  const cop = (objectId: string, name: string, key: string) =>
    entity(t, d, model, objectId, copTopic(t, d), {
      component: Component.sensor,
      name,
      stateClass: 'measurement',
      // null (compressor off, defrost, no data) becomes Home Assistant's unknown.
      valueTemplate: `{{ value_json.${key} if value_json.${key} is not none else 'unknown' }}`,
    });
  return [cop('cop_now', 'COP now', 'cop'), cop('cop_window', 'COP rolling window', 'window_cop')];
}

/**
 * The COP figures of the cop service (cop.v2, category combined) by period: the latest day row,
 * the 7- and 30-day figures and the heating season's (SCOP). Keyed by contracts' CopPeriod keys.
 */
export const copPeriods = {
  day: 'COP day',
  days7: 'COP 7 days',
  days30: 'COP 30 days',
  season: 'SCOP season',
} as const;
export type CopPeriodKey = keyof typeof copPeriods;

export function copPeriodConfigs(t: Topics, d: DeviceId, model: string | undefined): DiscoveryMessage[] {
  return Object.entries(copPeriods).map(([key, name]) =>
    entity(
      t,
      d,
      model,
      `cop_${key}`,
      copPeriodsTopic(t, d),
      {
        component: Component.sensor,
        name,
        stateClass: 'measurement',
        valueTemplate: `{{ value_json.${key}.cop if value_json.${key} is defined and value_json.${key}.cop is not none else 'unknown' }}`,
      },
      {
        json_attributes_topic: copPeriodsTopic(t, d),
        json_attributes_template: `{{ (value_json.${key} if value_json.${key} is defined else {}) | tojson }}`,
      },
    ),
  );
}

/** Alerts of a device: a problem sensor (any active) and the number active. */
export function alertConfigs(t: Topics, d: DeviceId, model: string | undefined): DiscoveryMessage[] {
  return [
    entity(t, d, model, 'alert_problem', alertsTopic(t, d), {
      component: Component.binarySensor,
      name: 'Alert',
      deviceClass: 'problem',
      valueTemplate: "{{ 'ON' if value_json.active > 0 else 'OFF' }}",
    }),
    entity(
      t,
      d,
      model,
      'alerts_active',
      alertsTopic(t, d),
      {
        component: Component.sensor,
        name: 'Active alerts',
        stateClass: 'measurement',
        valueTemplate: '{{ value_json.active }}',
      },
      {
        json_attributes_topic: alertsTopic(t, d),
        json_attributes_template: '{{ value_json.alerts | tojson }}',
      },
    ),
  ];
}
