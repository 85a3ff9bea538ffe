import { DifyDatabase, DifySecrets, DifyStorage, ExternalRedis, SecretKeyRef, VectorStore, credentialsInSecret, BackupTarget, PluginStorage } from '../lib';
import { NetworkPolicyEvaluator, podEndpointsFromManifests } from './support/netpol';
import { checkReferences } from './support/references';
import { formatIssues, validateSchemas } from './support/schema';
import { difyDocs, find } from './util';

const creds = credentialsInSecret('dify-credentials');
const external = {
  // Shown separately (test/agent.test.ts): the agent stack needs its own Redis URL with an external Redis.
  agent: false as const,
  externalDatabase: DifyDatabase.external({
    host: 'dify.cluster-abc.eu-west-1.rds.amazonaws.com',
    username: 'dify',
    password: creds.postgresPassword,
    sslMode: 'verify-full' as const,
  }),
  externalRedis: ExternalRedis.standalone({
    host: 'master.dify.abc.euw1.cache.amazonaws.com',
    password: creds.redisPassword,
    brokerUrl: creds.celeryBrokerUrl,
    tls: {},
  }),
  vectorStore: VectorStore.qdrant({ url: 'https://qdrant.internal.example.com:6333', apiKey: SecretKeyRef.of('dify-credentials', 'qdrant-api-key') }),
  storage: DifyStorage.s3({ bucket: 'acme-dify', region: 'eu-west-1', useAwsManagedIam: true }),
  secrets: DifySecrets.external({
    store: { name: 'aws-secrets-manager', kind: 'ClusterSecretStore' },
    remoteRefs: {
      secretKey: { key: 'prod/dify/app', property: 'secret-key' },
      sandboxApiKey: { key: 'prod/dify/app', property: 'sandbox-api-key' },
      pluginDaemonKey: { key: 'prod/dify/app', property: 'plugin-daemon-key' },
      pluginInnerApiKey: { key: 'prod/dify/app', property: 'plugin-inner-api-key' },
      postgresPassword: { key: 'prod/dify/rds', property: 'password' },
      redisPassword: { key: 'prod/dify/redis', property: 'auth-token' },
      celeryBrokerUrl: { key: 'prod/dify/redis', property: 'broker-url' },
    },
    extraKeys: { 'qdrant-api-key': { key: 'prod/dify/qdrant', property: 'api-key' } },
  }),
  networkPolicy: { externalServices: [{ cidr: '10.40.0.0/16', ports: [5432, 6379, 6333] }] },
};
const { dify, docs } = difyDocs(external);

