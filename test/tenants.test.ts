import { mkdtempSync, readdirSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { parseAllDocuments } from 'yaml';
import { synthTenants, tenants as EXAMPLE } from '../apps/tenants';
import {
  CREDENTIAL_KEYS,
  DifyTenant,
  DifyTenants,
  DifyTenantsProps,
  DifyValidationError,
  findCollisions,
  installationPeak,
  parseBytes,
  parseCpu,
} from '../lib';
import { NetworkPolicyEvaluator, PodEndpoint, podEndpointsFromManifests } from './support/netpol';
import { checkPodSecurity, podSpecsFromManifests } from './support/pss';
import { checkReferences } from './support/references';
import { formatIssues, validateSchemas } from './support/schema';
import { parseDocs } from './util';

/** Synthesizes `props` like apps/main.ts does and returns file name -> YAML text. */
function synthFiles(props: DifyTenantsProps): { app: App; files: Record<string, string> } {
  const out = mkdtempSync(join(tmpdir(), 'dify-tenants-'));
  const app = synthTenants(props, out);
  app.synth();
  const dir = join(out, 'tenants');
  return {
    app,
    files: Object.fromEntries(
      readdirSync(dir)
        .sort()
        .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
    ),
  };
}

const { app, files } = synthFiles(EXAMPLE);
const docs = parseDocs(files);
const NAMES = EXAMPLE.tenants.map((t) => t.name);
const nsOf = (name: string) => `dify-${name}`;
const inTenant = (name: string) => docs.filter((d) => (d.kind === 'Namespace' ? d.metadata.name : d.metadata.namespace) === nsOf(name));
const sandboxNsOf = (name: string) => `dify-${name}-sandbox`;
const inSandbox = (name: string) => docs.filter((d) => (d.kind === 'Namespace' ? d.metadata.name : d.metadata.namespace) === sandboxNsOf(name));
const one = (ds: Record<string, any>[], kind: string) => {
  const found = ds.filter((d) => d.kind === kind);
  expect(found.map((d) => d.kind)).toEqual([kind]);
  return found[0];
};

describe('the tenants example', () => {
  test('has a handful of tenants and synthesizes with no collisions', () => {
    expect(NAMES.length).toBeGreaterThanOrEqual(3);
    expect(NAMES.length).toBeLessThanOrEqual(5);
    expect(findCollisions(app)).toEqual([]);
    const ids = docs.map((d) => `${d.apiVersion}/${d.kind}/${d.metadata.namespace ?? ''}/${d.metadata.name}`);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  test('is byte-identical across two synths', () => {
    expect(synthFiles(EXAMPLE).files).toEqual(files);
  });

  test('renders exactly what cdk8s renders chart by chart', () => {
    // Tenant charts skip cdk8s's per-chart re-preparation of the App while it synthesizes: same objects, same order.
    const charts = app.node.findAll().filter((c): c is Chart => c instanceof Chart);
    // Per tenant: its namespaces, its installation, and its sandbox's namespace.
    expect(charts.length).toBe(3 * NAMES.length);
    const plain = charts.flatMap((c) => Chart.prototype.toJson.call(c));
    expect(plain).toEqual(docs);
  });

  test('every document validates against the Kubernetes schemas', () => {
    expect(formatIssues(validateSchemas(docs))).toEqual(formatIssues([]));
  });

  test('every reference resolves within its tenant, and every pod meets its Pod Security level', () => {
    // The only objects not in the manifests are the Secrets each tenant's generator Job creates in its namespace.
    const runtimeSecrets = NAMES.flatMap((n) => [
      { name: 'dify-credentials', namespace: nsOf(n), keys: Object.values(CREDENTIAL_KEYS) },
      // The generator Job keeps the sandbox key in the sandbox namespace too.
      { name: 'dify-sandbox-credentials', namespace: sandboxNsOf(n), keys: [CREDENTIAL_KEYS.sandboxApiKey] },
    ]);
    expect(checkReferences(docs, { runtimeSecrets })).toEqual([]);
    const pods = podSpecsFromManifests(docs);
    expect(pods.length).toBeGreaterThanOrEqual(10 * NAMES.length);
    for (const { doc, spec, metadata } of pods) {
      const level = doc === 'Deployment/dify-sandbox' ? 'baseline' : 'restricted';
      expect({ doc, violations: checkPodSecurity(spec, level, metadata) }).toEqual({ doc, violations: [] });
    }
  });

  test('every object belongs to exactly one namespace of its tenant, applied after it', () => {
    const files0 = Object.keys(files);
    NAMES.forEach((name, i) => {
      expect(files0[3 * i]).toMatch(new RegExp(`^${String(3 * i).padStart(4, '0')}-tenants-${name}-namespace-`));
      expect(parseDocs({ f: files[files0[3 * i]] }).map((d) => `${d.kind}/${d.metadata.namespace ?? d.metadata.name}`)).toEqual([
        `Namespace/${nsOf(name)}`,
        `Namespace/${sandboxNsOf(name)}`,
        `ResourceQuota/${nsOf(name)}`,
        `LimitRange/${nsOf(name)}`,
        `ResourceQuota/${sandboxNsOf(name)}`,
        `LimitRange/${sandboxNsOf(name)}`,
      ]);
      // The sandbox's chart comes after both namespaces exist.
      expect(files0[3 * i + 2]).toMatch(new RegExp(`^${String(3 * i + 2).padStart(4, '0')}-tenants-${name}-dify-sandboxnamespace-`));
    });
    expect(docs.filter((d) => d.kind === 'Namespace').map((d) => d.metadata.name)).toEqual(NAMES.flatMap((n) => [nsOf(n), sandboxNsOf(n)]));
    expect(NAMES.reduce((n, name) => n + inTenant(name).length + inSandbox(name).length, 0)).toBe(docs.length);
    for (const name of NAMES) {
      const pods = inSandbox(name).filter((d) => d.kind === 'Deployment');
      expect(pods.map((d) => d.metadata.name)).toEqual(['dify-sandbox']);
    }
  });

  test('each tenant is served on its own host through the shared IngressClass', () => {
    for (const t of EXAMPLE.tenants) {
      const ingress = one(inTenant(t.name), 'Ingress');
      expect(ingress.spec.ingressClassName).toBe('nginx');
      expect([...new Set(ingress.spec.rules.map((r: any) => r.host))]).toEqual([t.host]);
      const api = inTenant(t.name).find((d) => d.kind === 'ConfigMap' && d.metadata.name === 'dify-api-env')!;
      expect(api.data.CONSOLE_API_URL).toBe(`https://${t.host}`);
    }
  });

  test('each tenant generates its own credentials in its own namespace', () => {
    for (const name of NAMES) {
      const job = inTenant(name).find((d) => d.kind === 'Job' && d.metadata.name.startsWith('dify-secret-generator-'))!;
      expect(job.spec.template.spec.containers[0].env).toContainEqual({ name: 'SECRET_NAME', value: 'dify-credentials' });
      expect(inTenant(name).filter((d) => d.kind === 'Secret')).toEqual([]);
    }
  });
});

/** An independent reading of a tenant's documents: every container, pod and claim at peak. */
function tenantPeak(ds: Record<string, any>[]) {
  const hpa = new Map(ds.filter((d) => d.kind === 'HorizontalPodAutoscaler').map((h) => [h.spec.scaleTargetRef.name, h.spec.maxReplicas]));
  const total = { 'requests.cpu': 0, 'requests.memory': 0, 'limits.cpu': 0, 'limits.memory': 0, pods: 0, persistentvolumeclaims: 0, 'requests.storage': 0 };
  const containers: Array<{ id: string; resources: any }> = [];
  const claims: number[] = [];
  for (const d of ds) {
    if (d.kind === 'PersistentVolumeClaim') claims.push(parseBytes(d.spec.resources.requests.storage));
    const template =
      d.kind === 'CronJob' ? d.spec.jobTemplate.spec.template : ['Deployment', 'StatefulSet', 'Job'].includes(d.kind) ? d.spec.template : undefined;
    if (!template) continue;
    let pods = d.kind === 'Deployment' || d.kind === 'StatefulSet' ? (hpa.get(d.metadata.name) ?? d.spec.replicas ?? 1) : 1;
    if (d.kind === 'Deployment' && d.spec.strategy.type === 'RollingUpdate') pods += d.spec.strategy.rollingUpdate.maxSurge;
    const all = [...template.spec.containers, ...(template.spec.initContainers ?? [])];
    containers.push(...all.map((c: any) => ({ id: `${d.kind}/${d.metadata.name}/${c.name}`, resources: c.resources })));
    const pod = (key: 'requests' | 'limits', r: 'cpu' | 'memory') => {
      const parse = r === 'cpu' ? parseCpu : parseBytes;
      const sum = template.spec.containers.reduce((s: number, c: any) => s + parse(c.resources[key][r]), 0);
      return Math.max(sum, ...(template.spec.initContainers ?? []).map((c: any) => parse(c.resources[key][r])));
    };
    total['requests.cpu'] += pods * pod('requests', 'cpu');
    total['requests.memory'] += pods * pod('requests', 'memory');
    total['limits.cpu'] += pods * pod('limits', 'cpu');
    total['limits.memory'] += pods * pod('limits', 'memory');
    total.pods += pods;
    for (const t of d.kind === 'StatefulSet' ? (d.spec.volumeClaimTemplates ?? []) : [])
      claims.push(...Array(pods).fill(parseBytes(t.spec.resources.requests.storage)));
  }
  total.persistentvolumeclaims = claims.length;
  total['requests.storage'] = claims.reduce((a, b) => a + b, 0);
  return { total, containers, claims };
}

describe.each(EXAMPLE.tenants.map((t) => [t.name, t] as const))('quota and limits of tenant %s', (name, tenant) => {
  const ds = inTenant(name);
  const quota = one(ds, 'ResourceQuota');
  const limits = one(ds, 'LimitRange');
  const container = limits.spec.limits.find((l: any) => l.type === 'Container');
  const { total, containers, claims } = tenantPeak(ds);

  test('the quota covers every pod at its maximum scale and surge, with the configured headroom', () => {
    const headroom = 1 + (tenant.quota?.headroomPercent ?? 25) / 100;
    expect(total.pods).toBeGreaterThanOrEqual(10);
    for (const [key, need] of Object.entries(total)) {
      const parse = key.endsWith('cpu') ? parseCpu : key.includes('memory') || key.includes('storage') ? parseBytes : Number;
      const hard = parse(String(quota.spec.hard[key]));
      expect({ key, covered: hard >= need * headroom }).toEqual({ key, covered: true });
      // and no more than that: rounding up to a whole millicore, MiB or object only
      const step = parse === parseBytes ? 1024 ** 2 : 1;
      expect({ key, tight: hard < need * headroom + step }).toEqual({ key, tight: true });
    }
    expect(quota.spec.hard['services.loadbalancers']).toBe('0');
    expect(quota.spec.hard['services.nodeports']).toBe('0');
  });

  test('the sandbox namespace has its own quota, derived from the sandbox alone with the same headroom', () => {
    const sandbox = inSandbox(name);
    const hard = one(sandbox, 'ResourceQuota').spec.hard;
    expect(one(sandbox, 'LimitRange').spec.limits.length).toBeGreaterThanOrEqual(1);
    const peak = tenantPeak(sandbox).total;
    const headroom = 1 + (tenant.quota?.headroomPercent ?? 25) / 100;
    expect(peak.pods).toBeGreaterThanOrEqual(1);
    for (const [key, need] of Object.entries(peak)) {
      if (need === 0) continue;
      const parse = key.endsWith('cpu') ? parseCpu : key.includes('memory') || key.includes('storage') ? parseBytes : Number;
      const step = parse === parseBytes ? 1024 ** 2 : 1;
      const value = parse(String(hard[key]));
      expect({ key, covered: value >= need * headroom, tight: value < need * headroom + step }).toEqual({ key, covered: true, tight: true });
    }
  });

  test('every container fits the LimitRange, and its defaults lie within it', () => {
    expect(containers.length).toBeGreaterThanOrEqual(10);
    for (const r of ['cpu', 'memory'] as const) {
      const parse = r === 'cpu' ? parseCpu : parseBytes;
      const [min, max] = [parse(container.min[r]), parse(container.max[r])];
      for (const c of containers) {
        for (const v of [c.resources.requests[r], c.resources.limits[r]]) {
          expect({ container: c.id, r, fits: parse(v) >= min && parse(v) <= max }).toEqual({ container: c.id, r, fits: true });
        }
      }
      expect(parse(container.defaultRequest[r])).toBeGreaterThanOrEqual(min);
      expect(parse(container.defaultRequest[r])).toBeLessThanOrEqual(parse(container.default[r]));
      expect(parse(container.default[r])).toBeLessThanOrEqual(max);
      // The bounds are tight: some container sits on each.
      expect(containers.some((c) => parse(c.resources.requests[r]) === min)).toBe(true);
      expect(containers.some((c) => parse(c.resources.limits[r]) === max)).toBe(true);
    }
    const storage = limits.spec.limits.find((l: any) => l.type === 'PersistentVolumeClaim');
    expect(claims.length).toBeGreaterThan(0);
    for (const c of claims) expect(c).toBeLessThanOrEqual(parseBytes(storage.max.storage));
  });
});

describe('tenant isolation', () => {
  const evaluator = NetworkPolicyEvaluator.fromManifests(docs, [
    { name: 'ingress-nginx', labels: {} },
    { name: 'kube-system', labels: {} },
  ]);
  const pods = podEndpointsFromManifests(docs);
  const pod = (tenant: string, component: string): PodEndpoint => {
    const p = pods.find((x) => x.namespace === nsOf(tenant) && x.labels['app.kubernetes.io/component'] === component);
    if (!p) throw new Error(`no ${component} pod in ${tenant}`);
    return p;
  };
  const ports = (p: PodEndpoint) => Object.values(p.namedPorts ?? {}).map((n) => n.port);
  const pairs = NAMES.flatMap((a) => NAMES.filter((b) => b !== a).map((b) => [a, b] as const));

  test('within a tenant the api reaches its own postgres, and the ingress controller reaches every tenant', () => {
    const controller: PodEndpoint = { kind: 'pod', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' } };
    for (const name of NAMES) {
      expect(evaluator.allows(pod(name, 'api'), pod(name, 'postgres'), 5432, 'TCP')).toBe(true);
      expect(evaluator.allows(controller, pod(name, 'web'), 3000, 'TCP')).toBe(true);
    }
  });

  test.each(pairs)("%s's api cannot reach %s's postgres, redis or weaviate", (a, b) => {
    expect(evaluator.allows(pod(a, 'api'), pod(b, 'postgres'), 5432, 'TCP')).toBe(false);
    expect(evaluator.allows(pod(a, 'api'), pod(b, 'redis'), 6379, 'TCP')).toBe(false);
    expect(evaluator.allows(pod(a, 'worker'), pod(b, 'weaviate'), 8080, 'TCP')).toBe(false);
  });

  test.each(pairs)('no pod of %s reaches any port of any pod of %s', (a, b) => {
    const from = pods.filter((p) => p.namespace === nsOf(a));
    const to = pods.filter((p) => p.namespace === nsOf(b) && ports(p).length > 0);
    expect(from.length).toBeGreaterThanOrEqual(10);
    expect(to.length).toBeGreaterThanOrEqual(8);
    const open = from.flatMap((f) =>
      to.flatMap((t) =>
        ports(t)
          .filter((port) => evaluator.allows(f, t, port, 'TCP'))
          .map((port) => `${f.name} -> ${t.name}:${port}`),
      ),
    );
    expect(open).toEqual([]);
  });
});

describe('tenant validation', () => {
  const build =
    (tenants: DifyTenant[], extra: Partial<DifyTenantsProps> = {}) =>
    () =>
      new DifyTenants(new App(), 'tenants', { tenants, ...extra });
  /** Coverage of the installation is checked when the App synthesizes (the installation may change until then). */
  const synth =
    (tenants: DifyTenant[], extra: Partial<DifyTenantsProps> = {}) =>
    () => {
      const app = new App();
      new DifyTenants(app, 'tenants', { tenants, ...extra });
      app.synthYaml();
    };
  const acme = { name: 'acme', host: 'acme.example.com' };
  const globex = { name: 'globex', host: 'globex.example.com' };

  test('a duplicate tenant name fails naming both tenants', () => {
    expect(build([acme, globex, { name: 'acme', host: 'other.example.com' }])).toThrow(
      new DifyValidationError('tenants[2].name: got "acme"; must be unique: tenants[0] is also named "acme"'),
    );
  });

  test('a duplicate host fails naming both tenants, API hosts included', () => {
    expect(build([acme, { name: 'globex', host: 'acme.example.com' }])).toThrow(
      new DifyValidationError('tenants[1].host: got "acme.example.com"; must be unique: tenant "acme" (tenants[0].host) already serves it'),
    );
    expect(
      build([
        { ...acme, dify: { apiHost: 'api.example.com' } },
        { name: 'globex', host: 'api.example.com' },
      ]),
    ).toThrow(new DifyValidationError('tenants[1].host: got "api.example.com"; must be unique: tenant "acme" (tenants[0].dify.apiHost) already serves it'));
  });

  test('tenant names must be DNS labels that fit the namespace', () => {
    expect(build([{ name: 'Acme', host: 'acme.example.com' }])).toThrow(/^tenants\[0\]\.name: got "Acme"; must be a DNS-1123 label/);
    // "dify-" + name + "-sandbox" must fit 63 characters; without sandbox namespaces "dify-" + name.
    expect(build([{ name: 'a'.repeat(51), host: 'acme.example.com' }])).toThrow(/^tenants\[0\]\.name: got "a{51}"; .*at most 50 characters/);
    expect(build([{ name: 'a'.repeat(60), host: 'acme.example.com' }], { sandboxNamespaces: false })).toThrow(
      /^tenants\[0\]\.name: got "a{60}"; .*at most 58 characters/,
    );
    expect(build([])).toThrow(/^tenants: got \[\]; must be a non-empty list/);
    expect(build([acme], { namespacePrefix: 'Team_' })).toThrow(/^namespacePrefix: got "Team_"; must be empty or up to 40 lowercase/);
    expect(new DifyTenants(new App(), 'tenants', { tenants: [acme], namespacePrefix: '' }).tenants[0].namespace).toBe('acme');
  });

  test('sandboxNamespaces: false keeps the sandbox in the tenant namespace, which then enforces baseline', () => {
    const built = new DifyTenants(new App(), 'tenants', { tenants: [acme], sandboxNamespaces: false }).tenants[0];
    expect(built.dify.sandboxChart).toBeUndefined();
    const namespaces = built.namespaceChart.toJson().filter((d: any) => d.kind === 'Namespace');
    expect(namespaces.map((d: any) => [d.metadata.name, d.metadata.labels['pod-security.kubernetes.io/enforce']])).toEqual([['dify-acme', 'baseline']]);
    expect(() => new DifyTenants(new App(), 'tenants', { tenants: [acme], sandboxNamespaces: false, podSecurity: { enforce: 'restricted' } })).toThrow(
      /^podSecurity\.enforce: got "restricted"; must be "baseline" or "privileged" where the sandbox runs/,
    );
    const isolated = new DifyTenants(new App(), 'tenants', { tenants: [acme] }).tenants[0];
    expect(
      isolated.namespaceChart
        .toJson()
        .filter((d: any) => d.kind === 'Namespace')
        .map((d: any) => [d.metadata.name, d.metadata.labels['pod-security.kubernetes.io/enforce']]),
    ).toEqual([
      ['dify-acme', 'restricted'],
      ['dify-acme-sandbox', 'baseline'],
    ]);
  });

  test('tenants keep their NetworkPolicies', () => {
    expect(build([acme, { ...globex, dify: { networkPolicy: false } }])).toThrow(/^tenants\[1\]\.dify\.networkPolicy: got false; must not be false/);
    expect(build([acme], { defaults: { networkPolicy: false } })).toThrow(/^defaults\.networkPolicy: got false; must not be false/);
  });

  test('an installation error names the tenant prop or the shared default it came from', () => {
    expect(build([acme, { ...globex, dify: { instance: 'Bad' } }])).toThrow(/^tenants\[1\]\.dify\.instance: got "Bad"/);
    expect(build([acme], { defaults: { components: { api: { resources: { cpuRequest: 'lots' } } } } })).toThrow(
      /^defaults\.components\.api\.resources\.cpuRequest: got "lots"/,
    );
  });

  test('malformed quota and limit values fail at construction', () => {
    expect(build([{ ...acme, quota: { requestsCpu: 'lots' } }])).toThrow(/^tenants\[0\]\.quota\.requestsCpu: got "lots"; must be a positive CPU quantity/);
    expect(build([acme], { quota: { headroomPercent: -5 } })).toThrow(/^quota\.headroomPercent: got -5; must be an integer from 0 to 1000/);
    expect(build([acme], { limits: { maxMemory: '2 GB' } })).toThrow(/^limits\.maxMemory: got "2 GB"/);
  });

  test('explicit quotas must cover the installation, and pass through when they do', () => {
    expect(synth([{ ...acme, quota: { requestsCpu: '1' } }])).toThrow(
      /\[tenants\] tenants\[0\]\.quota\.requestsCpu: got "1"; must cover the installation's peak CPU requests of \d+m/,
    );
    expect(synth([acme], { quota: { pods: 3 } })).toThrow(/\[tenants\] quota\.pods: got 3; must be at least \d+, the installation's peak pod count/);
    const t = new DifyTenants(new App(), 'tenants', { tenants: [{ ...acme, quota: { requestsCpu: '40', pods: 100, headroomPercent: 0 } }] }).tenants[0];
    const hard = (t.resourceQuota.toJson() as any).spec.hard;
    expect(hard).toMatchObject({ 'requests.cpu': '40', pods: '100' });
    expect(parseBytes(hard['requests.memory'])).toBeGreaterThanOrEqual(t.peak().requestsMemory);
    expect(parseBytes(hard['requests.memory'])).toBeLessThan(t.peak().requestsMemory + 1024 ** 2);
  });

  test('quota and limits follow what is added to an installation after construction, synthesis after synthesis', () => {
    const app = new App();
    const t = new DifyTenants(app, 'tenants', { tenants: [acme] }).tenants[0];
    const rendered = () => {
      const ds = parseAllDocuments(app.synthYaml()).map((d) => d.toJSON());
      return { hard: ds.find((d) => d.kind === 'ResourceQuota').spec.hard, max: ds.find((d) => d.kind === 'LimitRange').spec.limits[0].max };
    };
    const before = rendered();
    const q = (v: string) => k8s.Quantity.fromString(v);
    new k8s.KubeDeployment(t.dify, 'Extra', {
      metadata: { name: 'extra' },
      spec: {
        replicas: 2,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { app: 'extra' } },
        template: {
          metadata: { labels: { app: 'extra' } },
          spec: {
            containers: [
              {
                name: 'extra',
                image: 'busybox:1.36',
                resources: { requests: { cpu: q('3'), memory: q('1Gi') }, limits: { cpu: q('4'), memory: q('1Gi') } },
                // The tenant namespace enforces Pod Security "restricted" (checked at synth).
                securityContext: {
                  runAsNonRoot: true,
                  runAsUser: 65534,
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'] },
                  seccompProfile: { type: 'RuntimeDefault' },
                },
              },
            ],
          },
        },
      },
    });
    const after = rendered();
    // Two more pods of 3 CPUs each, plus 25% headroom; the largest limit is now 4 CPUs.
    expect(parseCpu(after.hard['requests.cpu']) - parseCpu(before.hard['requests.cpu'])).toBeCloseTo(2 * 3000 * 1.25, -1);
    expect(Number(after.hard.pods)).toBe(Math.ceil(t.peak().pods * 1.25));
    expect(Number(after.hard.pods)).toBeGreaterThan(Number(before.hard.pods));
    expect(parseCpu(before.max.cpu)).toBeLessThan(4000);
    expect(after.max.cpu).toBe('4');
  });

  test('explicit limits must not contradict a container, naming it', () => {
    expect(synth([{ ...acme, limits: { maxMemory: '1Gi' } }])).toThrow(
      /\[tenants\] tenants\[0\]\.limits\.maxMemory: got "1Gi"; must be at least the largest memory limit, 2Gi \(\w+\/dify-[a-z-]+ container [a-z-]+\)$/,
    );
    expect(synth([acme], { limits: { minCpu: '1' } })).toThrow(/\[tenants\] limits\.minCpu: got "1"; must not exceed the smallest cpu request, 50m \(/);
    expect(synth([acme], { limits: { defaultCpuLimit: '8' } })).toThrow(/\[tenants\] limits\.defaultCpuLimit: got "8"; must not exceed limits\.maxCpu \(\d+\)/);
    expect(synth([acme], { limits: { maxStorage: '1Gi' } })).toThrow(
      /\[tenants\] limits\.maxStorage: got "1Gi"; must be at least the largest claim, 20Gi \(PersistentVolumeClaim\/dify-backup\)/,
    );
    const t = new DifyTenants(new App(), 'tenants', { tenants: [{ ...acme, limits: { maxCpu: '4', maxMemory: '8Gi' } }] }).tenants[0];
    expect((t.limitRange.toJson() as any).spec.limits[0].max).toEqual({ cpu: '4', memory: '8Gi' });
  });
});

describe('installationPeak', () => {
  const q = (v: string) => k8s.Quantity.fromString(v);
  const container = (name: string, cpu: string, memory: string, limitCpu = cpu, limitMemory = memory): k8s.Container => ({
    name,
    image: 'busybox:1.36',
    resources: { requests: { cpu: q(cpu), memory: q(memory) }, limits: { cpu: q(limitCpu), memory: q(limitMemory) } },
  });
  const template = (containers: k8s.Container[], initContainers?: k8s.Container[]) => ({
    metadata: { labels: { app: 'x' } },
    spec: { containers, initContainers },
  });
  const chart = new Chart(new App(), 'peak', { namespace: 'x' });
  const selector = { matchLabels: { app: 'x' } };
  // 4 replicas (HPA max) + 25% surge = 5 pods; the init container (1 CPU) outweighs the two containers (2 x 200m).
  new k8s.KubeDeployment(chart, 'Web', {
    metadata: { name: 'web' },
    spec: {
      selector,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: k8s.IntOrString.fromString('25%') } },
      template: template([container('a', '200m', '100Mi'), container('b', '200m', '100Mi', '400m', '200Mi')], [container('init', '1', '64Mi')]),
    },
  });
  new k8s.KubeHorizontalPodAutoscalerV2(chart, 'Hpa', {
    metadata: { name: 'web' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 2, maxReplicas: 4 },
  });
  // Recreate: no surge; 3 replicas.
  new k8s.KubeDeployment(chart, 'Beat', {
    metadata: { name: 'beat' },
    spec: { replicas: 3, selector, strategy: { type: 'Recreate' }, template: template([container('beat', '100m', '1Gi')]) },
  });
  // 2 replicas, each with a 5Gi claim.
  new k8s.KubeStatefulSet(chart, 'Db', {
    metadata: { name: 'db' },
    spec: {
      replicas: 2,
      serviceName: 'db',
      selector,
      template: template([container('db', '500m', '1Gi')]),
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: q('5Gi') } } } }],
    },
  });
  new k8s.KubeJob(chart, 'Job', {
    metadata: { name: 'job' },
    spec: { parallelism: 2, template: { spec: { restartPolicy: 'Never', containers: [container('job', '50m', '32Mi')] } } },
  });
  new k8s.KubePersistentVolumeClaim(chart, 'Files', {
    metadata: { name: 'files' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: q('1Gi') } } },
  });
  new k8s.KubeService(chart, 'Lb', { metadata: { name: 'lb' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }, { port: 443 }] } });
  const peak = installationPeak(chart);

  test('counts every pod at its maximum with surge, init containers by their maximum, claims per replica', () => {
    expect(peak).toMatchObject({
      pods: 5 + 3 + 2 + 2,
      requestsCpu: 5 * 1000 + 3 * 100 + 2 * 500 + 2 * 50,
      limitsCpu: 5 * 1000 + 3 * 100 + 2 * 500 + 2 * 50,
      requestsMemory: (5 * 200 + 3 * 1024 + 2 * 1024 + 2 * 32) * 1024 ** 2,
      limitsMemory: (5 * 300 + 3 * 1024 + 2 * 1024 + 2 * 32) * 1024 ** 2,
      persistentVolumeClaims: 3,
      requestsStorage: 11 * 1024 ** 3,
      loadBalancers: 1,
      nodePorts: 2,
    });
    expect(peak.containers.map((c) => c.id)).toEqual([
      'Deployment/web container a',
      'Deployment/web container b',
      'Deployment/web container init',
      'Deployment/beat container beat',
      'StatefulSet/db container db',
      'Job/job container job',
    ]);
  });
});
