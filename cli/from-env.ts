import { randomBytes } from 'crypto';
import { Chart, Testing } from 'cdk8s';
import {
  CREDENTIALS,
  CredentialName,
  CredentialSpec,
  Dify,
  DifyDatabase,
  DifyMail,
  DifyProps,
  DifySecrets,
  ExternalRedis,
  SecretKeyRef,
  VectorStore,
  CUSTOM_VECTOR_STORES,
  isSensitiveEnvName,
  redisBrokerUrl,
  redisSentinelBrokerUrl,
  requiredCredentials,
} from '../lib';
import { ENV_PARITY, ParityComponent, UNTYPED_CREDENTIALS, parityDeliveries, parityRoute } from '../lib/parity/env-parity';
import type { Environment } from '../apps/environments';
import { Code, Tree, call, evaluate, importsOf, quote, renderTs } from './code';
import { EnvFileError, parseEnvFile } from './env-file';
import { COMPONENT_OF_SERVICE, COMPOSE_SERVICES, FactorySpec, PLACEHOLDER_CREDENTIALS, PLUGIN_STORAGE, STORAGE, VECTOR_STORES } from './tables';
import { ServiceRead, upstreamCompose } from './upstream';
import { typedEnvNames } from '../lib/parity/env-parity';

/** Names a typed settings property renders (extraEnv refuses them), by extraEnv scope. */
const TYPED_NAMES = { backend: typedEnvNames('backend'), web: typedEnvNames('web') };

/** Where one `.env` key went. */
export type Classification = 'typed' | 'extraEnv' | 'secret' | 'dropped';

/** One line of the report: every input key gets exactly one. */
export interface ReportLine {
  readonly key: string;
  readonly classification: Classification;
  /** The prop, extraEnv entry or Secret key it became; empty when dropped. */
  readonly target: string;
  readonly reason: string;
  /** Needs a look: an upstream development default was replaced, or a value could not be carried over. */
  readonly flag?: 'development-default' | 'check';
}

/** Options of {@link convertEnv}. */
export interface FromEnvOptions {
  /** Environment name: dist/ folder, file name and Secret prefix (lowercase letters, digits, '-'). */
  readonly name: string;
  /** @default "dify" */
  readonly namespace?: string;
  /** Public host, when the `.env` URLs do not name one. @default - from the URLs, else "<name>.localhost" */
  readonly host?: string;
  /** Module the generated file imports the library from. @default "dify-cdk8s" (the package) */
  readonly libImport?: string;
  /**
   * Module the generated file imports this repository's `Environment` type from (apps/environments.ts).
   * @default - none: the file declares the same shape (name, namespace, dify) with the package's `DifyProps`
   */
  readonly environmentsImport?: string;
  /** File name shown in the generated header. @default ".env" */
  readonly sourceName?: string;
  /** Random credential generator (tests may pin it). @default 32 random bytes, base64url */
  readonly random?: () => string;
}

/** What {@link convertEnv} produces. */
export interface FromEnvResult {
  /** The environment file (TypeScript). */
  readonly source: string;
  /** Name of the constant the file exports. */
  readonly exportName: string;
  /** Name of the Secret the file references. */
  readonly secretName: string;
  /** Secret data: key → value (credentials; never written into `source`). */
  readonly secrets: Readonly<Record<string, string>>;
  /** One line per input key, in input order. */
  readonly report: readonly ReportLine[];
  /** The environment the file evaluates to (already synthesized once). */
  readonly environment: Environment;
  /** Choices not tied to one key, e.g. where the host came from. */
  readonly notes: readonly string[];
}

/** The package's name: what the generated file imports outside this repository. */
export const PACKAGE_NAME = 'dify-cdk8s';

