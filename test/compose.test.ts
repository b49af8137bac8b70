// docker-compose.yml and k8s/ give every service the settings its config requires: each service's
// own config schema is loaded with exactly the environment and file the deployment provides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadServiceConfig, type ServiceDefinition } from '@heatstream/runtime';
import { repoRoot } from '@heatstream/testkit';
import { deployables, secretOf } from '../deploy/deployables.ts';
import { processSecrets } from '../deploy/secrets.ts';

// The env files of `node deploy/secrets.ts --split`, made once for these tests: compose reads them.
const secretsDir = join(mkdtempSync(join(tmpdir(), 'hs-compose-')), 'secrets');
execFileSync(process.execPath, [join(repoRoot, 'deploy/secrets.ts'), '--split', secretsDir], {
  stdio: 'ignore',
});
const secrets = Object.fromEntries(
  readFileSync(join(secretsDir, 'all.env'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);
/** Each process's variables, with a stand-in for bcrypt (hashes are no secrets and cost time). */
const own = processSecrets(secrets, () => '$2b$10$stand-in');
const composeEnv = { ...process.env, HS_SECRETS: secretsDir };

/** The names of the secrets (of deploy/secrets.ts' set) whose values appear in `env`. */
const secretsIn = (env: Record<string, string>): string[] =>
  Object.entries(secrets)
    .filter(([, value]) => Object.values(env).some((v) => v.includes(value)))
    .map(([name]) => name)
    .sort();
/** The secrets a process is given, by name. */
const secretsOf = (name: string): string[] => secretsIn(own[name] ?? {});

/** What a service of docker-compose.yml looks like once `docker-compose config` rendered it. */
interface ComposeService {
  image?: string;
  init?: boolean;
  restart?: string;
  command?: string[];
  environment?: Record<string, string>;
  secrets?: unknown[];
  volumes?: (string | { source?: string; target: string })[];
  depends_on?: Record<string, { condition: string }>;
}

/** docker-compose.yml with the simulators' and Grafana's profiles, as compose renders it with the test's secrets. */
const renderedCompose = (): { services: Record<string, ComposeService> } =>
  parse(
    execFileSync('docker-compose', ['--profile', 'simulators', '--profile', 'grafana', 'config'], {
      cwd: repoRoot,
      env: composeEnv,
      encoding: 'utf8',
    }),
  ) as { services: Record<string, ComposeService> };

async function definitionOf(name: string): Promise<ServiceDefinition> {
  const module = (await import(join(repoRoot, `services/${name}/src/service.ts`))) as Record<string, unknown>;
  const found = Object.values(module).find(
    (v): v is ServiceDefinition =>
      typeof v === 'object' && v !== null && 'init' in v && (v as { name?: string }).name === name,
  );
  assert.ok(found, `services/${name}/src/service.ts exports its definition`);
  return found;
}

/** The config file a deployment mounts, at its path in this repository. */
function localFile(env: Record<string, string>, name: string): string | undefined {
  return env.HS_CONFIG ? join(repoRoot, `deploy/config/${name}.yaml`) : undefined;
}

test('docker-compose.yml is valid, and refuses to start without its secrets', () => {
  const ok = spawnSync(
    'docker-compose',
    ['--profile', 'simulators', '--profile', 'grafana', 'config', '-q'],
    {
      cwd: repoRoot,
      env: composeEnv,
      encoding: 'utf8',
    },
  );
  assert.equal(ok.status, 0, ok.stderr);
  const empty = mkdtempSync(join(tmpdir(), 'hs-compose-none-'));
  const refused = spawnSync('docker-compose', ['config', '-q'], {
    cwd: repoRoot,
    env: { ...process.env, HS_SECRETS: empty },
    encoding: 'utf8',
  });
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /env file.*\.env/i, 'names the missing env file');
});

test('in docker-compose each container holds only its own secrets, nats no password at all', () => {
  const rendered = renderedCompose();
  for (const [name, service] of Object.entries(rendered.services)) {
    // Compose renders `$` as `$$`; a secret's value has none, so this only unescapes hashes.
    const env = Object.fromEntries(
      Object.entries(service.environment ?? {}).map(([k, v]) => [k, v.replaceAll('$$', '$')]),
    );
    const held = secretsIn(env);
    const allowed = name in own ? secretsOf(name) : [];
    assert.deepEqual(held, allowed, `${name} holds exactly its own secrets`);
    assert.ok(!held.includes('NATS_PASSWORD_ADMIN'), `${name} has no admin password`);
    if (name !== 'nats') assert.equal(service.secrets, undefined, `${name} mounts no secret file`);
  }
  assert.deepEqual(secretsOf('nats'), [], "nats' file holds hashes, no password");
  assert.ok(Object.values(own.nats ?? {}).every((v) => v === '"$2b$10$stand-in"'));
  for (const d of deployables) assert.ok(secretsOf(d.name).length > 0, `${d.name} has its NATS password`);
});

test('Grafana (profile grafana) is on loopback only, with no anonymous access, reading QuestDB as its read-only user', () => {
  const rendered = parse(
    execFileSync('docker-compose', ['--profile', 'grafana', 'config'], {
      cwd: repoRoot,
      env: composeEnv,
      encoding: 'utf8',
    }),
  ) as {
    services: Record<
      string,
      ComposeService & {
        profiles?: string[];
        ports?: (string | { host_ip?: string; published?: string; target?: number })[];
      }
    >;
  };
  const grafana = rendered.services.grafana;
  const questdb = rendered.services.questdb;
  assert.ok(grafana && questdb);
  assert.deepEqual(
    // docker-compose renders ports in the short syntax (`ip:host:container/proto`) or the long one.
    (grafana.ports ?? []).map((p) =>
      typeof p === 'string'
        ? p.replace(/\/tcp$/, '')
        : `${p.host_ip ?? ''}:${p.published ?? ''}:${String(p.target ?? '')}`,
    ),
    ['127.0.0.1:3000:3000'],
  );
  const env = grafana.environment ?? {};
  assert.equal(env.GF_AUTH_ANONYMOUS_ENABLED, 'false');
  assert.equal(env.GF_SECURITY_ADMIN_PASSWORD, secrets.GRAFANA_ADMIN_PASSWORD);
  const db = questdb.environment ?? {};
  assert.equal(db.QDB_PG_READONLY_USER_ENABLED, 'true');
  assert.equal(env.QUESTDB_READONLY_USER, db.QDB_PG_READONLY_USER);
  assert.equal(env.QUESTDB_READONLY_PASSWORD, db.QDB_PG_READONLY_PASSWORD);
  // Only in its profile: `docker compose up` without `--profile grafana` starts no Grafana.
  assert.deepEqual(grafana.profiles, ['grafana']);
});

test('every service in docker-compose gets the settings its config requires', async () => {
  const rendered = renderedCompose();
  for (const d of deployables) {
    const service = rendered.services[d.name];
    assert.ok(service, `${d.name} is in docker-compose.yml`);
    assert.deepEqual(service.command, [d.main]);
    const env = service.environment ?? {};
    const definition = await definitionOf(d.name);
    assert.doesNotThrow(
      () => loadServiceConfig(definition.config ?? {}, { env, file: localFile(env, d.name) }),
      d.name,
    );
    assert.equal(env.HS_NATS__USER, d.name, `${d.name} uses its own NATS user`);
    // A service with an outbox starts only with outbox.dir, and it must be on a volume of its own.
    assert.equal(
      definition.outbox === true && env.HS_OUTBOX__DIR !== undefined,
      definition.outbox === true,
      `${d.name}: HS_OUTBOX__DIR`,
    );
    assert.equal(d.outbox === true, definition.outbox === true, `${d.name}: deployables' outbox`);
    if (definition.outbox)
      assert.ok(
        // docker-compose renders volumes in the short syntax (`source:target[:mode]`) or the long one.
        (service.volumes ?? []).some((v) => {
          const [source = '', target] = typeof v === 'string' ? v.split(':') : [v.source ?? '', v.target];
          return target === env.HS_OUTBOX__DIR && !source.startsWith('/') && !source.startsWith('.');
        }),
        `${d.name}: a named volume at ${env.HS_OUTBOX__DIR ?? ''}`,
      );
  }
});

test('every service in k8s gets the settings its config requires', async () => {
  const kustomize = [join(repoRoot, '.tools/bin/kustomize')].find(existsSync) ?? 'kustomize';
  const objects = parseAllDocuments(
    execFileSync(kustomize, ['build', join(repoRoot, 'k8s/base')], { encoding: 'utf8' }),
  ).map(
    (doc) =>
      doc.toJS() as {
        kind: string;
        metadata: { name: string };
        data?: Record<string, string>;
        spec?: {
          template: {
            spec: {
              containers: {
                env?: { name: string; value?: string; valueFrom?: { secretKeyRef: { key: string } } }[];
                envFrom?: { secretRef?: { name: string }; configMapRef?: { name: string } }[];
              }[];
            };
          };
        };
      },
  );
  const shared =
    objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('heatstream-config'))?.data ??
    {};
  for (const d of deployables) {
    const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === d.name);
    assert.ok(deployment?.spec, `${d.name} is deployed`);
    const container = deployment.spec.template.spec.containers[0];
    const secretRefs = (container?.envFrom ?? []).flatMap((e) => (e.secretRef ? [e.secretRef.name] : []));
    assert.deepEqual(secretRefs, [secretOf(d.name)], `${d.name} reads its own Secret only`);
    // The Secret as `kubectl create secret generic --from-env-file=<name>.env` makes it.
    const env: Record<string, string> = { ...shared, ...own[d.name] };
    for (const e of container?.env ?? []) {
      assert.equal(e.valueFrom, undefined, `${d.name}: ${e.name} from no other Secret`);
      env[e.name] = e.value ?? '';
    }
    const definition = await definitionOf(d.name);
    assert.doesNotThrow(
      () => loadServiceConfig(definition.config ?? {}, { env, file: localFile(env, d.name) }),
      d.name,
    );
  }
});

