import { EnvSet } from '../core/env';
import { FileSource, SecretKeyRef } from '../core/secret-ref';
import { invalid, validateHostAndPort, validateInt } from '../core/validation';
import { ConnectionEnvRenderer, validateSecretKeyRef } from './connections';
import { guardProps } from '../core/guard';

/** REDIS_SSL_CERT_REQS values (Python `ssl` verify modes). */
export type RedisCertReqs = 'CERT_NONE' | 'CERT_OPTIONAL' | 'CERT_REQUIRED';

const CERT_REQS: readonly RedisCertReqs[] = ['CERT_NONE', 'CERT_OPTIONAL', 'CERT_REQUIRED'];

/** TLS towards Redis (REDIS_USE_SSL=true). */
export interface RedisTlsOptions {
  /** Server certificate verification (REDIS_SSL_CERT_REQS). @default "CERT_REQUIRED" (upstream's default is CERT_NONE) */
  readonly certReqs?: RedisCertReqs;
  /**
   * CA bundle from a Secret key (e.g. cert-manager's `ca.crt`) or a ConfigMap key (e.g. a trust-manager Bundle),
   * mounted read-only into api, worker, beat, the migration Job and the plugin daemon (REDIS_SSL_CA_CERTS names
   * the file). Not with caCertsPath.
   * @default - the image's system CAs
   */
  readonly caCerts?: FileSource;
  /** CA bundle path inside the containers (REDIS_SSL_CA_CERTS), for a file you mount yourself. Not with caCerts. @default - the image's system CAs */
  readonly caCertsPath?: string;
  /** Client certificate for mutual TLS from a Secret key (e.g. `tls.crt`), mounted into the api-image pods (REDIS_SSL_CERTFILE). @default - none */
  readonly certFile?: SecretKeyRef;
  /** Client certificate path for mutual TLS, api image only (REDIS_SSL_CERTFILE), a file you mount. Not with certFile. @default - none */
  readonly certFilePath?: string;
  /** Client key for mutual TLS from a Secret key (e.g. `tls.key`), mounted into the api-image pods (REDIS_SSL_KEYFILE). @default - none */
  readonly keyFile?: SecretKeyRef;
  /** Client key path for mutual TLS, api image only (REDIS_SSL_KEYFILE), a file you mount. Not with keyFile. @default - none */
  readonly keyFilePath?: string;
}

/** One Redis or Sentinel node. */
export interface RedisNode {
  /** Host name or IPv4 address. */
  readonly host: string;
  /** Port. @default 6379 for Redis nodes, 26379 for Sentinels */
  readonly port?: number;
}

/** Settings shared by standalone and Sentinel Redis. */
export interface RedisAuthOptions {
  /** ACL user (REDIS_USERNAME). @default - none (the default user) */
  readonly username?: string;
  /** Password of the Redis server (REDIS_PASSWORD). */
  readonly password: SecretKeyRef;
  /** Database index of Dify's cache and locks (REDIS_DB). @default 0 */
  readonly db?: number;
  /** Enable TLS (REDIS_USE_SSL=true); `{}` verifies against the system CAs. @default - plain TCP */
  readonly tls?: RedisTlsOptions;
  /**
   * The complete Celery broker URL (CELERY_BROKER_URL), a Secret key because it
   * embeds the password. Build its value with {@link redisBrokerUrl} /
   * {@link redisSentinelBrokerUrl} (they URL-encode the password); use a db
   * index other than `db` (upstream uses 1) and `rediss://` with TLS.
   */
  readonly brokerUrl: SecretKeyRef;
}

/** Props of {@link ExternalRedis.standalone}. */
export interface StandaloneRedisOptions extends RedisAuthOptions {
  /** Host name or IPv4 address (REDIS_HOST). */
  readonly host: string;
  /** Port (REDIS_PORT). @default 6379 */
  readonly port?: number;
}

/** Props of {@link ExternalRedis.sentinel}. */
export interface SentinelRedisOptions extends RedisAuthOptions {
  /** Sentinel nodes (REDIS_SENTINELS); at least one. */
  readonly sentinels: RedisNode[];
  /** Monitored master (REDIS_SENTINEL_SERVICE_NAME and CELERY_SENTINEL_MASTER_NAME). */
  readonly masterName: string;
  /** ACL user of the Sentinels (REDIS_SENTINEL_USERNAME). @default - none */
  readonly sentinelUsername?: string;
  /** Password of the Sentinels (REDIS_SENTINEL_PASSWORD and CELERY_SENTINEL_PASSWORD). @default - Sentinels without auth */
  readonly sentinelPassword?: SecretKeyRef;
  /** Sentinel socket timeout in seconds (REDIS_SENTINEL_SOCKET_TIMEOUT, CELERY_SENTINEL_SOCKET_TIMEOUT). @default - upstream's 0.1 */
  readonly socketTimeoutSeconds?: number;
}

