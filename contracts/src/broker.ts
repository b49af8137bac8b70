// Mosquitto's users beside the cellular devices, as data: who may read and write which topics.
// Mosquitto's ACL file (acq-cellular's broker-files for ./heatstream start, deploy/mosquitto.acl for
// compose and k8s) is written from this, so a client outside its topics is refused by the broker.

export interface BrokerAccess {
  /** The secret (deploy/secrets.ts) holding its password. */
  passwordSecret: string;
  /** Topic filters it may publish to. */
  writes: readonly string[];
  /** Topic filters it may subscribe to and receive. */
  reads: readonly string[];
}

export const brokerUsers: Readonly<Record<string, BrokerAccess>> = {
  // acq-cellular: every device's topics (each device itself only its own, from the inventory).
  heatstream: { passwordSecret: 'MQTT_PASSWORD', writes: ['heatpump/#'], reads: ['heatpump/#'] },
  // ha-bridge: Home Assistant's discovery configs and heatstream's state topics, publish only.
  'ha-bridge': {
    passwordSecret: 'HA_BRIDGE_MQTT_PASSWORD',
    writes: ['homeassistant/#', 'heatstream/#'],
    reads: [],
  },
  // Home Assistant's MQTT integration: reads both; writes only its own birth message.
  homeassistant: {
    passwordSecret: 'HOMEASSISTANT_MQTT_PASSWORD',
    writes: ['homeassistant/status'],
    reads: ['homeassistant/#', 'heatstream/#'],
  },
};

/** One user's section of a Mosquitto ACL file. */
export function aclSection(user: string, rights: BrokerAccess): string[] {
  const both = rights.writes.filter((t) => rights.reads.includes(t));
  return [
    `user ${user}`,
    ...both.map((t) => `topic readwrite ${t}`),
    ...rights.writes.filter((t) => !both.includes(t)).map((t) => `topic write ${t}`),
    ...rights.reads.filter((t) => !both.includes(t)).map((t) => `topic read ${t}`),
    '',
  ];
}
