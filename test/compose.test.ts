import { App, Chart, Testing } from 'cdk8s';
import { ComposedDify } from '../examples/compose';
import { CREDENTIAL_KEYS, Dify, DifySecrets, DifyStorage, findCollisions } from '../lib';
import { NetworkPolicyEvaluator, PodEndpoint, podEndpointsFromManifests } from './support/netpol';
import { checkReferences } from './support/references';
import { formatIssues, validateSchemas } from './support/schema';

const docs = Testing.synth(new ComposedDify(Testing.app(), 'composed'));
const runtimeSecrets = [{ name: 'dify-credentials', namespace: 'dify', keys: [...Object.values(CREDENTIAL_KEYS), 'qdrant-api-key'] }];

describe('a chart composed by hand from the public constructs', () => {
  test('every document passes strict schema validation and every reference resolves', () => {
    expect(formatIssues(validateSchemas(docs, { defaultNamespace: 'dify' }))).toBe('');
    expect(checkReferences(docs, { defaultNamespace: 'dify', runtimeSecrets })).toEqual([]);
  });

  test('the file storage claim api and worker mount is created', () => {
    const claim = docs.find((d) => d.kind === 'PersistentVolumeClaim' && d.metadata.name === 'dify-storage');
    expect(claim?.spec.accessModes).toEqual(['ReadWriteOnce']);
  });

  test('policies exist exactly for the components that exist, no beat, Weaviate or secret generator', () => {
    const names = docs
      .filter((d) => d.kind === 'NetworkPolicy')
      .map((d) => d.metadata.name)
      .sort();
    expect(names).toEqual(
      [
        'dify-allow-dns',
        'dify-api',
        'dify-default-deny',
        'dify-migration',
        'dify-plugin-daemon',
        'dify-postgres',
        'dify-qdrant',
        'dify-redis',
        'dify-sandbox',
        'dify-ssrf-proxy',
        'dify-web',
        'dify-worker',
      ].sort(),
    );
  });

  describe('flows follow the wiring', () => {
    const evaluator = NetworkPolicyEvaluator.fromManifests(docs, [
      { name: 'ingress-nginx', labels: {} },
      { name: 'kube-system', labels: {} },
      { name: 'observability', labels: {} },
      { name: 'team-b', labels: {} },
    ]);
    const pods = podEndpointsFromManifests(docs);
    const pod = (c: string) => pods.find((p) => p.labels['app.kubernetes.io/component'] === c)!;
    const otel: PodEndpoint = { kind: 'pod', namespace: 'observability', labels: { 'app.kubernetes.io/name': 'opentelemetry-collector' }, name: 'otel' };
    const ingress: PodEndpoint = { kind: 'pod', namespace: 'ingress-nginx', labels: { 'app.kubernetes.io/name': 'ingress-nginx' }, name: 'ingress' };
    const intruder: PodEndpoint = { kind: 'pod', namespace: 'team-b', labels: { app: 'x' }, name: 'intruder' };
    const flow = (from: any, to: any, port: number) => evaluator.allows(from, to, port, 'TCP');

    test('the user-added store is reachable by api and worker only', () => {
      expect([flow(pod('api'), pod('qdrant'), 6333), flow(pod('worker'), pod('qdrant'), 6334)]).toEqual([true, true]);
      expect([flow(pod('web'), pod('qdrant'), 6333), flow(pod('sandbox'), pod('qdrant'), 6333), flow(intruder, pod('qdrant'), 6333)]).toEqual([
        false,
        false,
        false,
      ]);
    });
    test('the external endpoint in another namespace is reachable by what was wired to it', () => {
      expect([flow(pod('api'), otel, 4318), flow(pod('worker'), otel, 4318)]).toEqual([true, true]);
      expect([flow(pod('sandbox'), otel, 4318), flow(pod('web'), otel, 4318), flow(pod('api'), otel, 4317)]).toEqual([false, false, false]);
    });
    test('required flows are open', () => {
      for (const [from, to, port] of [
        [ingress, pod('web'), 3000],
        [ingress, pod('api'), 5001],
        [ingress, pod('plugin-daemon'), 5002],
        [pod('web'), pod('api'), 5001],
        [pod('plugin-daemon'), pod('api'), 5001],
        [pod('api'), pod('postgres'), 5432],
        [pod('migration'), pod('postgres'), 5432],
        [pod('worker'), pod('redis'), 6379],
        [pod('plugin-daemon'), pod('redis'), 6379],
        [pod('api'), pod('sandbox'), 8194],
        [pod('sandbox'), pod('ssrf-proxy'), 3128],
        [pod('ssrf-proxy'), { kind: 'ip', ip: '1.1.1.1' }, 443],
      ] as const) {
        expect({ from: (from as any).name ?? from, to: (to as any).name, port, open: flow(from, to, port) }).toMatchObject({ open: true });
      }
    });
    test('forbidden flows are closed', () => {
      for (const [from, to, port] of [
        [pod('sandbox'), pod('api'), 5001],
        [pod('sandbox'), pod('postgres'), 5432],
        [pod('sandbox'), { kind: 'ip', ip: '1.1.1.1' }, 443],
        [pod('web'), pod('postgres'), 5432],
        [pod('ssrf-proxy'), { kind: 'ip', ip: '169.254.169.254' }, 80],
        [pod('migration'), pod('sandbox'), 8194],
        [intruder, pod('api'), 5001],
        [pod('ssrf-proxy'), pod('redis'), 6379],
      ] as const) {
        expect({ from: (from as any).name, to: (to as any).name ?? (to as any).ip, port, open: flow(from, to, port) }).toMatchObject({ open: false });
      }
    });
  });

  test('where the hand-built chart and the facade share a configuration, the objects are the same', () => {
    const chart = new Chart(Testing.app(), 'facade', { namespace: 'dify' });
    // The hand-built chart has neither the collaboration websocket nor the agent stack.
    new Dify(chart, 'Dify', {
      host: 'dify.example.com',
      tls: true,
      secrets: DifySecrets.existing('dify-credentials'),
      storage: DifyStorage.persistentVolume(),
      collaboration: false,
      agent: false,
    });
    const facade = Testing.synth(chart);
    // The facade adds Argo CD hints and the credentials-version annotation; everything else is equal.
    const strip = (o: any) => JSON.parse(JSON.stringify(o, (k, v) => (k === 'annotations' ? undefined : v)));
    const pick = (ds: any[], kind: string, name: string) => strip(ds.find((d) => d.kind === kind && d.metadata.name === name));
    for (const [kind, name] of [
      ['Deployment', 'dify-ssrf-proxy'],
      ['ConfigMap', 'dify-ssrf-proxy-config'],
      ['Deployment', 'dify-sandbox'],
      ['Service', 'dify-sandbox'],
      ['StatefulSet', 'dify-postgres'],
      ['StatefulSet', 'dify-redis'],
      ['Deployment', 'dify-web'],
      ['PersistentVolumeClaim', 'dify-storage'],
      ['Ingress', 'dify'],
    ]) {
      expect({ kind, name, object: pick(docs, kind, name) }).toEqual({ kind, name, object: pick(facade, kind, name) });
    }
  });
});

