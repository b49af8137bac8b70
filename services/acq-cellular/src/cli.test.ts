// Adding a device prints its credentials once and keeps only hashes; the broker files give each
// device its own topics and nothing else; a broken or duplicate inventory is refused by name.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './cli.ts';
import { InventoryError, loadInventory, tokenMatches } from './inventory.ts';

async function inTemp<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'acq-cellular-cli-'));
  try {
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('acq-cellular cli', () => {
  test('add-device prints the secret once; the inventory keeps only its hashes', () =>
    inTemp(async (dir) => {
      const inventory = join(dir, 'inventory.json');
      const out = await cli(['add-device', 'remote-9', '--site', 'remote', '--inventory', inventory]);
      const secret = /HS_MQTT_PASSWORD=(\S+)/.exec(out)?.[1] ?? '';
      assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
      const text = await readFile(inventory, 'utf8');
      assert.ok(!text.includes(secret), 'the secret is not stored');
      const [device] = (await loadInventory(inventory)).devices;
      assert.ok(device && tokenMatches(device, secret) && !tokenMatches(device, `${secret}x`));
      assert.equal((await stat(inventory)).mode & 0o777, 0o600);
      await assert.rejects(
        cli(['add-device', 'remote-9', '--site', 'remote', '--inventory', inventory]),
        /remote-9 is in the inventory already/,
      );
    }));

  test('--credentials-file writes the credentials for a local device process instead of printing them', () =>
    inTemp(async (dir) => {
      const inventory = join(dir, 'inventory.json');
      const envFile = join(dir, 'remote-1.env');
      const out = await cli([
        'add-device',
        'remote-1',
        '--site',
        'remote',
        '--inventory',
        inventory,
        '--credentials-file',
        envFile,
        '--mqtt-url',
        'mqtt://127.0.0.1:1883',
      ]);
      assert.ok(!out.includes('PASSWORD'));
      const env = await readFile(envFile, 'utf8');
      assert.match(
        env,
        /^HS_DEVICE_ID=remote-1\nHS_DEVICE_SITE=remote\nHS_MQTT_USER=remote-1\nHS_MQTT_PASSWORD=\S+\n/,
      );
      assert.match(env, /HS_MQTT_URL=mqtt:\/\/127\.0\.0\.1:1883\n$/);
      assert.equal((await stat(envFile)).mode & 0o777, 0o600);
    }));

  test('broker-files: the service user every device topic, each device only its own', () =>
    inTemp(async (dir) => {
      const inventory = join(dir, 'inventory.json');
      for (const id of ['a', 'b']) await cli(['add-device', id, '--site', 's', '--inventory', inventory]);
      const args = [
        'broker-files',
        '--inventory',
        inventory,
        '--passwd',
        join(dir, 'passwd'),
        '--acl',
        join(dir, 'acl'),
      ];
      await assert.rejects(cli(args, {}), /MQTT_PASSWORD/);
      await cli(args, { MQTT_PASSWORD: 'pw' });
      const passwd = await readFile(join(dir, 'passwd'), 'utf8');
      assert.deepEqual(
        passwd
          .trim()
          .split('\n')
          .map((l) => l.split(':')[0]),
        ['heatstream', 'a', 'b'],
      );
      assert.ok(
        passwd
          .split('\n')
          .filter(Boolean)
          .every((l) => /^[^:]+:\$7\$101\$/.test(l)),
      );
      const acl = await readFile(join(dir, 'acl'), 'utf8');
      const section = (user: string) => acl.split(`user ${user}\n`)[1]?.split('\n\n')[0] ?? '';
      assert.equal(section('heatstream'), 'topic readwrite heatpump/#');
      assert.equal(
        section('a'),
        [
          'topic write heatpump/a/data',
          'topic write heatpump/a/status/online',
          'topic write heatpump/a/alerts',
          'topic write heatpump/a/cmd/result',
          'topic read heatpump/a/cmd',
        ].join('\n'),
      );
      assert.ok(!section('a').includes('/b/'));

      // With the bridge's and Home Assistant's passwords set (mosquitto.env has them), their users too.
      await cli(args, {
        MQTT_PASSWORD: 'pw',
        HA_BRIDGE_MQTT_PASSWORD: 'b',
        HOMEASSISTANT_MQTT_PASSWORD: 'h',
      });
      const users = (await readFile(join(dir, 'passwd'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => l.split(':')[0]);
      assert.deepEqual(users, ['heatstream', 'ha-bridge', 'homeassistant', 'a', 'b']);
      const withBridge = await readFile(join(dir, 'acl'), 'utf8');
      const sectionOf = (user: string) => withBridge.split(`user ${user}\n`)[1]?.split('\n\n')[0] ?? '';
      assert.equal(sectionOf('ha-bridge'), 'topic write homeassistant/#\ntopic write heatstream/#');
      assert.equal(
        sectionOf('homeassistant'),
        'topic write homeassistant/status\ntopic read homeassistant/#\ntopic read heatstream/#',
      );
    }));

  test('a broken inventory is refused with what is wrong', () =>
    inTemp(async (dir) => {
      const inventory = join(dir, 'inventory.json');
      await writeFile(inventory, '{"devices": [{"id": "a b"}]}');
      await assert.rejects(loadInventory(inventory), (error: unknown) => {
        assert.ok(error instanceof InventoryError);
        assert.match(error.message, /inventory\.json is invalid: \/devices\/0/);
        return true;
      });
      await writeFile(inventory, 'nope');
      await assert.rejects(loadInventory(inventory), /is not JSON/);
    }));
});