/** Props of {@link ExternalRedis.cluster}. */
export interface ClusterRedisOptions {
  /** Cluster nodes (REDIS_CLUSTERS); at least one. */
  readonly nodes: RedisNode[];
  /** Cluster password (REDIS_CLUSTERS_PASSWORD). */
  readonly password: SecretKeyRef;
  /** Enable TLS (REDIS_USE_SSL=true). @default - plain TCP */
  readonly tls?: RedisTlsOptions;
  /**
   * CELERY_BROKER_URL: Celery cannot use a Redis Cluster, so this points at a
   * standalone or Sentinel Redis (typically `pluginDaemon`'s).
   */
  readonly brokerUrl: SecretKeyRef;
  /** A standalone or Sentinel Redis for the plugin daemon, which has no cluster mode. */
  readonly pluginDaemon: ExternalRedis;
}

/** Props of {@link redisBrokerUrl}. */
export interface RedisBrokerUrlOptions {
  readonly host: string;
  /** @default 6379 */
  readonly port?: number;
  /** @default - none */
  readonly username?: string;
  /** Plain-text password; it is URL-encoded. @default - none */
  readonly password?: string;
  /** @default 1 (upstream's broker db) */
  readonly db?: number;
  /** `rediss://` instead of `redis://`. @default false */
  readonly ssl?: boolean;
}

/** Props of {@link redisSentinelBrokerUrl}. */
export interface RedisSentinelBrokerUrlOptions {
  /** Sentinel nodes; port @default 26379. */
  readonly sentinels: RedisNode[];
  /** Plain-text password of the master; it is URL-encoded. @default - none */
  readonly password?: string;
  /** @default 1 */
  readonly db?: number;
}

function userInfo(prop: string, username: string | undefined, password: string | undefined): string {
  if (username !== undefined) validateUsername(`${prop}.username`, username);
  if (password !== undefined && typeof password !== 'string') invalid(`${prop}.password`, '<not a string>', 'must be a string');
  if (username === undefined && (password === undefined || password === '')) return '';
  return `${encodeURIComponent(username ?? '')}:${encodeURIComponent(password ?? '')}@`;
}

/**
 * A Celery broker URL (`redis://[user]:<password>@host:port/db`) with the
 * user name and password URL-encoded, so passwords containing `@ / : % #` or
 * `;` survive kombu's parser. For tests and for rendering the Secret value
 * (e.g. in an ExternalSecret template); never put the result in config.
 */
export function redisBrokerUrl(o: RedisBrokerUrlOptions): string {
  guardProps('RedisBrokerUrlOptions', o, 'redisBrokerUrl');
  const { host, port } = validateHostAndPort({ prop: 'redisBrokerUrl.host', value: o.host }, { prop: 'redisBrokerUrl.port', value: o.port, default: 6379 });
  const db = validateInt('redisBrokerUrl.db', o.db ?? 1, 0, 15);
  return `${o.ssl ? 'rediss' : 'redis'}://${userInfo('redisBrokerUrl', o.username, o.password)}${host}:${port}/${db}`;
}

/** A Celery Sentinel broker URL: `sentinel://:<password>@host:port/db` per Sentinel, joined with `;`. */
export function redisSentinelBrokerUrl(o: RedisSentinelBrokerUrlOptions): string {
  guardProps('RedisSentinelBrokerUrlOptions', o, 'redisSentinelBrokerUrl');
  const nodes = validateNodes('redisSentinelBrokerUrl.sentinels', o.sentinels, 26379);
  const db = validateInt('redisSentinelBrokerUrl.db', o.db ?? 1, 0, 15);
  const auth = userInfo('redisSentinelBrokerUrl', undefined, o.password);
  return nodes.map((n) => `sentinel://${auth}${n}/${db}`).join(';');
}

const USERNAME = /^\S{1,128}$/;
const MASTER_NAME = /^[A-Za-z0-9._-]{1,128}$/;
const ABSOLUTE_PATH = /^\/[^\s]*$/;

function validateUsername(prop: string, v: string): string {
  if (typeof v !== 'string' || !USERNAME.test(v)) invalid(prop, v, 'must be a non-empty user name without whitespace, at most 128 characters');
  return v;
}

