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

test("docker-compose has no default secrets: they come only from each service's env file", () => {
  const references = [...compose.matchAll(/\$\{(\w+)([^}]*)\}/g)];
  // HS_SECRETS is where the env files are (a folder, no secret), so it may default to ./.secrets;
  // any other variable compose reads must be given.
  for (const [whole, name, rest] of references) {
    if (name !== 'HS_SECRETS')
      assert.match(rest ?? '', /^:\?/, `${whole} must fail when unset, never default`);
  }
  // No secret is written into the file or passed through the operator's environment: each
  // container reads its own from its env file (test/compose.test.ts checks which it holds).
  for (const secret of secretNames) {
    assert.ok(!references.some((r) => r[1] === secret), `compose reads ${secret} from the environment`);
  }
  assert.ok(compose.includes('env_file: ${HS_SECRETS:-./.secrets}/gateway.env'), 'services read env files');
});
