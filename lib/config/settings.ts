import { EnvSet } from '../core/env';
import { SecretKeyRef } from '../core/secret-ref';
import { isSensitiveEnvName } from '../core/sensitive';
import { invalid, validateInt, validateUrl } from '../core/validation';
import { DifyMail } from './mail';

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
  /** MARKETPLACE_ENABLED. @default true */
  readonly marketplaceEnabled?: boolean;
  /** OpenTelemetry export. @default - off */
  readonly otel?: OtelOptions;
  /** CHECK_UPDATE_URL: empty disables the update check. @default "https://updates.dify.ai" */
  readonly checkUpdateUrl?: string;
  /**
   * Any other upstream variable for api, worker, beat and the migration Job.
   * Names the typed props manage, and every credential name, are rejected.
   * @default {}
   */
  readonly extraEnv?: Record<string, string>;
  /** Any other upstream variable for the web frontend. @default {} */
  readonly webExtraEnv?: Record<string, string>;
}

/** Resolved settings; `backendEnv()` and `webEnv()` render them. */
export class DifySettings {
  public readonly logLevel: DifyLogLevel;
  public readonly logFormat: 'text' | 'json';
  public readonly deployEnv: string;
  public readonly sandboxWorkerTimeoutSeconds: number;

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
  }

  /** Settings for api, worker, beat and the migration Job. */
  public backendEnv(): EnvSet {
    const p = this.props;
    const u = p.uploads ?? {};
    const c = p.codeExecution ?? {};
    const env = new EnvSet().plain({
      LOG_LEVEL: this.logLevel,
      LOG_OUTPUT_FORMAT: this.logFormat,
      LOG_TZ: 'UTC',
      DEPLOY_ENV: this.deployEnv,
      CHECK_UPDATE_URL: p.checkUpdateUrl ?? 'https://updates.dify.ai',
      MARKETPLACE_ENABLED: p.marketplaceEnabled ?? true,
      MARKETPLACE_API_URL: 'https://marketplace.dify.ai',
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
    }, 'settings');
    if (p.mail) env.merge(p.mail.env());
    if (p.otel) {
      env.plain({
        ENABLE_OTEL: 'true',
        OTEL_EXPORTER_TYPE: 'otlp',
        OTLP_BASE_ENDPOINT: p.otel.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: p.otel.protocol ?? 'http',
        OTEL_SAMPLING_RATE: p.otel.samplingRate ?? 0.1,
      }, 'settings.otel').secret({ OTLP_API_KEY: p.otel.apiKey });
    }
    env.secret({ INIT_PASSWORD: p.initPassword });
    return env;
  }

  /** Settings for the web frontend. */
  public webEnv(): EnvSet {
    return new EnvSet().plain({
      DEPLOY_ENV: this.deployEnv,
      MARKETPLACE_API_URL: 'https://marketplace.dify.ai',
      MARKETPLACE_URL: 'https://marketplace.dify.ai',
      NEXT_TELEMETRY_DISABLED: '1',
    }, 'settings');
  }

  /** Applies `extraEnv` to a backend EnvSet, refusing managed and credential names. */
  public applyExtraEnv(env: EnvSet, which: 'extraEnv' | 'webExtraEnv'): EnvSet {
    const extra = this.props[which] ?? {};
    for (const name of Object.keys(extra).sort()) {
      if (isSensitiveEnvName(name)) {
        invalid(`settings.${which}.${name}`, '<redacted>', `${name} is a credential in Dify's sensitive_env_names; pass it as a SecretKeyRef through the typed props, never through ${which}`);
      }
      if (env.has(name)) {
        invalid(`settings.${which}.${name}`, extra[name], `${name} is set by a typed property of dify-cdk8s; use that property instead`);
      }
    }
    return env.plain(extra, `settings.${which}`);
  }
}
