import { EnvSet, sameName } from '../core/env';
import { SecretKeyRef } from '../core/secret-ref';
import { isSensitiveEnvName } from '../core/sensitive';
import { invalid, validateInt, validateTimeoutOrder, validateUrl } from '../core/validation';
import {
  DatabasePoolSettings,
  EmbeddedPostgresTuning,
  MarketplaceSettings,
  PluginDaemonSettings,
  SandboxSettings,
  SentrySettings,
  WeaviateSettings,
  WebSettings,
  WorkflowLimits,
  optionalUrl,
  validateCspSources,
  validateInts,
  validatePgMemory,
  validateRatio,
} from './component-settings';
import { DifyMail } from './mail';
import { DifyProcessSizing, celeryEnv, gunicornEnv } from './process-sizing';
import { pinnedEnvNames, typedEnvNames } from '../parity/env-parity';

/** Log levels Dify's api accepts (LOG_LEVEL). */
export type DifyLogLevel = 'DEBUG' | 'INFO' | 'WARNING' | 'ERROR' | 'CRITICAL';
const LOG_LEVELS: readonly DifyLogLevel[] = ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];

/** Limits on code nodes (the CODE_* variables). */
export interface CodeExecutionLimits {
  /** CODE_MAX_STRING_LENGTH. @default 400000 */
  readonly maxStringLength?: number;
  /** CODE_MAX_DEPTH. @default 5 */
  readonly maxDepth?: number;
  /** CODE_MAX_STRING_ARRAY_LENGTH. @default 30 */
  readonly maxStringArrayLength?: number;
  /** CODE_MAX_OBJECT_ARRAY_LENGTH. @default 30 */
  readonly maxObjectArrayLength?: number;
  /** CODE_MAX_NUMBER_ARRAY_LENGTH. @default 1000 */
  readonly maxNumberArrayLength?: number;
  /** CODE_EXECUTION_READ_TIMEOUT in seconds. @default 60 */
  readonly readTimeoutSeconds?: number;
  /** Sandbox WORKER_TIMEOUT: seconds one run may take. @default 15 */
  readonly sandboxWorkerTimeoutSeconds?: number;
}

/** Upload limits (the UPLOAD_* variables). */
export interface UploadLimits {
  /** UPLOAD_FILE_SIZE_LIMIT in MB. @default 15 */
  readonly fileSizeLimitMb?: number;
  /** UPLOAD_FILE_BATCH_LIMIT. @default 5 */
  readonly fileBatchLimit?: number;
  /** UPLOAD_IMAGE_FILE_SIZE_LIMIT in MB. @default 10 */
  readonly imageFileSizeLimitMb?: number;
  /** UPLOAD_VIDEO_FILE_SIZE_LIMIT in MB. @default 100 */
  readonly videoFileSizeLimitMb?: number;
  /** UPLOAD_AUDIO_FILE_SIZE_LIMIT in MB. @default 50 */
  readonly audioFileSizeLimitMb?: number;
}

/** OpenTelemetry export of traces and metrics (ENABLE_OTEL and the OTLP_* / OTEL_* variables). */
export interface OtelOptions {
  /** Collector base URL (OTLP_BASE_ENDPOINT), e.g. `http://otel-collector.observability:4318`. */
  readonly endpoint: string;
  /** OTEL_EXPORTER_OTLP_PROTOCOL. @default "http" */
  readonly protocol?: 'http' | 'grpc';
  /** Trace sampling ratio (OTEL_SAMPLING_RATE). @default 0.1 */
  readonly samplingRate?: number;
  /** Collector API key (OTLP_API_KEY). @default - none */
  readonly apiKey?: SecretKeyRef;
}

