import { CUSTOM_VECTOR_STORES, ConfigMapKeyRef, EnvSet, SecretKeyRef, VectorStore, isSensitiveEnvName } from '../lib';
import { difyDocs, podSpecs } from './util';

const ref = (key: string) => SecretKeyRef.of('vector-creds', key);

/** Plain values and secret env (name -> "secret/key"); fails if a credential is plain. */
function view(e: EnvSet): { plain: Record<string, string>; secret: Record<string, string> } {
  const plain = e.plainData();
  for (const name of Object.keys(plain)) expect([name, isSensitiveEnvName(name)]).toEqual([name, false]);
  const secret = Object.fromEntries(e.secretEnv().map((v) => [v.name, `${v.valueFrom!.secretKeyRef!.name}/${v.valueFrom!.secretKeyRef!.key}`]));
  return { plain, secret };
}

describe('VectorStore factories render upstream names, credentials by reference', () => {
  test.each<[string, VectorStore, Record<string, string>, Record<string, string>]>([
    [
      'weaviate',
      VectorStore.weaviate({ endpoint: 'http://dify-weaviate:8080', grpcEndpoint: 'grpc://dify-weaviate:50051', apiKey: ref('weaviate') }),
      { VECTOR_STORE: 'weaviate', WEAVIATE_ENDPOINT: 'http://dify-weaviate:8080', WEAVIATE_GRPC_ENDPOINT: 'grpc://dify-weaviate:50051' },
      { WEAVIATE_API_KEY: 'vector-creds/weaviate' },
    ],
    [
      'qdrant',
      VectorStore.qdrant({ url: 'https://qdrant.internal:6333', apiKey: ref('qdrant'), grpcEnabled: true }),
      { VECTOR_STORE: 'qdrant', QDRANT_URL: 'https://qdrant.internal:6333', QDRANT_GRPC_ENABLED: 'true' },
      { QDRANT_API_KEY: 'vector-creds/qdrant' },
    ],
    [
      'milvus with user/password',
      VectorStore.milvus({
        uri: 'https://milvus.internal:19530',
        user: 'dify',
        password: ref('milvus'),
        database: 'dify',
        enableHybridSearch: false,
        analyzerParams: '{"type":"chinese"}',
      }),
      {
        VECTOR_STORE: 'milvus',
        MILVUS_URI: 'https://milvus.internal:19530',
        MILVUS_USER: 'dify',
        MILVUS_DATABASE: 'dify',
        MILVUS_ENABLE_HYBRID_SEARCH: 'false',
        MILVUS_ANALYZER_PARAMS: '{"type":"chinese"}',
      },
      { MILVUS_PASSWORD: 'vector-creds/milvus' },
    ],
    [
      'milvus with a token (Zilliz Cloud)',
      VectorStore.milvus({ uri: 'https://in01-abc.api.gcp-us-west1.zillizcloud.com', token: ref('zilliz') }),
      { VECTOR_STORE: 'milvus', MILVUS_URI: 'https://in01-abc.api.gcp-us-west1.zillizcloud.com' },
      { MILVUS_TOKEN: 'vector-creds/zilliz' },
    ],
    [
      'pgvector',
      VectorStore.pgvector({ host: 'pgvector.internal', user: 'vec', password: ref('pg'), database: 'dify_vectors', maxConnections: 20, pgBigm: true }),
      {
        VECTOR_STORE: 'pgvector',
        PGVECTOR_HOST: 'pgvector.internal',
        PGVECTOR_PORT: '5432',
        PGVECTOR_USER: 'vec',
        PGVECTOR_DATABASE: 'dify_vectors',
        PGVECTOR_MIN_CONNECTION: '1',
        PGVECTOR_MAX_CONNECTION: '20',
        PGVECTOR_PG_BIGM: 'true',
      },
      { PGVECTOR_PASSWORD: 'vector-creds/pg' },
    ],
    [
      'elasticsearch',
      VectorStore.elasticsearch({ host: 'es.internal', password: ref('es'), caCertsPath: '/etc/es/ca.crt' }),
      {
        VECTOR_STORE: 'elasticsearch',
        ELASTICSEARCH_USE_CLOUD: 'false',
        ELASTICSEARCH_HOST: 'https://es.internal',
        ELASTICSEARCH_PORT: '9200',
        ELASTICSEARCH_USERNAME: 'elastic',
        ELASTICSEARCH_VERIFY_CERTS: 'true',
        ELASTICSEARCH_CA_CERTS: '/etc/es/ca.crt',
      },
      { ELASTICSEARCH_PASSWORD: 'vector-creds/es' },
    ],
    [
      'elasticsearch-ja over http',
      VectorStore.elasticsearch({ host: 'es', port: 9201, scheme: 'http', username: 'dify', password: ref('es'), japanese: true }),
      {
        VECTOR_STORE: 'elasticsearch-ja',
        ELASTICSEARCH_USE_CLOUD: 'false',
        ELASTICSEARCH_HOST: 'http://es',
        ELASTICSEARCH_PORT: '9201',
        ELASTICSEARCH_USERNAME: 'dify',
      },
      { ELASTICSEARCH_PASSWORD: 'vector-creds/es' },
    ],
    [
      'elasticCloud',
      VectorStore.elasticCloud({ cloudUrl: 'https://dify.es.eu-west-1.aws.found.io:443', apiKey: ref('cloud') }),
      { VECTOR_STORE: 'elasticsearch', ELASTICSEARCH_USE_CLOUD: 'true', ELASTICSEARCH_CLOUD_URL: 'https://dify.es.eu-west-1.aws.found.io:443' },
      { ELASTICSEARCH_API_KEY: 'vector-creds/cloud' },
    ],
    [
      'opensearch with basic auth',
      VectorStore.opensearch({ host: 'opensearch.internal', user: 'admin', password: ref('os') }),
      {
        VECTOR_STORE: 'opensearch',
        OPENSEARCH_HOST: 'opensearch.internal',
        OPENSEARCH_PORT: '9200',
        OPENSEARCH_SECURE: 'true',
        OPENSEARCH_VERIFY_CERTS: 'true',
        OPENSEARCH_AUTH_METHOD: 'basic',
        OPENSEARCH_USER: 'admin',
      },
      { OPENSEARCH_PASSWORD: 'vector-creds/os' },
    ],
    [
      'opensearch serverless with IAM',
      VectorStore.opensearch({ host: 'abc.eu-west-1.aoss.amazonaws.com', port: 443, awsManagedIam: { region: 'eu-west-1', service: 'aoss' } }),
      {
        VECTOR_STORE: 'opensearch',
        OPENSEARCH_HOST: 'abc.eu-west-1.aoss.amazonaws.com',
        OPENSEARCH_PORT: '443',
        OPENSEARCH_SECURE: 'true',
        OPENSEARCH_VERIFY_CERTS: 'true',
        OPENSEARCH_AUTH_METHOD: 'aws_managed_iam',
        OPENSEARCH_AWS_REGION: 'eu-west-1',
        OPENSEARCH_AWS_SERVICE: 'aoss',
      },
      {},
    ],
    [
      'custom tidb_vector',
      VectorStore.custom({
        name: 'tidb_vector',
        config: { TIDB_VECTOR_HOST: 'tidb.internal', TIDB_VECTOR_PORT: '4000', TIDB_VECTOR_USER: 'dify', TIDB_VECTOR_DATABASE: 'dify' },
        secrets: { TIDB_VECTOR_PASSWORD: ref('tidb') },
      }),
      { VECTOR_STORE: 'tidb_vector', TIDB_VECTOR_HOST: 'tidb.internal', TIDB_VECTOR_PORT: '4000', TIDB_VECTOR_USER: 'dify', TIDB_VECTOR_DATABASE: 'dify' },
      { TIDB_VECTOR_PASSWORD: 'vector-creds/tidb' },
    ],
    [
      'custom pgvecto-rs',
      VectorStore.custom({
        name: 'pgvecto-rs',
        config: { PGVECTO_RS_HOST: 'pgvecto-rs', PGVECTO_RS_PORT: '5432', PGVECTO_RS_USER: 'postgres', PGVECTO_RS_DATABASE: 'dify' },
        secrets: { PGVECTO_RS_PASSWORD: ref('rs') },
      }),
      { VECTOR_STORE: 'pgvecto-rs', PGVECTO_RS_HOST: 'pgvecto-rs', PGVECTO_RS_PORT: '5432', PGVECTO_RS_USER: 'postgres', PGVECTO_RS_DATABASE: 'dify' },
      { PGVECTO_RS_PASSWORD: 'vector-creds/rs' },
    ],
    [
      'custom tidb_on_qdrant with TIDB_ settings',
      VectorStore.custom({
        name: 'tidb_on_qdrant',
        config: { TIDB_ON_QDRANT_URL: 'http://qdrant:6333', TIDB_REGION: 'regions/aws-us-east-1' },
        secrets: { TIDB_ON_QDRANT_API_KEY: ref('q'), TIDB_PRIVATE_KEY: ref('priv') },
      }),
      { VECTOR_STORE: 'tidb_on_qdrant', TIDB_ON_QDRANT_URL: 'http://qdrant:6333', TIDB_REGION: 'regions/aws-us-east-1' },
      { TIDB_ON_QDRANT_API_KEY: 'vector-creds/q', TIDB_PRIVATE_KEY: 'vector-creds/priv' },
    ],
  ])('%s', (_name, store, plain, secret) => {
    expect(view(store.env())).toEqual({ plain, secret });
    expect(store.name).toBe(plain.VECTOR_STORE);
  });

  test('every upstream VECTOR_STORE without a typed factory is accepted by custom()', () => {
    for (const [name, prefixes] of Object.entries(CUSTOM_VECTOR_STORES)) {
      expect(
        VectorStore.custom({ name, config: { [`${prefixes[0]}HOST`]: 'h' } })
          .env()
          .plainData(),
      ).toMatchObject({ VECTOR_STORE: name });
    }
  });
});

