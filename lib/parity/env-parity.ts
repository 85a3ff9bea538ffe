/**
 * How every variable of upstream's `docker/.env.example` (Dify 1.16.1; the
 * vendored copy is vendor/dify-upstream/env.example) reaches a dify-cdk8s
 * installation. The parity test fails on any key missing here and proves
 * each route on a synthesized `Dify`; docs/parity.md is generated from it.
 *
 * A delivery (`to`) names the component that receives the variable and, when
 * it differs, how: `api` (same name in the env), `sandbox:WORKER_TIMEOUT`
 * (renamed, as upstream's compose file does), `postgres:arg:max_connections`
 * (a `-c` server parameter), `nginxProxy:file:client_max_body_size` (a line
 * of a mounted configuration file), `nginxProxy:service:http` (a port of a Service in front of it).
 */

/** Components a variable can be delivered to (keys of `DifyProps.components`, plus the migration Job). */
export type ParityComponent =
  | 'api'
  | 'apiWebsocket'
  | 'worker'
  | 'beat'
  | 'migration'
  | 'web'
  | 'sandbox'
  | 'pluginDaemon'
  | 'ssrfProxy'
  | 'postgres'
  | 'redis'
  | 'weaviate'
  | 'nginxProxy'
  | 'agentBackend'
  | 'localSandbox'
  | 'agentSsrfProxy';

/** `app.kubernetes.io/component` label of each component's workload. */
export const PARITY_COMPONENT_LABELS: Record<ParityComponent, string> = {
  api: 'api',
  apiWebsocket: 'api-websocket',
  worker: 'worker',
  beat: 'beat',
  migration: 'migration',
  web: 'web',
  sandbox: 'sandbox',
  pluginDaemon: 'plugin-daemon',
  ssrfProxy: 'ssrf-proxy',
  postgres: 'postgres',
  redis: 'redis',
  weaviate: 'weaviate',
  nginxProxy: 'nginx',
  agentBackend: 'agent-backend',
  localSandbox: 'local-sandbox',
  agentSsrfProxy: 'agent-ssrf-proxy',
};

/**
 * Components that render a value of their own for a routed key, whatever its
 * route sets: the route's value reaches the entry's `to`, never these.
 */
export interface PinnedParity {
  readonly value: string;
  readonly reason: string;
  readonly to: readonly string[];
}

/** A typed property sets it. */
export interface TypedParity {
  readonly kind: 'typed';
  /** Property path(s) under `DifyProps`. */
  readonly prop: string;
  readonly to: readonly string[];
  readonly note?: string;
  readonly pinned?: PinnedParity;
}

/** Rendered with a value the installation depends on (a port, a path, a locale); not overridable. */
export interface FixedParity {
  readonly kind: 'fixed';
  readonly value: string;
  readonly reason: string;
  readonly to: readonly string[];
}

/** A plain value through the component's `extraEnv` (`settings.extraEnv` for api-image roles, `settings.webExtraEnv` for web). */
export interface ExtraEnvParity {
  readonly kind: 'extraEnv';
  readonly to: readonly string[];
  readonly note?: string;
  readonly pinned?: PinnedParity;
  /** What the component renders while `extraEnv` leaves it unset, and why that value. */
  readonly default?: { readonly value: string; readonly reason: string };
}

/** A credential by Secret reference through `components.<c>.secretEnv`. */
export interface SecretEnvParity {
  readonly kind: 'secretEnv';
  readonly to: readonly string[];
  readonly note?: string;
}

/** Means nothing on Kubernetes. */
export interface NotApplicableParity {
  readonly kind: 'notApplicable';
  readonly reason: string;
}

export type EnvParity = TypedParity | FixedParity | ExtraEnvParity | SecretEnvParity | NotApplicableParity;

const BACKEND = ['api', 'worker', 'beat', 'migration'];
const SERVING = ['api', 'worker'];

const typed = (prop: string, to: readonly string[], note?: string, pinned?: PinnedParity): TypedParity => ({ kind: 'typed', prop, to, note, pinned });
const fixed = (value: string, reason: string, to: readonly string[]): FixedParity => ({ kind: 'fixed', value, reason, to });
const extra = (to: readonly string[] = BACKEND, note?: string, pinned?: PinnedParity): ExtraEnvParity => ({ kind: 'extraEnv', to, note, pinned });
const secret = (to: readonly string[] = SERVING, note?: string): SecretEnvParity => ({ kind: 'secretEnv', to, note });
const na = (reason: string): NotApplicableParity => ({ kind: 'notApplicable', reason });
const pinned = (value: string, reason: string, to: readonly string[]): PinnedParity => ({ value, reason, to });
/** An extraEnv key the component renders with a default of its own until extraEnv sets it. */
const dflt = (value: string, reason: string, to: readonly string[]): ExtraEnvParity => ({ kind: 'extraEnv', to, default: { value, reason } });

const AGENT_BACKEND = ['agentBackend'];
const E2B = 'with `agent.runtime: AgentRuntime.e2b({...})`; not rendered with the local runtime (the default), where it has no effect';
const WEBSITE_DERIVED = 'derived from the host(s) and TLS';
const SERVICE_DERIVED = 'the in-cluster Service of the installation (named after `instance`)';
const LOCALE = "the locale upstream's compose sets (the image's entrypoint falls back to en_US.UTF-8)";
const PLUGIN_LAYOUT =
  'the layout of the plugin daemon volume the StatefulSet mounts at /app/storage; another path must stay on it (the root filesystem is read-only), and moving one on a running installation loses what the old one held';
const WEAVIATE_AUTH = 'Weaviate authenticates api, worker and beat with the generated API key as its only (admin) user';