/** Dify's application settings, rendered with the exact upstream variable names. */
export interface DifySettingsProps {
  /** LOG_LEVEL. @default "INFO" */
  readonly logLevel?: DifyLogLevel;
  /** LOG_OUTPUT_FORMAT. @default "text" */
  readonly logFormat?: 'text' | 'json';
  /** DEPLOY_ENV. @default "PRODUCTION" */
  readonly deployEnv?: 'PRODUCTION' | 'TESTING';
  /** Upload limits. @default - upstream defaults */
  readonly uploads?: UploadLimits;
  /** Code execution limits. @default - upstream defaults */
  readonly codeExecution?: CodeExecutionLimits;
  /** Outgoing mail. @default - no mail (invitations show a link instead) */
  readonly mail?: DifyMail;
  /** Password required before the first admin can be created (INIT_PASSWORD). @default - none */
  readonly initPassword?: SecretKeyRef;
  /** MARKETPLACE_ENABLED; shorthand of `marketplace.enabled`. @default true */
  readonly marketplaceEnabled?: boolean;
  /** The plugin marketplace switch and URLs. @default - enabled, https://marketplace.dify.ai */
  readonly marketplace?: MarketplaceSettings;
  /** LOG_TZ: time zone of log timestamps. @default "UTC" */
  readonly logTimezone?: string;
  /** gunicorn and Celery sizing inside each api-image pod. @default - upstream's */
  readonly processes?: DifyProcessSizing;
  /** SQLAlchemy pool of each api-image process. @default - upstream's (30 + 10 overflow) */
  readonly databasePool?: DatabasePoolSettings;
  /** Sentry DSNs (by Secret) and sampling. @default - off */
  readonly sentry?: SentrySettings;
  /** Workflow and retrieval limits, for web and backend. @default - upstream's */
  readonly limits?: WorkflowLimits;
  /** Web frontend settings. @default - upstream's */
  readonly web?: WebSettings;
  /** Code sandbox settings. @default - network through the SSRF proxy */
  readonly sandbox?: SandboxSettings;
  /** Plugin daemon settings. @default - upstream's */
  readonly plugins?: PluginDaemonSettings;
  /**
   * PIP_MIRROR_URL: package index for sandbox dependencies and plugin environments. A
   * private index whose URL carries a token goes by Secret reference. @default - pypi.org
   */
  readonly pipMirrorUrl?: string | SecretKeyRef;
  /** Server parameters of the embedded PostgreSQL. @default - upstream's */
  readonly postgres?: EmbeddedPostgresTuning;
  /** Embedded Weaviate settings. @default - upstream's */
  readonly weaviate?: WeaviateSettings;
  /** OpenTelemetry export. @default - off */
  readonly otel?: OtelOptions;
  /** CHECK_UPDATE_URL: empty disables the update check. @default "https://updates.dify.ai" */
  readonly checkUpdateUrl?: string;
  /**
   * Any other upstream variable for api, worker, beat, the migration Job and
   * the collaboration websocket (which keeps its own REDIS_SOCKET_TIMEOUT, 300,
   * against a Dify 1.16.1 pub/sub bug). Names the typed props manage, and
   * every credential name, are rejected.
   * @default {}
   */
  readonly extraEnv?: Record<string, string>;
  /** Any other upstream variable for the web frontend. @default {} */
  readonly webExtraEnv?: Record<string, string>;
}

/** The api-image roles; `apiWebsocket` is the collaboration websocket api. */
export type ApiImageRole = 'api' | 'apiWebsocket' | 'worker' | 'beat' | 'migration';

const DEFAULT_MARKETPLACE = 'https://marketplace.dify.ai';
const TYPED_BACKEND_NAMES = typedEnvNames('backend');
const TYPED_WEB_NAMES = typedEnvNames('web');

/**
 * Resolved settings. `backendEnv()`, `processEnv()` and `webEnv()` render
 * the api-image roles and web; `sandboxEnv()`, `pluginDaemonEnv()`,
 * `postgresArgs()` and `weaviateEnv()` render the settings of those
 * components, merged over their own environment.
 */
export class DifySettings {
  public readonly logLevel: DifyLogLevel;
  public readonly logFormat: 'text' | 'json';
  public readonly deployEnv: string;
  public readonly sandboxWorkerTimeoutSeconds: number;
  /** ENABLE_NETWORK of the sandbox (its env and config.yaml). */
  public readonly sandboxEnableNetwork: boolean;
  /** FORCE_VERIFYING_SIGNATURE of the plugin daemon. */
  public readonly forceVerifyingSignature: boolean;
  private readonly marketplace: Required<MarketplaceSettings>;

