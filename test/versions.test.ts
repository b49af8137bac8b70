// The local servers and the containers are the same versions: what tests pass against is what deploys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { repoRoot } from '@heatstream/testkit';
import { secretNames } from '../deploy/secrets.ts';

const provision = readFileSync(`${repoRoot}/scripts/provision.sh`, 'utf8');
const compose = readFileSync(`${repoRoot}/docker-compose.yml`, 'utf8');
const pinned = (name: string): string => {
  const match = new RegExp(`^${name}=(\\S+)$`, 'm').exec(provision);
  assert.ok(match?.[1], `${name} is pinned in scripts/provision.sh`);
  return match[1];
};
const image = (name: string): string => {
  const match = new RegExp(`image: ${name}:(\\S+)`).exec(compose);
  assert.ok(match?.[1], `docker-compose.yml deploys ${name}`);
  return match[1];
};

test('docker-compose deploys the nats-server version provisioned for local runs and tests', () => {
  assert.equal(image('nats'), `${pinned('NATS_SERVER_VERSION')}-alpine`);
});

test('docker-compose deploys the QuestDB version provisioned for local runs and tests', () => {
  assert.equal(image('questdb/questdb'), pinned('QUESTDB_VERSION'));
});

test('docker-compose has no default secrets', () => {
  for (const secret of secretNames) {
    assert.match(compose, new RegExp(`\\$\\{${secret}:\\?`), `${secret} must be given, never defaulted`);
  }
});