/** `host:port` strings of validated nodes. */
function validateNodes(prop: string, nodes: RedisNode[], defaultPort: number): string[] {
  if (!Array.isArray(nodes) || nodes.length === 0) {
    invalid(prop, nodes, 'must list at least one { host, port? } node');
  }
  const out = nodes.map((n, i) => {
    const hp = validateHostAndPort({ prop: `${prop}[${i}].host`, value: n?.host }, { prop: `${prop}[${i}].port`, value: n?.port, default: defaultPort });
    return `${hp.host}:${hp.port}`;
  });
  const dup = out.find((x, i) => out.indexOf(x) !== i);
  if (dup !== undefined) invalid(prop, dup, 'must not list the same host:port twice');
  return out;
}

function validateTls(prop: string, t: RedisTlsOptions | undefined): RedisTlsOptions | undefined {
  if (t === undefined) return undefined;
  if (t.certReqs !== undefined && !CERT_REQS.includes(t.certReqs)) invalid(`${prop}.certReqs`, t.certReqs, `must be one of ${CERT_REQS.join(', ')}`);
  for (const k of ['caCertsPath', 'certFilePath', 'keyFilePath'] as const) {
    const v = t[k];
    if (v !== undefined && (typeof v !== 'string' || !ABSOLUTE_PATH.test(v)))
      invalid(`${prop}.${k}`, v, 'must be an absolute file path inside the container, without whitespace');
  }
  for (const [file, path] of [
    ['caCerts', 'caCertsPath'],
    ['certFile', 'certFilePath'],
    ['keyFile', 'keyFilePath'],
  ] as const) {
    if (t[file] !== undefined && t[path] !== undefined)
      invalid(`${prop}.${path}`, t[path], `conflicts with ${file}: give the Secret key (mounted for you) or the path of a file you mount, not both`);
  }
  const cert = t.certFile ?? t.certFilePath;
  const key = t.keyFile ?? t.keyFilePath;
  if ((cert === undefined) !== (key === undefined)) {
    invalid(
      `${prop}.${cert === undefined ? 'certFile' : 'keyFile'}`,
      undefined,
      'a client certificate and its key are required together for mutual TLS (certFile/certFilePath with keyFile/keyFilePath)',
    );
  }
  if (t.certReqs === 'CERT_NONE' && (t.caCertsPath !== undefined || t.caCerts !== undefined)) {
    invalid(
      `${prop}.certReqs`,
      'CERT_NONE',
      `conflicts with ${t.caCerts !== undefined ? 'caCerts' : 'caCertsPath'}: a CA bundle is only used when certificates are verified`,
    );
  }
  return t;
}

/** TLS files read from Secrets, mounted for the api-image roles. */
function tlsBackendFiles(t: RedisTlsOptions | undefined): Record<string, FileSource | undefined> {
  return { REDIS_SSL_CA_CERTS: t?.caCerts, REDIS_SSL_CERTFILE: t?.certFile, REDIS_SSL_KEYFILE: t?.keyFile };
}

function tlsBackendEnv(t: RedisTlsOptions | undefined): Record<string, string | undefined> {
  return {
    REDIS_USE_SSL: t ? 'true' : 'false',
    REDIS_SSL_CERT_REQS: t ? (t.certReqs ?? 'CERT_REQUIRED') : undefined,
    REDIS_SSL_CA_CERTS: t?.caCertsPath,
    REDIS_SSL_CERTFILE: t?.certFilePath,
    REDIS_SSL_KEYFILE: t?.keyFilePath,
  };
}

function tlsDaemonEnv(t: RedisTlsOptions | undefined): Record<string, string | undefined> {
  return { REDIS_USE_SSL: t ? 'true' : 'false', REDIS_SSL_CERT_REQS: t ? (t.certReqs ?? 'CERT_REQUIRED') : undefined, REDIS_SSL_CA_CERTS: t?.caCertsPath };
}

/**
 * A Redis Dify does not run itself: `ExternalRedis.standalone()`,
 * `.sentinel()` or `.cluster()`. Renders REDIS_* and CELERY_* for api,
 * worker, beat and the migration Job, and REDIS_* for the plugin daemon.
 * Every password, and the broker URL that embeds one, comes from a Secret.
 */
export abstract class ExternalRedis implements ConnectionEnvRenderer {
  /** One Redis server, e.g. ElastiCache without cluster mode, Memorystore, Azure Cache. */
  public static standalone(options: StandaloneRedisOptions): ExternalRedis {
    guardProps('StandaloneRedisOptions', options, 'redis');
    return new StandaloneRedis(options);
  }