describe('bad vector store input names the field, the value and what is allowed', () => {
  const k = ref('k');
  test.each<[string, () => unknown, RegExp]>([
    [
      'milvus URI',
      () => VectorStore.milvus({ uri: 'milvus:19530', token: k }),
      /^vectorStore\.milvus\.uri: got "milvus:19530"; must be an absolute http:\/\/ or https:\/\/ URL/,
    ],
    [
      'milvus token and password',
      () => VectorStore.milvus({ uri: 'http://milvus:19530', token: k, user: 'u', password: k }),
      /^vectorStore\.milvus\.token: got "<redacted>"; conflicts with user\/password/,
    ],
    [
      'milvus without credentials',
      () => VectorStore.milvus({ uri: 'http://milvus:19530' }),
      /^vectorStore\.milvus\.user: got undefined; user and password are both required unless token is set/,
    ],
    [
      'milvus analyzer params',
      () => VectorStore.milvus({ uri: 'http://milvus:19530', token: k, analyzerParams: 'chinese' }),
      /^vectorStore\.milvus\.analyzerParams: got "chinese"; must be a JSON object/,
    ],
    [
      'pgvector host',
      () => VectorStore.pgvector({ host: 'pg vector', user: 'u', password: k, database: 'd' }),
      /^vectorStore\.pgvector\.host: got "pg vector"; must be a host name or IPv4 address/,
    ],
    [
      'pgvector pool',
      () => VectorStore.pgvector({ host: 'pg', user: 'u', password: k, database: 'd', minConnections: 10, maxConnections: 5 }),
      /^vectorStore\.pgvector\.minConnections: got 10; must not exceed maxConnections \(5\)/,
    ],
    [
      'pgvector password as a string',
      () => VectorStore.pgvector({ host: 'pg', user: 'u', password: 'secret' as any, database: 'd' }),
      /^vectorStore\.pgvector\.password: got "<not a SecretKeyRef>"; must be a SecretKeyRef instance/,
    ],
    [
      'elasticsearch host with a scheme',
      () => VectorStore.elasticsearch({ host: 'https://es', password: k }),
      /^vectorStore\.elasticsearch\.host: got "https:\/\/es"; must be a host name or IPv4 address/,
    ],
    [
      'elasticsearch http with verifyCerts',
      () => VectorStore.elasticsearch({ host: 'es', scheme: 'http', verifyCerts: true, password: k }),
      /^vectorStore\.elasticsearch\.scheme: got "http"; conflicts with verifyCerts\/caCerts\/caCertsPath, which only apply to https$/,
    ],
    [
      'elasticsearch CA from a Secret and a path',
      () => VectorStore.elasticsearch({ host: 'es', password: k, caCerts: SecretKeyRef.of('es-ca', 'ca.crt'), caCertsPath: '/etc/es/ca.crt' }),
      /^vectorStore\.elasticsearch\.caCertsPath: got "\/etc\/es\/ca\.crt"; conflicts with caCerts/,
    ],
    [
      'elasticsearch CA from a Secret without verification',
      () => VectorStore.elasticsearch({ host: 'es', password: k, verifyCerts: false, caCerts: SecretKeyRef.of('es-ca', 'ca.crt') }),
      /^vectorStore\.elasticsearch\.verifyCerts: got false; conflicts with caCerts: a CA bundle is only used when certificates are verified$/,
    ],
    [
      'elastic cloud over http',
      () => VectorStore.elasticCloud({ cloudUrl: 'http://dify.es.io:9243', apiKey: k }),
      /^vectorStore\.elasticCloud\.cloudUrl: got "http:\/\/dify\.es\.io:9243"; must be an https:\/\/ URL/,
    ],
    [
      'opensearch IAM and password',
      () => VectorStore.opensearch({ host: 'os', user: 'u', password: k, awsManagedIam: { region: 'eu-west-1', service: 'es' } }),
      /^vectorStore\.opensearch\.awsManagedIam: got \{"region":"eu-west-1","service":"es"\}; conflicts with user\/password/,
    ],
    [
      'opensearch IAM service',
      () => VectorStore.opensearch({ host: 'os', awsManagedIam: { region: 'eu-west-1', service: 'lambda' as any } }),
      /^vectorStore\.opensearch\.awsManagedIam\.service: got "lambda"; must be "es" or "aoss"$/,
    ],
    [
      'opensearch without credentials',
      () => VectorStore.opensearch({ host: 'os' }),
      /^vectorStore\.opensearch\.user: got undefined; user and password are both required unless awsManagedIam is set/,
    ],
    [
      'custom unknown store',
      () => VectorStore.custom({ name: 'pinecone', config: {} }),
      /^vectorStore\.custom\.name: got "pinecone"; must be a VECTOR_STORE value of Dify 1\.16\.1: alibabacloud_mysql, analyticdb, .*vikingdb \(typed factories: weaviate, qdrant, milvus, pgvector, elasticsearch, elasticsearch-ja, opensearch\)/,
    ],
    [
      'custom with a typed store',
      () => VectorStore.custom({ name: 'milvus', config: { MILVUS_URI: 'http://m:19530' } }),
      /^vectorStore\.custom\.name: got "milvus"; has a typed factory; use VectorStore\.milvus\(\)/,
    ],
    [
      'custom elasticsearch-ja',
      () => VectorStore.custom({ name: 'elasticsearch-ja', config: {} }),
      /^vectorStore\.custom\.name: got "elasticsearch-ja"; has a typed factory; use VectorStore\.elasticsearch\(\{ japanese: true \}\)/,
    ],
    [
      'custom credential in config',
      () => VectorStore.custom({ name: 'tidb_vector', config: { TIDB_VECTOR_PASSWORD: 'hunter2' } }),
      /^vectorStore\.custom\.config\.TIDB_VECTOR_PASSWORD: got "<redacted>"; TIDB_VECTOR_PASSWORD is a credential/,
    ],
    [
      'custom foreign name',
      () => VectorStore.custom({ name: 'tidb_vector', config: { DB_HOST: 'x' } }),
      /^vectorStore\.custom\.config\.DB_HOST: got "DB_HOST"; must be a setting of "tidb_vector", starting with TIDB_VECTOR_/,
    ],
    [
      'custom VECTOR_STORE override',
      () => VectorStore.custom({ name: 'chroma', config: { VECTOR_STORE: 'weaviate' } }),
      /^vectorStore\.custom\.config\.VECTOR_STORE: got "VECTOR_STORE"; must be a setting of "chroma", starting with CHROMA_/,
    ],
    [
      'custom invalid env name',
      () => VectorStore.custom({ name: 'chroma', config: {}, secrets: { 'CHROMA-AUTH': k } }),
      /^vectorStore\.custom\.secrets\.CHROMA-AUTH: got "CHROMA-AUTH"; must be an environment variable name/,
    ],
    [
      'custom secret as a string',
      () => VectorStore.custom({ name: 'chroma', config: {}, secrets: { CHROMA_AUTH_CREDENTIALS: 'token' as any } }),
      /^vectorStore\.custom\.secrets\.CHROMA_AUTH_CREDENTIALS: got "<not a SecretKeyRef>"; must be a SecretKeyRef/,
    ],
    [
      'custom name in both groups',
      () => VectorStore.custom({ name: 'chroma', config: { CHROMA_HOST: 'c' }, secrets: { CHROMA_HOST: k } }),
      /^vectorStore\.custom\.secrets\.CHROMA_HOST: got "CHROMA_HOST"; is also in config/,
    ],
  ])('%s', (_name, build, message) => {
    expect(build).toThrow(message);
  });
});

