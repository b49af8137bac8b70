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

test('docker-compose has no default secrets: every variable it reads must be given', () => {
  const references = [...compose.matchAll(/\$\{(\w+)([^}]*)\}/g)];
  assert.ok(references.length > 0);
  for (const [whole, , rest] of references)
    assert.match(rest ?? '', /^:\?/, `${whole} must fail when unset, never default`);
  const read = new Set(references.map((r) => r[1]));
  // The first dashboard user is made by ./heatstream start only; in compose, ./heatstream admin does it.
  for (const secret of secretNames.filter((n) => n !== 'DASHBOARD_PASSWORD')) {
    assert.ok(read.has(secret), `compose passes ${secret}`);
  }
});