  /** Redis behind Sentinel (REDIS_USE_SENTINEL, CELERY_USE_SENTINEL). */
  public static sentinel(options: SentinelRedisOptions): ExternalRedis {
    guardProps('SentinelRedisOptions', options, 'redis.sentinel');
    return new SentinelRedis(options);
  }

  /** Redis Cluster for the api image (REDIS_USE_CLUSTERS); the daemon and Celery use a non-cluster Redis. */
  public static cluster(options: ClusterRedisOptions): ExternalRedis {
    guardProps('ClusterRedisOptions', options, 'redis.cluster');
    return new ClusterRedis(options);
  }

  /** Topology. */
  public abstract readonly mode: 'standalone' | 'sentinel' | 'cluster';
  /** Whether connections use TLS. */
  public abstract readonly tls: boolean;
  /** REDIS_* and CELERY_* of api, worker, beat and the migration Job. */
  public abstract backendEnv(): EnvSet;
  /** REDIS_* of the plugin daemon. */
  public abstract pluginDaemonEnv(): EnvSet;
}

abstract class AuthenticatedRedis extends ExternalRedis {
  protected readonly username?: string;
  protected readonly password: SecretKeyRef;
  protected readonly db: number;
  protected readonly tlsOptions?: RedisTlsOptions;
  protected readonly brokerUrl: SecretKeyRef;
  public readonly tls: boolean;

  constructor(prop: string, o: RedisAuthOptions) {
    super();
    this.username = o.username === undefined ? undefined : validateUsername(`${prop}.username`, o.username);
    this.password = validateSecretKeyRef(`${prop}.password`, o.password, 'the Redis password');
    this.db = validateInt(`${prop}.db`, o.db ?? 0, 0, 15);
    this.tlsOptions = validateTls(`${prop}.tls`, o.tls);
    this.tls = this.tlsOptions !== undefined;
    this.brokerUrl = validateSecretKeyRef(
      `${prop}.brokerUrl`,
      o.brokerUrl,
      'the complete Celery broker URL (CELERY_BROKER_URL); build its value with redisBrokerUrl()',
    );
  }

  protected commonBackend(): EnvSet {
    return new EnvSet()
      .plain({ REDIS_USERNAME: this.username, REDIS_DB: this.db, ...tlsBackendEnv(this.tlsOptions), BROKER_USE_SSL: this.tls ? 'true' : 'false' }, 'redis')
      .defaults({ CELERY_BACKEND: 'redis' }, 'redis')
      .file(tlsBackendFiles(this.tlsOptions))
      .secret({ REDIS_PASSWORD: this.password, CELERY_BROKER_URL: this.brokerUrl });
  }

  protected commonDaemon(): EnvSet {
    return new EnvSet()
      .plain({ REDIS_USERNAME: this.username, REDIS_DB: this.db, ...tlsDaemonEnv(this.tlsOptions) }, 'redis')
      .file({ REDIS_SSL_CA_CERTS: this.tlsOptions?.caCerts })
      .secret({ REDIS_PASSWORD: this.password });
  }
}

class StandaloneRedis extends AuthenticatedRedis {
  public readonly mode = 'standalone';
  private readonly host: string;
  private readonly port: number;

  constructor(o: StandaloneRedisOptions) {
    super('redis', o);
    const hp = validateHostAndPort({ prop: 'redis.host', value: o.host }, { prop: 'redis.port', value: o.port, default: 6379 });
    this.host = hp.host;
    this.port = hp.port;
  }

  public backendEnv(): EnvSet {
    return this.commonBackend().plain({ REDIS_HOST: this.host, REDIS_PORT: this.port }, 'redis');
  }

  public pluginDaemonEnv(): EnvSet {
    return this.commonDaemon().plain({ REDIS_HOST: this.host, REDIS_PORT: this.port }, 'redis');
  }
}

class SentinelRedis extends AuthenticatedRedis {
  public readonly mode = 'sentinel';
  private readonly sentinels: string;
  private readonly masterName: string;
  private readonly sentinelUsername?: string;
  private readonly sentinelPassword?: SecretKeyRef;
  private readonly socketTimeout?: number;