test('an Elasticsearch CA from a ConfigMap key (trust-manager) is mounted into the pods that reach Elasticsearch, and only those', () => {
  const vectorStore = VectorStore.elasticsearch({ host: 'es.internal', password: ref('es'), caCerts: ConfigMapKeyRef.of('es-ca-bundle', 'ca.crt') });
  const { docs } = difyDocs({ vectorStore });
  const configMaps = new Map(docs.filter((d) => d.kind === 'ConfigMap').map((d) => [d.metadata.name, d.data ?? {}]));
  const readers: string[] = [];
  for (const pod of podSpecs(docs)) {
    const env = Object.assign({}, ...(pod.spec.containers[0].envFrom ?? []).map((f: any) => configMaps.get(f.configMapRef?.name) ?? {}));
    const files = (pod.spec.volumes ?? []).filter((v: any) => v.name.startsWith('files-'));
    if (env.ELASTICSEARCH_CA_CERTS === undefined) {
      expect({ id: pod.id, files }).toEqual({ id: pod.id, files: [] });
      continue;
    }
    readers.push(pod.metadata.labels['app.kubernetes.io/component']);
    expect(env.ELASTICSEARCH_CA_CERTS).toBe('/etc/dify/files/configmaps/es-ca-bundle/ca.crt');
    // Public data: a ConfigMap volume, world-readable, never a Secret.
    expect(files.map((v: any) => [v.configMap, v.secret])).toEqual([
      [{ name: 'es-ca-bundle', items: [{ key: 'ca.crt', path: 'ca.crt' }], defaultMode: 0o444 }, undefined],
    ]);
    expect(pod.spec.containers[0].volumeMounts).toContainEqual({ name: files[0].name, mountPath: '/etc/dify/files/configmaps/es-ca-bundle', readOnly: true });
  }
  expect(readers).toEqual(expect.arrayContaining(['api', 'worker']));
});

