// The service's settings: meters and Bluetooth gateways, and how they are polled. Defaults live
// here, in one place.
import { Type, type Static } from '@sinclair/typebox';
import { Secret } from '@heatstream/runtime';

const Id = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description });

export const MeterConfig = Type.Object(
  {
    id: Id('device id, unique; a NATS subject token'),
    site: Id('site id'),
    host: Type.String({ minLength: 1, description: 'the Pro 3EM on the LAN' }),
    port: Type.Integer({ default: 80, minimum: 1, maximum: 65535 }),
    password: Type.Optional(
      Secret({ description: "the device's password (user admin); without it no auth" }),
    ),
    profile: Type.Union([Type.Literal('triphase'), Type.Literal('monophase')], {
      default: 'triphase',
      description: "the device's profile (Shelly.GetDeviceInfo.profile): em:0 or em1:0..2",
    }),
    intervalMs: Type.Integer({ default: 10_000, minimum: 1_000 }),
  },
  { additionalProperties: false },
);
export type MeterConfig = Static<typeof MeterConfig>;

export const GatewayConfig = Type.Object(
  {
    id: Id('the gateway, for logs and dead letters; its rooms are devices of their own'),
    site: Id('site id'),
    host: Type.String({ minLength: 1 }),
    port: Type.Integer({ default: 80, minimum: 1, maximum: 65535 }),
    password: Type.Optional(Secret()),
    roomPrefix: Id("room device id = <roomPrefix>-<the BTHome device's configured name>"),
    intervalMs: Type.Integer({ default: 30_000, minimum: 1_000 }),
    silentAfterMs: Type.Integer({
      default: 200_000,
      minimum: 60_000,
      description: 'a sensor whose last beacon (one a minute) is older than this is unavailable',
    }),
  },
  { additionalProperties: false },
);
export type GatewayConfig = Static<typeof GatewayConfig>;

export const acqShellyConfig = {
  devicePassword: Type.Optional(
    Secret({ description: 'the password of every device whose entry names none (user admin)' }),
  ),
  meters: Type.Array(MeterConfig, { default: [] }),
  gateways: Type.Array(GatewayConfig, { default: [] }),
  rpc: Type.Object(
    {
      timeoutMs: Type.Integer({ default: 5_000, minimum: 100, description: 'per RPC call' }),
    },
    { additionalProperties: false, default: {} },
  ),
  backfill: Type.Object(
    {
      afterMs: Type.Integer({
        default: 90_000,
        minimum: 0,
        description: 'a gap since the last reading longer than this is filled from the stored records',
      }),
      maxPages: Type.Integer({
        default: 500,
        minimum: 1,
        description: 'GetData pages per back-fill, at most',
      }),
      maxDays: Type.Integer({ default: 60, minimum: 1, description: 'the Pro 3EM keeps 60 days' }),
    },
    { additionalProperties: false, default: {} },
  ),
  spikeMaxW: Type.Number({
    default: 100_000,
    minimum: 1,
    description: 'a counter step faster than this average power is a glitch, not energy',
  }),
};