describe('external services replace the embedded stores', () => {
  test('no embedded store is rendered', () => {
    expect(docs.filter((d) => d.kind === 'StatefulSet').map((d) => d.metadata.name)).toEqual(['dify-plugin-daemon']);
    expect(dify.postgres).toBeUndefined();
    expect(dify.database.host).toBe('dify.cluster-abc.eu-west-1.rds.amazonaws.com');
  });
  test('api reads the managed services, credentials by Secret', () => {
    const cm = find(docs, 'ConfigMap', 'dify-api-env').data;
    expect(cm).toMatchObject({
      DB_HOST: 'dify.cluster-abc.eu-west-1.rds.amazonaws.com',
      REDIS_HOST: 'master.dify.abc.euw1.cache.amazonaws.com',
      VECTOR_STORE: 'qdrant',
      STORAGE_TYPE: 's3',
    });
    const env = find(docs, 'Deployment', 'dify-api').spec.template.spec.containers[0].env;
    const ref = (n: string) => env.find((e: any) => e.name === n)?.valueFrom?.secretKeyRef;
    expect(ref('CELERY_BROKER_URL')).toEqual({ name: 'dify-credentials', key: 'celery-broker-url' });
    expect(ref('QDRANT_API_KEY')).toEqual({ name: 'dify-credentials', key: 'qdrant-api-key' });
    expect(find(docs, 'Deployment', 'dify-api').spec.template.spec.volumes.map((v: any) => v.name)).toEqual(['tmp']);
  });
  test('the ExternalSecret materialises the broker URL as given and the extra key', () => {
    const es = find(docs, 'ExternalSecret', 'dify-credentials');
    expect(es.spec.data.map((d: any) => d.secretKey)).toEqual([
      'celery-broker-url',
      'plugin-daemon-key',
      'plugin-inner-api-key',
      'postgres-password',
      'qdrant-api-key',
      'redis-password',
      'sandbox-api-key',
      'secret-key',
    ]);
    expect(es.spec.target.template.data['celery-broker-url']).toBe('{{ index . "celery-broker-url" }}');
    expect(formatIssues(validateSchemas(docs, { defaultNamespace: 'dify' }))).toBe(formatIssues([]));
    expect(checkReferences(docs, { defaultNamespace: 'dify' })).toEqual([]);
  });
  test('NetworkPolicies open the managed-service range to the store clients only', () => {
    const ev = NetworkPolicyEvaluator.fromManifests(docs);
    const pods = podEndpointsFromManifests(docs);
    const pod = (c: string) => pods.find((p) => p.labels['app.kubernetes.io/component'] === c)!;
    const rds = { kind: 'ip' as const, ip: '10.40.3.7' };
    for (const c of ['api', 'worker', 'beat', 'migration', 'plugin-daemon']) expect({ c, ok: ev.allows(pod(c), rds, 5432) }).toEqual({ c, ok: true });
    for (const c of ['web', 'sandbox', 'ssrf-proxy']) expect({ c, ok: ev.allows(pod(c), rds, 5432) }).toEqual({ c, ok: false });
    expect(ev.allows(pod('api'), rds, 22)).toBe(false);
    expect(docs.some((d) => d.kind === 'NetworkPolicy' && d.metadata.name === 'dify-postgres')).toBe(false);
  });
});

describe('conflicting or missing configuration', () => {
  test.each([
    [
      'embedded postgres options with an external database',
      { ...external, postgres: { storageSize: '5Gi' } },
      /^postgres: got \{"storageSize":"5Gi"\}; configures the embedded postgres, which externalDatabase replaces/,
    ],
    [
      'embedded weaviate resources with another vector store',
      { ...external, components: { weaviate: { replicas: 1 } } },
      /^weaviate: got \{"replicas":1\}; configures the embedded weaviate, which vectorStore replaces/,
    ],
    [
      'backups with nothing embedded to back up',
      {
        ...external,
        pluginStorage: PluginStorage.s3({ bucket: 'plugins', region: 'eu-west-1', useAwsManagedIam: true }),
        backup: { target: BackupTarget.volume() },
      },
      /^backup: got "enabled"; has nothing to back up: no embedded PostgreSQL, no file storage claim and no local plugin storage$/,
    ],
    [
      'an ExternalSecret missing an app key',
      {
        secrets: DifySecrets.external({
          store: { name: 'vault' },
          remoteRefs: { secretKey: { key: 'a' }, sandboxApiKey: { key: 'b' }, pluginDaemonKey: { key: 'c' } } as any,
        }),
      },
      /externalSecret\.remoteRefs: got \["pluginDaemonKey","sandboxApiKey","secretKey"\]; must locate every key the installation reads from Secret "dify-credentials"; missing agentApiToken \(key agent-api-token, .*pluginInnerApiKey \(key plugin-inner-api-key, .*postgresPassword \(key postgres-password, .*redisPassword \(key redis-password, .*weaviateApiKey \(key weaviate-api-key/,
    ],
    [
      'a private CIDR for the sandbox',
      { networkPolicy: { externalServices: [{ cidr: '10.0.0.0/8', ports: [443], from: ['sandbox'] }] } },
      /^networkPolicy\.externalServices\[0\]\.from: got "sandbox"; must be one of api, worker, beat, migration, plugin-daemon, web/,
    ],
    [
      'a bad external CIDR',
      { networkPolicy: { externalServices: [{ cidr: '10.40.0.0', ports: [5432] }] } },
      /^networkPolicy\.externalServices\[0\]\.cidr: got "10\.40\.0\.0"; must be a CIDR such as/,
    ],
  ])('%s', (_what, props, message) => {
    expect(() => difyDocs(props as any)).toThrow(message);
  });
});
