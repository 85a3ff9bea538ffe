import {
  AgentRuntime,
  DifyDatabase,
  E2bRuntimeOptions,
  DifyProps,
  DifySecrets,
  DifySettingsProps,
  DifyStorage,
  ExternalRedis,
  IngressTls,
  PluginStorage,
  SecretKeyRef,
  VectorStore,
} from '../lib';
import { ParityComponent } from '../lib/parity/env-parity';

/**
 * A non-default setting of a typed property and what each receiving
 * component must then render: one value for all, or per component.
 * Credentials are expected as `secret:<Secret name>/<key>`.
 */
export interface Probe {
  readonly props: Partial<DifyProps>;
  readonly expect: string | Partial<Record<ParityComponent, string>>;
}

/** Props every installation of a component needs before its variables can be observed. */
export function fixtureFor(key: string, component: ParityComponent): Partial<DifyProps> | undefined {
  if (component !== 'nginxProxy') return undefined;
  return { nginxProxy: TLS_KEYS.includes(key) ? { tls: IngressTls.existingSecret('dify-tls') } : {} };
}

/** nginx variables that only mean something with TLS on. */
const TLS_KEYS = ['NGINX_SSL_PORT', 'NGINX_SSL_CERT_FILENAME', 'NGINX_SSL_CERT_KEY_FILENAME', 'NGINX_SSL_PROTOCOLS', 'EXPOSE_NGINX_SSL_PORT'];
const TLS = IngressTls.existingSecret('dify-tls');

const settings = (s: DifySettingsProps, expect: Probe['expect']): Probe => ({ props: { settings: s }, expect });
const e2b = (options: Partial<E2bRuntimeOptions>, expect: string): Probe => ({
  props: { agent: { runtime: AgentRuntime.e2b({ apiKey: SecretKeyRef.of('e2b', 'api-key'), ...options }) } },
  expect,
});
const HOST = 'parity.example.org';
const host = (expect: string): Probe => ({ props: { host: HOST }, expect });
const instance = (expect: string): Probe => ({ props: { instance: 'acme' }, expect });
const CREDS = 'parity-creds';
const credentials = (expect: Probe['expect']): Probe => ({ props: { secrets: DifySecrets.existing(CREDS) }, expect });
const split: Partial<DifyProps> = {
  host: 'studio.example.net',
  apiHost: 'api.example.net',
  splitHosts: { cookieDomain: 'example.net', extraCorsOrigins: ['https://portal.example.net'] },
};
const database: Partial<DifyProps> = {
  externalDatabase: DifyDatabase.external({
    host: 'pg.example.internal',
    port: 6543,
    username: 'difyuser',
    password: SecretKeyRef.of('pg', 'password'),
    database: 'difydb',
    pluginDatabase: 'difyplugins',
  }),
};
// With externalRedis the agent backend needs its own Redis URL (agent.redisUrl).
const redis: Partial<DifyProps> = {
  agent: { redisUrl: SecretKeyRef.of('redis', 'agent-url') },
  externalRedis: ExternalRedis.standalone({
    host: 'redis.example.internal',
    port: 6380,
    username: 'difyuser',
    password: SecretKeyRef.of('redis', 'password'),
    db: 3,
    brokerUrl: SecretKeyRef.of('redis', 'broker-url'),
    tls: { certReqs: 'CERT_OPTIONAL', caCertsPath: '/etc/redis-ca/ca.crt', certFilePath: '/etc/redis-tls/tls.crt', keyFilePath: '/etc/redis-tls/tls.key' },
  }),
};
const weaviate: Partial<DifyProps> = {
  vectorStore: VectorStore.weaviate({
    endpoint: 'http://weaviate.example.internal:8080',
    grpcEndpoint: 'grpc://weaviate.example.internal:50051',
    apiKey: SecretKeyRef.of('wv', 'api-key'),
  }),
};
const debugging: NonNullable<DifyProps['pluginRemoteDebugging']> = { advertisedHost: 'plugins-debug.example.org', allowedCidrs: ['203.0.113.0/24'] };
const nginx = (options: NonNullable<DifyProps['nginxProxy']>, expect: string, extra: Partial<DifyProps> = {}): Probe => ({
  props: { ...extra, nginxProxy: options },
  expect,
});