/** Every key of upstream's env.example, in file order. */
export const ENV_PARITY: Readonly<Record<string, EnvParity>> = {
  // Core service URLs
  CONSOLE_API_URL: typed('host, apiHost, tls', [...BACKEND, 'web'], WEBSITE_DERIVED),
  SERVER_CONSOLE_API_URL: typed('instance', ['web'], SERVICE_DERIVED),
  CONSOLE_WEB_URL: typed('host, tls', BACKEND, WEBSITE_DERIVED),
  SERVICE_API_URL: typed('host, apiHost, tls', BACKEND, WEBSITE_DERIVED),
  TRIGGER_URL: typed('host, apiHost, tls', BACKEND, WEBSITE_DERIVED),
  APP_API_URL: typed('host, apiHost, tls', [...BACKEND, 'web'], WEBSITE_DERIVED),
  APP_WEB_URL: typed('host, tls', BACKEND, WEBSITE_DERIVED),
  FILES_URL: typed('host, apiHost, tls', BACKEND, WEBSITE_DERIVED),
  INTERNAL_FILES_URL: extra(),
  ENDPOINT_URL_TEMPLATE: typed('host, apiHost, splitHosts.pluginEndpointsOn, tls', BACKEND, WEBSITE_DERIVED),
  NEXT_PUBLIC_SOCKET_URL: typed('host, tls', ['web'], WEBSITE_DERIVED),
  // Runtime and security
  LANG: dflt('C.UTF-8', LOCALE, BACKEND),
  LC_ALL: dflt('C.UTF-8', LOCALE, BACKEND),
  PYTHONIOENCODING: dflt('utf-8', LOCALE, BACKEND),
  UV_CACHE_DIR: dflt(
    '/app/storage/.uv-cache',
    'the root filesystem is read-only: the cache lives on the plugin daemon volume (upstream: /tmp/.uv-cache); another path must stay on it',
    ['pluginDaemon'],
  ),
  SECRET_KEY: typed('secrets', BACKEND, 'generated, or from your Secret'),
  INIT_PASSWORD: typed('settings.initPassword', ['api', 'worker', 'beat'], 'by Secret'),
  DEPLOY_ENV: typed('settings.deployEnv', [...BACKEND, 'web']),
  CHECK_UPDATE_URL: typed('settings.checkUpdateUrl', BACKEND),
  OPENAI_API_BASE: extra(),
  MIGRATION_ENABLED: fixed(
    'false',
    'when "true", the image\'s entrypoint runs `flask upgrade-db` before it starts the server (langgenius/dify api/docker/entrypoint.sh, commit 02940a0f): every api, worker and beat pod would migrate at start, during the rollout and inside its startup probe; the migration Job (which gets "true" and MODE=migration, so it exits after migrating) runs it once per release, before the serving pods roll',
    ['api', 'worker', 'beat'],
  ),
  FILES_ACCESS_TIMEOUT: extra(),
  ENABLE_COLLABORATION_MODE: typed(
    'collaboration',
    SERVING,
    'true while the collaboration websocket is deployed (the default), false with collaboration: false',
    pinned('true', 'the websocket exists only with collaboration on', ['apiWebsocket']),
  ),
  // Logging and server workers
  LOG_LEVEL: typed('settings.logLevel', BACKEND),
  LOG_OUTPUT_FORMAT: typed('settings.logFormat', BACKEND),
  LOG_FILE: extra(),
  LOG_FILE_MAX_SIZE: extra(),
  LOG_FILE_BACKUP_COUNT: extra(),
  LOG_DATEFORMAT: extra(),
  LOG_TZ: typed('settings.logTimezone', BACKEND),
  DEBUG: extra(),
  FLASK_DEBUG: extra(),
  ENABLE_REQUEST_LOGGING: extra(),
  DIFY_BIND_ADDRESS: dflt('0.0.0.0', 'the api listens on every IPv4 address of the pod for its Service and probes; `::` on an IPv6 cluster', ['api']),
  DIFY_PORT: fixed(
    '5001',
    "upstream reaches the api image on 5001 whatever DIFY_PORT says: 1.16.1's docker/docker-compose.yaml (the api healthcheck `curl -f http://localhost:5001/health`, SERVER_CONSOLE_API_URL `http://api:5001`, PLUGIN_DIFY_INNER_API_URL `http://api:5001`) and docker/nginx/conf.d/default.conf.template (`proxy_pass http://api:5001`); the websocket runs the same image on the same port. The api's Service, probes, routes and NetworkPolicies use 5001",
    ['api'],
  ),
  SERVER_WORKER_AMOUNT: typed('settings.processes.api.workers', ['api']),
  SERVER_WORKER_CLASS: typed('settings.processes.api.workerClass', ['api']),
  SERVER_WORKER_CONNECTIONS: typed('settings.processes.api.workerConnections', ['api']),
  API_WEBSOCKET_WORKER_AMOUNT: typed('settings.processes.apiWebsocket.workers', ['apiWebsocket:SERVER_WORKER_AMOUNT']),
  API_WEBSOCKET_WORKER_CLASS: typed('settings.processes.apiWebsocket.workerClass', ['apiWebsocket:SERVER_WORKER_CLASS']),
  API_WEBSOCKET_WORKER_CONNECTIONS: typed('settings.processes.apiWebsocket.workerConnections', ['apiWebsocket:SERVER_WORKER_CONNECTIONS']),
  API_WEBSOCKET_GUNICORN_TIMEOUT: typed('settings.processes.apiWebsocket.timeoutSeconds', ['apiWebsocket:GUNICORN_TIMEOUT']),
  GUNICORN_TIMEOUT: typed('settings.processes.api.timeoutSeconds', ['api']),
  CELERY_WORKER_CLASS: typed('settings.processes.worker.pool', ['worker']),
  CELERY_WORKER_AMOUNT: typed('settings.processes.worker.concurrency', ['worker']),
  CELERY_AUTO_SCALE: typed('settings.processes.worker.autoscale', ['worker']),
  CELERY_MAX_WORKERS: typed('settings.processes.worker.autoscale.maxWorkers', ['worker'], 'only with autoscale, as the entrypoint reads it'),
  CELERY_MIN_WORKERS: typed('settings.processes.worker.autoscale.minWorkers', ['worker'], 'only with autoscale, as the entrypoint reads it'),
  COMPOSE_WORKER_HEALTHCHECK_DISABLED: na('Docker Compose healthcheck switch; the worker has Kubernetes readiness, liveness and startup probes'),
  COMPOSE_WORKER_HEALTHCHECK_INTERVAL: na('Docker Compose healthcheck timing; probe timing is fixed per component'),
  COMPOSE_WORKER_HEALTHCHECK_TIMEOUT: na('Docker Compose healthcheck timing; probe timing is fixed per component'),
  // Database
  DB_TYPE: typed('externalDatabase', [...BACKEND, 'pluginDaemon'], 'postgresql, or mysql with DifyDatabase.externalMysql()'),
  DB_USERNAME: typed('externalDatabase', [...BACKEND, 'pluginDaemon']),
  DB_PASSWORD: typed('externalDatabase, secrets', [...BACKEND, 'pluginDaemon'], 'by Secret'),
  DB_HOST: typed('externalDatabase', [...BACKEND, 'pluginDaemon'], 'the embedded PostgreSQL Service by default'),
  DB_PORT: typed('externalDatabase', [...BACKEND, 'pluginDaemon']),
  DB_DATABASE: typed('externalDatabase', BACKEND),
  SQLALCHEMY_POOL_SIZE: typed('settings.databasePool.size', BACKEND),
  SQLALCHEMY_MAX_OVERFLOW: typed('settings.databasePool.maxOverflow', BACKEND),
  SQLALCHEMY_POOL_RECYCLE: typed('settings.databasePool.recycleSeconds', BACKEND),
  SQLALCHEMY_ECHO: typed('settings.databasePool.echo', BACKEND),
  SQLALCHEMY_POOL_PRE_PING: typed('settings.databasePool.prePing', BACKEND),
  SQLALCHEMY_POOL_USE_LIFO: typed('settings.databasePool.useLifo', BACKEND),
  SQLALCHEMY_POOL_TIMEOUT: typed('settings.databasePool.timeoutSeconds', BACKEND),
  SQLALCHEMY_POOL_RESET_ON_RETURN: typed('settings.databasePool.resetOnReturn', BACKEND),
  PGDATA: dflt(
    '/var/lib/postgresql/data/pgdata',
    'a subdirectory of the PersistentVolume mount (initdb refuses a mount point with lost+found); another must stay under /var/lib/postgresql/data, and moving it on a running installation starts an empty cluster',
    ['postgres'],
  ),
  POSTGRES_MAX_CONNECTIONS: typed('settings.postgres.maxConnections', ['postgres:arg:max_connections']),
  POSTGRES_SHARED_BUFFERS: typed('settings.postgres.sharedBuffers', ['postgres:arg:shared_buffers']),
  POSTGRES_WORK_MEM: typed('settings.postgres.workMem', ['postgres:arg:work_mem']),
  POSTGRES_MAINTENANCE_WORK_MEM: typed('settings.postgres.maintenanceWorkMem', ['postgres:arg:maintenance_work_mem']),
  POSTGRES_EFFECTIVE_CACHE_SIZE: typed('settings.postgres.effectiveCacheSize', ['postgres:arg:effective_cache_size']),
  POSTGRES_STATEMENT_TIMEOUT: typed('settings.postgres.statementTimeoutMs', ['postgres:arg:statement_timeout']),
  POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT: typed('settings.postgres.idleInTransactionSessionTimeoutMs', [
    'postgres:arg:idle_in_transaction_session_timeout',
  ]),
  // Redis and Celery
  REDIS_HOST: typed('externalRedis', [...BACKEND, 'pluginDaemon'], 'the embedded Redis Service by default'),
  REDIS_PORT: typed('externalRedis', [...BACKEND, 'pluginDaemon']),
  REDIS_USERNAME: typed('externalRedis (standalone username)', BACKEND),
  REDIS_PASSWORD: typed('externalRedis, secrets', [...BACKEND, 'pluginDaemon'], 'by Secret'),
  REDIS_USE_SSL: typed('externalRedis (tls)', BACKEND),
  REDIS_SSL_CERT_REQS: typed('externalRedis (tls.certReqs)', BACKEND),
  REDIS_SSL_CA_CERTS: typed('externalRedis (tls.caCerts, or tls.caCertsPath)', BACKEND),
  REDIS_SSL_CERTFILE: typed('externalRedis (tls.certFile, or tls.certFilePath)', BACKEND),
  REDIS_SSL_KEYFILE: typed('externalRedis (tls.keyFile, or tls.keyFilePath)', BACKEND),
  REDIS_DB: typed('externalRedis (db)', BACKEND),
  REDIS_KEY_PREFIX: extra(),
  REDIS_MAX_CONNECTIONS: extra(),
  REDIS_RETRY_RETRIES: extra(),
  REDIS_RETRY_BACKOFF_BASE: extra(),
  REDIS_RETRY_BACKOFF_CAP: extra(),
  REDIS_SOCKET_TIMEOUT: extra(
    BACKEND,
    undefined,
    pinned(
      '300',
      "Dify 1.16.1 applies it to the websocket's idle Socket.IO pub/sub listener, which then reconnects and loses events after that many silent seconds (langgenius/dify#39745); upstream's 5.0 would do so every 5 s",
      ['apiWebsocket'],
    ),
  ),
  REDIS_SOCKET_CONNECT_TIMEOUT: extra(),
  REDIS_HEALTH_CHECK_INTERVAL: extra(),
  REDIS_KEEPALIVE: extra(),
  REDIS_KEEPALIVE_IDLE: extra(),
  REDIS_KEEPALIVE_INTERVAL: extra(),
  REDIS_KEEPALIVE_COUNT: extra(),
  CELERY_BROKER_URL: typed('externalRedis (brokerUrl), secrets', BACKEND, 'by Secret'),
  CELERY_BACKEND: dflt('redis', 'task results go to the broker\'s Redis, as upstream; "database" would add load to PostgreSQL', BACKEND),
  BROKER_USE_SSL: typed('externalRedis (tls)', BACKEND),
  CELERY_TASK_ANNOTATIONS: extra(),
  EVENT_BUS_REDIS_URL: secret(),
  EVENT_BUS_REDIS_CHANNEL_TYPE: extra(),
  EVENT_BUS_REDIS_USE_CLUSTERS: extra(),
  // Web and app limits
  WEB_API_CORS_ALLOW_ORIGINS: typed('apiHost, splitHosts.extraCorsOrigins', BACKEND, 'the web origin plus extra origins when hosts are split'),
  CONSOLE_CORS_ALLOW_ORIGINS: typed('apiHost, splitHosts.extraCorsOrigins', BACKEND, 'the web origin plus extra origins when hosts are split'),
  COOKIE_DOMAIN: typed('apiHost, splitHosts.cookieDomain', BACKEND),
  NEXT_PUBLIC_COOKIE_DOMAIN: typed('apiHost', ['web'], '"1" when hosts are split, as upstream documents'),
  NEXT_PUBLIC_BATCH_CONCURRENCY: typed('settings.web.batchConcurrency', ['web']),
  API_SENTRY_DSN: typed('settings.sentry.apiDsn', ['api:SENTRY_DSN', 'worker:SENTRY_DSN'], 'by Secret'),
  API_SENTRY_TRACES_SAMPLE_RATE: typed(
    'settings.sentry.tracesSampleRate',
    ['api:SENTRY_TRACES_SAMPLE_RATE', 'worker:SENTRY_TRACES_SAMPLE_RATE'],
    'with apiDsn',
  ),
  API_SENTRY_PROFILES_SAMPLE_RATE: typed(
    'settings.sentry.profilesSampleRate',
    ['api:SENTRY_PROFILES_SAMPLE_RATE', 'worker:SENTRY_PROFILES_SAMPLE_RATE'],
    'with apiDsn',
  ),
  WEB_SENTRY_DSN: typed('settings.sentry.webDsn', ['web:SENTRY_DSN'], 'by Secret'),
  AMPLITUDE_API_KEY: typed('settings.web.amplitudeApiKey', ['web'], 'by Secret'),
  TURNSTILE_SITE_KEY: typed('settings.web.turnstileSiteKey', ['web']),
  TEXT_GENERATION_TIMEOUT_MS: typed('settings.web.textGenerationTimeoutMs', ['web']),
  CSP_WHITELIST: typed('settings.web.cspWhitelist', ['web']),
  ALLOW_EMBED: typed('settings.web.allowEmbed', ['web']),
  ALLOW_UNSAFE_DATA_SCHEME: typed('settings.web.allowUnsafeDataScheme', ['web']),
  TOP_K_MAX_VALUE: typed('settings.limits.topKMaxValue', ['web', ...BACKEND]),
  INDEXING_MAX_SEGMENTATION_TOKENS_LENGTH: typed('settings.limits.indexingMaxSegmentationTokensLength', ['web', ...BACKEND]),
  LOOP_NODE_MAX_COUNT: typed('settings.limits.loopNodeMaxCount', ['web', ...BACKEND]),
  MAX_TOOLS_NUM: typed('settings.limits.maxToolsNum', ['web', ...BACKEND]),
  MAX_PARALLEL_LIMIT: typed('settings.limits.maxParallelLimit', ['web', ...BACKEND]),
  MAX_ITERATIONS_NUM: typed('settings.limits.maxIterationsNum', ['web', ...BACKEND]),
  MAX_TREE_DEPTH: typed('settings.limits.maxTreeDepth', ['web', ...BACKEND]),
  ENABLE_WEBSITE_JINAREADER: typed('settings.web.websiteImport.jinaReader', ['web']),
  ENABLE_WEBSITE_FIRECRAWL: typed('settings.web.websiteImport.firecrawl', ['web']),
  ENABLE_WEBSITE_WATERCRAWL: typed('settings.web.websiteImport.watercrawl', ['web']),
  NEXT_PUBLIC_ENABLE_SINGLE_DOLLAR_LATEX: extra(['web']),
  NEXT_PUBLIC_ENABLE_AGENT_V2: typed('agent', ['web'], 'true while the agent v2 stack is deployed (the default), false with agent: false'),
  EXPERIMENTAL_ENABLE_VINEXT: extra(['web']),
  // Storage and default vector store
  STORAGE_TYPE: typed('storage', BACKEND),
  OPENDAL_SCHEME: dflt(
    'fs',
    "with DifyStorage.persistentVolume(), OpenDAL's fs scheme on its claim; another scheme reads its OPENDAL_<SCHEME>_* settings from extraEnv (object stores have typed DifyStorage choices)",
    BACKEND,
  ),
  OPENDAL_FS_ROOT: dflt(
    'storage',
    'with DifyStorage.persistentVolume(): relative to /app/api, where its claim is mounted at storage/; another root must stay inside it',
    BACKEND,
  ),
  VECTOR_STORE: typed('vectorStore', BACKEND),
  VECTOR_INDEX_NAME_PREFIX: extra(),
  WEAVIATE_ENDPOINT: typed('vectorStore (VectorStore.weaviate endpoint)', BACKEND, 'the embedded Weaviate Service by default'),
  WEAVIATE_API_KEY: typed('vectorStore, secrets', BACKEND, 'by Secret'),
  WEAVIATE_GRPC_ENDPOINT: typed('vectorStore (VectorStore.weaviate grpcEndpoint)', BACKEND),
  WEAVIATE_TOKENIZATION: extra(),
  WEAVIATE_PERSISTENCE_DATA_PATH: dflt('/var/lib/weaviate', 'the mount path of the Weaviate PersistentVolumeClaim; another must stay under it', [
    'weaviate:PERSISTENCE_DATA_PATH',
  ]),
  WEAVIATE_QUERY_DEFAULTS_LIMIT: typed('settings.weaviate.queryDefaultsLimit', ['weaviate:QUERY_DEFAULTS_LIMIT']),
  WEAVIATE_AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED: dflt('false', `${WEAVIATE_AUTH}; anonymous access would bypass it (upstream's env.example: true)`, [
    'weaviate:AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED',
  ]),
  WEAVIATE_DEFAULT_VECTORIZER_MODULE: dflt('none', 'Dify computes embeddings itself; no vectorizer module runs', ['weaviate:DEFAULT_VECTORIZER_MODULE']),
  WEAVIATE_CLUSTER_HOSTNAME: dflt(
    'node1',
    "the single node's Raft identity, stored on its volume: changing it on a running installation orphans existing data",
    ['weaviate:CLUSTER_HOSTNAME'],
  ),
  WEAVIATE_AUTHENTICATION_APIKEY_ENABLED: dflt('true', WEAVIATE_AUTH, ['weaviate:AUTHENTICATION_APIKEY_ENABLED']),
  WEAVIATE_AUTHENTICATION_APIKEY_ALLOWED_KEYS: typed('secrets', ['weaviate:AUTHENTICATION_APIKEY_ALLOWED_KEYS'], 'by Secret, the same key api and worker send'),
  WEAVIATE_AUTHENTICATION_APIKEY_USERS: dflt('hello@dify.ai', WEAVIATE_AUTH, ['weaviate:AUTHENTICATION_APIKEY_USERS']),
  WEAVIATE_AUTHORIZATION_ADMINLIST_ENABLED: dflt('true', WEAVIATE_AUTH, ['weaviate:AUTHORIZATION_ADMINLIST_ENABLED']),
  WEAVIATE_AUTHORIZATION_ADMINLIST_USERS: dflt('hello@dify.ai', WEAVIATE_AUTH, ['weaviate:AUTHORIZATION_ADMINLIST_USERS']),
  WEAVIATE_DISABLE_TELEMETRY: dflt('true', 'no usage reports leave the cluster (upstream: false)', ['weaviate:DISABLE_TELEMETRY']),
  WEAVIATE_ENABLE_TOKENIZER_GSE: typed('settings.weaviate.tokenizers.gse', ['weaviate:ENABLE_TOKENIZER_GSE']),
  WEAVIATE_ENABLE_TOKENIZER_KAGOME_JA: typed('settings.weaviate.tokenizers.kagomeJa', ['weaviate:ENABLE_TOKENIZER_KAGOME_JA']),
  WEAVIATE_ENABLE_TOKENIZER_KAGOME_KR: typed('settings.weaviate.tokenizers.kagomeKr', ['weaviate:ENABLE_TOKENIZER_KAGOME_KR']),
  // Sandbox and SSRF proxy
  CODE_EXECUTION_ENDPOINT: typed('instance', SERVING, SERVICE_DERIVED),
  CODE_EXECUTION_API_KEY: typed('secrets', SERVING, "by Secret, equal to the sandbox's API_KEY"),
  CODE_EXECUTION_SSL_VERIFY: extra(),
  CODE_EXECUTION_POOL_MAX_CONNECTIONS: extra(),
  CODE_EXECUTION_POOL_MAX_KEEPALIVE_CONNECTIONS: extra(),
  CODE_EXECUTION_POOL_KEEPALIVE_EXPIRY: extra(),
  CODE_EXECUTION_CONNECT_TIMEOUT: extra(),
  CODE_EXECUTION_READ_TIMEOUT: typed('settings.codeExecution.readTimeoutSeconds', BACKEND),
  CODE_EXECUTION_WRITE_TIMEOUT: extra(),
  SANDBOX_API_KEY: typed('secrets', ['sandbox:API_KEY'], 'by Secret, equal to CODE_EXECUTION_API_KEY'),
  SANDBOX_GIN_MODE: dflt('release', "debug mode of the sandbox's HTTP framework logs every request and is not for production", ['sandbox:GIN_MODE']),
  SANDBOX_WORKER_TIMEOUT: typed('settings.codeExecution.sandboxWorkerTimeoutSeconds', ['sandbox:WORKER_TIMEOUT']),
  SANDBOX_ENABLE_NETWORK: typed('settings.sandbox.enableNetwork', ['sandbox:ENABLE_NETWORK']),
  SANDBOX_HTTP_PROXY: typed('instance', ['sandbox:HTTP_PROXY'], `${SERVICE_DERIVED}: the SSRF proxy`),
  SANDBOX_HTTPS_PROXY: typed('instance', ['sandbox:HTTPS_PROXY'], `${SERVICE_DERIVED}: the SSRF proxy`),
  SANDBOX_PORT: typed(
    'settings.sandbox.port',
    ['sandbox'],
    "8194 by default; the sandbox's Service, CODE_EXECUTION_ENDPOINT and the NetworkPolicies follow it",
  ),
  PIP_MIRROR_URL: typed('settings.pipMirrorUrl', ['sandbox', 'pluginDaemon'], 'a private index whose URL carries a token by Secret'),
  SSRF_PROXY_HTTP_URL: typed('instance', SERVING, `${SERVICE_DERIVED}: the SSRF proxy`),
  SSRF_PROXY_HTTPS_URL: typed('instance', SERVING, `${SERVICE_DERIVED}: the SSRF proxy`),
  SSRF_HTTP_PORT: typed(
    'ssrfProxy.port',
    ['ssrfProxy:file:http_port'],
    "3128 by default; the proxy's Service, the proxy URLs of api, worker and sandbox and the NetworkPolicies follow it",
  ),
  SSRF_COREDUMP_DIR: na('squid core dumps go to a Docker volume; the proxy runs with a read-only root filesystem and writes no core dumps'),
  SSRF_DEFAULT_TIME_OUT: extra(),
  SSRF_DEFAULT_CONNECT_TIME_OUT: extra(),
  SSRF_DEFAULT_READ_TIME_OUT: extra(),
  SSRF_DEFAULT_WRITE_TIME_OUT: extra(),
  SSRF_POOL_MAX_CONNECTIONS: extra(),
  SSRF_POOL_MAX_KEEPALIVE_CONNECTIONS: extra(),
  SSRF_POOL_KEEPALIVE_EXPIRY: extra(),
  SSRF_PROXY_ALLOW_PRIVATE_IPS: typed('ssrfProxy.allowPrivateIps', ['ssrfProxy:file:acl'], 'rendered as squid ACLs, and opened in the NetworkPolicy'),
  // Plugin daemon
  DB_PLUGIN_DATABASE: typed('externalDatabase (pluginDatabase)', ['pluginDaemon:DB_DATABASE']),
  EXPOSE_PLUGIN_DAEMON_PORT: na(
    "publishes the daemon on the Docker host; the daemon's Service is cluster-internal and only api, worker and the routes reach it",
  ),
  PLUGIN_DAEMON_PORT: typed(
    'settings.plugins.port',
    ['pluginDaemon:SERVER_PORT'],
    "5002 by default; the daemon's Service, PLUGIN_DAEMON_URL, the /e/ routes and the NetworkPolicies follow it",
  ),
  PLUGIN_DAEMON_KEY: typed('secrets', ['api', 'worker', 'pluginDaemon:SERVER_KEY'], 'by Secret, one key on both sides'),
  PLUGIN_DAEMON_URL: typed('instance', SERVING, SERVICE_DERIVED),
  PLUGIN_MAX_PACKAGE_SIZE: typed('settings.plugins.maxPackageSizeBytes', ['api', 'worker', 'pluginDaemon:MAX_PLUGIN_PACKAGE_SIZE']),
  PLUGIN_MAX_FILE_SIZE: extra(),
  PLUGIN_MODEL_SCHEMA_CACHE_TTL: extra(),
  PLUGIN_PPROF_ENABLED: typed('settings.plugins.pprofEnabled', ['pluginDaemon:PPROF_ENABLED']),
  PLUGIN_DEBUGGING_HOST: dflt('0.0.0.0', 'the daemon listens on every IPv4 address of the pod for its Service; `::` on an IPv6 cluster', [
    'pluginDaemon:PLUGIN_REMOTE_INSTALLING_HOST',
  ]),
  PLUGIN_DEBUGGING_PORT: typed(
    'settings.plugins.debuggingPort',
    ['pluginDaemon:PLUGIN_REMOTE_INSTALLING_PORT'],
    "5003 by default; the daemon's debug port and the pluginRemoteDebugging Service follow it",
  ),
  EXPOSE_PLUGIN_DEBUGGING_HOST: typed(
    'pluginRemoteDebugging.advertisedHost',
    ['api:PLUGIN_REMOTE_INSTALL_HOST'],
    "the address of the debugging Service shown in the console; upstream's localhost without pluginRemoteDebugging",
  ),
  EXPOSE_PLUGIN_DEBUGGING_PORT: typed(
    'pluginRemoteDebugging.advertisedPort',
    ['api:PLUGIN_REMOTE_INSTALL_PORT'],
    "by default the debugging Service's port (5003), or its node port with NodePort",
  ),
  PLUGIN_DIFY_INNER_API_KEY: typed(
    'secrets',
    ['api:INNER_API_KEY_FOR_PLUGIN', 'worker:INNER_API_KEY_FOR_PLUGIN', 'pluginDaemon:DIFY_INNER_API_KEY'],
    'by Secret, one key on both sides',
  ),
  PLUGIN_DIFY_INNER_API_URL: typed('instance', ['pluginDaemon:DIFY_INNER_API_URL'], `${SERVICE_DERIVED}: the api`),
  FORCE_VERIFYING_SIGNATURE: typed('settings.plugins.forceVerifyingSignature', ['pluginDaemon']),
  PLUGIN_STDIO_BUFFER_SIZE: typed('settings.plugins.stdioBufferSize', ['pluginDaemon']),
  PLUGIN_STDIO_MAX_BUFFER_SIZE: typed('settings.plugins.stdioMaxBufferSize', ['pluginDaemon']),
  PLUGIN_PYTHON_ENV_INIT_TIMEOUT: typed('settings.plugins.pythonEnvInitTimeoutSeconds', ['pluginDaemon:PYTHON_ENV_INIT_TIMEOUT']),
  PLUGIN_MAX_EXECUTION_TIMEOUT: typed('settings.plugins.maxExecutionTimeoutSeconds', ['pluginDaemon']),
  PLUGIN_STORAGE_TYPE: typed('pluginStorage', ['pluginDaemon']),
  PLUGIN_STORAGE_LOCAL_ROOT: dflt('/app/storage', PLUGIN_LAYOUT, ['pluginDaemon']),
  PLUGIN_WORKING_PATH: dflt('/app/storage/cwd', PLUGIN_LAYOUT, ['pluginDaemon']),
  PLUGIN_INSTALLED_PATH: dflt('plugin', PLUGIN_LAYOUT, ['pluginDaemon']),
  PLUGIN_PACKAGE_CACHE_PATH: dflt('plugin_packages', PLUGIN_LAYOUT, ['pluginDaemon']),
  PLUGIN_MEDIA_CACHE_PATH: dflt('assets', PLUGIN_LAYOUT, ['pluginDaemon']),
  PLUGIN_STORAGE_OSS_BUCKET: typed('pluginStorage (bucket)', ['pluginDaemon']),
  PLUGIN_SENTRY_ENABLED: typed('settings.sentry.pluginDaemonDsn', ['pluginDaemon:SENTRY_ENABLED'], 'true when a DSN is set'),
  PLUGIN_SENTRY_DSN: typed('settings.sentry.pluginDaemonDsn', ['pluginDaemon:SENTRY_DSN'], 'by Secret'),
  MARKETPLACE_ENABLED: typed('settings.marketplace.enabled', BACKEND),
  MARKETPLACE_API_URL: typed('settings.marketplace.apiUrl', [...BACKEND, 'web']),
  MARKETPLACE_URL: typed('settings.marketplace.url', ['web']),
  // Dify Agent backend
  AGENT_BACKEND_BASE_URL: typed('instance', SERVING, `${SERVICE_DERIVED}: the agent backend; unset with agent: false`),
  DIFY_AGENT_API_TOKEN: typed(
    'secrets',
    ['api:AGENT_BACKEND_API_TOKEN', 'worker:AGENT_BACKEND_API_TOKEN', 'agentBackend'],
    "by Secret, one token on both sides (never upstream's development default)",
  ),
  AGENT_BACKEND_STREAM_READ_TIMEOUT_SECONDS: dflt(
    '30',
    "upstream's value: how long api and worker wait on an agent run's event stream before reconnecting; the backend is in-cluster, as in upstream's compose",
    SERVING,
  ),
  AGENT_BACKEND_STREAM_MAX_RECONNECTS: dflt(
    '3',
    "upstream's value: how often api and worker reconnect to an agent run's event stream before failing the run",
    SERVING,
  ),
  DIFY_AGENT_REDIS_URL: typed(
    'agent.redisUrl, secrets',
    AGENT_BACKEND,
    'by Secret; derived from the embedded Redis (DB 2) by default, required with externalRedis',
  ),
  DIFY_AGENT_REDIS_PREFIX: dflt(
    'dify-agent',
    "upstream's prefix of the agent runs kept in Redis: changing it on a running installation orphans running and retained runs",
    AGENT_BACKEND,
  ),
  DIFY_AGENT_SHUTDOWN_GRACE_SECONDS: typed('agent.shutdownGraceSeconds', AGENT_BACKEND, "the pod's termination grace period is 30 s longer"),
  DIFY_AGENT_RUN_RETENTION_SECONDS: typed('agent.runRetentionSeconds', AGENT_BACKEND),
  DIFY_AGENT_RUN_TIMEOUT_SECONDS: typed('agent.runTimeoutSeconds', AGENT_BACKEND),
  DIFY_AGENT_PLUGIN_DAEMON_URL: typed('instance', AGENT_BACKEND, `${SERVICE_DERIVED}: the plugin daemon`),
  DIFY_AGENT_PLUGIN_DAEMON_API_KEY: typed('secrets', AGENT_BACKEND, 'by Secret, equal to PLUGIN_DAEMON_KEY'),
  DIFY_AGENT_INNER_API_URL: typed('instance', AGENT_BACKEND, `${SERVICE_DERIVED}: the api`),
  DIFY_AGENT_INNER_API_KEY: typed('secrets', AGENT_BACKEND, "by Secret, equal to PLUGIN_DIFY_INNER_API_KEY (api's INNER_API_KEY_FOR_PLUGIN)"),
  DIFY_AGENT_RUNTIME_BACKEND: typed(
    'agent.runtime',
    AGENT_BACKEND,
    '`AgentRuntime.local()` (default: the local sandbox the stack deploys) or `AgentRuntime.e2b({...})`',
  ),
  DIFY_AGENT_LOCAL_SANDBOX_ENDPOINT: typed(
    'instance',
    ['agentBackend', 'agentBackend:DIFY_AGENT_SHELLCTL_ENTRYPOINT'],
    `${SERVICE_DERIVED}: the local sandbox; also under 1.16.1's legacy name`,
  ),
  DIFY_AGENT_LOCAL_SANDBOX_AUTH_TOKEN: typed(
    'secrets',
    ['agentBackend', 'agentBackend:DIFY_AGENT_SHELLCTL_AUTH_TOKEN', 'localSandbox:SHELLCTL_AUTH_TOKEN'],
    "by Secret, one token on both sides; also under 1.16.1's legacy name",
  ),
  DIFY_AGENT_E2B_API_KEY: typed('agent.runtime', AGENT_BACKEND, `by Secret (\`apiKey\`), ${E2B}`),
  DIFY_AGENT_E2B_TEMPLATE: typed('agent.runtime', AGENT_BACKEND, `\`template\`, ${E2B}`),
  DIFY_AGENT_E2B_ACTIVE_TIMEOUT_SECONDS: typed('agent.runtime', AGENT_BACKEND, `\`activeTimeoutSeconds\` (1-3600), ${E2B}`),
  DIFY_AGENT_E2B_SHELLCTL_AUTH_TOKEN: typed('agent.runtime', AGENT_BACKEND, `by Secret (\`shellctlAuthToken\`), ${E2B}`),
  DIFY_AGENT_E2B_SHELLCTL_PORT: typed('agent.runtime', AGENT_BACKEND, `\`shellctlPort\`, ${E2B}`),
  DIFY_AGENT_SANDBOX_FILES_BASE_URL: typed(
    'instance',
    AGENT_BACKEND,
    `${SERVICE_DERIVED}: the api, which the local sandbox reaches through the agent SSRF proxy (/files/ only); with E2B the public api URL`,
  ),
  DIFY_AGENT_STUB_API_BASE_URL: typed(
    'instance',
    AGENT_BACKEND,
    `${SERVICE_DERIVED}: the agent backend, which the local sandbox reaches through the agent SSRF proxy (/agent-stub/ only); with E2B the public api URL + /agent-stub, routed by the exposure`,
  ),
  DIFY_AGENT_SERVER_SECRET_KEY: typed('secrets', AGENT_BACKEND, "by Secret, generated (32 random bytes, base64url), never upstream's development default"),
  // Nginx and Docker Compose
  NGINX_SERVER_NAME: typed('host, apiHost', ['nginxProxy:file:server_name'], 'with nginxProxy; an Ingress or HTTPRoute carries the hosts itself'),
  NGINX_HTTPS_ENABLED: typed('nginxProxy.tls', ['nginxProxy:file:ssl_certificate'], 'with nginxProxy; ingress.tls for an Ingress'),
  NGINX_PORT: typed(
    'nginxProxy.listenPorts.http',
    ['nginxProxy:file:listen'],
    'the unprivileged nginx listens on 8080 by default; its Service publishes port 80',
  ),
  NGINX_SSL_PORT: typed('nginxProxy.listenPorts.https', ['nginxProxy:file:listen'], 'with nginxProxy.tls; 8443 by default, published as 443'),
  NGINX_SSL_CERT_FILENAME: typed(
    'nginxProxy.tlsSecretKeys.certificate',
    ['nginxProxy:file:ssl_certificate'],
    'the key in the TLS Secret; tls.crt, as in a kubernetes.io/tls Secret, by default',
  ),
  NGINX_SSL_CERT_KEY_FILENAME: typed(
    'nginxProxy.tlsSecretKeys.privateKey',
    ['nginxProxy:file:ssl_certificate_key'],
    'the key in the TLS Secret; tls.key, as in a kubernetes.io/tls Secret, by default',
  ),
  NGINX_SSL_PROTOCOLS: typed(
    'nginxProxy.tlsProtocols',
    ['nginxProxy:file:ssl_protocols'],
    "TLSv1.2 and TLSv1.3, upstream's, by default; older ones are refused",
  ),
  NGINX_WORKER_PROCESSES: typed('components.nginxProxy.resources.cpuLimit', ['nginxProxy:file:worker_processes'], 'one worker per CPU of the limit'),
  NGINX_CLIENT_MAX_BODY_SIZE: typed('nginxProxy.maxBodySize', ['nginxProxy:file:client_max_body_size'], 'ingress.maxBodySize for an Ingress'),
  NGINX_KEEPALIVE_TIMEOUT: typed('nginxProxy.keepaliveTimeoutSeconds', ['nginxProxy:file:keepalive_timeout'], "upstream's 65 by default"),
  NGINX_PROXY_READ_TIMEOUT: typed('nginxProxy.proxyTimeoutSeconds', ['nginxProxy:file:proxy_read_timeout']),
  NGINX_PROXY_SEND_TIMEOUT: typed('nginxProxy.proxyTimeoutSeconds', ['nginxProxy:file:proxy_send_timeout']),
  NGINX_ENABLE_CERTBOT_CHALLENGE: na('certbot in Docker Compose; certificates come from cert-manager or an existing Secret (ingress.tls, nginxProxy.tls)'),
  NGINX_SOCKET_IO_UPSTREAM: typed(
    'instance',
    ['nginxProxy:file:server'],
    `${SERVICE_DERIVED}: the websocket, the upstream of /socket.io/ with nginxProxy (an Ingress or HTTPRoute routes it there too); no /socket.io/ with collaboration: false`,
  ),
  EXPOSE_NGINX_PORT: typed(
    'nginxProxy.service.httpPort',
    ['nginxProxy:service:http'],
    "the port of the nginx proxy's LoadBalancer or NodePort Service (80 by default; service.httpNodePort picks the node port); an Ingress or HTTPRoute uses its controller's",
  ),
  EXPOSE_NGINX_SSL_PORT: typed(
    'nginxProxy.service.httpsPort',
    ['nginxProxy:service:https'],
    "with nginxProxy.tls, the https port of the nginx proxy's Service (443 by default)",
  ),
  COMPOSE_PROFILES: na('selects Docker Compose services; the props choose components (externalDatabase, vectorStore, …)'),
};

