import { SecretKeyRef } from '../core/secret-ref';
import { invalid, validateInt, validateUrl } from '../core/validation';

/** The plugin marketplace (MARKETPLACE_*). */
export interface MarketplaceSettings {
  /** Offer marketplace plugins (MARKETPLACE_ENABLED). @default true */
  readonly enabled?: boolean;
  /** API the backend and web fetch plugins from (MARKETPLACE_API_URL). @default "https://marketplace.dify.ai" */
  readonly apiUrl?: string;
  /** Marketplace pages the web UI links to (MARKETPLACE_URL). @default "https://marketplace.dify.ai" */
  readonly url?: string;
}

/** Error and performance reporting to Sentry; every DSN by Secret. */
export interface SentrySettings {
  /** DSN of api and worker (upstream API_SENTRY_DSN, rendered as SENTRY_DSN). @default - off */
  readonly apiDsn?: SecretKeyRef;
  /** Trace sample rate of api and worker (API_SENTRY_TRACES_SAMPLE_RATE). @default 1.0 */
  readonly tracesSampleRate?: number;
  /** Profile sample rate of api and worker (API_SENTRY_PROFILES_SAMPLE_RATE). @default 1.0 */
  readonly profilesSampleRate?: number;
  /** DSN of the web frontend (upstream WEB_SENTRY_DSN, rendered as SENTRY_DSN). @default - off */
  readonly webDsn?: SecretKeyRef;
  /** DSN of the plugin daemon (PLUGIN_SENTRY_DSN; sets PLUGIN_SENTRY_ENABLED). @default - off */
  readonly pluginDaemonDsn?: SecretKeyRef;
}

/** SQLAlchemy connection pool of each api-image process (SQLALCHEMY_*). */
export interface DatabasePoolSettings {
  /** SQLALCHEMY_POOL_SIZE. @default - upstream's 30 */
  readonly size?: number;
  /** SQLALCHEMY_MAX_OVERFLOW. @default - upstream's 10 */
  readonly maxOverflow?: number;
  /** SQLALCHEMY_POOL_RECYCLE in seconds. @default - upstream's 3600 */
  readonly recycleSeconds?: number;
  /** SQLALCHEMY_POOL_TIMEOUT in seconds. @default - upstream's 30 */
  readonly timeoutSeconds?: number;
  /** SQLALCHEMY_POOL_PRE_PING: test connections before use (useful behind proxies that drop idle ones). @default - upstream's false */
  readonly prePing?: boolean;
  /** SQLALCHEMY_POOL_USE_LIFO. @default - upstream's false */
  readonly useLifo?: boolean;
  /** SQLALCHEMY_POOL_RESET_ON_RETURN. @default - upstream's "rollback" */
  readonly resetOnReturn?: 'rollback' | 'commit' | 'none';
  /** SQLALCHEMY_ECHO: log every statement. @default - upstream's false */
  readonly echo?: boolean;
}

/** Workflow and retrieval limits shared by the web UI and the backend. */
export interface WorkflowLimits {
  /** TOP_K_MAX_VALUE. @default - upstream's 10 */
  readonly topKMaxValue?: number;
  /** INDEXING_MAX_SEGMENTATION_TOKENS_LENGTH. @default - upstream's 4000 */
  readonly indexingMaxSegmentationTokensLength?: number;
  /** LOOP_NODE_MAX_COUNT. @default - upstream's 100 */
  readonly loopNodeMaxCount?: number;
  /** MAX_TOOLS_NUM. @default - upstream's 10 */
  readonly maxToolsNum?: number;
  /** MAX_PARALLEL_LIMIT. @default - upstream's 10 */
  readonly maxParallelLimit?: number;
  /** MAX_ITERATIONS_NUM. @default - upstream's 99 */
  readonly maxIterationsNum?: number;
  /** MAX_TREE_DEPTH. @default - upstream's 50 */
  readonly maxTreeDepth?: number;
}

/** Settings of the web frontend. */
export interface WebSettings {
  /** TEXT_GENERATION_TIMEOUT_MS. @default 60000 */
  readonly textGenerationTimeoutMs?: number;
  /** ALLOW_EMBED: let other sites frame the web app. @default - upstream's false */
  readonly allowEmbed?: boolean;
  /** CSP_WHITELIST: extra Content-Security-Policy sources (hosts or URLs). @default - none */
  readonly cspWhitelist?: string[];
  /** ALLOW_UNSAFE_DATA_SCHEME: allow data: URLs in rendered markdown. @default - upstream's false */
  readonly allowUnsafeDataScheme?: boolean;
  /** NEXT_PUBLIC_BATCH_CONCURRENCY: parallel requests of batch runs. @default - upstream's 5 */
  readonly batchConcurrency?: number;
  /** Cloudflare Turnstile site key (TURNSTILE_SITE_KEY, public); its secret goes to `components.api.secretEnv`. @default - none */
  readonly turnstileSiteKey?: string;
  /** Amplitude analytics key (AMPLITUDE_API_KEY). @default - none */
  readonly amplitudeApiKey?: SecretKeyRef;
  /** Website import providers offered in knowledge creation (ENABLE_WEBSITE_*). @default - upstream's all true */
  readonly websiteImport?: { readonly jinaReader?: boolean; readonly firecrawl?: boolean; readonly watercrawl?: boolean };
}