  constructor(private readonly props: DifySettingsProps = {}) {
    this.logLevel = props.logLevel ?? 'INFO';
    if (!LOG_LEVELS.includes(this.logLevel)) invalid('settings.logLevel', this.logLevel, `must be one of ${LOG_LEVELS.join(', ')}`);
    this.logFormat = props.logFormat ?? 'text';
    if (!['text', 'json'].includes(this.logFormat)) invalid('settings.logFormat', this.logFormat, 'must be "text" or "json"');
    this.deployEnv = props.deployEnv ?? 'PRODUCTION';
    const u = props.uploads ?? {};
    validateInt('settings.uploads.fileSizeLimitMb', u.fileSizeLimitMb ?? 15, 1, 10240);
    validateInt('settings.uploads.fileBatchLimit', u.fileBatchLimit ?? 5, 1, 1000);
    validateInt('settings.uploads.imageFileSizeLimitMb', u.imageFileSizeLimitMb ?? 10, 1, 10240);
    validateInt('settings.uploads.videoFileSizeLimitMb', u.videoFileSizeLimitMb ?? 100, 1, 10240);
    validateInt('settings.uploads.audioFileSizeLimitMb', u.audioFileSizeLimitMb ?? 50, 1, 10240);
    const c = props.codeExecution ?? {};
    validateInt('settings.codeExecution.maxStringLength', c.maxStringLength ?? 400000, 1);
    validateInt('settings.codeExecution.maxDepth', c.maxDepth ?? 5, 1, 100);
    validateInt('settings.codeExecution.maxStringArrayLength', c.maxStringArrayLength ?? 30, 1);
    validateInt('settings.codeExecution.maxObjectArrayLength', c.maxObjectArrayLength ?? 30, 1);
    validateInt('settings.codeExecution.maxNumberArrayLength', c.maxNumberArrayLength ?? 1000, 1);
    validateInt('settings.codeExecution.readTimeoutSeconds', c.readTimeoutSeconds ?? 60, 1, 3600);
    if (props.otel) {
      validateUrl('settings.otel.endpoint', props.otel.endpoint);
      if (!['http', 'grpc'].includes(props.otel.protocol ?? 'http')) invalid('settings.otel.protocol', props.otel.protocol, 'must be "http" or "grpc"');
      const rate = props.otel.samplingRate ?? 0.1;
      if (!(rate >= 0 && rate <= 1)) invalid('settings.otel.samplingRate', rate, 'must be a ratio from 0 to 1');
    }
    this.sandboxWorkerTimeoutSeconds = validateInt('settings.codeExecution.sandboxWorkerTimeoutSeconds', c.sandboxWorkerTimeoutSeconds ?? 15, 1, 3600);
    // The api waits CODE_EXECUTION_READ_TIMEOUT for the sandbox's answer: a run allowed to outlive it is cut off silently.
    validateTimeoutOrder(
      { prop: 'settings.codeExecution.sandboxWorkerTimeoutSeconds', seconds: this.sandboxWorkerTimeoutSeconds },
      { prop: 'settings.codeExecution.readTimeoutSeconds', seconds: c.readTimeoutSeconds ?? 60 },
      'the api stops reading before the sandbox run may end',
    );
    this.sandboxEnableNetwork = props.sandbox?.enableNetwork ?? true;
    this.forceVerifyingSignature = props.plugins?.forceVerifyingSignature ?? true;

    const m = props.marketplace ?? {};
    if (props.marketplaceEnabled !== undefined && m.enabled !== undefined && props.marketplaceEnabled !== m.enabled) {
      invalid('settings.marketplaceEnabled', props.marketplaceEnabled, `contradicts settings.marketplace.enabled (${m.enabled}); set one of the two`);
    }
    this.marketplace = {
      enabled: m.enabled ?? props.marketplaceEnabled ?? true,
      apiUrl: optionalUrl('settings.marketplace.apiUrl', m.apiUrl) ?? DEFAULT_MARKETPLACE,
      url: optionalUrl('settings.marketplace.url', m.url) ?? DEFAULT_MARKETPLACE,
    };
    if (props.logTimezone !== undefined && !/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(props.logTimezone)) {
      invalid('settings.logTimezone', props.logTimezone, 'must be an IANA time zone name such as "UTC" or "Europe/Berlin"');
    }
    // Sizing: validated here so a bad value fails even for roles not deployed.
    gunicornEnv('settings.processes.api', props.processes?.api, 'api');
    gunicornEnv('settings.processes.apiWebsocket', props.processes?.apiWebsocket, 'apiWebsocket');
    celeryEnv('settings.processes.worker', props.processes?.worker);
    const pool = props.databasePool ?? {};
    validateInts('settings.databasePool', { size: pool.size, recycleSeconds: pool.recycleSeconds, timeoutSeconds: pool.timeoutSeconds }, 1);
    if (pool.maxOverflow !== undefined) validateInt('settings.databasePool.maxOverflow', pool.maxOverflow, 0);
    if (pool.resetOnReturn !== undefined && !['rollback', 'commit', 'none'].includes(pool.resetOnReturn)) {
      invalid('settings.databasePool.resetOnReturn', pool.resetOnReturn, 'must be "rollback", "commit" or "none"');
    }
    const sentry = props.sentry ?? {};
    if (sentry.tracesSampleRate !== undefined) validateRatio('settings.sentry.tracesSampleRate', sentry.tracesSampleRate);
    if (sentry.profilesSampleRate !== undefined) validateRatio('settings.sentry.profilesSampleRate', sentry.profilesSampleRate);
    validateInts('settings.limits', props.limits, 1);
    const w = props.web ?? {};
    validateInts('settings.web', { textGenerationTimeoutMs: w.textGenerationTimeoutMs, batchConcurrency: w.batchConcurrency }, 1);
    if (w.cspWhitelist) validateCspSources('settings.web.cspWhitelist', w.cspWhitelist);
    if (w.turnstileSiteKey !== undefined && !/^[A-Za-z0-9_-]+$/.test(w.turnstileSiteKey)) {
      invalid('settings.web.turnstileSiteKey', w.turnstileSiteKey, 'must be a Turnstile site key (letters, digits, "-" and "_")');
    }
    if (!(props.pipMirrorUrl instanceof SecretKeyRef)) optionalUrl('settings.pipMirrorUrl', props.pipMirrorUrl);
    if (props.checkUpdateUrl) optionalUrl('settings.checkUpdateUrl', props.checkUpdateUrl);
    const pl = props.plugins ?? {};
    validateInts(
      'settings.plugins',
      {
        maxPackageSizeBytes: pl.maxPackageSizeBytes,
        maxExecutionTimeoutSeconds: pl.maxExecutionTimeoutSeconds,
        pythonEnvInitTimeoutSeconds: pl.pythonEnvInitTimeoutSeconds,
        stdioBufferSize: pl.stdioBufferSize,
        stdioMaxBufferSize: pl.stdioMaxBufferSize,
      },
      1,
    );
    const pg = props.postgres ?? {};
    if (pg.maxConnections !== undefined) validateInt('settings.postgres.maxConnections', pg.maxConnections, 10, 10000);
    for (const k of ['sharedBuffers', 'workMem', 'maintenanceWorkMem', 'effectiveCacheSize'] as const) {
      if (pg[k] !== undefined) validatePgMemory(`settings.postgres.${k}`, pg[k]!);
    }
    validateInts(
      'settings.postgres',
      { statementTimeoutMs: pg.statementTimeoutMs, idleInTransactionSessionTimeoutMs: pg.idleInTransactionSessionTimeoutMs },
      0,
    );
    if (props.weaviate?.queryDefaultsLimit !== undefined) validateInt('settings.weaviate.queryDefaultsLimit', props.weaviate.queryDefaultsLimit, 1, 10000);
  }