/** One parsed delivery. */
export interface ParityDelivery {
  readonly component: ParityComponent;
  /** How it is delivered: an env variable, a server argument, a line of a mounted file or a port of its Service. */
  readonly via: 'env' | 'arg' | 'file' | 'service';
  /** The env variable, argument, file directive or Service port name. */
  readonly name: string;
}

/** Parses the `to` strings of an entry for `key`. */
export function parityDeliveries(key: string, entry: EnvParity | PinnedParity): ParityDelivery[] {
  if (!('to' in entry)) return [];
  return entry.to.map((t) => {
    const [component, a, b] = t.split(':');
    if (a === 'arg' || a === 'file' || a === 'service') return { component: component as ParityComponent, via: a, name: b };
    return { component: component as ParityComponent, via: 'env', name: a ?? key };
  });
}

/** The route a user takes to set an extraEnv or secretEnv variable on `component`. */
export function parityRoute(kind: 'extraEnv' | 'secretEnv', component: ParityComponent): string {
  if (kind === 'extraEnv' && ['api', 'worker', 'beat', 'migration'].includes(component)) return 'settings.extraEnv';
  if (kind === 'extraEnv' && component === 'web') return 'settings.webExtraEnv';
  return `components.${component}.${kind}`;
}

/**
 * Variables `component` renders with a value of its own whatever the shared
 * `settings.extraEnv` sets (the `pinned` deliveries): that component keeps its
 * value while the other roles take the extraEnv one.
 */
