import { Chart, Testing } from 'cdk8s';
import { DifyNamespace, DifySecrets, SecretKeyRef } from '../lib';
import { formatIssues, validateSchemas } from './support/schema';
import { difyDocs, find, podSpecs } from './util';

const REMOTE = {
  secretKey: { key: 'dify/app', property: 'secret-key' },
  sandboxApiKey: { key: 'dify/app', property: 'sandbox-api-key' },
  pluginDaemonKey: { key: 'dify/app', property: 'plugin-daemon-key' },
  pluginInnerApiKey: { key: 'dify/app', property: 'plugin-inner-api-key' },
  postgresPassword: { key: 'dify/postgres', property: 'password', version: '3' },
  redisPassword: { key: 'dify/redis', property: 'password' },
  weaviateApiKey: { key: 'dify/weaviate', property: 'api-key' },
  agentApiToken: { key: 'dify/agent', property: 'api-token' },
  agentServerSecretKey: { key: 'dify/agent', property: 'server-secret-key' },
  agentSandboxToken: { key: 'dify/agent', property: 'local-sandbox-token' },
};
const external = (version = '3') =>
  DifySecrets.external({
    store: { name: 'vault', kind: 'ClusterSecretStore' },
    remoteRefs: { ...REMOTE, postgresPassword: { ...REMOTE.postgresPassword, version } },
  });
const annotation = (docs: any[], name: string) => find(docs, 'Deployment', name).spec.template.metadata.annotations['dify.langgenius.ai/credentials-version'];