  /** Settings for api, worker, beat and the migration Job. */
  public backendEnv(): EnvSet {
    const p = this.props;
    const u = p.uploads ?? {};
    const c = p.codeExecution ?? {};
    const pool = p.databasePool ?? {};
    const env = new EnvSet().plain(
      {
        LOG_LEVEL: this.logLevel,
        LOG_OUTPUT_FORMAT: this.logFormat,
        LOG_TZ: p.logTimezone ?? 'UTC',
        DEPLOY_ENV: this.deployEnv,
        CHECK_UPDATE_URL: p.checkUpdateUrl ?? 'https://updates.dify.ai',
        MARKETPLACE_ENABLED: this.marketplace.enabled,
        MARKETPLACE_API_URL: this.marketplace.apiUrl,
        UPLOAD_FILE_SIZE_LIMIT: u.fileSizeLimitMb ?? 15,
        UPLOAD_FILE_BATCH_LIMIT: u.fileBatchLimit ?? 5,
        UPLOAD_IMAGE_FILE_SIZE_LIMIT: u.imageFileSizeLimitMb ?? 10,
        UPLOAD_VIDEO_FILE_SIZE_LIMIT: u.videoFileSizeLimitMb ?? 100,
        UPLOAD_AUDIO_FILE_SIZE_LIMIT: u.audioFileSizeLimitMb ?? 50,
        CODE_MAX_STRING_LENGTH: c.maxStringLength ?? 400000,
        CODE_MAX_DEPTH: c.maxDepth ?? 5,
        CODE_MAX_STRING_ARRAY_LENGTH: c.maxStringArrayLength ?? 30,
        CODE_MAX_OBJECT_ARRAY_LENGTH: c.maxObjectArrayLength ?? 30,
        CODE_MAX_NUMBER_ARRAY_LENGTH: c.maxNumberArrayLength ?? 1000,
        CODE_EXECUTION_READ_TIMEOUT: c.readTimeoutSeconds ?? 60,
        SQLALCHEMY_POOL_SIZE: pool.size,
        SQLALCHEMY_MAX_OVERFLOW: pool.maxOverflow,
        SQLALCHEMY_POOL_RECYCLE: pool.recycleSeconds,
        SQLALCHEMY_POOL_TIMEOUT: pool.timeoutSeconds,
        SQLALCHEMY_POOL_PRE_PING: pool.prePing,
        SQLALCHEMY_POOL_USE_LIFO: pool.useLifo,
        SQLALCHEMY_POOL_RESET_ON_RETURN: pool.resetOnReturn,
        SQLALCHEMY_ECHO: pool.echo,
        ...this.limitsEnv(),
      },
      'settings',
    );
    if (p.mail) env.merge(p.mail.env());
    if (p.otel) {
      env
        .plain(
          {
            ENABLE_OTEL: 'true',
            OTEL_EXPORTER_TYPE: 'otlp',
            OTLP_BASE_ENDPOINT: p.otel.endpoint,
            OTEL_EXPORTER_OTLP_PROTOCOL: p.otel.protocol ?? 'http',
            OTEL_SAMPLING_RATE: p.otel.samplingRate ?? 0.1,
          },
          'settings.otel',
        )
        .secret({ OTLP_API_KEY: p.otel.apiKey });
    }
    env.secret({ INIT_PASSWORD: p.initPassword });
    return env;
  }

