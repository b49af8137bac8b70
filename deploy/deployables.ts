// The long-running services as deployment data: what k8s/base/services.yaml and
// network-policies.yaml are generated from (node deploy/manifests.ts), and what the compose test
// holds docker-compose.yml to. One image serves them all; `main` picks the service.

/**
 * A secret of deploy/secrets.ts' set, given to this service alone: in its own env file
 * (`node deploy/secrets.ts --split`), hence compose's env_file and its own k8s Secret.
 */
export interface SecretRef {
  secret: string;
}

/** The k8s Secret only this workload (or server) reads, made from its `<name>.env`. */
export const secretOf = (name: string): string => `${name}-secrets`;

export interface Deployable {
  name: string;
  main: string;
  replicas: number;
  /** Ports others connect to (besides the probe port every service has). */
  ports: readonly { name: string; port: number }[];
  /** Settings beyond the shared ones (HS_NATS__URL, HS_HTTP__*, HS_OTEL__ENDPOINT, QuestDB URL and user). */
  env: Readonly<Record<string, string | SecretRef>>;
  /** A YAML config file mounted at /etc/heatstream/<name>.yaml (HS_CONFIG), from deploy/config/. */
  configFile?: boolean;
  /** Who may connect in: other deployables by name, or 'any' (the dashboard's users, devices). */
  ingressFrom: readonly string[] | 'any';
  /** What it connects out to besides NATS: deployables/servers by name, or TCP ports anywhere. */
  egressTo: readonly (string | { port: number })[];
  resources: { cpu: string; memory: string; cpuLimit: string; memoryLimit: string };
  autoscale?: { min: number; max: number; cpuPercent: number };
  /**
   * An outbox (packages/runtime, acquisition services): HS_OUTBOX__DIR on a volume of its own
   * (k8s: an emptyDir, kept across container restarts; compose: a named volume).
   */
  outbox?: boolean;
  /** Only with simulated devices: compose profile `simulators`. */
  demo?: boolean;
}

const QUESTDB_PASSWORD: SecretRef = { secret: 'QUESTDB_PASSWORD' };
const SHELLY_PASSWORD: SecretRef = { secret: 'SHELLY_PASSWORD' };
const small = { cpu: '50m', memory: '64Mi', cpuLimit: '500m', memoryLimit: '256Mi' };

export const deployables: readonly Deployable[] = [
  {
    name: 'gateway',
    main: 'services/gateway/src/main.ts',
    replicas: 2,
    ports: [{ name: 'http', port: 8080 }],
    env: {
      HS_API__HOST: '0.0.0.0',
      HS_API__PORT: '8080',
      HS_API__PUBLIC_DIR: '/app/services/dashboard/dist',
      HS_QUESTDB__PASSWORD: QUESTDB_PASSWORD,
    },
    ingressFrom: 'any',
    egressTo: ['questdb'],
    resources: { cpu: '100m', memory: '128Mi', cpuLimit: '1', memoryLimit: '512Mi' },
  },
  {
    name: 'ingest',
    main: 'services/ingest/src/main.ts',
    replicas: 1,
    ports: [],
    env: { HS_QUESTDB__PASSWORD: QUESTDB_PASSWORD },
    ingressFrom: [],
    egressTo: ['questdb'],
    resources: { cpu: '250m', memory: '128Mi', cpuLimit: '2', memoryLimit: '512Mi' },
    autoscale: { min: 1, max: 4, cpuPercent: 70 },
  },
  {
    name: 'alerting',
    main: 'services/alerting/src/main.ts',
    replicas: 1,
    ports: [],
    env: {},
    configFile: true,
    ingressFrom: [],
    // Webhook and ntfy targets are anywhere on the internet, over HTTPS (or HTTP on a LAN).
    egressTo: [{ port: 443 }, { port: 80 }],
    resources: small,
  },
  {
    name: 'cop',
    main: 'services/cop/src/main.ts',
    replicas: 1,
    ports: [],
    env: {},
    configFile: true,
    ingressFrom: [],
    egressTo: [],
    resources: small,
  },
  {
    // Home Assistant's MQTT discovery bridge: NATS in, Mosquitto out under its own broker user.
    name: 'ha-bridge',
    main: 'services/ha-bridge/src/main.ts',
    replicas: 1,
    ports: [],
    env: {
      HS_MQTT__URL: 'mqtt://mosquitto:1883',
      HS_MQTT__PASSWORD: { secret: 'HA_BRIDGE_MQTT_PASSWORD' },
    },
    ingressFrom: [],
    egressTo: ['mosquitto'],
    resources: small,
  },
  {
    name: 'acq-modbus',
    main: 'services/acq-modbus/src/main.ts',
    replicas: 1,
    ports: [],
    env: {},
    configFile: true,
    ingressFrom: [],
    egressTo: [{ port: 502 }, 'simulators'],
    resources: small,
    outbox: true,
  },
  {
    name: 'acq-shelly',
    main: 'services/acq-shelly/src/main.ts',
    replicas: 1,
    ports: [],
    // The digest password of every Shelly whose entry in its config names none (the demo's meter).
    env: { HS_DEVICE_PASSWORD: SHELLY_PASSWORD },
    configFile: true,
    ingressFrom: [],
    egressTo: [{ port: 80 }, 'simulators'],
    resources: small,
    outbox: true,
  },
  {
    // One replica is enough; more share the tokens and the call budget in KV (services/acq-viessmann).
    name: 'acq-viessmann',
    main: 'services/acq-viessmann/src/main.ts',
    replicas: 1,
    ports: [],
    env: {},
    configFile: true,
    ingressFrom: [],
    // The Viessmann API and IAM over HTTPS; the simulated one in the demo.
    egressTo: [{ port: 443 }, 'simulators'],
    resources: small,
    outbox: true,
  },
  {
    name: 'acq-cellular',
    main: 'services/acq-cellular/src/main.ts',
    replicas: 1,
    // The HTTP batch endpoint for modems (MQTT goes to Mosquitto, not here).
    ports: [{ name: 'batch', port: 8085 }],
    env: {
      HS_INVENTORY: '/etc/heatstream/cellular/inventory.json',
      HS_MQTT__URL: 'mqtt://mosquitto:1883',
      HS_MQTT__PASSWORD: { secret: 'MQTT_PASSWORD' },
      HS_BATCH_API__HOST: '0.0.0.0',
      HS_BATCH_API__PORT: '8085',
    },
    ingressFrom: 'any',
    egressTo: ['mosquitto'],
    resources: small,
    outbox: true,
  },
  {
    name: 'simulators',
    main: 'services/simulators/src/main.ts',
    replicas: 1,
    ports: [
      { name: 'modbus', port: 5020 },
      { name: 'shelly-meter', port: 8091 },
      { name: 'shelly-gateway', port: 8092 },
      { name: 'viessmann', port: 5022 },
    ],
    env: { HS_SHELLY__PASSWORD: SHELLY_PASSWORD },
    configFile: true,
    ingressFrom: ['acq-modbus', 'acq-shelly', 'acq-viessmann'],
    egressTo: [],
    resources: small,
    demo: true,
  },
];
