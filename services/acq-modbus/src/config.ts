// The service's settings: devices, proxies and link tuning. Defaults live here, in one place.
import { Type, type Static } from '@sinclair/typebox';

const Id = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description });

export const DeviceConfig = Type.Object(
  {
    id: Id('device id, unique; a NATS subject token'),
    site: Id('site id'),
    definition: Type.Optional(
      Type.String({ minLength: 1, description: 'a catalogue id, e.g. stiebel-eltron-wpm' }),
    ),
    map: Type.Optional(
      Type.String({ minLength: 1, description: 'path of a YAML register map (instead of definition)' }),
    ),
    transport: Type.Union([Type.Literal('tcp'), Type.Literal('rtu-over-tcp'), Type.Literal('rtu')], {
      default: 'tcp',
    }),
    host: Type.Optional(Type.String({ minLength: 1 })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, description: 'default 502' })),
    path: Type.Optional(Type.String({ minLength: 1, description: 'serial device, for transport rtu' })),
    baudRate: Type.Optional(Type.Integer({ minimum: 300 })),
    parity: Type.Optional(Type.Union([Type.Literal('none'), Type.Literal('even'), Type.Literal('odd')])),
    dataBits: Type.Optional(Type.Integer({ minimum: 7, maximum: 8 })),
    stopBits: Type.Optional(Type.Integer({ minimum: 1, maximum: 2 })),
    unitId: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 255, description: "default: the definition's" }),
    ),
    intervalMs: Type.Optional(
      Type.Integer({ minimum: 100, description: "default: the definition's, else 10 s" }),
    ),
  },
  { additionalProperties: false },
);
export type DeviceConfig = Static<typeof DeviceConfig>;

export const ProxyConfig = Type.Object(
  {
    device: Type.String({ minLength: 1, description: 'share the upstream link of this configured device' }),
    host: Type.String({ default: '127.0.0.1' }),
    port: Type.Integer({ minimum: 0, maximum: 65535, description: '0 picks a free port' }),
    unitId: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 255,
        description: 'forward to this unit id; default: the one asked for',
      }),
    ),
  },
  { additionalProperties: false },
);
export type ProxyConfig = Static<typeof ProxyConfig>;

export const acqModbusConfig = {
  devices: Type.Array(DeviceConfig, { default: [] }),
  proxies: Type.Array(ProxyConfig, { default: [] }),
  modbus: Type.Object(
    {
      timeoutMs: Type.Integer({ default: 3_000, minimum: 50, description: 'per request and per connect' }),
      retries: Type.Integer({
        default: 2,
        minimum: 0,
        maximum: 10,
        description: 'extra attempts per block read',
      }),
      retryDelayMs: Type.Integer({ default: 200, minimum: 0 }),
      backoffInitialMs: Type.Integer({
        default: 1_000,
        minimum: 10,
        description: 'reconnect delay, doubling',
      }),
      backoffMaxMs: Type.Integer({ default: 60_000, minimum: 10 }),
      statusEveryMs: Type.Integer({
        default: 300_000,
        minimum: 0,
        description: 'report pending data-quality rejections at most this often without a state change',
      }),
    },
    { additionalProperties: false, default: {} },
  ),
};