/** One probe per typed key of ENV_PARITY. */
export const PROBES: Record<string, Probe> = {
  CONSOLE_API_URL: host(`http://${HOST}`),
  SERVER_CONSOLE_API_URL: instance('http://acme-api:5001'),
  CONSOLE_WEB_URL: host(`http://${HOST}`),
  SERVICE_API_URL: { props: split, expect: 'http://api.example.net' },
  TRIGGER_URL: host(`http://${HOST}`),
  APP_API_URL: { props: split, expect: 'http://api.example.net' },
  APP_WEB_URL: { props: split, expect: 'http://studio.example.net' },
  FILES_URL: { props: { ...split, tls: true }, expect: 'https://api.example.net' },
  ENDPOINT_URL_TEMPLATE: { props: { ...split, splitHosts: { pluginEndpointsOn: 'web' } }, expect: 'http://studio.example.net/e/{hook_id}' },
  NEXT_PUBLIC_SOCKET_URL: { props: { host: HOST, tls: true }, expect: `wss://${HOST}` },
  SECRET_KEY: credentials(`secret:${CREDS}/secret-key`),
  INIT_PASSWORD: settings({ initPassword: SecretKeyRef.of('parity-init', 'password') }, 'secret:parity-init/password'),
  DEPLOY_ENV: settings({ deployEnv: 'TESTING' }, 'TESTING'),
  CHECK_UPDATE_URL: settings({ checkUpdateUrl: '' }, ''),
  ENABLE_COLLABORATION_MODE: { props: { collaboration: false }, expect: 'false' },
  LOG_LEVEL: settings({ logLevel: 'DEBUG' }, 'DEBUG'),
  LOG_OUTPUT_FORMAT: settings({ logFormat: 'json' }, 'json'),
  LOG_TZ: settings({ logTimezone: 'Europe/Berlin' }, 'Europe/Berlin'),
  SERVER_WORKER_AMOUNT: settings({ processes: { api: { workers: 3 } } }, '3'),
  SERVER_WORKER_CLASS: settings({ processes: { api: { workerClass: 'gthread' } } }, 'gthread'),
  SERVER_WORKER_CONNECTIONS: settings({ processes: { api: { workerConnections: 50 } } }, '50'),
  GUNICORN_TIMEOUT: settings({ processes: { api: { timeoutSeconds: 600 } } }, '600'),
  API_WEBSOCKET_WORKER_AMOUNT: settings({ processes: { apiWebsocket: { workers: 2 } } }, '2'),
  API_WEBSOCKET_WORKER_CLASS: settings({ processes: { apiWebsocket: { workerClass: 'gevent' } } }, 'gevent'),
  API_WEBSOCKET_WORKER_CONNECTIONS: settings({ processes: { apiWebsocket: { workerConnections: 4000 } } }, '4000'),
  API_WEBSOCKET_GUNICORN_TIMEOUT: settings({ processes: { apiWebsocket: { timeoutSeconds: 900 } } }, '900'),
  CELERY_WORKER_CLASS: settings({ processes: { worker: { pool: 'prefork' } } }, 'prefork'),
  CELERY_WORKER_AMOUNT: settings({ processes: { worker: { concurrency: 12 } } }, '12'),
  CELERY_AUTO_SCALE: settings({ processes: { worker: { autoscale: { maxWorkers: 8 } } } }, 'true'),
  CELERY_MAX_WORKERS: settings({ processes: { worker: { autoscale: { maxWorkers: 8 } } } }, '8'),
  CELERY_MIN_WORKERS: settings({ processes: { worker: { autoscale: { minWorkers: 2, maxWorkers: 8 } } } }, '2'),
  DB_TYPE: {
    props: {
      externalDatabase: DifyDatabase.externalMysql({ host: 'mysql.example.internal', username: 'dify', password: SecretKeyRef.of('mysql', 'password') }),
    },
    expect: 'mysql',
  },
  DB_USERNAME: { props: database, expect: 'difyuser' },
  DB_PASSWORD: { props: database, expect: 'secret:pg/password' },
  DB_HOST: { props: database, expect: 'pg.example.internal' },
  DB_PORT: { props: database, expect: '6543' },
  DB_DATABASE: { props: database, expect: 'difydb' },
  SQLALCHEMY_POOL_SIZE: settings({ databasePool: { size: 12 } }, '12'),
  SQLALCHEMY_MAX_OVERFLOW: settings({ databasePool: { maxOverflow: 0 } }, '0'),
  SQLALCHEMY_POOL_RECYCLE: settings({ databasePool: { recycleSeconds: 300 } }, '300'),
  SQLALCHEMY_ECHO: settings({ databasePool: { echo: true } }, 'true'),
  SQLALCHEMY_POOL_PRE_PING: settings({ databasePool: { prePing: true } }, 'true'),
  SQLALCHEMY_POOL_USE_LIFO: settings({ databasePool: { useLifo: true } }, 'true'),
  SQLALCHEMY_POOL_TIMEOUT: settings({ databasePool: { timeoutSeconds: 10 } }, '10'),
  SQLALCHEMY_POOL_RESET_ON_RETURN: settings({ databasePool: { resetOnReturn: 'commit' } }, 'commit'),
  POSTGRES_MAX_CONNECTIONS: settings({ postgres: { maxConnections: 400 } }, '400'),
  POSTGRES_SHARED_BUFFERS: settings({ postgres: { sharedBuffers: '1GB' } }, '1GB'),
  POSTGRES_WORK_MEM: settings({ postgres: { workMem: '16MB' } }, '16MB'),
  POSTGRES_MAINTENANCE_WORK_MEM: settings({ postgres: { maintenanceWorkMem: '256MB' } }, '256MB'),
  POSTGRES_EFFECTIVE_CACHE_SIZE: settings({ postgres: { effectiveCacheSize: '3GB' } }, '3GB'),
  POSTGRES_STATEMENT_TIMEOUT: settings({ postgres: { statementTimeoutMs: 60000 } }, '60000'),
  POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT: settings({ postgres: { idleInTransactionSessionTimeoutMs: 30000 } }, '30000'),
  REDIS_HOST: { props: redis, expect: 'redis.example.internal' },
  REDIS_PORT: { props: redis, expect: '6380' },
  REDIS_USERNAME: { props: redis, expect: 'difyuser' },
  REDIS_PASSWORD: { props: redis, expect: 'secret:redis/password' },
  REDIS_USE_SSL: { props: redis, expect: 'true' },
  REDIS_SSL_CERT_REQS: { props: redis, expect: 'CERT_OPTIONAL' },
  REDIS_SSL_CA_CERTS: { props: redis, expect: '/etc/redis-ca/ca.crt' },
  REDIS_SSL_CERTFILE: { props: redis, expect: '/etc/redis-tls/tls.crt' },
  REDIS_SSL_KEYFILE: { props: redis, expect: '/etc/redis-tls/tls.key' },
  REDIS_DB: { props: redis, expect: '3' },
  CELERY_BROKER_URL: { props: redis, expect: 'secret:redis/broker-url' },
  BROKER_USE_SSL: { props: redis, expect: 'true' },
  WEB_API_CORS_ALLOW_ORIGINS: { props: split, expect: 'http://studio.example.net,https://portal.example.net' },
  CONSOLE_CORS_ALLOW_ORIGINS: { props: split, expect: 'http://studio.example.net,https://portal.example.net' },
  COOKIE_DOMAIN: { props: split, expect: 'example.net' },
  NEXT_PUBLIC_COOKIE_DOMAIN: { props: split, expect: '1' },
  NEXT_PUBLIC_BATCH_CONCURRENCY: settings({ web: { batchConcurrency: 2 } }, '2'),
  API_SENTRY_DSN: settings({ sentry: { apiDsn: SecretKeyRef.of('sentry', 'api-dsn') } }, 'secret:sentry/api-dsn'),
  API_SENTRY_TRACES_SAMPLE_RATE: settings({ sentry: { apiDsn: SecretKeyRef.of('sentry', 'api-dsn'), tracesSampleRate: 0.2 } }, '0.2'),
  API_SENTRY_PROFILES_SAMPLE_RATE: settings({ sentry: { apiDsn: SecretKeyRef.of('sentry', 'api-dsn'), profilesSampleRate: 0.05 } }, '0.05'),
  WEB_SENTRY_DSN: settings({ sentry: { webDsn: SecretKeyRef.of('sentry', 'web-dsn') } }, 'secret:sentry/web-dsn'),
  AMPLITUDE_API_KEY: settings({ web: { amplitudeApiKey: SecretKeyRef.of('analytics', 'amplitude') } }, 'secret:analytics/amplitude'),
  TURNSTILE_SITE_KEY: settings({ web: { turnstileSiteKey: '0x4AAAAAAAparity' } }, '0x4AAAAAAAparity'),
  TEXT_GENERATION_TIMEOUT_MS: settings({ web: { textGenerationTimeoutMs: 120000 } }, '120000'),
  CSP_WHITELIST: settings({ web: { cspWhitelist: ['https://cdn.example.com', '*.example.org'] } }, 'https://cdn.example.com,*.example.org'),
  ALLOW_EMBED: settings({ web: { allowEmbed: true } }, 'true'),
  ALLOW_UNSAFE_DATA_SCHEME: settings({ web: { allowUnsafeDataScheme: true } }, 'true'),
  TOP_K_MAX_VALUE: settings({ limits: { topKMaxValue: 20 } }, '20'),
  INDEXING_MAX_SEGMENTATION_TOKENS_LENGTH: settings({ limits: { indexingMaxSegmentationTokensLength: 8000 } }, '8000'),
  LOOP_NODE_MAX_COUNT: settings({ limits: { loopNodeMaxCount: 200 } }, '200'),
  MAX_TOOLS_NUM: settings({ limits: { maxToolsNum: 20 } }, '20'),
  MAX_PARALLEL_LIMIT: settings({ limits: { maxParallelLimit: 4 } }, '4'),
  MAX_ITERATIONS_NUM: settings({ limits: { maxIterationsNum: 50 } }, '50'),
  MAX_TREE_DEPTH: settings({ limits: { maxTreeDepth: 80 } }, '80'),
  ENABLE_WEBSITE_JINAREADER: settings({ web: { websiteImport: { jinaReader: false } } }, 'false'),
  ENABLE_WEBSITE_FIRECRAWL: settings({ web: { websiteImport: { firecrawl: false } } }, 'false'),
  ENABLE_WEBSITE_WATERCRAWL: settings({ web: { websiteImport: { watercrawl: false } } }, 'false'),
  NEXT_PUBLIC_ENABLE_AGENT_V2: { props: { agent: false }, expect: 'false' },
  STORAGE_TYPE: { props: { storage: DifyStorage.s3({ bucket: 'parity-files', region: 'eu-west-1', useAwsManagedIam: true }) }, expect: 's3' },
  VECTOR_STORE: {
    props: { vectorStore: VectorStore.qdrant({ url: 'https://qdrant.example.internal:6333', apiKey: SecretKeyRef.of('qdrant', 'api-key') }) },
    expect: 'qdrant',
  },
  WEAVIATE_ENDPOINT: { props: weaviate, expect: 'http://weaviate.example.internal:8080' },
  WEAVIATE_API_KEY: { props: weaviate, expect: 'secret:wv/api-key' },
  WEAVIATE_GRPC_ENDPOINT: { props: weaviate, expect: 'grpc://weaviate.example.internal:50051' },
  WEAVIATE_QUERY_DEFAULTS_LIMIT: settings({ weaviate: { queryDefaultsLimit: 100 } }, '100'),
  WEAVIATE_AUTHENTICATION_APIKEY_ALLOWED_KEYS: credentials(`secret:${CREDS}/weaviate-api-key`),
  WEAVIATE_ENABLE_TOKENIZER_GSE: settings({ weaviate: { tokenizers: { gse: true } } }, 'true'),
  WEAVIATE_ENABLE_TOKENIZER_KAGOME_JA: settings({ weaviate: { tokenizers: { kagomeJa: true } } }, 'true'),
  WEAVIATE_ENABLE_TOKENIZER_KAGOME_KR: settings({ weaviate: { tokenizers: { kagomeKr: true } } }, 'true'),
  CODE_EXECUTION_ENDPOINT: instance('http://acme-sandbox:8194'),
  CODE_EXECUTION_API_KEY: credentials(`secret:${CREDS}/sandbox-api-key`),
  CODE_EXECUTION_READ_TIMEOUT: settings({ codeExecution: { readTimeoutSeconds: 120 } }, '120'),
  SANDBOX_API_KEY: credentials(`secret:${CREDS}/sandbox-api-key`),
  SANDBOX_WORKER_TIMEOUT: settings({ codeExecution: { sandboxWorkerTimeoutSeconds: 30 } }, '30'),
  SANDBOX_ENABLE_NETWORK: settings({ sandbox: { enableNetwork: false } }, 'false'),
  SANDBOX_HTTP_PROXY: instance('http://acme-ssrf-proxy:3128'),
  SANDBOX_HTTPS_PROXY: instance('http://acme-ssrf-proxy:3128'),
  PIP_MIRROR_URL: settings({ pipMirrorUrl: 'https://pypi.mirror.example.com/simple' }, 'https://pypi.mirror.example.com/simple'),
  SSRF_PROXY_HTTP_URL: instance('http://acme-ssrf-proxy:3128'),
  SSRF_PROXY_HTTPS_URL: instance('http://acme-ssrf-proxy:3128'),
  SSRF_PROXY_ALLOW_PRIVATE_IPS: { props: { ssrfProxy: { allowPrivateIps: ['10.20.0.0/16'] } }, expect: '10.20.0.0/16' },
  DB_PLUGIN_DATABASE: { props: database, expect: 'difyplugins' },
  PLUGIN_DAEMON_KEY: credentials(`secret:${CREDS}/plugin-daemon-key`),
  PLUGIN_DAEMON_URL: instance('http://acme-plugin-daemon:5002'),
  PLUGIN_MAX_PACKAGE_SIZE: settings({ plugins: { maxPackageSizeBytes: 104857600 } }, '104857600'),
  PLUGIN_PPROF_ENABLED: settings({ plugins: { pprofEnabled: true } }, 'true'),
  EXPOSE_PLUGIN_DEBUGGING_HOST: { props: { pluginRemoteDebugging: debugging }, expect: 'plugins-debug.example.org' },
  EXPOSE_PLUGIN_DEBUGGING_PORT: { props: { pluginRemoteDebugging: { ...debugging, advertisedPort: 15003 } }, expect: '15003' },
  PLUGIN_DIFY_INNER_API_KEY: credentials(`secret:${CREDS}/plugin-inner-api-key`),
  PLUGIN_DIFY_INNER_API_URL: instance('http://acme-api:5001'),
  FORCE_VERIFYING_SIGNATURE: settings({ plugins: { forceVerifyingSignature: false } }, 'false'),
  PLUGIN_STDIO_BUFFER_SIZE: settings({ plugins: { stdioBufferSize: 4096 } }, '4096'),
  PLUGIN_STDIO_MAX_BUFFER_SIZE: settings({ plugins: { stdioMaxBufferSize: 10485760 } }, '10485760'),
  PLUGIN_PYTHON_ENV_INIT_TIMEOUT: settings({ plugins: { pythonEnvInitTimeoutSeconds: 300 } }, '300'),
  PLUGIN_MAX_EXECUTION_TIMEOUT: settings({ plugins: { maxExecutionTimeoutSeconds: 1200 } }, '1200'),
  PLUGIN_STORAGE_TYPE: {
    props: { pluginStorage: PluginStorage.s3({ bucket: 'parity-plugins', region: 'eu-west-1', useAwsManagedIam: true }) },
    expect: 'aws_s3',
  },
  PLUGIN_STORAGE_OSS_BUCKET: {
    props: { pluginStorage: PluginStorage.s3({ bucket: 'parity-plugins', region: 'eu-west-1', useAwsManagedIam: true }) },
    expect: 'parity-plugins',
  },
  PLUGIN_SENTRY_ENABLED: settings({ sentry: { pluginDaemonDsn: SecretKeyRef.of('sentry', 'plugin-dsn') } }, 'true'),
  PLUGIN_SENTRY_DSN: settings({ sentry: { pluginDaemonDsn: SecretKeyRef.of('sentry', 'plugin-dsn') } }, 'secret:sentry/plugin-dsn'),
  AGENT_BACKEND_BASE_URL: instance('http://acme-agent-backend:5050'),
  DIFY_AGENT_API_TOKEN: credentials(`secret:${CREDS}/agent-api-token`),
  DIFY_AGENT_REDIS_URL: { props: { agent: { redisUrl: SecretKeyRef.of('agent-redis', 'url') } }, expect: 'secret:agent-redis/url' },
  DIFY_AGENT_SHUTDOWN_GRACE_SECONDS: { props: { agent: { shutdownGraceSeconds: 90 } }, expect: '90' },
  DIFY_AGENT_RUN_RETENTION_SECONDS: { props: { agent: { runRetentionSeconds: 86400 } }, expect: '86400' },
  DIFY_AGENT_RUN_TIMEOUT_SECONDS: { props: { agent: { runTimeoutSeconds: 1800 } }, expect: '1800' },
  DIFY_AGENT_PLUGIN_DAEMON_URL: instance('http://acme-plugin-daemon:5002'),
  DIFY_AGENT_PLUGIN_DAEMON_API_KEY: credentials(`secret:${CREDS}/plugin-daemon-key`),
  DIFY_AGENT_INNER_API_URL: instance('http://acme-api:5001'),
  DIFY_AGENT_INNER_API_KEY: credentials(`secret:${CREDS}/plugin-inner-api-key`),
  DIFY_AGENT_LOCAL_SANDBOX_ENDPOINT: instance('http://acme-local-sandbox:5004'),
  DIFY_AGENT_LOCAL_SANDBOX_AUTH_TOKEN: credentials(`secret:${CREDS}/agent-local-sandbox-token`),
  DIFY_AGENT_SANDBOX_FILES_BASE_URL: instance('http://acme-api:5001'),
  DIFY_AGENT_STUB_API_BASE_URL: instance('http://acme-agent-backend:5050/agent-stub'),
  DIFY_AGENT_SERVER_SECRET_KEY: credentials(`secret:${CREDS}/agent-server-secret-key`),
  DIFY_AGENT_RUNTIME_BACKEND: e2b({}, 'e2b'),
  DIFY_AGENT_E2B_API_KEY: e2b({}, 'secret:e2b/api-key'),
  DIFY_AGENT_E2B_TEMPLATE: e2b({ template: 'acme/agent-box' }, 'acme/agent-box'),
  DIFY_AGENT_E2B_ACTIVE_TIMEOUT_SECONDS: e2b({ activeTimeoutSeconds: 900 }, '900'),
  DIFY_AGENT_E2B_SHELLCTL_AUTH_TOKEN: e2b({ shellctlAuthToken: SecretKeyRef.of('e2b', 'shellctl') }, 'secret:e2b/shellctl'),
  DIFY_AGENT_E2B_SHELLCTL_PORT: e2b({ shellctlPort: 5104 }, '5104'),
  MARKETPLACE_ENABLED: settings({ marketplace: { enabled: false } }, 'false'),
  MARKETPLACE_API_URL: settings({ marketplace: { apiUrl: 'https://marketplace.example.com' } }, 'https://marketplace.example.com'),
  MARKETPLACE_URL: settings({ marketplace: { url: 'https://plugins.example.com' } }, 'https://plugins.example.com'),
  NGINX_SOCKET_IO_UPSTREAM: nginx({}, 'server acme-api-websocket:5001', { instance: 'acme' }),
  NGINX_SERVER_NAME: nginx({}, `server_name ${HOST}`, { host: HOST }),
  NGINX_HTTPS_ENABLED: nginx({ tls: IngressTls.existingSecret('dify-tls') }, 'ssl_certificate /'),
  NGINX_WORKER_PROCESSES: nginx({}, 'worker_processes 3', { components: { nginxProxy: { resources: { cpuLimit: '3' } } } }),
  NGINX_CLIENT_MAX_BODY_SIZE: nginx({ maxBodySize: '250M' }, 'client_max_body_size 250M'),
  NGINX_PROXY_READ_TIMEOUT: nginx({ proxyTimeoutSeconds: 900 }, 'proxy_read_timeout 900s'),
  NGINX_PROXY_SEND_TIMEOUT: nginx({ proxyTimeoutSeconds: 900 }, 'proxy_send_timeout 900s'),
  SANDBOX_PORT: settings({ sandbox: { port: 8200 } }, '8200'),
  SSRF_HTTP_PORT: { props: { ssrfProxy: { port: 3129 } }, expect: 'http_port 3129' },
  PLUGIN_DAEMON_PORT: settings({ plugins: { port: 5012 } }, '5012'),
  PLUGIN_DEBUGGING_PORT: settings({ plugins: { debuggingPort: 5013 } }, '5013'),
  NGINX_PORT: nginx({ listenPorts: { http: 8088 } }, 'listen 8088'),
  NGINX_SSL_PORT: nginx({ tls: TLS, listenPorts: { https: 8453 } }, 'listen 8453 ssl'),
  NGINX_SSL_CERT_FILENAME: nginx({ tls: TLS, tlsSecretKeys: { certificate: 'fullchain.pem' } }, 'ssl_certificate /etc/nginx/tls/fullchain.pem;'),
  NGINX_SSL_CERT_KEY_FILENAME: nginx({ tls: TLS, tlsSecretKeys: { privateKey: 'privkey.pem' } }, 'ssl_certificate_key /etc/nginx/tls/privkey.pem;'),
  NGINX_SSL_PROTOCOLS: nginx({ tls: TLS, tlsProtocols: ['TLSv1.3'] }, 'ssl_protocols TLSv1.3;'),
  NGINX_KEEPALIVE_TIMEOUT: nginx({ keepaliveTimeoutSeconds: 120 }, 'keepalive_timeout 120;'),
  EXPOSE_NGINX_PORT: nginx({ service: { httpPort: 8000 } }, '8000'),
  EXPOSE_NGINX_SSL_PORT: nginx({ tls: TLS, service: { httpsPort: 9443 } }, '9443'),
};
