import { DifyStorage, PluginStorage, VectorStore } from '../lib';

/** How one option of a factory is read from the `.env`: string, number, boolean or a credential (Secret key). */
export type FieldKind = 'string' | 'number' | 'boolean' | 'secret';

/** A typed factory and the `.env` variable behind each of its options. */
export interface FactorySpec {
  /** Source of the call, e.g. `DifyStorage.s3`. */
  readonly factory: string;
  /** The library class the call needs. */
  readonly import: string;
  readonly impl: (o: never) => unknown;
  readonly fields: Readonly<Record<string, readonly [env: string, kind: FieldKind]>>;
}

const s = (env: string): readonly [string, FieldKind] => [env, 'string'];
const n = (env: string): readonly [string, FieldKind] => [env, 'number'];
const b = (env: string): readonly [string, FieldKind] => [env, 'boolean'];
const k = (env: string): readonly [string, FieldKind] => [env, 'secret'];

const storage = (factory: keyof typeof DifyStorage, fields: FactorySpec['fields']): FactorySpec => ({
  factory: `DifyStorage.${factory}`,
  import: 'DifyStorage',
  impl: (DifyStorage[factory] as (o: never) => unknown).bind(DifyStorage),
  fields,
});
const vector = (factory: keyof typeof VectorStore, fields: FactorySpec['fields']): FactorySpec => ({
  factory: `VectorStore.${factory}`,
  import: 'VectorStore',
  impl: (VectorStore[factory] as (o: never) => unknown).bind(VectorStore),
  fields,
});
const plugin = (factory: keyof typeof PluginStorage, fields: FactorySpec['fields']): FactorySpec => ({
  factory: `PluginStorage.${factory}`,
  import: 'PluginStorage',
  impl: (PluginStorage[factory] as (o: never) => unknown).bind(PluginStorage),
  fields,
});

/** STORAGE_TYPE → factory (opendal/local map to the persistent volume). */
export const STORAGE: Readonly<Record<string, FactorySpec>> = {
  s3: storage('s3', {
    bucket: s('S3_BUCKET_NAME'),
    region: s('S3_REGION'),
    endpoint: s('S3_ENDPOINT'),
    accessKey: k('S3_ACCESS_KEY'),
    secretKey: k('S3_SECRET_KEY'),
    useAwsManagedIam: b('S3_USE_AWS_MANAGED_IAM'),
    addressStyle: s('S3_ADDRESS_STYLE'),
  }),
  'azure-blob': storage('azureBlob', {
    accountName: s('AZURE_BLOB_ACCOUNT_NAME'),
    containerName: s('AZURE_BLOB_CONTAINER_NAME'),
    accountKey: k('AZURE_BLOB_ACCOUNT_KEY'),
    accountUrl: s('AZURE_BLOB_ACCOUNT_URL'),
  }),
  'google-storage': storage('googleCloudStorage', {
    bucket: s('GOOGLE_STORAGE_BUCKET_NAME'),
    serviceAccountJsonBase64: k('GOOGLE_STORAGE_SERVICE_ACCOUNT_JSON_BASE64'),
  }),
  'aliyun-oss': storage('aliyunOss', {
    bucket: s('ALIYUN_OSS_BUCKET_NAME'),
    endpoint: s('ALIYUN_OSS_ENDPOINT'),
    region: s('ALIYUN_OSS_REGION'),
    accessKey: k('ALIYUN_OSS_ACCESS_KEY'),
    secretKey: k('ALIYUN_OSS_SECRET_KEY'),
    authVersion: s('ALIYUN_OSS_AUTH_VERSION'),
    path: s('ALIYUN_OSS_PATH'),
    cloudBoxId: s('ALIYUN_CLOUDBOX_ID'),
  }),
  'tencent-cos': storage('tencentCos', {
    bucket: s('TENCENT_COS_BUCKET_NAME'),
    region: s('TENCENT_COS_REGION'),
    secretId: k('TENCENT_COS_SECRET_ID'),
    secretKey: k('TENCENT_COS_SECRET_KEY'),
    scheme: s('TENCENT_COS_SCHEME'),
    customDomain: s('TENCENT_COS_CUSTOM_DOMAIN'),
  }),
  'huawei-obs': storage('huaweiObs', {
    bucket: s('HUAWEI_OBS_BUCKET_NAME'),
    server: s('HUAWEI_OBS_SERVER'),
    accessKey: k('HUAWEI_OBS_ACCESS_KEY'),
    secretKey: k('HUAWEI_OBS_SECRET_KEY'),
    pathStyle: b('HUAWEI_OBS_PATH_STYLE'),
  }),
  'volcengine-tos': storage('volcengineTos', {
    bucket: s('VOLCENGINE_TOS_BUCKET_NAME'),
    endpoint: s('VOLCENGINE_TOS_ENDPOINT'),
    region: s('VOLCENGINE_TOS_REGION'),
    accessKey: k('VOLCENGINE_TOS_ACCESS_KEY'),
    secretKey: k('VOLCENGINE_TOS_SECRET_KEY'),
  }),
  'oci-storage': storage('oci', {
    bucket: s('OCI_BUCKET_NAME'),
    endpoint: s('OCI_ENDPOINT'),
    region: s('OCI_REGION'),
    accessKey: k('OCI_ACCESS_KEY'),
    secretKey: k('OCI_SECRET_KEY'),
  }),
  'baidu-obs': storage('baiduObs', {
    bucket: s('BAIDU_OBS_BUCKET_NAME'),
    endpoint: s('BAIDU_OBS_ENDPOINT'),
    accessKey: k('BAIDU_OBS_ACCESS_KEY'),
    secretKey: k('BAIDU_OBS_SECRET_KEY'),
  }),
  supabase: storage('supabase', { bucket: s('SUPABASE_BUCKET_NAME'), url: s('SUPABASE_URL'), apiKey: k('SUPABASE_API_KEY') }),
  'clickzetta-volume': storage('clickzettaVolume', {
    username: s('CLICKZETTA_USERNAME'),
    password: k('CLICKZETTA_PASSWORD'),
    instance: s('CLICKZETTA_INSTANCE'),
    service: s('CLICKZETTA_SERVICE'),
    workspace: s('CLICKZETTA_WORKSPACE'),
    vcluster: s('CLICKZETTA_VCLUSTER'),
    schema: s('CLICKZETTA_SCHEMA'),
    volumeType: s('CLICKZETTA_VOLUME_TYPE'),
    volumeName: s('CLICKZETTA_VOLUME_NAME'),
    tablePrefix: s('CLICKZETTA_VOLUME_TABLE_PREFIX'),
    difyPrefix: s('CLICKZETTA_VOLUME_DIFY_PREFIX'),
  }),
};