describe('collisions fail at synth, naming both construct paths', () => {
  test('two installations with the same instance in one namespace', () => {
    const app = new App({ outdir: '/tmp/unused' });
    const chart = new Chart(app, 'team', { namespace: 'dify' });
    new Dify(chart, 'First', { host: 'a.example.com' });
    new Dify(chart, 'Second', { host: 'b.example.com' });
    expect(() => Testing.synth(chart)).toThrow(
      /Deployment "dify-api" in namespace "dify" is defined twice: by team\/First\/Api\/Resource\/Deployment and by team\/Second\/Api\/Resource\/Deployment; give each installation a distinct `instance`/,
    );
  });
  test('two installations claiming the same host and path', () => {
    const chart = new Chart(Testing.app(), 'team', { namespace: 'dify' });
    new Dify(chart, 'First', { host: 'a.example.com', instance: 'one' });
    new Dify(chart, 'Second', { host: 'a.example.com', instance: 'two' });
    const errors = findCollisions(chart);
    expect(errors).toContain(
      'route a.example.com/console/api is claimed twice: by team/First/Ingress and by team/Second/Ingress; give each installation its own host',
    );
  });
  test('one host and path in two namespaces collides too: the ingress controller serves every namespace', () => {
    const app = Testing.app();
    new Dify(new Chart(app, 'one', { namespace: 'team-a' }), 'Dify', { host: 'a.example.com' });
    new Dify(new Chart(app, 'two', { namespace: 'team-b' }), 'Dify', { host: 'a.example.com' });
    expect(findCollisions(app)).toContain(
      'route a.example.com/v1 is claimed twice: by one/Dify/Ingress and by two/Dify/Ingress; give each installation its own host',
    );
  });
  test('distinct instances, or the same instance in two namespaces, do not collide', () => {
    const app = Testing.app();
    const one = new Chart(app, 'one', { namespace: 'team-a' });
    const two = new Chart(app, 'two', { namespace: 'team-b' });
    new Dify(one, 'Dify', { host: 'a.example.com' });
    new Dify(two, 'Dify', { host: 'b.example.com' });
    new Dify(two, 'Other', { host: 'c.example.com', instance: 'other' });
    expect(findCollisions(app)).toEqual([]);
  });
});