  constructor(o: SentinelRedisOptions) {
    super('redis.sentinel', o);
    this.sentinels = validateNodes('redis.sentinel.sentinels', o.sentinels, 26379).join(',');
    if (typeof o.masterName !== 'string' || !MASTER_NAME.test(o.masterName)) {
      invalid('redis.sentinel.masterName', o.masterName, "must be the Sentinel master name: letters, digits, '.', '_' and '-', at most 128 characters");
    }
    this.masterName = o.masterName;
    this.sentinelUsername = o.sentinelUsername === undefined ? undefined : validateUsername('redis.sentinel.sentinelUsername', o.sentinelUsername);
    this.sentinelPassword =
      o.sentinelPassword === undefined ? undefined : validateSecretKeyRef('redis.sentinel.sentinelPassword', o.sentinelPassword, 'the Sentinel password');
    if (o.socketTimeoutSeconds !== undefined && !(typeof o.socketTimeoutSeconds === 'number' && o.socketTimeoutSeconds > 0 && o.socketTimeoutSeconds <= 60)) {
      invalid('redis.sentinel.socketTimeoutSeconds', o.socketTimeoutSeconds, 'must be a number of seconds greater than 0 and at most 60');
    }
    this.socketTimeout = o.socketTimeoutSeconds;
  }

  private sentinelEnv(): EnvSet {
    return new EnvSet()
      .plain(
        {
          REDIS_USE_SENTINEL: 'true',
          REDIS_SENTINELS: this.sentinels,
          REDIS_SENTINEL_SERVICE_NAME: this.masterName,
          REDIS_SENTINEL_USERNAME: this.sentinelUsername,
          REDIS_SENTINEL_SOCKET_TIMEOUT: this.socketTimeout,
        },
        'redis.sentinel',
      )
      .secret({ REDIS_SENTINEL_PASSWORD: this.sentinelPassword });
  }

  public backendEnv(): EnvSet {
    return this.commonBackend()
      .merge(this.sentinelEnv())
      .plain(
        { CELERY_USE_SENTINEL: 'true', CELERY_SENTINEL_MASTER_NAME: this.masterName, CELERY_SENTINEL_SOCKET_TIMEOUT: this.socketTimeout },
        'redis.sentinel',
      )
      .secret({ CELERY_SENTINEL_PASSWORD: this.sentinelPassword });
  }

  public pluginDaemonEnv(): EnvSet {
    return this.commonDaemon().merge(this.sentinelEnv());
  }
}

class ClusterRedis extends ExternalRedis {
  public readonly mode = 'cluster';
  public readonly tls: boolean;
  private readonly nodes: string;
  private readonly password: SecretKeyRef;
  private readonly tlsOptions?: RedisTlsOptions;
  private readonly brokerUrl: SecretKeyRef;
  private readonly daemon: ExternalRedis;

  constructor(o: ClusterRedisOptions) {
    super();
    this.nodes = validateNodes('redis.cluster.nodes', o.nodes, 6379).join(',');
    this.password = validateSecretKeyRef('redis.cluster.password', o.password, 'the cluster password');
    this.tlsOptions = validateTls('redis.cluster.tls', o.tls);
    this.tls = this.tlsOptions !== undefined;
    this.brokerUrl = validateSecretKeyRef(
      'redis.cluster.brokerUrl',
      o.brokerUrl,
      'the Celery broker URL of a standalone or Sentinel Redis (CELERY_BROKER_URL)',
    );
    if (!(o.pluginDaemon instanceof ExternalRedis) || o.pluginDaemon.mode === 'cluster') {
      invalid(
        'redis.cluster.pluginDaemon',
        o.pluginDaemon instanceof ExternalRedis ? o.pluginDaemon.mode : o.pluginDaemon,
        'must be ExternalRedis.standalone() or ExternalRedis.sentinel(): the plugin daemon has no Redis Cluster support',
      );
    }
    this.daemon = o.pluginDaemon;
  }

  public backendEnv(): EnvSet {
    // BROKER_USE_SSL is not rendered: Dify derives it from the broker URL's scheme (rediss://).
    return new EnvSet()
      .plain({ REDIS_USE_CLUSTERS: 'true', REDIS_CLUSTERS: this.nodes, ...tlsBackendEnv(this.tlsOptions) }, 'redis.cluster')
      .defaults({ CELERY_BACKEND: 'redis' }, 'redis.cluster')
      .file(tlsBackendFiles(this.tlsOptions))
      .secret({ REDIS_CLUSTERS_PASSWORD: this.password, CELERY_BROKER_URL: this.brokerUrl });
  }

  public pluginDaemonEnv(): EnvSet {
    return this.daemon.pluginDaemonEnv();
  }
}