  /**
   * Process sizing and the settings only serving roles read: gunicorn for
   * api and the websocket api, Celery for the worker; Sentry and the plugin
   * package size for api and worker.
   */
  public processEnv(role: ApiImageRole): EnvSet {
    const p = this.props;
    const env = new EnvSet();
    if (role === 'api' || role === 'apiWebsocket') env.plain(gunicornEnv(`settings.processes.${role}`, p.processes?.[role], role), 'settings.processes');
    if (role === 'worker') env.plain(celeryEnv('settings.processes.worker', p.processes?.worker), 'settings.processes');
    if (role === 'api' || role === 'worker') {
      env.plain({ PLUGIN_MAX_PACKAGE_SIZE: p.plugins?.maxPackageSizeBytes ?? 52428800 }, 'settings.plugins');
      const s = p.sentry;
      if (s?.apiDsn) {
        env
          .secret({ SENTRY_DSN: s.apiDsn })
          .plain({ SENTRY_TRACES_SAMPLE_RATE: s.tracesSampleRate ?? 1.0, SENTRY_PROFILES_SAMPLE_RATE: s.profilesSampleRate ?? 1.0 }, 'settings.sentry');
      }
    }
    return env;
  }

  /** Settings for the web frontend. */
  public webEnv(): EnvSet {
    const w = this.props.web ?? {};
    const site = w.websiteImport ?? {};
    return new EnvSet()
      .plain(
        {
          DEPLOY_ENV: this.deployEnv,
          MARKETPLACE_API_URL: this.marketplace.apiUrl,
          MARKETPLACE_URL: this.marketplace.url,
          NEXT_TELEMETRY_DISABLED: '1',
          TEXT_GENERATION_TIMEOUT_MS: w.textGenerationTimeoutMs ?? 60000,
          ALLOW_EMBED: w.allowEmbed,
          CSP_WHITELIST: w.cspWhitelist?.join(','),
          ALLOW_UNSAFE_DATA_SCHEME: w.allowUnsafeDataScheme,
          NEXT_PUBLIC_BATCH_CONCURRENCY: w.batchConcurrency,
          TURNSTILE_SITE_KEY: w.turnstileSiteKey,
          ENABLE_WEBSITE_JINAREADER: site.jinaReader,
          ENABLE_WEBSITE_FIRECRAWL: site.firecrawl,
          ENABLE_WEBSITE_WATERCRAWL: site.watercrawl,
          ...this.limitsEnv(),
        },
        'settings.web',
      )
      .secret({ SENTRY_DSN: this.props.sentry?.webDsn, AMPLITUDE_API_KEY: w.amplitudeApiKey });
  }

