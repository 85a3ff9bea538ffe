import { IConstruct } from 'constructs';
import { Chart } from 'cdk8s';
import { IConnectable, isConnectable } from '../core/connections';
import { EnvSet } from '../core/env';
import { SecretKeyRef, FileSource } from '../core/secret-ref';
import { bracketIpv6, invalid } from '../core/validation';

/** libpq `sslmode` values. */
export type PostgresSslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

/** Every {@link PostgresSslMode}, in libpq's order of strictness. */
export const POSTGRES_SSL_MODES: readonly PostgresSslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/** How Dify reaches its PostgreSQL server. Embedded stores and external services both provide one. */
export interface PostgresConnection {
  /** Host name (DB_HOST). */
  readonly host: string;
  /** Port (DB_PORT). */
  readonly port: number;
  /** Dify's database (DB_DATABASE). */
  readonly database: string;
  /** The plugin daemon's database (DB_PLUGIN_DATABASE). */
  readonly pluginDatabase: string;
  /** User (DB_USERNAME). */
  readonly username: string;
  /** Password (DB_PASSWORD). */
  readonly password: SecretKeyRef;
  /**
   * TLS mode: api-image roles get `DB_EXTRAS=sslmode=<mode>`, the plugin
   * daemon `DB_SSL_MODE` (it accepts only `disable`/`require`, see
   * {@link pluginDaemonSslMode}).
   * @default - not rendered: api image uses libpq's default, the daemon "disable"
   */
  readonly sslMode?: PostgresSslMode;
  /** CA certificate the api-image roles verify the server with (libpq `sslrootcert`), mounted from a Secret or ConfigMap key. @default - none */
  readonly sslRootCert?: FileSource;
}

/** Something that renders its own connection settings for Dify's processes. */
export interface ConnectionEnvRenderer {
  /** Environment of api, worker, beat and the migration Job. */
  backendEnv(): EnvSet;
  /** Environment of the plugin daemon. */
  pluginDaemonEnv(): EnvSet;
}

/** How Dify reaches Redis: the shape the embedded {@link DifyRedis} store provides. */
export interface RedisConnection {
  /** Host name (REDIS_HOST). */
  readonly host: string;
  /** Port (REDIS_PORT). */
  readonly port: number;
  /** Password (REDIS_PASSWORD). */
  readonly password: SecretKeyRef;
  /** Complete Celery broker URL with the password embedded (CELERY_BROKER_URL): a credential, so a Secret key. */
  readonly celeryBrokerUrl: SecretKeyRef;
}

/** A Redis the backend and the plugin daemon can use: the embedded store's shape or an external connection. */
export type RedisConnectionLike = RedisConnection | ConnectionEnvRenderer;

/** A plain `host:port` network endpoint of an in-cluster Service. */
export interface ServiceEndpoint {
  /** Service DNS name, resolvable from the installation's namespace. */
  readonly host: string;
  /** Service port. */
  readonly port: number;
}

/** `http://host:port` of an endpoint; from a `client` in another namespace, with its namespace-qualified host ({@link hostFrom}). */
export function httpUrl(e: ServiceEndpoint & Partial<IConnectable>, client?: IConstruct): string {
  return `http://${client ? hostFrom(client, e) : e.host}:${e.port}`;
}

/** Namespace of the chart `c` is in, if any. */
export function chartNamespaceOf(c: IConstruct): string | undefined {
  try {
    return Chart.of(c).namespace;
  } catch {
    return undefined;
  }
}

/**
 * The host `client` reaches `target` by: its Service name when both are in
 * one namespace (or `target` is not a Dify component), and
 * `<service>.<namespace>.svc` when `target`'s pods run in another namespace
 * (resolved through the pod's DNS search path whatever the cluster domain).
 */
export function hostFrom(client: IConstruct, target: ServiceEndpoint & Partial<IConnectable>): string {
  const ns = isConnectable(target) && target.connections.pods ? target.connections.namespace : undefined;
  if (ns === undefined || ns === chartNamespaceOf(client) || target.host.includes('.')) return target.host;
  return `${target.host}.${ns}.svc`;
}

/** Host validation lives with the other validators (lib/core/validation); re-exported for the config modules. */
export { validateServiceHost } from '../core/validation';

/** A credential given as a {@link SecretKeyRef} (guards JavaScript callers and missing values). */
export function validateSecretKeyRef(prop: string, value: unknown, what: string): SecretKeyRef {
  if (!(value instanceof SecretKeyRef)) {
    invalid(prop, value === undefined ? undefined : '<not a SecretKeyRef>', `must be a SecretKeyRef to ${what}`);
  }
  return value;
}

function rendersItself(c: object): c is ConnectionEnvRenderer {
  return typeof (c as Partial<ConnectionEnvRenderer>).backendEnv === 'function' && typeof (c as Partial<ConnectionEnvRenderer>).pluginDaemonEnv === 'function';
}