const NAME = /^[a-z]([-a-z0-9]{0,28}[a-z0-9])?$/;
const HOST = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/;
const IPV4 = /^\d+\.\d+\.\d+\.\d+$/;
const SECRET_WORDS = new Set(['PASSWORD', 'PASSWD', 'PWD', 'SECRET', 'TOKEN', 'KEY', 'KEYS', 'APIKEY', 'DSN', 'CREDENTIALS', 'CREDENTIAL', 'AUTH']);
const NOT_SECRET_SUFFIXES = new Set([
  'ENABLED',
  'MINUTES',
  'DAYS',
  'HOURS',
  'SECONDS',
  'SIZE',
  'TYPE',
  'FILENAME',
  'FILE',
  'PATH',
  'LENGTH',
  'COUNT',
  'LOGIN',
  'USERS',
  'USER',
  'USERNAME',
  'PREFIX',
  'VERSION',
  'REGION',
  'NAME',
  'ENDPOINT',
  'EXPIRY',
  'EXPIRE',
  'LIMIT',
  'PROVIDER',
  'METHOD',
  'MODE',
  'PORT',
  'HOST',
  'TTL',
  'TIMEOUT',
]);
/** Names that match the credential patterns but are public (upstream lists them as such). */
const PUBLIC_NAMES = new Set(['TURNSTILE_SITE_KEY', 'COOKIEYES_SITE_KEY', 'AMPLITUDE_API_KEY', 'OPENAPI_RATE_LIMIT_PER_TOKEN', 'KEY_PROVIDER_TYPE']);
const USERINFO_URL = /[a-z][a-z0-9+.-]*:\/\/[^\s/?#@]+@/i;
const COMPOSE_ONLY_PREFIXES = ['COMPOSE_', 'EXPOSE_', 'NGINX_', 'CERTBOT_'];
const COMPOSE_ONLY = new Set(['PGDATA', 'MIGRATION_ENABLED']);
const SERVICE_URL = new RegExp(`^[a-z][a-z0-9+.-]*://(?:[^/@]*@)?(${COMPOSE_SERVICES.map((x) => x.replace(/[-]/g, '\\-')).join('|')})(:\\d+)?(/|$)`);
const BACKEND_COMPONENTS = ['api', 'worker'];
/** URL variables dify-cdk8s always derives from host, apiHost and tls. */
const DERIVED_URLS = [
  'CONSOLE_WEB_URL',
  'APP_WEB_URL',
  'CONSOLE_API_URL',
  'SERVICE_API_URL',
  'APP_API_URL',
  'FILES_URL',
  'TRIGGER_URL',
  'ENDPOINT_URL_TEMPLATE',
  'NEXT_PUBLIC_SOCKET_URL',
];

/** True when a `.env` name or value is a credential: upstream's sensitive names, credential-like names, URLs with userinfo. */
export function isCredential(name: string, value: string): boolean {
  if (isSensitiveEnvName(name)) return true;
  if (USERINFO_URL.test(value)) return true;
  if (PUBLIC_NAMES.has(name)) return false;
  const parts = name.split('_');
  if (NOT_SECRET_SUFFIXES.has(parts[parts.length - 1])) return false;
  return parts.some((p) => SECRET_WORDS.has(p)) || /CONNECTION_STRING$/.test(name);
}

/** Reads a docker-compose `.env` as compose does (see ./env-file) and converts it; see {@link convertEnv}. */
export function convertEnvFile(text: string, options: FromEnvOptions): FromEnvResult {
  let file: ReturnType<typeof parseEnvFile>;
  try {
    file = parseEnvFile(text);
  } catch (e) {
    if (e instanceof EnvFileError) throw new Error(`from-env: ${options.sourceName ?? '.env'} ${e.message}`);
    throw e;
  }
  const result = convertEnv(file.values, options);
  if (file.inherited.length === 0) return result;
  const note = `not converted: ${file.inherited.join(', ')} ha${file.inherited.length === 1 ? 's' : 've'} no "=" (compose takes the value from the shell environment); set the value in the file to convert it`;
  return { ...result, notes: [...result.notes, note] };
}

/**
 * Converts docker-compose `.env` values into a typed dify-cdk8s environment:
 * typed props where dify-cdk8s has them, settings.extraEnv / webExtraEnv for
 * the rest, credentials into a Secret (values returned apart, never in the
 * source), and a report line for every key.
 */
export function convertEnv(env: Readonly<Record<string, string>>, options: FromEnvOptions): FromEnvResult {
  return new Converter(env, options).run();
}

interface Rendered {
  readonly plain: Record<string, string>;
  readonly secret: Set<string>;
}

/** What an in-memory synthesis tells: each component's environment and which optional parts exist. */
interface Synthesized {
  readonly env: Record<string, Rendered>;
  readonly embedded: { readonly postgres: boolean; readonly redis: boolean; readonly weaviate: boolean };
  readonly agent: boolean;
}

/** Where a credential no typed prop reads goes: a variable of a component, by Secret reference. */
interface SecretTarget {
  readonly component: string;
  readonly variable: string;
}

class Converter {
  private readonly up = upstreamCompose();
  private readonly lines = new Map<string, ReportLine>();
  private readonly secrets: Record<string, string> = {};
  private readonly props: Record<string, Tree> = {};
  private readonly settings: Record<string, Tree> = {};
  private readonly components: Record<string, Record<string, Tree>> = {};
  private readonly extraEnv: Record<string, string> = {};
  private readonly webExtraEnv: Record<string, string> = {};
  private readonly secretName: string;
  private readonly devDefaults: Set<string>;
  private readonly random?: () => string;
  private readonly instance = 'dify';
  private readonly notes: string[] = [];

  constructor(
    private readonly env: Readonly<Record<string, string>>,
    private readonly o: FromEnvOptions,
  ) {
    if (!NAME.test(o.name)) throw new Error(`from-env: --name: got ${o.name}; must be 1-30 lowercase letters, digits and '-', starting with a letter`);
    this.secretName = `${o.name}-dify-credentials`;
    this.random = o.random;
    this.devDefaults = new Set(PLACEHOLDER_CREDENTIALS);
    for (const [k, v] of Object.entries(this.up.defaults)) if (v && isCredential(k, v)) this.devDefaults.add(v);
  }

  public run(): FromEnvResult {
    this.composeOnly();
    this.urls();
    this.initPassword();
    this.database();
    this.redis();
    this.vectorStore(); // before storage: clickzetta's vector store and volume storage share the CLICKZETTA_ prefix
    this.storage();
    this.pluginStorage();
    this.settingsProps();
    this.mail();
    this.sizing();
    this.ssrf();

    const first = this.render(this.environment());
    this.installationCredentials(first);
    this.derivedUrls(first.env);
    for (const key of Object.keys(this.env)) if (!this.lines.has(key)) this.rest(key, first);

    if (Object.keys(this.extraEnv).length) this.settings.extraEnv = sortObject(this.extraEnv);
    if (Object.keys(this.webExtraEnv).length) this.settings.webExtraEnv = sortObject(this.webExtraEnv);
    const environment = this.environment();
    this.render(environment); // the final props synthesize
    return {
      source: this.source(),
      exportName: this.exportName(),
      secretName: this.secretName,
      secrets: sortObject(this.secrets),
      report: Object.keys(this.env).map((k) => this.lines.get(k)!),
      environment: evaluate(environment) as Environment,
      notes: this.notes,
    };
  }

  // ---- report helpers -------------------------------------------------------------------------

  private has(key: string): boolean {
    return Object.hasOwn(this.env, key);
  }

  /** The non-empty value of `key`. */
  private given(key: string): string | undefined {
    const v = this.has(key) ? this.env[key].trim() : '';
    return v === '' ? undefined : this.env[key];
  }

  private line(key: string, classification: Classification, target: string, reason: string, flag?: ReportLine['flag']): void {
    if (!this.has(key) || this.lines.has(key)) return;
    this.lines.set(key, { key, classification, target, reason, flag });
  }

  private typed(key: string, target: string, reason = ''): void {
    this.line(key, 'typed', target, reason);
  }

  private drop(key: string, reason: string, flag?: ReportLine['flag']): void {
    this.line(key, 'dropped', '', reason, flag);
  }

  private isUpstreamDefault(key: string): boolean {
    return Object.hasOwn(this.up.defaults, key) && this.up.defaults[key] === this.env[key];
  }

  private isDevDefault(value: string): boolean {
    if (this.devDefaults.has(value)) return true;
    const m = /^[a-z][a-z0-9+.-]*:\/\/([^\s/?#@]*)@/i.exec(value);
    if (!m) return false;
    const password = decodeURIComponent(m[1].includes(':') ? m[1].slice(m[1].indexOf(':') + 1) : m[1]);
    return this.devDefaults.has(password);
  }

  /** `cred('<key>')` in the generated file: a key of the environment's Secret. */
  private ref(dataKey: string): Code {
    return new Code(`cred(${quote(dataKey)})`, () => SecretKeyRef.of(this.secretName, dataKey), ['SecretKeyRef']);
  }

  /** A fresh random value: as the credentials table draws it for `spec` (bytes, hex or base64url), else 32 bytes base64url. */
  private fresh(spec?: CredentialSpec): string {
    if (this.random) return this.random();
    const bytes = randomBytes(spec?.bytes ?? 32);
    return spec !== undefined && spec.format !== 'urlsafe' ? bytes.toString('hex') : bytes.toString('base64url');
  }

  /**
   * One credential read from the first of `names` that carries a real value.
   * Empty values and upstream development defaults are replaced by a fresh
   * random value when `generate`; otherwise an all-empty credential is omitted.
   */
  private credential(names: readonly string[], dataKey: string, prop: string, generate: boolean, spec?: CredentialSpec): Code | undefined {
    const present = names.filter((n) => this.has(n));
    const real = present.filter((n) => this.given(n) !== undefined && !this.isDevDefault(this.env[n]));
    const source = real[0];
    const target = `Secret ${this.secretName}/${dataKey}`;
    if (source === undefined && !generate && present.every((n) => this.given(n) === undefined)) {
      for (const n of present) this.drop(n, `empty: ${prop} is not set`);
      return undefined;
    }
    if (this.secrets[dataKey] === undefined) this.secrets[dataKey] = source !== undefined ? this.env[source] : this.fresh(spec);
    for (const n of present) {
      const v = this.given(n);
      if (n === source) this.line(n, 'secret', target, `→ ${prop}`);
      else if (v !== undefined && this.isDevDefault(v)) {
        this.line(
          n,
          'secret',
          target,
          `upstream development default, never carried over${source ? `; ${source}'s value is used` : '; replaced by a fresh random value'} (→ ${prop})`,
          'development-default',
        );
      } else if (v !== undefined && source !== undefined && v !== this.env[source]) {
        this.line(n, 'secret', target, `differs from ${source}, whose value is used (→ ${prop}); they must be equal`, 'check');
      } else if (v !== undefined) this.line(n, 'secret', target, `same credential as ${source} (→ ${prop})`);
      else this.line(n, 'secret', target, `empty${source ? `; ${source}'s value is used` : '; a fresh random value is generated'} (→ ${prop})`);
    }
    return this.ref(dataKey);
  }

  // ---- typed props ----------------------------------------------------------------------------

  private composeOnly(): void {
    for (const key of Object.keys(this.env)) {
      if (COMPOSE_ONLY_PREFIXES.some((p) => key.startsWith(p)) && !['NGINX_SERVER_NAME', 'NGINX_HTTPS_ENABLED', 'NGINX_CLIENT_MAX_BODY_SIZE'].includes(key)) {
        this.drop(key, 'compose-only: docker compose / its nginx container; Kubernetes Services, the Ingress and the chart replace it');
      } else if (COMPOSE_ONLY.has(key)) {
        this.drop(
          key,
          key === 'PGDATA'
            ? 'compose-only: the embedded PostgreSQL sets its own data directory'
            : 'compose-only: dify-cdk8s runs migrations in a Job before api starts',
        );
      } else if (/^(POSTGRES|MYSQL)_/.test(key) && !isCredential(key, this.env[key])) {
        this.drop(
          key,
          this.isUpstreamDefault(key)
            ? "default unchanged (server tuning of compose's database container)"
            : "server tuning of compose's database container: not configurable on the embedded PostgreSQL; tune a managed server instead",
          this.isUpstreamDefault(key) ? undefined : 'check',
        );
      }
    }
  }

  private urls(): void {
    const parsed = (k: string) => {
      const v = this.given(k);
      if (v === undefined) return undefined;
      try {
        return new URL(v);
      } catch {
        return undefined;
      }
    };
    const valid = (h: string | undefined) => h !== undefined && HOST.test(h) && !IPV4.test(h);
    const web = ['CONSOLE_WEB_URL', 'APP_WEB_URL'].map((k) => [k, parsed(k)] as const).find(([, u]) => valid(u?.hostname));
    const api = ['CONSOLE_API_URL', 'SERVICE_API_URL', 'APP_API_URL'].map((k) => [k, parsed(k)] as const).find(([, u]) => valid(u?.hostname));
    const server = this.given('NGINX_SERVER_NAME');
    let host = this.o.host ?? web?.[1]?.hostname ?? api?.[1]?.hostname ?? (valid(server) ? server : undefined);
    const hostSource = this.o.host ? '--host' : (web?.[0] ?? api?.[0] ?? (host ? 'NGINX_SERVER_NAME' : undefined));
    if (!valid(host)) {
      host = `${this.o.name}.localhost`;
      this.notes.push(`host: no URL of the .env names a DNS host (localhost and IP addresses cannot be Ingress hosts); using ${host}, pass --host to choose`);
    } else this.notes.push(`host: ${host} (from ${hostSource})`);
    this.props.host = host;
    if (hostSource && hostSource !== '--host') this.typed(hostSource, `host = ${quote(host!)}`);
    if (web && api && api[1]!.hostname !== host) {
      this.props.apiHost = api[1]!.hostname;
      this.typed(api[0], `apiHost = ${quote(api[1]!.hostname)}`);
    }
    const https = [web?.[1], api?.[1]].some((u) => u?.protocol === 'https:');
    const nginxTls = this.given('NGINX_HTTPS_ENABLED')?.toLowerCase() === 'true';
    if (https || nginxTls) {
      this.props.tls = true;
      if (nginxTls) this.typed('NGINX_HTTPS_ENABLED', 'tls = true', 'URLs become https://; terminate TLS at the Ingress (ingress.tls) or in front of it');
    } else {
      this.drop('NGINX_HTTPS_ENABLED', 'upstream default: plain HTTP (tls unset)');
    }
    if (this.has('NGINX_SERVER_NAME') && !this.lines.has('NGINX_SERVER_NAME')) {
      this.drop(
        'NGINX_SERVER_NAME',
        server === '_'
          ? 'compose-only: nginx catch-all server name; the Ingress serves host'
          : `not used: host comes from ${hostSource ?? `the default ${host}`}`,
      );
    }
    const body = this.given('NGINX_CLIENT_MAX_BODY_SIZE');
    if (body !== undefined && body.toLowerCase() !== '100m') {
      this.props.ingress = { maxBodySize: body.toLowerCase() };
      this.typed('NGINX_CLIENT_MAX_BODY_SIZE', `ingress.maxBodySize = ${quote(body.toLowerCase())}`);
    } else this.drop('NGINX_CLIENT_MAX_BODY_SIZE', 'default unchanged: the Ingress allows 100m bodies');
  }

  private derivedUrls(r: Record<string, Rendered>): void {
    for (const key of DERIVED_URLS) {
      const v = this.given(key);
      const now = r.api.plain[key] ?? r.web.plain[key];
      if (v === undefined) this.drop(key, `empty: dify-cdk8s derives it from host/apiHost/tls${now ? ` (${now})` : ''}`);
      else if (v === now || v.replace(/\/$/, '') === now) this.typed(key, 'host/apiHost/tls', 'dify-cdk8s derives the same value');
      else if (this.isUpstreamDefault(key)) this.drop(key, `upstream default; dify-cdk8s derives ${now ?? 'it'} from host/apiHost/tls`);
      else this.drop(key, `dify-cdk8s derives ${now ?? 'it'} from host/apiHost/tls; the given value is not carried over`, 'check');
    }
  }

  private initPassword(): void {
    const init = this.credential(['INIT_PASSWORD'], 'init-password', 'settings.initPassword', false);
    if (init) this.settings.initPassword = init;
  }

  /**
   * Every row of the library's credentials table the installation reads (requiredCredentials: the app keys, each
   * embedded store's, the agent stack's when it is deployed), from the `.env` names compose gives the readers.
   */
  private installationCredentials(s: Synthesized): void {
    const required = requiredCredentials(s.embedded, { agent: s.agent });
    for (const name of required) {
      const spec: CredentialSpec = CREDENTIALS[name];
      const names = this.envNamesOf(spec);
      if (spec.derived === undefined) this.credential(names, spec.key, `secrets (${name})`, true, spec);
      else this.derivedRedisUrl(name, spec, names);
    }
    // Rows the installation does not read; their names that no typed prop took are not carried over.
    for (const name of Object.keys(CREDENTIALS) as CredentialName[]) {
      if (required.includes(name)) continue;
      const spec: CredentialSpec = CREDENTIALS[name];
      const why =
        spec.feature !== undefined
          ? `the ${spec.feature} stack is not deployed (${spec.feature}: false)`
          : `the embedded ${spec.embeddedStore} is not deployed`;
      for (const n of this.envNamesOf(spec)) this.drop(n, `${this.given(n) === undefined ? 'empty; ' : ''}nothing reads it: ${why}`);
    }
  }

  /**
   * The `.env` names a credential comes from in compose: for each reader (component and variable) of the table,
   * what its service's own environment block interpolates (first the name that wins), else the variable itself,
   * which the service reads from `.env`; the variables themselves last.
   */
  private envNamesOf(spec: CredentialSpec): string[] {
    const names: string[] = [];
    for (const [component, variables] of Object.entries(spec.readers)) {
      const camel = component.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
      const service = Object.keys(COMPONENT_OF_SERVICE).find((x) => COMPONENT_OF_SERVICE[x] === camel);
      for (const v of variables) names.push(...(this.up.sources.get(`${service}/${v}`) ?? [v]));
    }
    for (const variables of Object.values(spec.readers)) names.push(...variables);
    return [...new Set(names)];
  }

  /** A credential the table derives from the embedded Redis password (a `redis://` URL to one DB index). */
  private derivedRedisUrl(name: CredentialName, spec: CredentialSpec, names: readonly string[]): void {
    this.secrets[spec.key] = redisBrokerUrl({
      host: `${this.instance}-redis`,
      port: 6379,
      password: this.secrets[CREDENTIALS.redisPassword.key],
      db: spec.derived!.redisDb,
    });
    const target = `Secret ${this.secretName}/${spec.key}`;
    const built = `built for the embedded Redis (DB ${spec.derived!.redisDb}) from the ${CREDENTIALS.redisPassword.key} value (→ secrets (${name}))`;
    for (const n of names) {
      const v = this.given(n);
      if (v === undefined) this.line(n, 'secret', target, `empty; ${built}`);
      else if (this.isDevDefault(v)) this.line(n, 'secret', target, `embeds an upstream development default password; ${built}`, 'development-default');
      else if (SERVICE_URL.test(v)) this.line(n, 'secret', target, `points at compose's redis; ${built}`);
      else this.line(n, 'secret', target, `the given URL is not used; ${built}`, 'check');
    }
  }

  private database(): void {
    const type = this.given('DB_TYPE') ?? 'postgresql';
    const host = this.given('DB_HOST') ?? 'db_postgres';
    const embedded = ['db_postgres', 'db', 'db_mysql'].includes(host);
    if (embedded) {
      if (type !== 'postgresql')
        this.drop(
          'DB_TYPE',
          `compose's bundled ${type} is not carried over: dify-cdk8s embeds PostgreSQL (migrate the data, or point DB_HOST at a managed server)`,
          'check',
        );
      else this.typed('DB_TYPE', 'embedded PostgreSQL');
      this.typed('DB_HOST', `embedded PostgreSQL (${this.instance}-postgres)`);
      for (const [key, fixed] of [
        ['DB_PORT', '5432'],
        ['DB_USERNAME', 'postgres'],
        ['DB_DATABASE', 'dify'],
        ['DB_PLUGIN_DATABASE', 'dify_plugin'],
      ]) {
        if (this.given(key) === undefined || this.given(key) === fixed) this.typed(key, 'embedded PostgreSQL', `the embedded server uses ${fixed}`);
        else this.drop(key, `the embedded PostgreSQL uses ${fixed}; the given value is not carried over`, 'check');
      }
      return;
    }
    const password = this.credential(['DB_PASSWORD', 'POSTGRES_PASSWORD'], 'db-password', 'externalDatabase.password', true)!;
    const o: Record<string, Tree> = { host };
    const num = (k: string) => (this.given(k) !== undefined ? Number(this.given(k)) : undefined);
    o.port = num('DB_PORT');
    o.database = this.given('DB_DATABASE');
    o.pluginDatabase = this.given('DB_PLUGIN_DATABASE');
    o.username = this.given('DB_USERNAME') ?? 'postgres';
    o.password = password;
    const sslMode = /sslmode=([a-z-]+)/.exec(this.given('DB_EXTRAS') ?? '')?.[1] ?? (this.given('DB_SSL_MODE') === 'require' ? 'require' : undefined);
    const mysql = type === 'mysql';
    if (!mysql && sslMode) o.sslMode = sslMode;
    const f = mysql ? 'externalMysql' : 'external';
    this.props.externalDatabase = call(`DifyDatabase.${f}`, (x: never) => DifyDatabase[f](x), o, ['DifyDatabase']);
    this.typed('DB_TYPE', `externalDatabase (DifyDatabase.${f})`);
    const names: Array<[string, string]> = [
      ['DB_HOST', 'host'],
      ['DB_PORT', 'port'],
      ['DB_DATABASE', 'database'],
      ['DB_PLUGIN_DATABASE', 'pluginDatabase'],
      ['DB_USERNAME', 'username'],
    ];
    for (const [key, prop] of names) this.typed(key, `externalDatabase.${prop}`);
    if (!mysql && sslMode) {
      this.typed('DB_EXTRAS', `externalDatabase.sslMode = ${quote(sslMode)}`);
      this.typed('DB_SSL_MODE', `externalDatabase.sslMode = ${quote(sslMode)}`);
    }
  }

  private redis(): void {
    const host = this.given('REDIS_HOST') ?? 'redis';
    const sentinel = this.given('REDIS_USE_SENTINEL')?.toLowerCase() === 'true';
    if (this.given('REDIS_USE_CLUSTERS')?.toLowerCase() === 'true') {
      throw new Error(
        'from-env: REDIS_USE_CLUSTERS=true: configure ExternalRedis.cluster() by hand (Celery and the plugin daemon need a separate non-cluster Redis)',
      );
    }
    const port = Number(this.given('REDIS_PORT') ?? '6379');
    const tls = this.given('REDIS_USE_SSL')?.toLowerCase() === 'true';
    if (!sentinel && host === 'redis') {
      this.typed('REDIS_HOST', `embedded Redis (${this.instance}-redis)`);
      return;
    }
    const password = this.credential(['REDIS_PASSWORD', 'REDISCLI_AUTH'], 'redis-password', 'externalRedis.password', true)!;
    const o: Record<string, Tree> = {};
    const username = this.given('REDIS_USERNAME');
    const db = this.given('REDIS_DB') !== undefined ? Number(this.given('REDIS_DB')) : undefined;
    const plain = (k: string, v: Tree, target: string) => {
      if (this.given(k) !== undefined) {
        o[target] = v;
        this.typed(k, `externalRedis.${target}`);
      }
    };
    const nodes = (k: string) =>
      (this.given(k) ?? '')
        .split(',')
        .filter((x) => x.trim())
        .map((x) => {
          const [h, p] = x.trim().split(':');
          return p ? { host: h, port: Number(p) } : { host: h };
        });
    let broker: string;
    if (sentinel) {
      o.sentinels = nodes('REDIS_SENTINELS');
      this.typed('REDIS_USE_SENTINEL', 'externalRedis (ExternalRedis.sentinel)');
      this.typed('REDIS_SENTINELS', 'externalRedis.sentinels');
      plain('REDIS_SENTINEL_SERVICE_NAME', this.given('REDIS_SENTINEL_SERVICE_NAME'), 'masterName');
      plain('REDIS_SENTINEL_USERNAME', this.given('REDIS_SENTINEL_USERNAME'), 'sentinelUsername');
      plain('REDIS_SENTINEL_SOCKET_TIMEOUT', Number(this.given('REDIS_SENTINEL_SOCKET_TIMEOUT')), 'socketTimeoutSeconds');
      const sp = this.credential(['REDIS_SENTINEL_PASSWORD', 'CELERY_SENTINEL_PASSWORD'], 'redis-sentinel-password', 'externalRedis.sentinelPassword', false);
      if (sp) o.sentinelPassword = sp;
      broker = redisSentinelBrokerUrl({
        sentinels: evaluate(o.sentinels) as Array<{ host: string; port?: number }>,
        password: this.secrets['redis-password'],
        db: 1,
      });
    } else {
      o.host = host;
      this.typed('REDIS_HOST', 'externalRedis.host');
      if (this.given('REDIS_PORT') !== undefined) plain('REDIS_PORT', port, 'port');
      broker = redisBrokerUrl({ host, port, username, password: this.secrets['redis-password'], db: 1, ssl: tls });
    }
    plain('REDIS_USERNAME', username, 'username');
    o.password = password;
    plain('REDIS_DB', db, 'db');
    if (tls) {
      const t: Record<string, Tree> = {
        certReqs: this.given('REDIS_SSL_CERT_REQS'),
        caCertsPath: this.given('REDIS_SSL_CA_CERTS'),
        certFilePath: this.given('REDIS_SSL_CERTFILE'),
        keyFilePath: this.given('REDIS_SSL_KEYFILE'),
      };
      o.tls = t;
      this.typed('REDIS_USE_SSL', 'externalRedis.tls');
      for (const k of ['REDIS_SSL_CERT_REQS', 'REDIS_SSL_CA_CERTS', 'REDIS_SSL_CERTFILE', 'REDIS_SSL_KEYFILE'])
        if (this.given(k)) this.typed(k, 'externalRedis.tls');
    }
    const given = this.given('CELERY_BROKER_URL');
    if (given !== undefined && !this.isDevDefault(given) && !SERVICE_URL.test(given)) {
      this.secrets['celery-broker-url'] = given;
      this.line('CELERY_BROKER_URL', 'secret', `Secret ${this.secretName}/celery-broker-url`, '→ externalRedis.brokerUrl');
    } else {
      this.secrets['celery-broker-url'] = broker;
      this.brokerLine(`externalRedis (${sentinel ? 'Sentinels' : host})`);
    }
    o.brokerUrl = this.ref('celery-broker-url');
    // The agent backend keeps its own Redis DB (index 2) beside the app (0) and Celery (1).
    if (sentinel) this.props.agent = false;
    else {
      const agentUrl = this.given('DIFY_AGENT_REDIS_URL');
      const target = `Secret ${this.secretName}/agent-redis-url`;
      if (agentUrl !== undefined && !this.isDevDefault(agentUrl) && !SERVICE_URL.test(agentUrl)) {
        this.secrets['agent-redis-url'] = agentUrl;
        this.line('DIFY_AGENT_REDIS_URL', 'secret', target, '→ agent.redisUrl');
      } else {
        this.secrets['agent-redis-url'] = redisBrokerUrl({ host, port, username, password: this.secrets['redis-password'], db: 2, ssl: tls });
        this.line('DIFY_AGENT_REDIS_URL', 'secret', target, `built for externalRedis (${host}, DB 2) from the redis-password value (→ agent.redisUrl)`);
      }
      this.props.agent = { redisUrl: this.ref('agent-redis-url') };
    }
    const f = sentinel ? 'sentinel' : 'standalone';
    this.props.externalRedis = call(`ExternalRedis.${f}`, (x: never) => ExternalRedis[f](x), o, ['ExternalRedis']);
  }

  private brokerLine(where: string): void {
    const v = this.given('CELERY_BROKER_URL');
    const target = `Secret ${this.secretName}/celery-broker-url`;
    if (v !== undefined && this.isDevDefault(v)) {
      this.line(
        'CELERY_BROKER_URL',
        'secret',
        target,
        `embeds an upstream development default password: rebuilt for ${where} with the redis-password value`,
        'development-default',
      );
    } else this.line('CELERY_BROKER_URL', 'secret', target, `built for ${where} from the redis-password value`);
  }

  /** Calls a table-driven factory with the options the `.env` gives; marks every field key. */
  private factory(spec: FactorySpec, selector: string, prop: string, extra: Record<string, Tree> = {}): Code {
    const o: Record<string, Tree> = { ...extra };
    for (const [option, [key, kind]] of Object.entries(spec.fields)) {
      const v = this.given(key);
      if (kind === 'secret') {
        const ref = this.credential([key], kebab(key), `${prop}.${option}`, false);
        if (ref) o[option] = ref;
        continue;
      }
      if (v === undefined) {
        this.drop(key, `empty: ${prop}.${option} keeps its default`);
        continue;
      }
      o[option] = kind === 'number' ? Number(v) : kind === 'boolean' ? v.toLowerCase() === 'true' : v;
      this.typed(key, `${prop}.${option}`);
    }
    this.typed(selector, `${prop} = ${spec.factory}()`);
    return call(
      spec.factory,
      (x: never) => {
        try {
          return spec.impl(x);
        } catch (e) {
          throw new Error(`from-env: ${selector}=${this.env[selector] ?? ''}: ${(e as Error).message}`);
        }
      },
      o,
      [spec.import],
    );
  }

  /** Keys of factories that were not selected. */
  private unselected(table: Readonly<Record<string, FactorySpec>>, selector: string, chosen: string | undefined): void {
    for (const [value, spec] of Object.entries(table)) {
      if (value === chosen) continue;
      for (const [key] of Object.values(spec.fields)) {
        if (!this.lines.has(key)) this.drop(key, `setting of ${selector}=${value}, which is not selected`);
      }
    }
  }

  private storage(): void {
    const type = this.given('STORAGE_TYPE') ?? 'opendal';
    const spec = STORAGE[type];
    if (spec) {
      this.props.storage = this.factory(spec, 'STORAGE_TYPE', 'storage');
      this.drop('OPENDAL_SCHEME', 'not used with an object store');
      this.drop('OPENDAL_FS_ROOT', 'not used with an object store');
    } else {
      const scheme = this.given('OPENDAL_SCHEME') ?? 'fs';
      if ((type === 'opendal' && scheme === 'fs') || type === 'local') {
        this.typed('STORAGE_TYPE', 'storage (DifyStorage.persistentVolume(), the default)');
        this.typed('OPENDAL_SCHEME', 'storage (DifyStorage.persistentVolume(), the default)');
      } else {
        this.drop(
          'STORAGE_TYPE',
          `${type}${type === 'opendal' ? ` with OPENDAL_SCHEME=${scheme}` : ''} has no typed prop: the persistent volume is used instead`,
          'check',
        );
        this.drop('OPENDAL_SCHEME', `OpenDAL scheme ${scheme} has no typed prop`, 'check');
      }
      this.typed('OPENDAL_FS_ROOT', 'storage (the persistent volume)', 'dify-cdk8s mounts it at storage/');
      this.typed('STORAGE_LOCAL_PATH', 'storage (the persistent volume)');
    }
    this.unselected(STORAGE, 'STORAGE_TYPE', spec ? type : undefined);
  }

  private vectorStore(): void {
    const name = this.given('VECTOR_STORE') ?? 'weaviate';
    const endpoint = this.given('WEAVIATE_ENDPOINT');
    let chosen: string | undefined = name;
    if (name === 'weaviate' && (endpoint === undefined || SERVICE_URL.test(endpoint))) {
      this.typed('VECTOR_STORE', 'embedded Weaviate (the default)');
      this.typed('WEAVIATE_ENDPOINT', `embedded Weaviate (${this.instance}-weaviate)`);
      this.typed('WEAVIATE_GRPC_ENDPOINT', `embedded Weaviate (${this.instance}-weaviate)`);
    } else if (name === 'elasticsearch' || name === 'elasticsearch-ja') {
      const cloud = this.given('ELASTICSEARCH_USE_CLOUD')?.toLowerCase() === 'true';
      chosen = cloud ? 'elastic-cloud' : 'elasticsearch';
      const extra: Record<string, Tree> = name === 'elasticsearch-ja' ? { japanese: true } : {};
      if (!cloud) {
        const m = /^(?:(https?):\/\/)?(.*)$/.exec(this.given('ELASTICSEARCH_HOST') ?? '')!;
        extra.host = m[2];
        extra.scheme = m[1] ?? 'https';
        this.typed('ELASTICSEARCH_HOST', 'vectorStore.host and .scheme');
      }
      this.typed('ELASTICSEARCH_USE_CLOUD', `vectorStore = VectorStore.${cloud ? 'elasticCloud' : 'elasticsearch'}()`);
      this.props.vectorStore = this.factory(VECTOR_STORES[chosen], 'VECTOR_STORE', 'vectorStore', extra);
    } else if (VECTOR_STORES[name]) {
      this.props.vectorStore = this.factory(VECTOR_STORES[name], 'VECTOR_STORE', 'vectorStore');
    } else if (Object.hasOwn(CUSTOM_VECTOR_STORES, name)) {
      const prefixes = CUSTOM_VECTOR_STORES[name];
      const config: Record<string, string> = {};
      const secrets: Record<string, Tree> = {};
      for (const key of Object.keys(this.env)) {
        if (!prefixes.some((p) => key.startsWith(p)) || this.lines.has(key)) continue;
        const v = this.given(key);
        if (isCredential(key, this.env[key])) {
          const ref = this.credential([key], kebab(key), `vectorStore.secrets.${key}`, false);
          if (ref) secrets[key] = ref;
        } else if (v === undefined) this.drop(key, 'empty');
        else {
          config[key] = v;
          this.typed(key, `vectorStore.config.${key}`);
        }
      }
      this.typed('VECTOR_STORE', `vectorStore = VectorStore.custom({ name: ${quote(name)} })`);
      this.props.vectorStore = call('VectorStore.custom', (x: never) => VectorStore.custom(x), { name, config, secrets }, ['VectorStore']);
      chosen = undefined;
    } else {
      throw new Error(`from-env: VECTOR_STORE=${name}: not a vector store of Dify 1.16.1`);
    }
    this.unselected(VECTOR_STORES, 'VECTOR_STORE', chosen);
    if (name !== 'weaviate') {
      for (const key of Object.keys(this.env)) {
        if (key.startsWith('WEAVIATE_')) this.drop(key, `setting of VECTOR_STORE=weaviate, which is not selected (VECTOR_STORE is ${name})`);
      }
    }
    if (chosen === 'elastic-cloud') this.drop('ELASTICSEARCH_HOST', 'not used with Elastic Cloud');
  }

  private pluginStorage(): void {
    const type = this.given('PLUGIN_STORAGE_TYPE') ?? 'local';
    const spec = PLUGIN_STORAGE[type];
    if (spec) this.props.pluginStorage = this.factory(spec, 'PLUGIN_STORAGE_TYPE', 'pluginStorage');
    else if (type === 'local') {
      this.typed('PLUGIN_STORAGE_TYPE', 'pluginStorage (PluginStorage.local(), the default)');
      this.typed('PLUGIN_STORAGE_LOCAL_ROOT', 'pluginStorage (the plugin daemon volume)');
    } else throw new Error(`from-env: PLUGIN_STORAGE_TYPE=${type}: not a plugin storage of Dify 1.16.1 (${Object.keys(PLUGIN_STORAGE).join(', ')}, local)`);
    this.unselected(PLUGIN_STORAGE, 'PLUGIN_STORAGE_TYPE', spec ? type : undefined);
  }

  /** A typed setting: set when it differs from dify-cdk8s's default. */
  private setting(key: string, path: string[], value: (v: string) => Tree, dflt: Tree): void {
    const v = this.env[key];
    if (!this.has(key)) return;
    const parsed = value(v);
    const target = `settings.${path.join('.')}`;
    if (parsed === dflt) {
      this.typed(key, target, 'dify-cdk8s default; omitted');
      return;
    }
    let node: Record<string, Tree> = this.settings;
    for (const p of path.slice(0, -1)) {
      node[p] ??= {};
      node = node[p] as Record<string, Tree>;
    }
    node[path[path.length - 1]] = parsed;
    this.typed(key, `${target} = ${renderTs(parsed)}`);
  }

  /** Settings typed for upstream parity (lib/parity): extraEnv refuses their names, so they are set here. */
  private parityTypedSettings(str: (v: string) => string, num: (v: string) => number, bool: (v: string) => boolean): void {
    const list = (v: string) =>
      v
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean) as unknown as Tree;
    const specs: Array<[string, string[], (v: string) => Tree, Tree]> = [
      ['LOG_TZ', ['logTimezone'], str, 'UTC'],
      ['SERVER_WORKER_AMOUNT', ['processes', 'api', 'workers'], num, 1],
      ['SERVER_WORKER_CLASS', ['processes', 'api', 'workerClass'], str, 'gevent'],
      ['SERVER_WORKER_CONNECTIONS', ['processes', 'api', 'workerConnections'], num, 10],
      ['GUNICORN_TIMEOUT', ['processes', 'api', 'timeoutSeconds'], num, 360],
      ['API_WEBSOCKET_WORKER_AMOUNT', ['processes', 'apiWebsocket', 'workers'], num, 1],
      ['API_WEBSOCKET_WORKER_CLASS', ['processes', 'apiWebsocket', 'workerClass'], str, 'geventwebsocket.gunicorn.workers.GeventWebSocketWorker'],
      ['API_WEBSOCKET_WORKER_CONNECTIONS', ['processes', 'apiWebsocket', 'workerConnections'], num, 1000],
      ['API_WEBSOCKET_GUNICORN_TIMEOUT', ['processes', 'apiWebsocket', 'timeoutSeconds'], num, 360],
      ['CELERY_WORKER_CLASS', ['processes', 'worker', 'pool'], str, 'gevent'],
      ['SQLALCHEMY_POOL_SIZE', ['databasePool', 'size'], num, 30],
      ['SQLALCHEMY_MAX_OVERFLOW', ['databasePool', 'maxOverflow'], num, 10],
      ['SQLALCHEMY_POOL_RECYCLE', ['databasePool', 'recycleSeconds'], num, 3600],
      ['SQLALCHEMY_POOL_TIMEOUT', ['databasePool', 'timeoutSeconds'], num, 30],
      ['SQLALCHEMY_POOL_PRE_PING', ['databasePool', 'prePing'], bool, false],
      ['SQLALCHEMY_POOL_USE_LIFO', ['databasePool', 'useLifo'], bool, false],
      ['SQLALCHEMY_POOL_RESET_ON_RETURN', ['databasePool', 'resetOnReturn'], str, 'rollback'],
      ['SQLALCHEMY_ECHO', ['databasePool', 'echo'], bool, false],
      ['MARKETPLACE_API_URL', ['marketplace', 'apiUrl'], str, 'https://marketplace.dify.ai'],
      ['MARKETPLACE_URL', ['marketplace', 'url'], str, 'https://marketplace.dify.ai'],
      ['TEXT_GENERATION_TIMEOUT_MS', ['web', 'textGenerationTimeoutMs'], num, 60000],
      ['ALLOW_EMBED', ['web', 'allowEmbed'], bool, false],
      ['ALLOW_UNSAFE_DATA_SCHEME', ['web', 'allowUnsafeDataScheme'], bool, false],
      ['CSP_WHITELIST', ['web', 'cspWhitelist'], list, ''],
      ['NEXT_PUBLIC_BATCH_CONCURRENCY', ['web', 'batchConcurrency'], num, 5],
      ['TURNSTILE_SITE_KEY', ['web', 'turnstileSiteKey'], str, ''],
      ['ENABLE_WEBSITE_JINAREADER', ['web', 'websiteImport', 'jinaReader'], bool, true],
      ['ENABLE_WEBSITE_FIRECRAWL', ['web', 'websiteImport', 'firecrawl'], bool, true],
      ['ENABLE_WEBSITE_WATERCRAWL', ['web', 'websiteImport', 'watercrawl'], bool, true],
      ['TOP_K_MAX_VALUE', ['limits', 'topKMaxValue'], num, 10],
      ['INDEXING_MAX_SEGMENTATION_TOKENS_LENGTH', ['limits', 'indexingMaxSegmentationTokensLength'], num, 4000],
      ['LOOP_NODE_MAX_COUNT', ['limits', 'loopNodeMaxCount'], num, 100],
      ['MAX_TOOLS_NUM', ['limits', 'maxToolsNum'], num, 10],
      ['MAX_PARALLEL_LIMIT', ['limits', 'maxParallelLimit'], num, 10],
      ['MAX_ITERATIONS_NUM', ['limits', 'maxIterationsNum'], num, 99],
      ['MAX_TREE_DEPTH', ['limits', 'maxTreeDepth'], num, 50],
      ['SANDBOX_ENABLE_NETWORK', ['sandbox', 'enableNetwork'], bool, true],
      ['PIP_MIRROR_URL', ['pipMirrorUrl'], str, ''],
      ['PLUGIN_MAX_PACKAGE_SIZE', ['plugins', 'maxPackageSizeBytes'], num, 52428800],
      ['PLUGIN_MAX_EXECUTION_TIMEOUT', ['plugins', 'maxExecutionTimeoutSeconds'], num, 600],
      ['PLUGIN_PYTHON_ENV_INIT_TIMEOUT', ['plugins', 'pythonEnvInitTimeoutSeconds'], num, 120],
      ['PLUGIN_STDIO_BUFFER_SIZE', ['plugins', 'stdioBufferSize'], num, 1024],
      ['PLUGIN_STDIO_MAX_BUFFER_SIZE', ['plugins', 'stdioMaxBufferSize'], num, 5242880],
      ['FORCE_VERIFYING_SIGNATURE', ['plugins', 'forceVerifyingSignature'], bool, true],
      ['PLUGIN_PPROF_ENABLED', ['plugins', 'pprofEnabled'], bool, false],
      ['POSTGRES_MAX_CONNECTIONS', ['postgres', 'maxConnections'], num, 200],
      ['POSTGRES_SHARED_BUFFERS', ['postgres', 'sharedBuffers'], str, '128MB'],
      ['POSTGRES_WORK_MEM', ['postgres', 'workMem'], str, '4MB'],
      ['POSTGRES_MAINTENANCE_WORK_MEM', ['postgres', 'maintenanceWorkMem'], str, '64MB'],
      ['POSTGRES_EFFECTIVE_CACHE_SIZE', ['postgres', 'effectiveCacheSize'], str, '4096MB'],
      ['POSTGRES_STATEMENT_TIMEOUT', ['postgres', 'statementTimeoutMs'], num, 0],
      ['POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT', ['postgres', 'idleInTransactionSessionTimeoutMs'], num, 0],
      ['WEAVIATE_QUERY_DEFAULTS_LIMIT', ['weaviate', 'queryDefaultsLimit'], num, 25],
      ['WEAVIATE_ENABLE_TOKENIZER_GSE', ['weaviate', 'tokenizers', 'gse'], bool, false],
      ['WEAVIATE_ENABLE_TOKENIZER_KAGOME_JA', ['weaviate', 'tokenizers', 'kagomeJa'], bool, false],
      ['WEAVIATE_ENABLE_TOKENIZER_KAGOME_KR', ['weaviate', 'tokenizers', 'kagomeKr'], bool, false],
    ];
    for (const [key, path, parse, dflt] of specs) if (this.given(key) !== undefined) this.setting(key, path, parse, dflt);
    // The worker entrypoint reads CELERY_MAX_WORKERS/MIN_WORKERS only with CELERY_AUTO_SCALE=true.
    if (this.given('CELERY_AUTO_SCALE')?.toLowerCase() === 'true' && this.given('CELERY_MAX_WORKERS') !== undefined) {
      this.setting('CELERY_MAX_WORKERS', ['processes', 'worker', 'autoscale', 'maxWorkers'], num, -1);
      this.setting('CELERY_MIN_WORKERS', ['processes', 'worker', 'autoscale', 'minWorkers'], num, 1);
      this.typed('CELERY_AUTO_SCALE', 'settings.processes.worker.autoscale');
    } else {
      this.setting('CELERY_WORKER_AMOUNT', ['processes', 'worker', 'concurrency'], num, 4);
    }
  }

  private settingsProps(): void {
    const str = (v: string) => v;
    const num = (v: string) => Number(v);
    const bool = (v: string) => v.toLowerCase() === 'true';
    this.setting('LOG_LEVEL', ['logLevel'], (v) => v.toUpperCase(), 'INFO');
    this.setting('LOG_OUTPUT_FORMAT', ['logFormat'], str, 'text');
    this.setting('DEPLOY_ENV', ['deployEnv'], str, 'PRODUCTION');
    this.setting('CHECK_UPDATE_URL', ['checkUpdateUrl'], str, 'https://updates.dify.ai');
    this.setting('MARKETPLACE_ENABLED', ['marketplaceEnabled'], bool, true);
    const uploads: Array<[string, string, number]> = [
      ['UPLOAD_FILE_SIZE_LIMIT', 'fileSizeLimitMb', 15],
      ['UPLOAD_FILE_BATCH_LIMIT', 'fileBatchLimit', 5],
      ['UPLOAD_IMAGE_FILE_SIZE_LIMIT', 'imageFileSizeLimitMb', 10],
      ['UPLOAD_VIDEO_FILE_SIZE_LIMIT', 'videoFileSizeLimitMb', 100],
      ['UPLOAD_AUDIO_FILE_SIZE_LIMIT', 'audioFileSizeLimitMb', 50],
    ];
    for (const [key, prop, d] of uploads) this.setting(key, ['uploads', prop], num, d);
    const code: Array<[string, string, number]> = [
      ['CODE_MAX_STRING_LENGTH', 'maxStringLength', 400000],
      ['CODE_MAX_DEPTH', 'maxDepth', 5],
      ['CODE_MAX_STRING_ARRAY_LENGTH', 'maxStringArrayLength', 30],
      ['CODE_MAX_OBJECT_ARRAY_LENGTH', 'maxObjectArrayLength', 30],
      ['CODE_MAX_NUMBER_ARRAY_LENGTH', 'maxNumberArrayLength', 1000],
      ['CODE_EXECUTION_READ_TIMEOUT', 'readTimeoutSeconds', 60],
      ['SANDBOX_WORKER_TIMEOUT', 'sandboxWorkerTimeoutSeconds', 15],
    ];
    for (const [key, prop, d] of code) this.setting(key, ['codeExecution', prop], num, d);
    this.parityTypedSettings(str, num, bool);
    if (this.given('ENABLE_OTEL')?.toLowerCase() === 'true') {
      const otel: Record<string, Tree> = { endpoint: this.given('OTLP_BASE_ENDPOINT') ?? 'http://localhost:4318' };
      this.typed('ENABLE_OTEL', 'settings.otel');
      this.typed('OTLP_BASE_ENDPOINT', 'settings.otel.endpoint');
      const protocol = this.given('OTEL_EXPORTER_OTLP_PROTOCOL');
      if (protocol) {
        otel.protocol = protocol;
        this.typed('OTEL_EXPORTER_OTLP_PROTOCOL', 'settings.otel.protocol');
      }
      if (this.given('OTEL_SAMPLING_RATE')) {
        otel.samplingRate = Number(this.given('OTEL_SAMPLING_RATE'));
        this.typed('OTEL_SAMPLING_RATE', 'settings.otel.samplingRate');
      }
      this.typed('OTEL_EXPORTER_TYPE', 'settings.otel', 'dify-cdk8s exports OTLP');
      const key = this.credential(['OTLP_API_KEY'], 'otlp-api-key', 'settings.otel.apiKey', false);
      if (key) otel.apiKey = key;
      this.settings.otel = otel;
    }
  }

  private mail(): void {
    const type = this.given('MAIL_TYPE');
    const from = this.given('MAIL_DEFAULT_SEND_FROM');
    if (type === 'smtp') {
      const o: Record<string, Tree> = { server: this.given('SMTP_SERVER'), from };
      if (this.given('SMTP_PORT')) o.port = Number(this.given('SMTP_PORT'));
      if (this.given('SMTP_USERNAME')) {
        o.username = this.given('SMTP_USERNAME');
        o.password = this.credential(['SMTP_PASSWORD'], 'smtp-password', 'settings.mail.password', true);
      }
      if (this.given('SMTP_USE_TLS')) o.useTls = this.given('SMTP_USE_TLS')!.toLowerCase() === 'true';
      if (this.given('SMTP_OPPORTUNISTIC_TLS')) o.opportunisticTls = this.given('SMTP_OPPORTUNISTIC_TLS')!.toLowerCase() === 'true';
      for (const k of ['SMTP_SERVER', 'SMTP_PORT', 'SMTP_USERNAME', 'SMTP_USE_TLS', 'SMTP_OPPORTUNISTIC_TLS', 'MAIL_DEFAULT_SEND_FROM']) {
        if (this.given(k) !== undefined) this.typed(k, `settings.mail (DifyMail.smtp) ${k}`);
      }
      this.settings.mail = call('DifyMail.smtp', (x: never) => DifyMail.smtp(x), o, ['DifyMail']);
      this.typed('MAIL_TYPE', 'settings.mail = DifyMail.smtp()');
    } else if (type === 'resend') {
      const o: Record<string, Tree> = { apiKey: this.credential(['RESEND_API_KEY'], 'resend-api-key', 'settings.mail.apiKey', true), from };
      if (this.given('RESEND_API_URL')) {
        o.apiUrl = this.given('RESEND_API_URL');
        this.typed('RESEND_API_URL', 'settings.mail.apiUrl');
      }
      if (from !== undefined) this.typed('MAIL_DEFAULT_SEND_FROM', 'settings.mail.from');
      this.settings.mail = call('DifyMail.resend', (x: never) => DifyMail.resend(x), o, ['DifyMail']);
      this.typed('MAIL_TYPE', 'settings.mail = DifyMail.resend()');
    } else if (type !== undefined) {
      this.drop('MAIL_TYPE', `${type} has no typed prop (smtp and resend do); no mail is configured`, 'check');
    }
    const mailers: Array<[RegExp, string]> = [
      [/^SMTP_/, 'smtp'],
      [/^RESEND_/, 'resend'],
      [/^SENDGRID_/, 'sendgrid'],
    ];
    for (const k of Object.keys(this.env)) {
      const owner = mailers.find(([re]) => re.test(k))?.[1];
      if (owner === undefined || owner === type) continue;
      this.drop(
        k,
        this.given(k) === undefined ? 'empty' : `setting of MAIL_TYPE=${owner}, which is not selected (MAIL_TYPE is ${type ?? 'not set'}); not carried over`,
      );
    }
    if (type === undefined)
      this.drop('MAIL_DEFAULT_SEND_FROM', this.given('MAIL_DEFAULT_SEND_FROM') === undefined ? 'empty' : 'no mail configured (MAIL_TYPE is not set)');
  }

  private sizing(): void {
    // On the default ReadWriteOnce storage claim every role runs one pod (more is a synth error): the compose host's
    // process counts are carried per pod by settings.processes; scaling out needs ReadWriteMany or object storage.
    if (this.props.storage === undefined) return;
    const api = Number(this.given('SERVER_WORKER_AMOUNT') ?? '1');
    if (api > 1) {
      this.component('api').replicas = api;
      this.typed('SERVER_WORKER_AMOUNT', `components.api.replicas = ${api}`, 'dify-cdk8s runs one gunicorn worker per api pod and scales with replicas');
    }
    const auto = this.given('CELERY_AUTO_SCALE')?.toLowerCase() === 'true';
    const max = Number(this.given('CELERY_MAX_WORKERS') ?? '0');
    const min = Number(this.given('CELERY_MIN_WORKERS') ?? '0');
    if (auto && max > 0) {
      const a = { minReplicas: Math.max(1, Math.ceil(min / 4)), maxReplicas: Math.max(1, Math.ceil(max / 4), Math.ceil(min / 4)) };
      this.component('worker').autoscaling = a;
      const reason = 'dify-cdk8s runs 4 Celery processes per worker pod and scales pods instead';
      this.typed('CELERY_AUTO_SCALE', 'components.worker.autoscaling', reason);
      this.typed('CELERY_MAX_WORKERS', `components.worker.autoscaling.maxReplicas = ${a.maxReplicas}`, reason);
      this.typed('CELERY_MIN_WORKERS', `components.worker.autoscaling.minReplicas = ${a.minReplicas}`, reason);
    }
    const workers = Number(this.given('CELERY_WORKER_AMOUNT') ?? '4');
    if (!auto && workers > 4) {
      const replicas = Math.ceil(workers / 4);
      this.component('worker').replicas = replicas;
      this.typed('CELERY_WORKER_AMOUNT', `components.worker.replicas = ${replicas}`, 'dify-cdk8s runs 4 Celery processes per worker pod');
    }
  }

  private component(name: string): Record<string, Tree> {
    this.components[name] ??= {};
    return this.components[name] as Record<string, Tree>;
  }

  private ssrf(): void {
    const list = (k: string) =>
      (this.given(k) ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
    const ips = list('SSRF_PROXY_ALLOW_PRIVATE_IPS');
    const domains = list('SSRF_PROXY_ALLOW_PRIVATE_DOMAINS');
    const o: Record<string, Tree> = {};
    if (ips.length) {
      o.allowPrivateIps = ips;
      this.typed('SSRF_PROXY_ALLOW_PRIVATE_IPS', 'ssrfProxy.allowPrivateIps');
    }
    if (domains.length) {
      o.allowPrivateDomains = domains;
      this.typed('SSRF_PROXY_ALLOW_PRIVATE_DOMAINS', 'ssrfProxy.allowPrivateDomains');
    }
    if (ips.length || domains.length) this.props.ssrfProxy = o;
  }

  // ---- everything else ------------------------------------------------------------------------

  /** A key no typed prop took: the Secret, extraEnv/webExtraEnv, or dropped with the reason. */
  private rest(key: string, synthesized: Synthesized): void {
    const r = synthesized.env;
    const v = this.env[key];
    const reads = this.up.reads.get(key) ?? [];
    if (isCredential(key, v)) {
      this.secretEnv(key, reads, r);
      return;
    }
    if (this.given(key) === undefined) {
      this.drop(key, 'empty: not set');
      return;
    }
    if (SERVICE_URL.test(v.trim())) {
      this.drop(key, 'points at a docker compose service; dify-cdk8s wires its own Services');
      return;
    }
    const apiReads = reads.filter((x) => x.service === 'api' || x.service === 'worker');
    const webReads = reads.filter((x) => x.service === 'web');
    const others = reads.filter((x) => !['api', 'worker', 'worker_beat', 'web', 'api_websocket'].includes(x.service));
    const known = Object.hasOwn(this.up.defaults, key);
    const isDefault = this.isUpstreamDefault(key);
    if (others.length > 0 && apiReads.length === 0 && webReads.length === 0) {
      const where = others.map((x) => `${x.service} as ${x.variable}`).join(', ');
      const comps = [...new Set(others.map((x) => COMPONENT_OF_SERVICE[x.service]).filter(Boolean))];
      const rendered = others.map((x) => r[COMPONENT_OF_SERVICE[x.service] ?? '']?.plain[x.variable]).find((x) => x !== undefined);
      if (rendered === v) this.typed(key, comps.join(', '), `dify-cdk8s renders the same value (${where})`);
      else if (isDefault) this.drop(key, `default unchanged (read by ${where})`);
      else if (comps.length === 0) this.drop(key, `read only by ${where}, which dify-cdk8s does not run`, 'check');
      else this.componentSetting(key, where);
      return;
    }
    const webOnly = key.startsWith('NEXT_PUBLIC_') || isWebOnly(key);
    const backendNames = [...new Set([...(webOnly ? [] : [key]), ...apiReads.map((x) => x.variable)])];
    const webNames = [...new Set([...(key.startsWith('NEXT_PUBLIC_') ? [key] : []), ...webReads.map((x) => x.variable)])];
    const outcomes: string[] = [];
    const targets: string[] = [];
    const place = (names: string[], rendered: Rendered, extra: Record<string, string>, prop: string) => {
      const typedNames = TYPED_NAMES[prop === 'settings.webExtraEnv' ? 'web' : 'backend'];
      for (const name of names) {
        const now = rendered.plain[name];
        const parity = ENV_PARITY[name];
        if (now !== undefined || rendered.secret.has(name)) {
          outcomes.push(now === v ? `same:${name}` : `managed:${name}=${now ?? '<secret>'}`);
        } else if (isDefault) outcomes.push(`default:${name}`);
        else if (typedNames.has(name)) outcomes.push(`typed:${typedNames.get(name)}`);
        else if (parity?.kind === 'typed') outcomes.push(`managed:${name} through ${parity.prop}`);
        else {
          extra[name] = v;
          targets.push(`${prop}.${name}`);
        }
      }
    };
    place(backendNames, mergeRendered(r.api, r.worker), this.extraEnv, 'settings.extraEnv');
    place(webNames, r.web, this.webExtraEnv, 'settings.webExtraEnv');
    const note = known ? '' : "not in upstream's env.example; ";
    if (targets.length > 0) {
      this.line(
        key,
        'extraEnv',
        targets.join(' + '),
        `${note}passed through unchanged${targets.some((t) => !t.endsWith(`.${key}`)) ? ' (renamed as compose does)' : ''}`,
      );
      return;
    }
    const typedProp = outcomes.find((x) => x.startsWith('typed:'));
    if (typedProp) {
      this.drop(key, `a typed property carries it and extraEnv refuses the name: set ${typedProp.slice('typed:'.length)} by hand`, 'check');
      return;
    }
    const managed = outcomes.find((x) => x.startsWith('managed:'));
    if (outcomes.length > 0 && outcomes.every((x) => x.startsWith('same:'))) this.typed(key, 'rendered by dify-cdk8s', 'dify-cdk8s renders the same value');
    else if (managed && !isDefault)
      this.drop(key, `dify-cdk8s sets ${managed.slice('managed:'.length)}${HINTS[key] ? ` (${HINTS[key]})` : ''}; extraEnv cannot override it`, 'check');
    else if (managed) this.drop(key, `default unchanged; dify-cdk8s sets ${managed.slice('managed:'.length)}${HINTS[key] ? ` (${HINTS[key]})` : ''}`);
    else this.drop(key, "default unchanged: the image's own default applies");
  }

  /**
   * A credential no typed prop reads: by Secret reference (`components.<c>.secretEnv`) into the components that
   * read it (the library's parity table, else compose's own environment blocks, else api and worker for a name
   * upstream does not know), so the Secret holds only keys the installation reads.
   */
  private secretEnv(key: string, reads: readonly ServiceRead[], r: Record<string, Rendered>): void {
    const v = this.env[key];
    if (this.given(key) === undefined) {
      this.drop(key, 'empty');
      return;
    }
    const parity = ENV_PARITY[key];
    const known = Object.hasOwn(this.up.defaults, key);
    let targets: SecretTarget[];
    if (parity?.kind === 'secretEnv') targets = parityDeliveries(key, parity).map((d) => ({ component: d.component, variable: d.name }));
    else if (Object.hasOwn(UNTYPED_CREDENTIALS, key)) targets = UNTYPED_CREDENTIALS[key].map((c: ParityComponent) => ({ component: c, variable: key }));
    else if (reads.length > 0) targets = reads.map((x) => ({ component: COMPONENT_OF_SERVICE[x.service] ?? `(${x.service})`, variable: x.variable }));
    else if (!known) targets = ['api', 'worker'].map((c) => ({ component: c, variable: key }));
    else {
      const why =
        parity?.kind === 'notApplicable' ? parity.reason : parity?.kind === 'typed' ? `a typed property carries it (${parity.prop}): set it by hand` : '';
      this.drop(key, `not carried over${why ? `: ${why}` : ''}`, 'check');
      return;
    }
    const dev = this.isDevDefault(v);
    const running = targets.filter((t) => r[t.component] !== undefined);
    const free = running.filter((t) => r[t.component].plain[t.variable] === undefined && !r[t.component].secret.has(t.variable));
    if (free.length === 0) {
      const where = [...new Set(targets.map((t) => t.component))].join(', ');
      const reason =
        running.length === 0
          ? `read only by ${where}, which this installation does not run: not carried over`
          : `dify-cdk8s sets ${running.map((t) => `${t.variable} on ${t.component}`).join(', ')} itself: not carried over`;
      this.drop(key, `${dev ? 'upstream development default; ' : ''}${reason}`, dev ? 'development-default' : 'check');
      return;
    }
    const dataKey = kebab(key);
    this.secrets[dataKey] = dev ? this.fresh() : v;
    for (const t of free) {
      const component = this.component(t.component);
      component.secretEnv = { ...((component.secretEnv as Record<string, Tree>) ?? {}), [t.variable]: this.ref(dataKey) };
    }
    this.line(
      key,
      'secret',
      `Secret ${this.secretName}/${dataKey} → ${free.map((t) => `components.${t.component}.secretEnv.${t.variable}`).join(' + ')}`,
      `${dev ? 'upstream development default, never carried over: a fresh random value is stored instead; ' : ''}${known ? '' : "not in upstream's env.example; "}a credential no typed prop reads, by Secret reference`,
      dev ? 'development-default' : undefined,
    );
  }

  /**
   * A changed setting only components other than api/worker/web read (plugin daemon, sandbox, agent backend): the
   * library's parity table says what carries it — a typed prop, or a value the installation fixes.
   */
  private componentSetting(key: string, where: string): void {
    const parity = ENV_PARITY[key];
    const why =
      parity?.kind === 'typed'
        ? `a typed property carries it: set ${parity.prop} by hand`
        : parity?.kind === 'fixed' || parity?.kind === 'notApplicable'
          ? parity.reason
          : parity?.kind === 'extraEnv' && parity.default
            ? `a default of the component (${parity.default.value}: ${parity.default.reason}); ${parityDeliveries(key, parity)
                .map((d) => `${parityRoute('extraEnv', d.component)}.${d.name}`)
                .join(' + ')} replaces it: set it by hand`
            : 'dify-cdk8s configures it itself';
    this.drop(key, `read by ${where}; ${why}`, 'check');
  }

  // ---- output ---------------------------------------------------------------------------------

  private environment(): Tree {
    const secrets = new Code(`DifySecrets.existing(credentials)`, () => DifySecrets.existing(this.secretName), ['DifySecrets']);
    const dify: Record<string, Tree> = { ...this.props, secrets };
    if (Object.keys(this.settings).length) dify.settings = { ...this.settings };
    if (Object.keys(this.components).length) dify.components = { ...this.components };
    return { name: this.o.name, namespace: this.o.namespace ?? 'dify', dify };
  }

  /** Synthesizes the environment in memory: what each component's environment holds, which parts exist. */
  private render(environment: Tree): Synthesized {
    try {
      const env = evaluate(environment) as Environment;
      const chart = new Chart(Testing.app(), 'from-env', { namespace: env.namespace });
      const dify = new Dify(chart, 'Dify', env.dify as DifyProps);
      return {
        env: renderedEnv(Testing.synth(chart) as SynthObject[]),
        embedded: { postgres: dify.postgres !== undefined, redis: dify.redis !== undefined, weaviate: dify.weaviate !== undefined },
        agent: dify.agent !== undefined,
      };
    } catch (e) {
      const message = (e as Error).message;
      throw new Error(message.startsWith('from-env:') ? message : `from-env: the converted environment does not synthesize: ${message}`);
    }
  }

  private source(): string {
    const environment = this.environment();
    const body = renderTs(environment);
    // The `cred` helper (and its type) only when a credential is read by reference: no unused declaration.
    const usesCred = body.includes('cred(');
    const own = this.o.environmentsImport === undefined;
    const imports = [...new Set([...(usesCred ? ['SecretKeyRef'] : []), ...(own ? ['DifyProps'] : []), ...importsOf(environment)])].sort();
    return [
      `// Generated by \`dify-cdk8s from-env\` from ${this.o.sourceName ?? '.env'}; review it, then own it.`,
      `// Credentials are never in this file: they are keys of the Secret ${this.secretName}.`,
      `import { ${imports.join(', ')} } from ${quote(this.o.libImport ?? PACKAGE_NAME)};`,
      ...(own
        ? [
            '',
            '/** One installation: `new Dify(new Chart(app, env.name, { namespace: env.namespace }), "Dify", env.dify)`. */',
            'export interface Environment {',
            '  readonly name: string;',
            '  readonly namespace: string;',
            '  readonly dify: DifyProps;',
            '}',
          ]
        : [`import { Environment } from ${quote(this.o.environmentsImport!)};`]),
      '',
      `const credentials = ${quote(this.secretName)};`,
      ...(usesCred ? ['const cred = (key: string): SecretKeyRef => SecretKeyRef.of(credentials, key);'] : []),
      '',
      `export const ${this.exportName()}: Environment = ${body};`,
      '',
    ].join('\n');
  }

  private exportName(): string {
    return this.o.name.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
  }
}

type SynthObject = { kind: string; metadata: { name: string; labels?: Record<string, string> }; data?: Record<string, string>; spec?: any };

/** Per component (camelCase of its label): the plain and Secret-backed env of its Deployment or StatefulSet. */
function renderedEnv(objects: SynthObject[]): Record<string, Rendered> {
  const configMaps = new Map(objects.filter((x) => x.kind === 'ConfigMap').map((x) => [x.metadata.name, x.data ?? {}]));
  const out: Record<string, Rendered> = {};
  for (const obj of objects) {
    if (!['Deployment', 'StatefulSet'].includes(obj.kind)) continue;
    const label = obj.metadata.labels?.['app.kubernetes.io/component'] ?? '';
    const component = label.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    const rendered: Rendered = { plain: {}, secret: new Set() };
    for (const c of obj.spec.template.spec.containers as Array<{
      env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
      envFrom?: Array<{ configMapRef?: { name: string } }>;
    }>) {
      for (const from of c.envFrom ?? []) Object.assign(rendered.plain, configMaps.get(from.configMapRef?.name ?? '') ?? {});
      for (const e of c.env ?? []) {
        if (e.valueFrom) rendered.secret.add(e.name);
        else rendered.plain[e.name] = e.value ?? '';
      }
    }
    out[component] = rendered;
  }
  for (const c of [...BACKEND_COMPONENTS, 'web']) out[c] ??= { plain: {}, secret: new Set() };
  return out;
}

/** Hints for variables dify-cdk8s sets itself. */
const HINTS: Readonly<Record<string, string>> = {
  CELERY_WORKER_AMOUNT: 'settings.processes.worker, or scale with components.worker.replicas',
  SERVER_WORKER_AMOUNT: 'settings.processes.api, or scale with components.api.replicas',
  GUNICORN_TIMEOUT: 'settings.processes.api.timeoutSeconds',
  ENABLE_COLLABORATION_MODE: 'follows whether the collaboration websocket is deployed (collaboration: false turns both off)',
  LOG_TZ: 'settings.logTimezone',
};

/** Web-frontend settings compose gives web only (api has no such setting). */
function isWebOnly(key: string): boolean {
  return [
    'TEXT_GENERATION_TIMEOUT_MS',
    'CSP_WHITELIST',
    'ALLOW_UNSAFE_DATA_SCHEME',
    'EXPERIMENTAL_ENABLE_VINEXT',
    'MARKETPLACE_URL',
    'ENABLE_WEBSITE_JINAREADER',
    'ENABLE_WEBSITE_FIRECRAWL',
    'ENABLE_WEBSITE_WATERCRAWL',
    'NEXT_TELEMETRY_DISABLED',
  ].includes(key);
}

function mergeRendered(a: Rendered, b: Rendered): Rendered {
  return { plain: { ...b.plain, ...a.plain }, secret: new Set([...a.secret, ...b.secret]) };
}

/** `S3_SECRET_KEY` → `s3-secret-key`. */
export function kebab(name: string): string {
  return name.toLowerCase().replace(/_/g, '-');
}

function sortObject<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
