import { SecretKeyRef } from '../core/secret-ref';

/** One credential of an installation: where it lives, how it is made, who reads it. */
export interface CredentialSpec {
  /** Data key in the credentials Secret. */
  readonly key: string;
  /** Random bytes the generator draws (hex-encoded, so URL-safe); absent for values derived from others. */
  readonly bytes?: number;
  /** Derived by the generator or External Secrets template from other keys (the Celery broker URL). */
  readonly derived?: 'redis-broker-url';
  /** Only needed when the embedded store it belongs to is deployed. @default - always needed */
  readonly embeddedStore?: 'postgres' | 'redis' | 'weaviate';
  /** Components that read it and the variables they read it as. */
  readonly readers: Readonly<Record<string, readonly string[]>>;
}

const API_ROLES = ['api', 'worker', 'beat', 'migration'];
const STORE_CLIENTS = [...API_ROLES, 'plugin-daemon'];
const readers = (components: readonly string[], ...vars: string[]) => Object.fromEntries(components.map((c) => [c, vars]));

/**
 * The credentials table: the one place that lists every credential. The
 * generator's lengths, the External Secrets layout, the pods' rotation
 * annotations and the consumers' references all derive from it. Adding a
 * credential is one row here.
 */
/** Name of a credential in {@link CREDENTIALS}. */
export type CredentialName = 'secretKey' | 'sandboxApiKey' | 'pluginDaemonKey' | 'pluginInnerApiKey' | 'postgresPassword' | 'redisPassword' | 'celeryBrokerUrl' | 'weaviateApiKey';

export const CREDENTIALS: { readonly [K in CredentialName]: CredentialSpec } = {
  secretKey: { key: 'secret-key', bytes: 42, readers: readers(API_ROLES, 'SECRET_KEY') },
  sandboxApiKey: { key: 'sandbox-api-key', bytes: 32, readers: { ...readers(['api', 'worker'], 'CODE_EXECUTION_API_KEY'), sandbox: ['API_KEY'] } },
  pluginDaemonKey: { key: 'plugin-daemon-key', bytes: 32, readers: { ...readers(['api', 'worker'], 'PLUGIN_DAEMON_KEY'), 'plugin-daemon': ['SERVER_KEY'] } },
  pluginInnerApiKey: { key: 'plugin-inner-api-key', bytes: 32, readers: { ...readers(['api', 'worker'], 'INNER_API_KEY_FOR_PLUGIN'), 'plugin-daemon': ['DIFY_INNER_API_KEY'] } },
  postgresPassword: { key: 'postgres-password', bytes: 24, embeddedStore: 'postgres', readers: { ...readers(STORE_CLIENTS, 'DB_PASSWORD'), postgres: ['POSTGRES_PASSWORD'] } },
  redisPassword: { key: 'redis-password', bytes: 24, embeddedStore: 'redis', readers: { ...readers(STORE_CLIENTS, 'REDIS_PASSWORD'), redis: ['REDIS_PASSWORD', 'REDISCLI_AUTH'] } },
  celeryBrokerUrl: { key: 'celery-broker-url', derived: 'redis-broker-url', embeddedStore: 'redis', readers: readers(API_ROLES, 'CELERY_BROKER_URL') },
  weaviateApiKey: { key: 'weaviate-api-key', bytes: 32, embeddedStore: 'weaviate', readers: { ...readers(API_ROLES, 'WEAVIATE_API_KEY'), weaviate: ['AUTHENTICATION_APIKEY_ALLOWED_KEYS'] } },
};

/** A reference to every credential of an installation. */
export type DifyCredentials = { readonly [K in CredentialName]: SecretKeyRef };

/** Secret data keys, one per credential; shared values are one key read by both sides. */
export const CREDENTIAL_KEYS: { readonly [K in CredentialName]: string } = Object.fromEntries(
  Object.entries(CREDENTIALS).map(([name, spec]) => [name, spec.key]),
) as { readonly [K in CredentialName]: string };

/** Every credential name, in table order. */
export const CREDENTIAL_NAMES = Object.keys(CREDENTIALS) as CredentialName[];

/** References to every credential in one Secret that uses {@link CREDENTIAL_KEYS}. */
export function credentialsInSecret(secretName: string): DifyCredentials {
  return Object.fromEntries(CREDENTIAL_NAMES.map((n) => [n, SecretKeyRef.of(secretName, CREDENTIALS[n].key)])) as unknown as DifyCredentials;
}

/** The credentials an installation needs: the app keys, plus each embedded store's. */
export function requiredCredentials(embedded: { readonly postgres: boolean; readonly redis: boolean; readonly weaviate: boolean }): CredentialName[] {
  return CREDENTIAL_NAMES.filter((n) => {
    const store = (CREDENTIALS[n] as CredentialSpec).embeddedStore;
    return store === undefined || embedded[store];
  });
}
