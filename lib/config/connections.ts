import { SecretKeyRef } from '../core/secret-ref';

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
}

/** How Dify reaches Redis. */
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

/** A plain `host:port` network endpoint of an in-cluster Service. */
export interface ServiceEndpoint {
  /** Service DNS name, resolvable from the installation's namespace. */
  readonly host: string;
  /** Service port. */
  readonly port: number;
}

/** `http://host:port` of an endpoint. */
export function httpUrl(e: ServiceEndpoint): string {
  return `http://${e.host}:${e.port}`;
}
