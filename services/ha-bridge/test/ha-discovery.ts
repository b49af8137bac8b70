// Home Assistant's documented MQTT discovery fields, as a checker for the bridge's payloads.
// Sources: https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery (topic, device and
// origin blocks, availability), https://www.home-assistant.io/integrations/sensor.mqtt/ and
// binary_sensor.mqtt/ (keys), https://www.home-assistant.io/integrations/sensor/#device-class
// (the units each device class accepts, and that energy takes state_class total or
// total_increasing, never measurement) and binary_sensor/#device-class.

export const DISCOVERY_TOPIC =
  /^homeassistant\/(sensor|binary_sensor)\/[a-zA-Z0-9_-]+\/[a-zA-Z0-9_-]+\/config$/;

const commonKeys = [
  'availability',
  'availability_mode',
  'availability_template',
  'availability_topic',
  'default_entity_id',
  'device',
  'device_class',
  'enabled_by_default',
  'encoding',
  'entity_category',
  'entity_picture',
  'expire_after',
  'force_update',
  'icon',
  'json_attributes_template',
  'json_attributes_topic',
  'name',
  'object_id',
  'origin',
  'payload_available',
  'payload_not_available',
  'platform',
  'qos',
  'state_topic',
  'unique_id',
  'value_template',
];
const allowedKeys: Record<string, ReadonlySet<string>> = {
  sensor: new Set([
    ...commonKeys,
    'last_reset_value_template',
    'options',
    'state_class',
    'suggested_display_precision',
    'unit_of_measurement',
  ]),
  binary_sensor: new Set([...commonKeys, 'off_delay', 'payload_off', 'payload_on']),
};
const deviceKeys = new Set([
  'configuration_url',
  'connections',
  'hw_version',
  'identifiers',
  'manufacturer',
  'model',
  'model_id',
  'name',
  'serial_number',
  'suggested_area',
  'sw_version',
  'via_device',
]);
const originKeys = new Set(['name', 'sw_version', 'support_url']);

/** Sensor device classes and the units Home Assistant accepts for them (null: no unit). */
export const sensorUnits: Record<string, readonly (string | null)[]> = {
  apparent_power: ['mVA', 'VA', 'kVA'],
  battery: ['%'],
  current: ['A', 'mA'],
  duration: ['d', 'h', 'min', 's', 'ms', 'µs'],
  energy: ['J', 'kJ', 'MJ', 'GJ', 'mWh', 'Wh', 'kWh', 'MWh', 'GWh', 'TWh', 'cal', 'kcal', 'Mcal', 'Gcal'],
  frequency: ['Hz', 'kHz', 'MHz', 'GHz'],
  humidity: ['%'],
  power: ['mW', 'W', 'kW', 'MW', 'GW', 'TW', 'BTU/h'],
  power_factor: ['%', null],
  pressure: ['Pa', 'kPa', 'hPa', 'bar', 'cbar', 'mbar', 'mmHg', 'inHg', 'psi', 'mmH₂O', 'inH₂O'],
  signal_strength: ['dB', 'dBm'],
  temperature: ['°C', '°F', 'K'],
  voltage: ['V', 'mV', 'µV', 'kV', 'MV'],
  volume_flow_rate: ['m³/h', 'm³/min', 'm³/s', 'ft³/min', 'L/h', 'L/min', 'L/s', 'gal/min', 'mL/s'],
};
const binaryClasses = new Set([
  'battery',
  'battery_charging',
  'cold',
  'connectivity',
  'heat',
  'moisture',
  'power',
  'problem',
  'running',
  'safety',
]);
const stateClasses = new Set(['measurement', 'measurement_angle', 'total', 'total_increasing']);

/** Every way `payload` on `topic` departs from the documented discovery config; empty when it is valid. */
export function discoveryProblems(topic: string, payload: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const m = DISCOVERY_TOPIC.exec(topic);
  if (!m) return [`${topic}: not <prefix>/<component>/<node_id>/<object_id>/config`];
  const component = m[1] as 'sensor' | 'binary_sensor';
  const say = (p: string) => problems.push(`${topic}: ${p}`);
  for (const key of Object.keys(payload)) if (!allowedKeys[component]!.has(key)) say(`unknown key ${key}`);
  for (const key of ['state_topic', 'unique_id', 'name', 'device'])
    if (payload[key] === undefined) say(`missing ${key}`);
  if (typeof payload.state_topic !== 'string' || /[#+]/.test(payload.state_topic))
    say('state_topic must be a topic without wildcards');
  if (
    payload.default_entity_id !== undefined &&
    !(payload.default_entity_id as string).startsWith(`${component}.`)
  )
    say(`default_entity_id must start with ${component}.`);
  const device = payload.device as Record<string, unknown> | undefined;
  if (device) {
    for (const key of Object.keys(device)) if (!deviceKeys.has(key)) say(`unknown device key ${key}`);
    const ids = device.identifiers;
    if (!(Array.isArray(ids) && ids.length > 0) && device.connections === undefined)
      say('device needs identifiers or connections');
  }
  const origin = payload.origin as Record<string, unknown> | undefined;
  if (origin) {
    for (const key of Object.keys(origin)) if (!originKeys.has(key)) say(`unknown origin key ${key}`);
    if (typeof origin.name !== 'string') say('origin needs a name');
  }
  if (payload.availability !== undefined) {
    const list = payload.availability as Record<string, unknown>[];
    if (!Array.isArray(list) || list.some((a) => typeof a.topic !== 'string'))
      say('each availability needs a topic');
    if (payload.availability_topic !== undefined) say('availability and availability_topic are exclusive');
  }
  if (
    payload.availability_mode !== undefined &&
    !['all', 'any', 'latest'].includes(payload.availability_mode as string)
  )
    say('availability_mode is all, any or latest');
  const deviceClass = payload.device_class as string | undefined;
  const unit = (payload.unit_of_measurement as string | undefined) ?? null;
  const stateClass = payload.state_class as string | undefined;
  if (component === 'binary_sensor') {
    if (deviceClass !== undefined && !binaryClasses.has(deviceClass))
      say(`binary device_class ${deviceClass}`);
    return problems;
  }
  if (stateClass !== undefined && !stateClasses.has(stateClass)) say(`state_class ${stateClass}`);
  if (deviceClass !== undefined) {
    const units = sensorUnits[deviceClass];
    if (!units) say(`device_class ${deviceClass} is not one this checker knows`);
    else if (!units.includes(unit)) say(`device_class ${deviceClass} does not take unit ${unit}`);
  }
  if (deviceClass === 'energy' && stateClass !== 'total' && stateClass !== 'total_increasing')
    say('energy needs state_class total or total_increasing');
  return problems;
}