test('compose provisions NATS once, as its own user, before every service starts', () => {
  const rendered = renderedCompose();
  const provision = rendered.services.provision;
  assert.ok(provision, 'a provision service');
  assert.deepEqual(provision.command, ['packages/runtime/src/provision-cli.ts']);
  assert.equal(provision.environment?.HS_NATS__USER, 'provision');
  // Its own password (from its env file) and no one else's.
  assert.deepEqual(secretsIn(provision.environment ?? {}), ['NATS_PASSWORD_PROVISION']);
  for (const d of deployables)
    assert.equal(
      rendered.services[d.name]?.depends_on?.provision?.condition,
      'service_completed_successfully',
      `${d.name} waits for provisioning`,
    );
});

test('compose makes the first dashboard user once, after provisioning; every container has an init for SIGTERM', () => {
  const rendered = renderedCompose();
  const first = rendered.services['first-user'];
  assert.ok(first, 'a first-user service');
  assert.deepEqual(first.command, ['services/gateway/src/cli.ts', 'create-user', 'admin', '--if-no-users']);
  assert.equal(first.restart, 'no');
  assert.equal(first.depends_on?.provision?.condition, 'service_completed_successfully');
  assert.equal(first.environment?.HS_NATS__USER, 'gateway');
  assert.deepEqual(secretsIn(first.environment ?? {}), ['DASHBOARD_PASSWORD', 'NATS_PASSWORD_GATEWAY']);
  // Node as PID 1 gets no default signal handling; the project's image runs under compose's init.
  for (const [name, service] of Object.entries(rendered.services))
    if (service.image === 'heatstream') assert.equal(service.init, true, `${name} runs under an init`);
});