describe('existing Secrets', () => {
  const { docs } = difyDocs({ secrets: DifySecrets.existing('dify-creds', { overrides: { postgresPassword: SecretKeyRef.of('rds-master', 'password') } }) });
  test('every credential points at the named Secret, overrides win, no generator is created', () => {
    const api = find(docs, 'Deployment', 'dify-api').spec.template.spec.containers[0].env;
    expect(api.find((e: any) => e.name === 'SECRET_KEY').valueFrom.secretKeyRef).toEqual({ name: 'dify-creds', key: 'secret-key' });
    expect(api.find((e: any) => e.name === 'DB_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: 'rds-master', key: 'password' });
    expect(docs.filter((d) => d.kind === 'Job').map((d) => d.metadata.name)).toEqual([expect.stringMatching(/^dify-migrate-/)]);
    expect(docs.some((d) => d.kind === 'Role')).toBe(false);
  });
  test('bumping rotation changes the pod annotation, so the pods roll', () => {
    const before = annotation(difyDocs({ secrets: DifySecrets.existing('dify-creds') }).docs, 'dify-api');
    const after = annotation(difyDocs({ secrets: DifySecrets.existing('dify-creds', { rotation: '2026-11-22' }) }).docs, 'dify-api');
    expect(before).toMatch(/^[a-f0-9]{16}$/);
    expect(after).not.toBe(before);
  });
  test('secret names are validated', () => {
    expect(() => DifySecrets.existing('Dify Creds')).toThrow(/^secrets\.existing\.secretName: got "Dify Creds"; must be a DNS-1123 subdomain/);
  });
});

describe('External Secrets', () => {
  const { docs } = difyDocs({ secrets: external() });
  const es = find(docs, 'ExternalSecret', 'dify-credentials');
  test('one ExternalSecret materialises every credential key from the store', () => {
    expect(es.apiVersion).toBe('external-secrets.io/v1');
    expect(es.spec.secretStoreRef).toEqual({ name: 'vault', kind: 'ClusterSecretStore' });
    expect(es.spec.data.map((d: any) => d.secretKey)).toEqual([
      'agent-api-token',
      'agent-local-sandbox-token',
      'agent-server-secret-key',
      'plugin-daemon-key',
      'plugin-inner-api-key',
      'postgres-password',
      'redis-password',
      'sandbox-api-key',
      'secret-key',
      'weaviate-api-key',
    ]);
    expect(es.spec.data.find((d: any) => d.secretKey === 'postgres-password').remoteRef).toEqual({ key: 'dify/postgres', property: 'password', version: '3' });
  });
  test('the broker URL is templated with the URL-encoded Redis password', () => {
    expect(es.spec.target.template.data['celery-broker-url']).toBe('redis://:{{ index . "redis-password" | urlquery | replace "+" "%20" }}@dify-redis:6379/1');
    // The agent backend's URL: same Redis, its own DB index.
    expect(es.spec.target.template.data['agent-redis-url']).toBe('redis://:{{ index . "redis-password" | urlquery | replace "+" "%20" }}@dify-redis:6379/2');
  });
  test('validates against the ExternalSecret CRD schema', () => {
    expect(formatIssues(validateSchemas([es], { defaultNamespace: 'dify' }))).toBe(formatIssues([]));
  });
  test('a new pinned version in the store rolls the pods that read it, and only those', () => {
    const v3 = difyDocs({ secrets: external('3') }).docs;
    const v4 = difyDocs({ secrets: external('4') }).docs;
    expect(annotation(v4, 'dify-api')).not.toBe(annotation(v3, 'dify-api'));
    expect(find(v4, 'Deployment', 'dify-ssrf-proxy').spec.template.metadata.annotations['dify.langgenius.ai/credentials-version']).toBeUndefined();
    expect(find(v4, 'Deployment', 'dify-web').spec.template.metadata.annotations['dify.langgenius.ai/credentials-version']).toBeUndefined();
  });
  test('Reloader annotations name the Secret each workload reads', () => {
    const { docs: r } = difyDocs({ secrets: external(), reloaderAnnotations: true });
    expect(find(r, 'Deployment', 'dify-api').metadata.annotations).toEqual({ 'secret.reloader.stakater.com/reload': 'dify-credentials' });
  });
  test('every credential must be located', () => {
    const { redisPassword: _omit, ...partial } = REMOTE;
    expect(() => difyDocs({ secrets: DifySecrets.external({ store: { name: 'vault' }, remoteRefs: partial as any }) })).toThrow(
      /externalSecret\.remoteRefs: got \[.*\]; must locate every key the installation reads from Secret "dify-credentials"; missing .*redisPassword \(key redis-password, read as REDIS_PASSWORD of /,
    );
  });
  test('no credential value is in the manifests', () => {
    expect(docs.filter((d) => d.kind === 'Secret')).toEqual([]);
  });
});

describe('supply chain', () => {
  const digest = `sha256:${'a'.repeat(64)}`;
  const { docs } = difyDocs({ imageRegistry: 'registry.example.com/mirror', imageDigests: { api: digest }, imagePullSecrets: ['mirror-pull'] });
  const images = podSpecs(docs).flatMap(({ spec }) => [...(spec.initContainers ?? []), ...spec.containers].map((c: any) => c.image));
  test('every image comes from the mirror; official images get library/', () => {
    for (const i of images) expect(i).toMatch(/^registry\.example\.com\/mirror\//);
    expect(images).toContain('registry.example.com/mirror/library/postgres:15.14-alpine');
    expect(images).toContain(`registry.example.com/mirror/langgenius/dify-api:1.16.1@${digest}`);
  });
  test('every pod gets the imagePullSecrets', () => {
    for (const { id, spec } of podSpecs(docs)) expect({ id, s: spec.imagePullSecrets }).toEqual({ id, s: [{ name: 'mirror-pull' }] });
  });
  test('bad registry and digest are rejected', () => {
    expect(() => difyDocs({ imageRegistry: 'https://registry.example.com/' })).toThrow(
      /^imageRegistry: got "https:\/\/registry\.example\.com\/"; must be a registry host/,
    );
    expect(() => difyDocs({ imageDigests: { web: 'sha256:123' } })).toThrow(
      /^imageDigests\.web: got "sha256:123"; must be "sha256:" followed by 64 lowercase hex digits/,
    );
    expect(() => difyDocs({ imageDigests: { mysql: digest } as any })).toThrow(
      /^imageDigests\.mysql: got "sha256:a+"; unknown property of imageDigests; known properties: agentBackend, api, awsCli, localSandbox, nginx, /,
    );
  });
});

describe('namespace Pod Security labels', () => {
  const ns = (props: any = {}) => {
    const chart = new Chart(Testing.app(), 'ns');
    new DifyNamespace(chart, 'Ns', { name: 'dify', ...props });
    return Testing.synth(chart)[0].metadata.labels;
  };
  test('enforce baseline (the sandbox), warn and audit restricted, pinned to v1.28', () => {
    expect(ns()).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/enforce-version': 'v1.28',
      'pod-security.kubernetes.io/warn': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
    });
  });
  test('levels are validated', () => {
    expect(() => ns({ podSecurity: { enforce: 'strict' } })).toThrow(
      /^namespace\.podSecurity\.enforce: got "strict"; must be "privileged", "baseline" or "restricted"$/,
    );
  });
});
