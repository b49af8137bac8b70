// docker-compose.yml and k8s/ give every service the settings its config requires: each service's
// own config schema is loaded with exactly the environment and file the deployment provides.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { loadServiceConfig, type ServiceDefinition } from '@heatstream/runtime';
import { repoRoot } from '@heatstream/testkit';
import { deployables } from '../deploy/deployables.ts';
import { secretNames } from '../deploy/secrets.ts';

const secrets = Object.fromEntries(secretNames.map((n) => [n, `test-${n.toLowerCase()}`]));

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
  const ok = spawnSync('docker-compose', ['--profile', 'simulators', 'config', '-q'], {
    cwd: repoRoot,
    env: { ...process.env, ...secrets },
    encoding: 'utf8',
  });
  assert.equal(ok.status, 0, ok.stderr);
  const bare = Object.fromEntries(Object.entries(process.env).filter(([k]) => !secretNames.includes(k)));
  const refused = spawnSync('docker-compose', ['config', '-q'], {
    cwd: repoRoot,
    env: bare,
    encoding: 'utf8',
  });
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /NATS_PASSWORD_\w+|QUESTDB_PASSWORD|MQTT_PASSWORD/);
});

test('every service in docker-compose gets the settings its config requires', async () => {
  const rendered = parse(
    execFileSync('docker-compose', ['--profile', 'simulators', 'config'], {
      cwd: repoRoot,
      env: { ...process.env, ...secrets },
      encoding: 'utf8',
    }),
  ) as {
    services: Record<
      string,
      {
        environment?: Record<string, string>;
        command?: string[];
        volumes?: (string | { source?: string; target: string })[];
      }
    >;
  };
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
    const env: Record<string, string> = { ...shared };
    for (const e of deployment.spec.template.spec.containers[0]?.env ?? []) {
      const secret = e.valueFrom?.secretKeyRef.key;
      if (secret)
        assert.ok(secretNames.includes(secret), `${d.name}: secret ${secret} is one deploy/secrets.ts makes`);
      env[e.name] = e.value ?? (secret ? (secrets[secret] ?? '') : '');
    }
    const definition = await definitionOf(d.name);
    assert.doesNotThrow(
      () => loadServiceConfig(definition.config ?? {}, { env, file: localFile(env, d.name) }),
      d.name,
    );
  }
});

test('compose provisions NATS once, as its own user, before every service starts', () => {
  const rendered = parse(
    execFileSync('docker-compose', ['--profile', 'simulators', 'config'], {
      cwd: repoRoot,
      env: { ...process.env, ...secrets },
      encoding: 'utf8',
    }),
  ) as {
    services: Record<
      string,
      {
        environment?: Record<string, string>;
        command?: string[];
        depends_on?: Record<string, { condition: string }>;
      }
    >;
  };
  const provision = rendered.services.provision;
  assert.ok(provision, 'a provision service');
  assert.deepEqual(provision.command, ['packages/runtime/src/provision-cli.ts']);
  assert.equal(provision.environment?.HS_NATS__USER, 'provision');
  for (const d of deployables)
    assert.equal(
      rendered.services[d.name]?.depends_on?.provision?.condition,
      'service_completed_successfully',
      `${d.name} waits for provisioning`,
    );
});
