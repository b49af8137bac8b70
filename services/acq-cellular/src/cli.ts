// Operators' CLI of acq-cellular:
//   node services/acq-cellular/src/cli.ts add-device ID --site SITE [--interval S] [--inventory FILE] [--credentials-file FILE]
//     adds a device and prints its credentials once (or writes them to --credentials-file, mode 600, for
//     a device process on this machine); then regenerate the broker files and reload Mosquitto.
//   node services/acq-cellular/src/cli.ts broker-files --passwd FILE --acl FILE [--inventory FILE]
//     writes Mosquitto's password and ACL files from the inventory; the service's own broker user is
//     MQTT_USER (default heatstream) with the password in MQTT_PASSWORD; the other broker users of
//     contracts/src/broker.ts (ha-bridge, homeassistant) whose password variable is set.
// The inventory is --inventory or HS_INVENTORY.
import { writeFile, rename } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { brokerUsers } from '@heatstream/contracts';
import { addDevice, brokerFiles, InventoryError, loadInventory } from './inventory.ts';

const usage = `usage:
  acq-cellular add-device ID --site SITE [--interval SECONDS] [--inventory FILE] [--credentials-file FILE] [--mqtt-url URL] [--http-url URL]
  acq-cellular broker-files --passwd FILE --acl FILE [--inventory FILE]   (MQTT_PASSWORD, MQTT_USER in the environment)`;

async function writeSecretFile(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp-${process.pid}`;
  await writeFile(temp, text, { mode: 0o600 });
  await rename(temp, file);
}

export async function cli(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { values, positionals } = parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      site: { type: 'string' },
      interval: { type: 'string' },
      inventory: { type: 'string' },
      'credentials-file': { type: 'string' },
      'mqtt-url': { type: 'string' },
      'http-url': { type: 'string' },
      passwd: { type: 'string' },
      acl: { type: 'string' },
    },
  });
  const inventory = values.inventory ?? env.HS_INVENTORY;
  if (!inventory)
    throw new InventoryError(`no inventory: pass --inventory FILE or set HS_INVENTORY\n${usage}`);
  const [command, id] = positionals;
  if (command === 'add-device' && id && values.site) {
    const intervalS = values.interval === undefined ? undefined : Number(values.interval);
    if (intervalS !== undefined && !(Number.isInteger(intervalS) && intervalS > 0))
      throw new InventoryError('--interval is a whole number of seconds');
    const { device, secret } = await addDevice(inventory, {
      id,
      site: values.site,
      ...(intervalS ? { intervalS } : {}),
    });
    const lines = [
      `HS_DEVICE_ID=${device.id}`,
      `HS_DEVICE_SITE=${device.site}`,
      `HS_MQTT_USER=${device.id}`,
      `HS_MQTT_PASSWORD=${secret}`,
      `HS_HTTP_TOKEN=${secret}`,
      ...(values['mqtt-url'] ? [`HS_MQTT_URL=${values['mqtt-url']}`] : []),
      ...(values['http-url']
        ? [`HS_HTTP_BATCH_URL=${values['http-url']}/v1/devices/${device.id}/batch`]
        : []),
    ];
    if (values['credentials-file']) {
      await writeSecretFile(values['credentials-file'], `${lines.join('\n')}\n`);
      return `added ${device.id} (site ${device.site}); credentials in ${values['credentials-file']}\n`;
    }
    return `added ${device.id} (site ${device.site}). Its credentials, shown only now:\n${lines.join('\n')}\nRegenerate the broker files (broker-files) and reload Mosquitto (SIGHUP) to let it in.\n`;
  }
  if (command === 'broker-files' && values.passwd && values.acl) {
    const password = env.MQTT_PASSWORD;
    if (!password) throw new InventoryError('MQTT_PASSWORD (the service user’s broker password) is not set');
    // The other broker users (ha-bridge, Home Assistant) whose password is in the environment.
    const others = Object.entries(brokerUsers)
      .filter(([user, rights]) => user !== 'heatstream' && env[rights.passwordSecret])
      .map(([user, rights]) => ({ user, password: env[rights.passwordSecret] ?? '' }));
    const files = brokerFiles(
      await loadInventory(inventory),
      { user: env.MQTT_USER ?? 'heatstream', password },
      others,
    );
    await writeSecretFile(values.passwd, files.passwd);
    await writeSecretFile(values.acl, files.acl);
    return `wrote ${values.passwd} and ${values.acl}\n`;
  }
  throw new InventoryError(usage);
}

if (import.meta.main) {
  try {
    process.stdout.write(await cli(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(`acq-cellular: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
