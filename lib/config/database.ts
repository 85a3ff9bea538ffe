import { EnvSet } from '../core/env';
import { SecretKeyRef, FileSource } from '../core/secret-ref';
import { bracketIpv6, invalid, validateHostAndPort, validateSqlIdentifier } from '../core/validation';
import {
  ConnectionEnvRenderer,
  POSTGRES_SSL_MODES,
  PostgresConnection,
  PostgresSslMode,
  pluginDaemonSslMode,
  postgresBackendEnv,
  postgresPluginDaemonEnv,
  validateSecretKeyRef,
} from './connections';
import { guardProps } from '../core/guard';

/** DB_TYPE values dify-cdk8s renders. */
export type DifyDatabaseType = 'postgresql' | 'mysql';

/** Props of {@link DifyDatabase.external}. */
export interface ExternalPostgresOptions {
  /** Server host name or IPv4 address (DB_HOST), e.g. an RDS or Cloud SQL endpoint. */
  readonly host: string;
  /** Port (DB_PORT). @default 5432 */
  readonly port?: number;
  /** Dify's database (DB_DATABASE); must exist. @default "dify" */
  readonly database?: string;
  /**
   * The plugin daemon's database (its DB_DATABASE); the daemon creates it on
   * first start when the user may (CREATEDB), else create it beforehand.
   * @default "dify_plugin"
   */
  readonly pluginDatabase?: string;
  /** User (DB_USERNAME); Azure-style `user@server` names are accepted. */
  readonly username: string;
  /** Password (DB_PASSWORD), read by api, worker, beat, migration and the plugin daemon. */
  readonly password: SecretKeyRef;
  /**
   * TLS: api-image roles get `DB_EXTRAS=sslmode=<mode>`; the plugin daemon
   * only knows `disable`/`require` (its DB_SSL_MODE), so `require`,
   * `verify-ca` and `verify-full` give it `require` and the rest `disable`.
   * @default - not rendered: api image uses libpq's default ("prefer"), the daemon "disable"
   */
  readonly sslMode?: PostgresSslMode;
  /**
   * CA certificate to verify the server with, from a Secret or ConfigMap key (e.g. the RDS or Cloud SQL CA bundle): mounted
   * read-only into the api-image pods and passed as libpq's `sslrootcert` in DB_EXTRAS. Requires sslMode
   * `verify-ca` or `verify-full` (the plugin daemon only encrypts, see sslMode). @default - none: libpq's default
   * location, which the image does not populate
   */
  readonly sslRootCert?: FileSource;
}

/** Props of {@link DifyDatabase.externalMysql}. */
export interface ExternalMysqlOptions {
  /** Server host name or IPv4 address (DB_HOST). */
  readonly host: string;
  /** Port (DB_PORT). @default 3306 */
  readonly port?: number;
  /** Dify's database (DB_DATABASE); must exist. @default "dify" */
  readonly database?: string;
  /** The plugin daemon's database. @default "dify_plugin" */
  readonly pluginDatabase?: string;
  /** User (DB_USERNAME). */
  readonly username: string;
  /** Password (DB_PASSWORD). */
  readonly password: SecretKeyRef;
}

const USERNAME = /^\S{1,128}$/;

/**
 * A database server outside the cluster (or managed by another team) for
 * Dify's metadata and the plugin daemon: `DifyDatabase.external({...})` for
 * PostgreSQL, `DifyDatabase.externalMysql({...})` for MySQL. Renders DB_* for
 * api, worker, beat, the migration Job and the plugin daemon.
 */
export class DifyDatabase implements PostgresConnection, ConnectionEnvRenderer {
  /** An external PostgreSQL server (DB_TYPE=postgresql). */
  public static external(options: ExternalPostgresOptions): DifyDatabase {
    guardProps('ExternalPostgresOptions', options, 'database');
    if (options.sslMode !== undefined && !POSTGRES_SSL_MODES.includes(options.sslMode)) {
      invalid('database.sslMode', options.sslMode, `must be one of ${POSTGRES_SSL_MODES.join(', ')}`);
    }
    return new DifyDatabase('postgresql', 'database', options, 5432);
  }

