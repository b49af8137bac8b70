import assert from 'node:assert/strict';
import { test } from 'node:test';
import bcrypt from 'bcryptjs';
import { newSecret, processSecrets, secretNames } from './secrets.ts';

test('generated secrets start with a letter, so nats-server reads a $VAR of one as a string', () => {
  // Without the letter, 11 of 64 base64url first characters ('-' and digits) broke nats-server's
  // config: 10,000 draws would hit one all but certainly.
  const secrets = Array.from({ length: 10_000 }, newSecret);
  for (const secret of secrets) assert.match(secret, /^[A-Za-z][A-Za-z0-9_-]{32}$/);
  assert.equal(new Set(secrets).size, secrets.length);
});

test('each process gets only its own secrets; nats-server bcrypt hashes of every NATS password', () => {
  const all = Object.fromEntries(secretNames.map((n) => [n, newSecret()]));
  const own = processSecrets(all);
  const holders = (value: string): string[] =>
    Object.entries(own)
      .filter(([, env]) => Object.values(env).includes(value))
      .map(([name]) => name);
  assert.deepEqual(holders(all.NATS_PASSWORD_ADMIN ?? ''), ['operator']);
  assert.deepEqual(holders(all.NATS_PASSWORD_ACQ_MODBUS ?? ''), ['acq-modbus']);
  // The provisioning step may create and change streams: no one else holds its password, and it
  // holds nothing but that.
  assert.deepEqual(holders(all.NATS_PASSWORD_PROVISION ?? ''), ['provision']);
  assert.deepEqual(own.provision, { HS_NATS__PASSWORD: all.NATS_PASSWORD_PROVISION });
  assert.deepEqual(holders(all.QUESTDB_PASSWORD ?? '').sort(), ['gateway', 'ingest', 'questdb', 'replay']);
  // The broker's service user is acq-cellular's: Mosquitto hashes it into its password file.
  assert.deepEqual(holders(all.MQTT_PASSWORD ?? '').sort(), ['acq-cellular', 'mosquitto']);
  assert.deepEqual(holders(all.HA_BRIDGE_MQTT_PASSWORD ?? '').sort(), ['ha-bridge', 'mosquitto']);
  // Home Assistant's broker password is for the operator to enter there: only Mosquitto holds it.
  assert.deepEqual(holders(all.HOMEASSISTANT_MQTT_PASSWORD ?? ''), ['mosquitto']);
  // ./heatstream start reads it itself; in compose only the one-shot that makes the first user has it,
  // beside the gateway's NATS password (it writes the gateway's user store), and nothing else.
  assert.deepEqual(holders(all.DASHBOARD_PASSWORD ?? ''), ['first-user']);
  assert.deepEqual(own['first-user'], {
    HS_NATS__PASSWORD: all.NATS_PASSWORD_GATEWAY,
    HS_NEW_PASSWORD: all.DASHBOARD_PASSWORD,
  });
  // Grafana reads QuestDB as its read-only user: only QuestDB and Grafana hold that password, and
  // Grafana nothing else but its own admin password (no write access to QuestDB, no NATS).
  assert.deepEqual(holders(all.QUESTDB_READONLY_PASSWORD ?? '').sort(), ['grafana', 'questdb']);
  assert.deepEqual(holders(all.GRAFANA_ADMIN_PASSWORD ?? ''), ['grafana']);
  assert.deepEqual(own.grafana, {
    QUESTDB_READONLY_PASSWORD: all.QUESTDB_READONLY_PASSWORD,
    GF_SECURITY_ADMIN_PASSWORD: all.GRAFANA_ADMIN_PASSWORD,
  });
  const users = secretNames.filter((n) => n.startsWith('NATS_PASSWORD_'));
  assert.deepEqual(Object.keys(own.nats ?? {}).sort(), [...users].sort());
  for (const user of users) {
    const quoted = own.nats?.[user] ?? '';
    // Quoted: nats-server parses an environment variable's value, and would read `$2b` as a reference.
    assert.match(quoted, /^"\$2[ab]\$10\$[./A-Za-z0-9]{53}"$/);
    assert.ok(bcrypt.compareSync(all[user] ?? '', quoted.slice(1, -1)), `${user}'s hash matches`);
  }
});