/** Settings of the code sandbox. */
export interface SandboxSettings {
  /** Let user code open network connections, through the SSRF proxy (SANDBOX_ENABLE_NETWORK). @default true */
  readonly enableNetwork?: boolean;
  /** Port the sandbox listens on and its Service serves (SANDBOX_PORT); CODE_EXECUTION_ENDPOINT and the policies follow. @default 8194 */
  readonly port?: number;
}

/** Settings of the plugin daemon (and of the api's view of it). */
export interface PluginDaemonSettings {
  /** Largest plugin package accepted, in bytes (PLUGIN_MAX_PACKAGE_SIZE: api, worker, daemon). @default 52428800 */
  readonly maxPackageSizeBytes?: number;
  /** Seconds one plugin invocation may run (PLUGIN_MAX_EXECUTION_TIMEOUT). @default 600 */
  readonly maxExecutionTimeoutSeconds?: number;
  /** Seconds to build a plugin's Python environment (PLUGIN_PYTHON_ENV_INIT_TIMEOUT). @default 120 */
  readonly pythonEnvInitTimeoutSeconds?: number;
  /** PLUGIN_STDIO_BUFFER_SIZE in bytes. @default 1024 */
  readonly stdioBufferSize?: number;
  /** PLUGIN_STDIO_MAX_BUFFER_SIZE in bytes. @default 5242880 */
  readonly stdioMaxBufferSize?: number;
  /** Require marketplace signatures (FORCE_VERIFYING_SIGNATURE). @default true */
  readonly forceVerifyingSignature?: boolean;
  /** Port of the daemon's remote-debugging runtime (PLUGIN_DEBUGGING_PORT); its Service follows. @default 5003 */
  readonly debuggingPort?: number;
  /** Port of the daemon's API (PLUGIN_DAEMON_PORT); PLUGIN_DAEMON_URL, the `/e/` routes and the policies follow. @default 5002 */
  readonly port?: number;
  /** Go pprof endpoints (PLUGIN_PPROF_ENABLED). @default false */
  readonly pprofEnabled?: boolean;
}

/** Server parameters of the embedded PostgreSQL (`postgres -c …`, upstream's POSTGRES_*). */
export interface EmbeddedPostgresTuning {
  /** max_connections (POSTGRES_MAX_CONNECTIONS). @default 200 */
  readonly maxConnections?: number;
  /** shared_buffers (POSTGRES_SHARED_BUFFERS), e.g. "512MB". @default "128MB" */
  readonly sharedBuffers?: string;
  /** work_mem (POSTGRES_WORK_MEM). @default "4MB" */
  readonly workMem?: string;
  /** maintenance_work_mem (POSTGRES_MAINTENANCE_WORK_MEM). @default "64MB" */
  readonly maintenanceWorkMem?: string;
  /** effective_cache_size (POSTGRES_EFFECTIVE_CACHE_SIZE). @default "4096MB" */
  readonly effectiveCacheSize?: string;
  /** statement_timeout in ms, 0 = none (POSTGRES_STATEMENT_TIMEOUT). @default - the server's 0 */
  readonly statementTimeoutMs?: number;
  /** idle_in_transaction_session_timeout in ms, 0 = none (POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT). @default - the server's 0 */
  readonly idleInTransactionSessionTimeoutMs?: number;
}

/** Settings of the embedded Weaviate. */
export interface WeaviateSettings {
  /** QUERY_DEFAULTS_LIMIT (upstream WEAVIATE_QUERY_DEFAULTS_LIMIT). @default 25 */
  readonly queryDefaultsLimit?: number;
  /** Extra tokenizers (WEAVIATE_ENABLE_TOKENIZER_*): GSE for Chinese/Japanese, Kagome for Japanese and Korean. @default - none */
  readonly tokenizers?: { readonly gse?: boolean; readonly kagomeJa?: boolean; readonly kagomeKr?: boolean };
}

const PG_MEMORY = /^[1-9][0-9]*(kB|MB|GB|TB)$/;

/** A PostgreSQL memory parameter such as `128MB`. */
export function validatePgMemory(prop: string, value: string): string {
  if (typeof value !== 'string' || !PG_MEMORY.test(value))
    invalid(prop, value, 'must be a PostgreSQL memory size such as "128MB" or "1GB" (units kB, MB, GB, TB)');
  return value;
}

/** A ratio from 0 to 1. */
export function validateRatio(prop: string, value: number): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) invalid(prop, value, 'must be a ratio from 0 to 1');
  return value;
}

/** Integers of a settings group: each defined value validated within [min, max]. */
export function validateInts(prop: string, values: object | undefined, min: number, max?: number): void {
  for (const [k, v] of Object.entries(values ?? {}) as Array<[string, unknown]>) {
    if (v !== undefined) validateInt(`${prop}.${k}`, v as number, min, max);
  }
}

/** CSP sources: hosts, `scheme://host` URLs or `*.` wildcards, no spaces or quotes. */
export function validateCspSources(prop: string, values: string[]): string[] {
  for (const v of values) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9*][A-Za-z0-9.*:/_-]*$/.test(v))
      invalid(prop, v, 'must be CSP source expressions such as "https://cdn.example.com" or "*.example.com"');
  }
  return values;
}

/** An http(s) URL (validated) or undefined. */
export function optionalUrl(prop: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : validateUrl(prop, value);
}
