import { SecretKeyRef } from '../core/secret-ref';

/** One credential of an installation: where it lives, how it is made, who reads it. */
export interface CredentialSpec {
  /** Data key in the credentials Secret. */
  readonly key: string;
  /** Random bytes the generator draws; absent for values derived from others. */
  readonly bytes?: number;
  /**
   * How the generator encodes the bytes: `hex` (Python `secrets.token_hex`) or
   * `urlsafe` (unpadded base64url, `secrets.token_urlsafe`). Both are URL-safe. @default "hex"
   */
  readonly format?: 'hex' | 'urlsafe';
  /** Derived by the generator or External Secrets template from the embedded Redis password: a `redis://` URL to this DB index. */
  readonly derived?: { readonly redisDb: number };
  /** Only needed when the embedded store it belongs to is deployed. @default - always needed */
  readonly embeddedStore?: 'postgres' | 'redis' | 'weaviate';
  /** Only needed when this optional part of Dify is deployed. @default - always needed */
  readonly feature?: 'agent' | 'agentLocalSandbox';
  /** Components that read it and the variables they read it as. */
  readonly readers: Readonly<Record<string, readonly string[]>>;
}

const API_ROLES = ['api', 'worker', 'beat', 'migration', 'api-websocket'];
const STORE_CLIENTS = [...API_ROLES, 'plugin-daemon'];
const readers = (components: readonly string[], ...vars: string[]) => Object.fromEntries(components.map((c) => [c, vars]));

/**
 * The credentials table: the one place that lists every credential. The
 * generator's lengths, the External Secrets layout, the pods' rotation
 * annotations and the consumers' references all derive from it. Adding a
 * credential is one row here.
 */
/** Name of a credential in {@link CREDENTIALS}. */
export type CredentialName =
  | 'secretKey'
  | 'sandboxApiKey'
  | 'pluginDaemonKey'
  | 'pluginInnerApiKey'
  | 'postgresPassword'
  | 'redisPassword'
  | 'celeryBrokerUrl'
  | 'weaviateApiKey'
  | 'agentApiToken'
  | 'agentServerSecretKey'
  | 'agentSandboxToken'
  | 'agentRedisUrl';

export const CREDENTIALS: { readonly [K in CredentialName]: CredentialSpec } = {
  secretKey: { key: 'secret-key', bytes: 42, readers: readers(API_ROLES, 'SECRET_KEY') },
  sandboxApiKey: { key: 'sandbox-api-key', bytes: 32, readers: { ...readers(['api', 'worker'], 'CODE_EXECUTION_API_KEY'), sandbox: ['API_KEY'] } },
  pluginDaemonKey: {
    key: 'plugin-daemon-key',
    bytes: 32,
    readers: { ...readers(['api', 'worker'], 'PLUGIN_DAEMON_KEY'), 'plugin-daemon': ['SERVER_KEY'], 'agent-backend': ['DIFY_AGENT_PLUGIN_DAEMON_API_KEY'] },
  },
  pluginInnerApiKey: {
    key: 'plugin-inner-api-key',
    bytes: 32,
    readers: {
      ...readers(['api', 'worker'], 'INNER_API_KEY_FOR_PLUGIN'),
      'plugin-daemon': ['DIFY_INNER_API_KEY'],
      'agent-backend': ['DIFY_AGENT_INNER_API_KEY'],
    },
  },
  postgresPassword: {
    key: 'postgres-password',
    bytes: 24,
    embeddedStore: 'postgres',
    readers: { ...readers(STORE_CLIENTS, 'DB_PASSWORD'), postgres: ['POSTGRES_PASSWORD'] },
  },
  redisPassword: {
    key: 'redis-password',
    bytes: 24,
    embeddedStore: 'redis',
    readers: { ...readers(STORE_CLIENTS, 'REDIS_PASSWORD'), redis: ['REDIS_PASSWORD', 'REDISCLI_AUTH'] },
  },
  celeryBrokerUrl: { key: 'celery-broker-url', derived: { redisDb: 1 }, embeddedStore: 'redis', readers: readers(API_ROLES, 'CELERY_BROKER_URL') },
  weaviateApiKey: {
    key: 'weaviate-api-key',
    bytes: 32,
    embeddedStore: 'weaviate',
    readers: { ...readers(API_ROLES, 'WEAVIATE_API_KEY'), weaviate: ['AUTHENTICATION_APIKEY_ALLOWED_KEYS'] },
  },
  // Agent v2 stack (upstream ships development defaults for all of these; never used here).
  agentApiToken: {
    key: 'agent-api-token',
    bytes: 32,
    feature: 'agent',
    readers: { ...readers(['api', 'worker'], 'AGENT_BACKEND_API_TOKEN'), 'agent-backend': ['DIFY_AGENT_API_TOKEN'] },
  },
  // The backend decodes it as base64url and requires exactly 32 bytes.
  agentServerSecretKey: {
    key: 'agent-server-secret-key',
    bytes: 32,
    format: 'urlsafe',
    feature: 'agent',
    readers: { 'agent-backend': ['DIFY_AGENT_SERVER_SECRET_KEY'] },
  },
  agentSandboxToken: {
    key: 'agent-local-sandbox-token',
    bytes: 32,
    feature: 'agentLocalSandbox',
    readers: { 'agent-backend': ['DIFY_AGENT_LOCAL_SANDBOX_AUTH_TOKEN', 'DIFY_AGENT_SHELLCTL_AUTH_TOKEN'], 'local-sandbox': ['SHELLCTL_AUTH_TOKEN'] },
  },
  // Upstream's DB index 2 of the same Redis, beside the app (0) and Celery (1).
  agentRedisUrl: {
    key: 'agent-redis-url',
    derived: { redisDb: 2 },
    embeddedStore: 'redis',
    feature: 'agent',
    readers: { 'agent-backend': ['DIFY_AGENT_REDIS_URL'] },
  },
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

/** The credentials an installation needs: the app keys, plus each embedded store's and each deployed feature's. */
export function requiredCredentials(
  embedded: { readonly postgres: boolean; readonly redis: boolean; readonly weaviate: boolean },
  features: { readonly agent: boolean; readonly agentLocalSandbox?: boolean } = { agent: true },
): CredentialName[] {
  return CREDENTIAL_NAMES.filter((n) => {
    const spec = CREDENTIALS[n] as CredentialSpec;
    return (
      (spec.embeddedStore === undefined || embedded[spec.embeddedStore]) &&
      (spec.feature === undefined || (spec.feature === 'agentLocalSandbox' ? (features.agentLocalSandbox ?? features.agent) : features[spec.feature]))
    );
  });
}

/** Credentials the generator or External Secrets derive from the Redis password: Secret key -> Redis DB index. */
export function derivedRedisUrls(keys: Iterable<string>): Record<string, number> {
  const wanted = new Set(keys);
  return Object.fromEntries(
    CREDENTIAL_NAMES.map((n) => CREDENTIALS[n] as CredentialSpec)
      .filter((c) => c.derived !== undefined && wanted.has(c.key))
      .map((c) => [c.key, c.derived!.redisDb]),
  );
}