/** VECTOR_STORE → factory; weaviate and elasticsearch are chosen in code (embedded, cloud). */
export const VECTOR_STORES: Readonly<Record<string, FactorySpec>> = {
  weaviate: vector('weaviate', { endpoint: s('WEAVIATE_ENDPOINT'), grpcEndpoint: s('WEAVIATE_GRPC_ENDPOINT'), apiKey: k('WEAVIATE_API_KEY') }),
  qdrant: vector('qdrant', { url: s('QDRANT_URL'), apiKey: k('QDRANT_API_KEY'), grpcEnabled: b('QDRANT_GRPC_ENABLED') }),
  milvus: vector('milvus', {
    uri: s('MILVUS_URI'),
    token: k('MILVUS_TOKEN'),
    user: s('MILVUS_USER'),
    password: k('MILVUS_PASSWORD'),
    database: s('MILVUS_DATABASE'),
    enableHybridSearch: b('MILVUS_ENABLE_HYBRID_SEARCH'),
    analyzerParams: s('MILVUS_ANALYZER_PARAMS'),
  }),
  pgvector: vector('pgvector', {
    host: s('PGVECTOR_HOST'),
    port: n('PGVECTOR_PORT'),
    user: s('PGVECTOR_USER'),
    password: k('PGVECTOR_PASSWORD'),
    database: s('PGVECTOR_DATABASE'),
    minConnections: n('PGVECTOR_MIN_CONNECTION'),
    maxConnections: n('PGVECTOR_MAX_CONNECTION'),
    pgBigm: b('PGVECTOR_PG_BIGM'),
  }),
  elasticsearch: vector('elasticsearch', {
    host: s('ELASTICSEARCH_HOST'),
    port: n('ELASTICSEARCH_PORT'),
    username: s('ELASTICSEARCH_USERNAME'),
    password: k('ELASTICSEARCH_PASSWORD'),
    verifyCerts: b('ELASTICSEARCH_VERIFY_CERTS'),
    caCertsPath: s('ELASTICSEARCH_CA_CERTS'),
  }),
  'elastic-cloud': vector('elasticCloud', { cloudUrl: s('ELASTICSEARCH_CLOUD_URL'), apiKey: k('ELASTICSEARCH_API_KEY') }),
  opensearch: vector('opensearch', {
    host: s('OPENSEARCH_HOST'),
    port: n('OPENSEARCH_PORT'),
    secure: b('OPENSEARCH_SECURE'),
    verifyCerts: b('OPENSEARCH_VERIFY_CERTS'),
    user: s('OPENSEARCH_USER'),
    password: k('OPENSEARCH_PASSWORD'),
  }),
};