  /** Settings for the code sandbox, merged over its own environment. */
  public sandboxEnv(): EnvSet {
    return new EnvSet()
      .plain({ WORKER_TIMEOUT: this.sandboxWorkerTimeoutSeconds, ENABLE_NETWORK: this.sandboxEnableNetwork }, 'settings.sandbox')
      .merge(this.pipMirrorEnv());
  }

  /** Settings for the plugin daemon, merged over its own environment (daemon-side names). */
  public pluginDaemonEnv(): EnvSet {
    const pl = this.props.plugins ?? {};
    const dsn = this.props.sentry?.pluginDaemonDsn;
    return new EnvSet()
      .plain(
        {
          MAX_PLUGIN_PACKAGE_SIZE: pl.maxPackageSizeBytes ?? 52428800,
          FORCE_VERIFYING_SIGNATURE: this.forceVerifyingSignature,
          PYTHON_ENV_INIT_TIMEOUT: pl.pythonEnvInitTimeoutSeconds ?? 120,
          PLUGIN_MAX_EXECUTION_TIMEOUT: pl.maxExecutionTimeoutSeconds ?? 600,
          PLUGIN_STDIO_BUFFER_SIZE: pl.stdioBufferSize ?? 1024,
          PLUGIN_STDIO_MAX_BUFFER_SIZE: pl.stdioMaxBufferSize ?? 5242880,
          PPROF_ENABLED: pl.pprofEnabled ?? false,
          SENTRY_ENABLED: dsn ? 'true' : undefined,
        },
        'settings.plugins',
      )
      .secret({ SENTRY_DSN: dsn })
      .merge(this.pipMirrorEnv());
  }

