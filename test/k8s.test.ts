// k8s/: rendered with kustomize and every object validated against the Kubernetes schemas offline
// (kubernetes-models), plus the properties the deployment promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '@heatstream/testkit';
import { deployables, secretOf } from '../deploy/deployables.ts';
import { processSecrets, secretNames } from '../deploy/secrets.ts';

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
}

function render(dir: string): K8sObject[] {
  const kustomize =
    [join(repoRoot, '.tools/bin/kustomize'), 'kustomize'].find((p) => p === 'kustomize' || existsSync(p)) ??
    'kustomize';
  const out = execFileSync(kustomize, ['build', join(repoRoot, dir)], { encoding: 'utf8' });
  return parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
}

async function validate(object: K8sObject): Promise<void> {
  const group = object.apiVersion.includes('/') ? object.apiVersion : `v1`;
  const module = (await import(`kubernetes-models/${group}/${object.kind}`)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = module[object.kind];
  assert.ok(Model, `no schema for ${object.apiVersion} ${object.kind}`);
  new Model(object).validate();
}

for (const overlay of ['k8s/base', 'k8s/overlays/k3s']) {
  test(`${overlay} renders and every object is valid against the Kubernetes schemas`, async () => {
    const objects = render(overlay);
    assert.ok(objects.length > 20, `${objects.length} objects`);
    for (const o of objects) {
      await assert.doesNotReject(validate(o), `${o.kind}/${o.metadata.name}`);
      if (o.kind !== 'Namespace')
        assert.equal(o.metadata.namespace, 'heatstream', `${o.kind}/${o.metadata.name}`);
    }
  });
}

test('an invalid object is caught by the validation', async () => {
  await assert.rejects(
    validate({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: { replicas: 'two' },
    }),
  );
});

test('k3s: 3 NATS nodes, streams replicated 3 times, probes, limits, PDBs, HPA, default-deny network', () => {
  const objects = render('k8s/overlays/k3s');
  const find = (kind: string, name: string): K8sObject | undefined =>
    objects.find((o) => o.kind === kind && o.metadata.name === name);
  const nats = find('StatefulSet', 'nats') as
    | { spec: { replicas: number; volumeClaimTemplates: { spec: { storageClassName: string } }[] } }
    | undefined;
  assert.equal(nats?.spec.replicas, 3);
  assert.equal(nats.spec.volumeClaimTemplates[0]?.spec.storageClassName, 'local-path');
  const config = objects.find(
    (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('heatstream-config'),
  ) as unknown as { data: Record<string, string> };
  assert.equal(config.data.HS_JETSTREAM__REPLICAS, '3');
  for (const d of deployables) {
    const deployment = find('Deployment', d.name) as unknown as {
      spec: {
        template: {
          spec: {
            containers: {
              livenessProbe?: { httpGet: { path: string } };
              readinessProbe?: { httpGet: { path: string } };
              resources?: { limits?: object };
            }[];
          };
        };
      };
    };
    const container = deployment.spec.template.spec.containers[0];
    assert.equal(container?.livenessProbe?.httpGet.path, '/livez', d.name);
    assert.equal(container.readinessProbe?.httpGet.path, '/readyz', d.name);
    assert.ok(container.resources?.limits, `${d.name} has limits`);
    assert.ok(find('PodDisruptionBudget', d.name), `${d.name} has a PDB`);
    assert.ok(find('NetworkPolicy', d.name), `${d.name} has a NetworkPolicy`);
  }
  assert.ok(find('HorizontalPodAutoscaler', 'ingest'));
  const deny = find('NetworkPolicy', 'default-deny') as unknown as {
    spec: { podSelector: object; policyTypes: string[] };
  };
  assert.deepEqual(deny.spec, { podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
});

test('k3s: a Job provisions NATS as its own user, with the replicas the services verify', () => {
  const job = render('k8s/overlays/k3s').find(
    (o) => o.kind === 'Job' && o.metadata.name === 'heatstream-provision',
  ) as
    | {
        spec: {
          template: {
            spec: {
              containers: {
                args: string[];
                envFrom: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
                env: { name: string; value?: string }[];
              }[];
            };
          };
        };
      }
    | undefined;
  const container = job?.spec.template.spec.containers[0];
  assert.ok(container, 'the provisioning Job');
  assert.deepEqual(container.args, ['packages/runtime/src/provision-cli.ts']);
  assert.equal(container.env.find((e) => e.name === 'HS_NATS__USER')?.value, 'provision');
  // Its password from its own Secret alone (what that Secret holds: the secrets test).
  assert.deepEqual(
    container.envFrom.flatMap((e) => (e.secretRef ? [e.secretRef.name] : [])),
    ['provision-secrets'],
  );
  // The shared settings (HS_JETSTREAM__REPLICAS=3 on k3s) the services read as well.
  assert.ok(container.envFrom.some((e) => e.configMapRef?.name.startsWith('heatstream-config')));
});

test('every workload reads only its own Secret, and the NATS admin password is in none', () => {
  const objects = render('k8s/base');
  const workloads = objects.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  const servers = ['nats', 'questdb', 'mosquitto'];
  assert.deepEqual(
    workloads.map((w) => w.metadata.name).sort(),
    [...deployables.map((d) => d.name), ...servers].sort(),
  );
  // The provisioning Job is a workload with a Secret of its own too (named after its NATS user).
  const jobs = objects.filter((o) => o.kind === 'Job');
  assert.deepEqual(
    jobs.map((j) => j.metadata.name),
    ['heatstream-provision'],
  );
  const owner = (o: (typeof objects)[number]): string =>
    o.kind === 'Job' ? o.metadata.name.replace(/^heatstream-/, '') : o.metadata.name;
  for (const w of [...workloads, ...jobs]) {
    // Every way a pod can name a Secret: env, envFrom, volumes; collected from the whole spec.
    const named = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        const o = value as Record<string, unknown>;
        for (const key of ['secretRef', 'secretKeyRef']) {
          const ref = o[key] as { name?: string } | undefined;
          if (ref?.name) named.add(ref.name);
        }
        const secret = o.secret as { secretName?: string } | undefined;
        if (secret?.secretName) named.add(secret.secretName);
        Object.values(o).forEach(walk);
      }
    };
    walk(w.spec);
    assert.deepEqual([...named], [secretOf(owner(w))], `${w.kind}/${w.metadata.name}`);
  }
  // What each Secret holds comes from deploy/secrets.ts: only the operator's has the admin password.
  const all = Object.fromEntries(secretNames.map((n) => [n, `value-of-${n}`]));
  const own = processSecrets(all, () => '$2b$10$stand-in');
  for (const [name, env] of Object.entries(own)) {
    const held = Object.values(env).includes(all.NATS_PASSWORD_ADMIN ?? '');
    assert.equal(held, name === 'operator', `${name}.env and the admin password`);
  }
});
