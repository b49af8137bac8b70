// The device inventory: every cellular device with its site and the hashes of its one secret
// (MQTT password and HTTP batch token). The secret itself is printed once when the device is added
// and stored nowhere; Mosquitto's password file and ACL file are generated from this list.
import { createHash, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { aclSection, brokerUsers } from '@heatstream/contracts';

const ID = '^[A-Za-z0-9_-]{1,64}$';

export const InventoryDevice = Type.Object(
  {
    id: Type.String({ pattern: ID }),
    site: Type.String({ pattern: ID }),
    /** Seconds between the device's batches (the firmware publishes every 5 min). */
    intervalS: Type.Integer({ minimum: 1, default: 300 }),
    /** SHA-256 of the secret, hex: what the HTTP endpoint checks a token against. */
    tokenSha256: Type.String({ pattern: '^[0-9a-f]{64}$' }),
    /** Mosquitto's own hash of the same secret (`$7$` PBKDF2-SHA512), for the password file. */
    mqttHash: Type.String({ pattern: '^\\$7\\$' }),
    added: Type.String(),
  },
  { additionalProperties: false },
);
export type InventoryDevice = Static<typeof InventoryDevice>;

export const Inventory = Type.Object(
  { devices: Type.Array(InventoryDevice) },
  { additionalProperties: false },
);
export type Inventory = Static<typeof Inventory>;

export class InventoryError extends Error {
  override readonly name = 'InventoryError';
}

/** The inventory in `file`; a missing file is an empty inventory, a broken one an InventoryError. */
export async function loadInventory(file: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { devices: [] };
    throw new InventoryError(`cannot read the device inventory ${file}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new InventoryError(`the device inventory ${file} is not JSON`, { cause: error });
  }
  const errors = [...Value.Errors(Inventory, parsed)];
  if (errors.length > 0) {
    const list = errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ');
    throw new InventoryError(`the device inventory ${file} is invalid: ${list}`);
  }
  const inventory = parsed as Inventory;
  const seen = new Set<string>();
  for (const d of inventory.devices) {
    if (seen.has(d.id)) throw new InventoryError(`the device inventory ${file} lists ${d.id} twice`);
    seen.add(d.id);
  }
  return inventory;
}

async function saveInventory(file: string, inventory: Inventory): Promise<void> {
  // Written aside and renamed, so a crash never leaves half an inventory.
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, `${JSON.stringify(inventory, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, file);
}

/** Mosquitto 2's `$7$` hash (what mosquitto_passwd writes): PBKDF2-SHA512, 101 rounds, 12-byte salt. */
export function mosquittoHash(password: string, salt: Buffer = randomBytes(12)): string {
  const hash = pbkdf2Sync(password, salt, 101, 64, 'sha512');
  return `$7$101$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Is `token` the device's secret? Constant time, against the stored SHA-256. */
export function tokenMatches(device: InventoryDevice, token: string): boolean {
  const expected = Buffer.from(device.tokenSha256, 'hex');
  const actual = Buffer.from(sha256(token), 'hex');
  return timingSafeEqual(expected, actual);
}

export interface NewDevice {
  id: string;
  site: string;
  intervalS?: number;
}

/** Adds a device and returns its secret — the only time it exists outside the device. */
export async function addDevice(
  file: string,
  device: NewDevice,
  now: Date = new Date(),
): Promise<{ device: InventoryDevice; secret: string }> {
  const inventory = await loadInventory(file);
  if (!new RegExp(ID).test(device.id) || !new RegExp(ID).test(device.site))
    throw new InventoryError('device and site ids are 1–64 of [A-Za-z0-9_-]');
  if (inventory.devices.some((d) => d.id === device.id))
    throw new InventoryError(`device ${device.id} is in the inventory already`);
  // 32 random bytes: long enough that a plain SHA-256 of it is as good as a slow hash.
  const secret = randomBytes(32).toString('base64url');
  const entry: InventoryDevice = {
    id: device.id,
    site: device.site,
    intervalS: device.intervalS ?? 300,
    tokenSha256: sha256(secret),
    mqttHash: mosquittoHash(secret),
    added: now.toISOString(),
  };
  inventory.devices.push(entry);
  await saveInventory(file, inventory);
  return { device: entry, secret };
}

/** The topics a device may use: everything under its own id, nothing else. */
export const deviceTopics = (id: string) => ({
  publishes: [
    `heatpump/${id}/data`,
    `heatpump/${id}/status/online`,
    `heatpump/${id}/alerts`,
    `heatpump/${id}/cmd/result`,
  ],
  subscribes: [`heatpump/${id}/cmd`],
});

export interface BrokerUser {
  user: string;
  password: string;
}

/**
 * Mosquitto's password file and ACL file: each device only its own topics, the service (`service`)
 * every device's, and each of `others` (contracts' brokerUsers: ha-bridge, homeassistant) its own
 * topics. Passwords of devices are their stored hashes; the others' are hashed here.
 */
export function brokerFiles(
  inventory: Inventory,
  service: BrokerUser,
  others: readonly BrokerUser[] = [],
): { passwd: string; acl: string } {
  const sections = others.map((o) => {
    const rights = brokerUsers[o.user];
    if (!rights) throw new InventoryError(`${o.user} is no broker user of contracts/src/broker.ts`);
    if (inventory.devices.some((d) => d.id === o.user))
      throw new InventoryError(`device ${o.user} has the name of a broker user: rename the device`);
    return aclSection(o.user, rights);
  });
  const passwd = [
    `${service.user}:${mosquittoHash(service.password)}`,
    ...others.map((o) => `${o.user}:${mosquittoHash(o.password)}`),
    ...inventory.devices.map((d) => `${d.id}:${d.mqttHash}`),
  ];
  const acl = [
    '# Generated by acq-cellular from the device inventory: do not edit.',
    `user ${service.user}`,
    'topic readwrite heatpump/#',
    '',
    ...sections.flat(),
    ...inventory.devices.flatMap((d) => {
      const topics = deviceTopics(d.id);
      return [
        `user ${d.id}`,
        ...topics.publishes.map((t) => `topic write ${t}`),
        ...topics.subscribes.map((t) => `topic read ${t}`),
        '',
      ];
    }),
  ];
  return { passwd: `${passwd.join('\n')}\n`, acl: `${acl.join('\n')}\n` };
}