export function pinnedEnvNames(component: ParityComponent): Set<string> {
  const names = new Set<string>();
  for (const [key, entry] of Object.entries(ENV_PARITY)) {
    if (!('pinned' in entry) || !entry.pinned) continue;
    for (const d of parityDeliveries(key, entry.pinned)) if (d.via === 'env' && d.component === component) names.add(d.name);
  }
  return names;
}

/**
 * Container variables a typed `settings` property renders into `components`,
 * mapped to that property. `extraEnv` refuses them even while the property is
 * unset, so a name cannot be set where it would do nothing or bypass the
 * property (e.g. CELERY_MAX_WORKERS without autoscale).
 */
export function typedEnvNamesFor(components: readonly ParityComponent[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const [key, entry] of Object.entries(ENV_PARITY)) {
    if (entry.kind !== 'typed' || !entry.prop.startsWith('settings.')) continue;
    for (const d of parityDeliveries(key, entry)) if (d.via === 'env' && components.includes(d.component)) names.set(d.name, entry.prop);
  }
  return names;
}

/** {@link typedEnvNamesFor} the api-image roles (`backend`) or web. */
export function typedEnvNames(scope: 'backend' | 'web'): Map<string, string> {
  return typedEnvNamesFor(scope === 'backend' ? ['api', 'worker', 'beat', 'migration'] : ['web']);
}

/**
 * Credentials upstream reads (from its optional env files) that no typed
 * property carries: each is set by Secret reference through
 * `components.<c>.secretEnv` on the components that read it.
 */
export const UNTYPED_CREDENTIALS: Readonly<Record<string, readonly ParityComponent[]>> = {
  SENDGRID_API_KEY: ['api', 'worker'],
  NOTION_CLIENT_SECRET: ['api', 'worker'],
  NOTION_INTERNAL_SECRET: ['api', 'worker'],
  ARCHIVE_STORAGE_ACCESS_KEY: ['api', 'worker'],
  ARCHIVE_STORAGE_SECRET_KEY: ['api', 'worker'],
  TURNSTILE_SECRET_KEY: ['api'],
  KNOWLEDGE_FS_JWT_SECRET: ['api', 'worker'],
  ALIYUN_SLS_ACCESS_KEY_ID: ['api', 'worker'],
  ALIYUN_SLS_ACCESS_KEY_SECRET: ['api', 'worker'],
  EVENT_BUS_REDIS_URL: ['api', 'worker'],
  UNSTRUCTURED_API_KEY: ['api', 'worker'],
};