/**
 * The plugin daemon's DB_SSL_MODE for a libpq mode: the daemon validates
 * `oneof=disable require`, so every encrypting mode maps to `require`
 * (encrypted; the daemon does not verify the server certificate) and
 * `allow`/`prefer` map to `disable`.
 */
export function pluginDaemonSslMode(mode: PostgresSslMode | undefined): 'disable' | 'require' {
  if (mode !== undefined && !POSTGRES_SSL_MODES.includes(mode)) {
    invalid('database.sslMode', mode, `must be one of ${POSTGRES_SSL_MODES.join(', ')}`);
  }
  return mode === 'require' || mode === 'verify-ca' || mode === 'verify-full' ? 'require' : 'disable';
}

/** DB_* of api, worker, beat and the migration Job for a plain PostgreSQL connection. */
export function postgresBackendEnv(c: PostgresConnection): EnvSet {
  pluginDaemonSslMode(c.sslMode);
  const env = new EnvSet();
  const rootCert = c.sslRootCert && env.mountFile(c.sslRootCert);
  const extras = [c.sslMode && `sslmode=${c.sslMode}`, rootCert && `sslrootcert=${rootCert}`].filter(Boolean).join('&');
  return env
    .plain(
      // Dify builds `postgresql://user:pw@{DB_HOST}:{DB_PORT}/db` (api/configs/middleware/__init__.py): an IPv6 literal needs brackets.
      {
        DB_TYPE: 'postgresql',
        DB_HOST: bracketIpv6(c.host),
        DB_PORT: c.port,
        DB_DATABASE: c.database,
        DB_USERNAME: c.username,
        DB_EXTRAS: extras || undefined,
      },
      'database',
    )
    .secret({ DB_PASSWORD: c.password });
}

/** DB_* of the plugin daemon (its own database) for a plain PostgreSQL connection. */
export function postgresPluginDaemonEnv(c: PostgresConnection): EnvSet {
  return new EnvSet()
    .plain(
      {
        DB_TYPE: 'postgresql',
        // The daemon's libpq key-value DSN (`host=%s port=%d`, internal/db/pg/pg.go) takes an IPv6 literal bare.
        DB_HOST: c.host,
        DB_PORT: c.port,
        DB_USERNAME: c.username,
        DB_DATABASE: c.pluginDatabase,
        DB_SSL_MODE: pluginDaemonSslMode(c.sslMode),
      },
      'database',
    )
    .secret({ DB_PASSWORD: c.password });
}

/**
 * The database environment of the api-image roles: `c.backendEnv()` when the
 * connection renders itself (e.g. {@link DifyDatabase}), else {@link postgresBackendEnv}.
 */
export function databaseBackendEnv(c: PostgresConnection): EnvSet {
  return rendersItself(c) ? c.backendEnv() : postgresBackendEnv(c);
}

/** The database environment of the plugin daemon: `c.pluginDaemonEnv()` when it renders itself, else {@link postgresPluginDaemonEnv}. */
export function databasePluginDaemonEnv(c: PostgresConnection): EnvSet {
  return rendersItself(c) ? c.pluginDaemonEnv() : postgresPluginDaemonEnv(c);
}

/**
 * Redis settings of the api-image roles for the embedded store's shape:
 * standalone, no TLS, app cache in db 0, and the broker URL from its Secret key.
 */
export function plainRedisBackendEnv(c: RedisConnection): EnvSet {
  return new EnvSet()
    .plain({ REDIS_HOST: c.host, REDIS_PORT: c.port, REDIS_DB: 0, REDIS_USE_SSL: 'false', BROKER_USE_SSL: 'false' }, 'redis')
    .defaults({ CELERY_BACKEND: 'redis' }, 'redis')
    .secret({ REDIS_PASSWORD: c.password, CELERY_BROKER_URL: c.celeryBrokerUrl });
}

/** Redis settings of the plugin daemon for the embedded store's shape. */
export function plainRedisPluginDaemonEnv(c: RedisConnection): EnvSet {
  return new EnvSet().plain({ REDIS_HOST: c.host, REDIS_PORT: c.port }, 'redis').secret({ REDIS_PASSWORD: c.password });
}

/** The Redis environment of the api-image roles, whichever kind of connection `c` is. */
export function redisBackendEnv(c: RedisConnectionLike): EnvSet {
  return rendersItself(c) ? c.backendEnv() : plainRedisBackendEnv(c);
}

/** The Redis environment of the plugin daemon, whichever kind of connection `c` is. */
export function redisPluginDaemonEnv(c: RedisConnectionLike): EnvSet {
  return rendersItself(c) ? c.pluginDaemonEnv() : plainRedisPluginDaemonEnv(c);
}