/** PLUGIN_STORAGE_TYPE → factory, with the `.env` names of upstream's compose file. */
export const PLUGIN_STORAGE: Readonly<Record<string, FactorySpec>> = {
  aws_s3: plugin('s3', {
    bucket: s('PLUGIN_STORAGE_OSS_BUCKET'),
    region: s('PLUGIN_AWS_REGION'),
    endpoint: s('PLUGIN_S3_ENDPOINT'),
    usePathStyle: b('PLUGIN_S3_USE_PATH_STYLE'),
    useAwsManagedIam: b('PLUGIN_S3_USE_AWS_MANAGED_IAM'),
    accessKey: k('PLUGIN_AWS_ACCESS_KEY'),
    secretKey: k('PLUGIN_AWS_SECRET_KEY'),
  }),
  azure_blob: plugin('azureBlob', {
    containerName: s('PLUGIN_AZURE_BLOB_STORAGE_CONTAINER_NAME'),
    connectionString: k('PLUGIN_AZURE_BLOB_STORAGE_CONNECTION_STRING'),
  }),
  tencent_cos: plugin('tencentCos', {
    bucket: s('PLUGIN_STORAGE_OSS_BUCKET'),
    region: s('PLUGIN_TENCENT_COS_REGION'),
    secretId: k('PLUGIN_TENCENT_COS_SECRET_ID'),
    secretKey: k('PLUGIN_TENCENT_COS_SECRET_KEY'),
  }),
  aliyun_oss: plugin('aliyunOss', {
    bucket: s('PLUGIN_STORAGE_OSS_BUCKET'),
    endpoint: s('PLUGIN_ALIYUN_OSS_ENDPOINT'),
    region: s('PLUGIN_ALIYUN_OSS_REGION'),
    accessKeyId: k('PLUGIN_ALIYUN_OSS_ACCESS_KEY_ID'),
    accessKeySecret: k('PLUGIN_ALIYUN_OSS_ACCESS_KEY_SECRET'),
    authVersion: s('PLUGIN_ALIYUN_OSS_AUTH_VERSION'),
    path: s('PLUGIN_ALIYUN_OSS_PATH'),
  }),
  volcengine_tos: plugin('volcengineTos', {
    bucket: s('PLUGIN_STORAGE_OSS_BUCKET'),
    endpoint: s('PLUGIN_VOLCENGINE_TOS_ENDPOINT'),
    region: s('PLUGIN_VOLCENGINE_TOS_REGION'),
    accessKey: k('PLUGIN_VOLCENGINE_TOS_ACCESS_KEY'),
    secretKey: k('PLUGIN_VOLCENGINE_TOS_SECRET_KEY'),
  }),
};

/**
 * Upstream development defaults and placeholders of credentials (env.example and
 * docker/envs/**), besides the values of env.example's own credential names.
 * A credential with one of these values is never carried over.
 */
export const PLACEHOLDER_CREDENTIALS: ReadonlySet<string> = new Set([
  'difyai123456',
  'Difyai123456',
  'difyai',
  'dify',
  'difypassword',
  'testpassword',
  'password',
  'admin',
  'elastic',
  'minioadmin',
  'xxx',
  '111',
  'Dify@1234',
  'Dify@123',
  'Dify123456',
  'Qazwsxedc!@#123',
  'your-access-key',
  'your-secret-key',
  'your-secret-id',
  'your-ak',
  'your-sk',
  'your-resend-api-key',
  'YOUR-ELASTICSEARCH_API_KEY',
  // SECRET_KEY of env.example before Dify 1.x left it empty
  'sk-9f73s3ljTXVcMT3Blb3ljTqtsKiGHXVcMT3BlbkFJLK7U',
]);

/** Compose service names a value may point at; dify-cdk8s wires its own Services instead. */
export const COMPOSE_SERVICES = [
  'api',
  'api_websocket',
  'worker',
  'worker_beat',
  'web',
  'db_postgres',
  'db_mysql',
  'db',
  'redis',
  'sandbox',
  'local_sandbox',
  'plugin_daemon',
  'agent_backend',
  'agent_ssrf_proxy',
  'ssrf_proxy',
  'nginx',
  'weaviate',
  'qdrant',
  'milvus-standalone',
  'etcd',
  'minio',
  'elasticsearch',
  'opensearch',
  'pgvector',
  'unstructured',
];

/** compose service → the dify-cdk8s component that plays its part. */
export const COMPONENT_OF_SERVICE: Readonly<Record<string, string>> = {
  api: 'api',
  worker: 'worker',
  worker_beat: 'beat',
  web: 'web',
  db_postgres: 'postgres',
  redis: 'redis',
  sandbox: 'sandbox',
  plugin_daemon: 'pluginDaemon',
  ssrf_proxy: 'ssrfProxy',
  weaviate: 'weaviate',
  nginx: 'nginxProxy',
  api_websocket: 'apiWebsocket',
  agent_backend: 'agentBackend',
  local_sandbox: 'localSandbox',
  agent_ssrf_proxy: 'agentSsrfProxy',
};