  /** The embedded PostgreSQL's command line (`postgres -c name=value …`). */
  public postgresArgs(): string[] {
    const pg = this.props.postgres ?? {};
    const params: Array<[string, string | number | undefined]> = [
      ['max_connections', pg.maxConnections ?? 200],
      ['shared_buffers', pg.sharedBuffers ?? '128MB'],
      ['work_mem', pg.workMem ?? '4MB'],
      ['maintenance_work_mem', pg.maintenanceWorkMem ?? '64MB'],
      ['effective_cache_size', pg.effectiveCacheSize ?? '4096MB'],
      ['statement_timeout', pg.statementTimeoutMs],
      ['idle_in_transaction_session_timeout', pg.idleInTransactionSessionTimeoutMs],
    ];
    return ['postgres', ...params.filter(([, v]) => v !== undefined).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  }

  /** Settings for the embedded Weaviate, merged over its own environment. */
  public weaviateEnv(): EnvSet {
    const wv = this.props.weaviate ?? {};
    const t = wv.tokenizers ?? {};
    return new EnvSet().plain(
      {
        QUERY_DEFAULTS_LIMIT: wv.queryDefaultsLimit ?? 25,
        ENABLE_TOKENIZER_GSE: t.gse ?? false,
        ENABLE_TOKENIZER_KAGOME_JA: t.kagomeJa ?? false,
        ENABLE_TOKENIZER_KAGOME_KR: t.kagomeKr ?? false,
      },
      'settings.weaviate',
    );
  }

  /**
   * Applies `extraEnv` to an EnvSet, refusing managed and credential names.
   * A name `role` pins (its own value, e.g. the websocket's
   * REDIS_SOCKET_TIMEOUT) keeps the role's value there while the other roles
   * take the extraEnv one.
   */
  public applyExtraEnv(env: EnvSet, which: 'extraEnv' | 'webExtraEnv', role?: ApiImageRole | 'web'): EnvSet {
    const extra = this.props[which] ?? {};
    const typed = which === 'extraEnv' ? TYPED_BACKEND_NAMES : TYPED_WEB_NAMES;
    const pinned = role ? pinnedEnvNames(role) : new Set<string>();
    const applied: Record<string, string> = {};
    for (const name of Object.keys(extra).sort()) {
      if (isSensitiveEnvName(name)) {
        invalid(
          `settings.${which}.${name}`,
          '<redacted>',
          `${name} is a credential in Dify's sensitive_env_names; pass it as a SecretKeyRef through the typed props, never through ${which}`,
        );
      }
      const managed = env.nameLike(name);
      // A component default (EnvSet.defaults) of exactly this name is what extraEnv may replace.
      if (managed && !(managed === name && env.isDefault(name))) {
        if (managed === name && pinned.has(name)) continue;
        invalid(`settings.${which}.${name}`, extra[name], `${sameName(name, managed)} is set by a typed property of dify-cdk8s; use that property instead`);
      }
      const upper = name.toUpperCase();
      const prop = typed.get(upper);
      if (prop) invalid(`settings.${which}.${name}`, extra[name], `${sameName(name, upper)} is set by the typed property ${prop}; use that property instead`);
      const twice = Object.keys(applied).find((n) => n.toUpperCase() === upper);
      if (twice) invalid(`settings.${which}.${name}`, extra[name], `${sameName(name, twice)} is already in ${which}; give it once`);
      applied[name] = extra[name];
    }
    return env.plain(applied, `settings.${which}`);
  }

  /** PIP_MIRROR_URL, plain or by Secret reference. */
  private pipMirrorEnv(): EnvSet {
    const url = this.props.pipMirrorUrl;
    return url instanceof SecretKeyRef ? new EnvSet().secret({ PIP_MIRROR_URL: url }) : new EnvSet().plain({ PIP_MIRROR_URL: url }, 'settings');
  }

  private limitsEnv(): Record<string, number | undefined> {
    const l = this.props.limits ?? {};
    return {
      TOP_K_MAX_VALUE: l.topKMaxValue,
      INDEXING_MAX_SEGMENTATION_TOKENS_LENGTH: l.indexingMaxSegmentationTokensLength,
      LOOP_NODE_MAX_COUNT: l.loopNodeMaxCount,
      MAX_TOOLS_NUM: l.maxToolsNum,
      MAX_PARALLEL_LIMIT: l.maxParallelLimit,
      MAX_ITERATIONS_NUM: l.maxIterationsNum,
      MAX_TREE_DEPTH: l.maxTreeDepth,
    };
  }
}