  /** An external MySQL server (DB_TYPE=mysql) for Dify and the plugin daemon. */
  public static externalMysql(options: ExternalMysqlOptions): DifyDatabase {
    guardProps('ExternalMysqlOptions', options, 'database.mysql');
    return new DifyDatabase('mysql', 'database.mysql', options, 3306);
  }

  /** DB_TYPE. */
  public readonly type: DifyDatabaseType;
  public readonly host: string;
  public readonly port: number;
  public readonly database: string;
  public readonly pluginDatabase: string;
  public readonly username: string;
  public readonly password: SecretKeyRef;
  public readonly sslMode?: PostgresSslMode;
  /** See {@link ExternalPostgresOptions.sslRootCert}. */
  public readonly sslRootCert?: FileSource;

  private constructor(type: DifyDatabaseType, prop: string, o: ExternalPostgresOptions | ExternalMysqlOptions, defaultPort: number) {
    this.type = type;
    // An IPv6 literal is kept bare here and bracketed where a client builds a URL or host:port from it.
    const hp = validateHostAndPort({ prop: `${prop}.host`, value: o.host }, { prop: `${prop}.port`, value: o.port, default: defaultPort }, { ipv6: true });
    this.host = hp.host;
    this.port = hp.port;
    this.database = o.database ?? 'dify';
    this.pluginDatabase = o.pluginDatabase ?? 'dify_plugin';
    for (const [name, v] of [
      ['database', this.database],
      ['pluginDatabase', this.pluginDatabase],
    ] as const) {
      validateSqlIdentifier(`${prop}.${name}`, v);
    }
    if (this.pluginDatabase === this.database) {
      invalid(
        `${prop}.pluginDatabase`,
        this.pluginDatabase,
        `must differ from database "${this.database}": the plugin daemon keeps its own schema in its own database`,
      );
    }
    if (typeof o.username !== 'string' || !USERNAME.test(o.username)) {
      invalid(`${prop}.username`, o.username, 'must be a non-empty user name without whitespace, at most 128 characters');
    }
    this.username = o.username;
    this.password = validateSecretKeyRef(`${prop}.password`, o.password, 'the database password');
    this.sslMode = (o as ExternalPostgresOptions).sslMode;
    this.sslRootCert = (o as ExternalPostgresOptions).sslRootCert;
    if (this.sslRootCert !== undefined && this.sslMode !== 'verify-ca' && this.sslMode !== 'verify-full') {
      invalid(
        `${prop}.sslMode`,
        this.sslMode,
        'must be "verify-ca" or "verify-full" with sslRootCert: libpq reads the root certificate only when it verifies the server',
      );
    }
  }

  /** DB_* of api, worker, beat and the migration Job. */
  public backendEnv(): EnvSet {
    if (this.type === 'postgresql') return postgresBackendEnv(this);
    return new EnvSet()
      .plain({ DB_TYPE: 'mysql', DB_HOST: bracketIpv6(this.host), DB_PORT: this.port, DB_DATABASE: this.database, DB_USERNAME: this.username }, 'database')
      .secret({ DB_PASSWORD: this.password });
  }

  /** DB_* of the plugin daemon, pointing at {@link pluginDatabase}. */
  public pluginDaemonEnv(): EnvSet {
    if (this.type === 'postgresql') return postgresPluginDaemonEnv(this);
    return new EnvSet()
      .plain(
        {
          DB_TYPE: 'mysql',
          // The daemon's go-sql-driver DSN is `tcp(host:port)`: an IPv6 literal needs its brackets.
          DB_HOST: bracketIpv6(this.host),
          DB_PORT: this.port,
          DB_USERNAME: this.username,
          DB_DATABASE: this.pluginDatabase,
          // Required by the daemon's config validation (oneof=disable require) whatever DB_TYPE is.
          DB_SSL_MODE: pluginDaemonSslMode(undefined),
        },
        'database',
      )
      .secret({ DB_PASSWORD: this.password });
  }
}