test('a ConfigMap and a Secret of the same name are mounted apart', () => {
  const env = new EnvSet().file({ A: ConfigMapKeyRef.of('ca', 'ca.crt'), B: SecretKeyRef.of('ca', 'ca.crt') });
  expect([env.plainValue('A'), env.plainValue('B')]).toEqual(['/etc/dify/files/configmaps/ca/ca.crt', '/etc/dify/files/secrets/ca/ca.crt']);
  const { volumes, mounts } = env.fileVolumes();
  expect(new Set(volumes.map((v) => v.name)).size).toBe(2);
  expect(mounts.map((m) => m.mountPath).sort()).toEqual(['/etc/dify/files/configmaps/ca', '/etc/dify/files/secrets/ca']);
  // Only the Secret counts among the Secrets the environment reads.
  expect(env.secretRefs().map(String)).toEqual(['ca/ca.crt']);
});

test('ConfigMapKeyRef names the field it was given wrong', () => {
  expect(() => ConfigMapKeyRef.of('Bad_Name', 'ca.crt')).toThrow(/^ConfigMapKeyRef\.configMapName: got "Bad_Name"; /);
  expect(() => ConfigMapKeyRef.of('ca', 'ca/crt')).toThrow(/^ConfigMapKeyRef\.key: got "ca\/crt"; must be a ConfigMap data key/);
});
