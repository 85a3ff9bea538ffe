import { DifyAppCredentials } from '../config/backend';
import { SecretKeyRef } from '../core/secret-ref';

/** Every credential of a Dify installation with embedded stores. */
export interface DifyCredentials extends DifyAppCredentials {
  /** POSTGRES_PASSWORD of the embedded server = DB_PASSWORD of every client. */
  readonly postgresPassword: SecretKeyRef;
  /** requirepass of the embedded Redis = REDIS_PASSWORD of every client. */
  readonly redisPassword: SecretKeyRef;
  /** CELERY_BROKER_URL, which embeds the Redis password. */
  readonly celeryBrokerUrl: SecretKeyRef;
  /** The embedded Weaviate's only API key = WEAVIATE_API_KEY of api and worker. */
  readonly weaviateApiKey: SecretKeyRef;
}

/** Secret data keys, one per credential; shared values are one key read by both sides. */
export const CREDENTIAL_KEYS: { readonly [K in keyof DifyCredentials]: string } = {
  secretKey: 'secret-key',
  sandboxApiKey: 'sandbox-api-key',
  pluginDaemonKey: 'plugin-daemon-key',
  pluginInnerApiKey: 'plugin-inner-api-key',
  postgresPassword: 'postgres-password',
  redisPassword: 'redis-password',
  celeryBrokerUrl: 'celery-broker-url',
  weaviateApiKey: 'weaviate-api-key',
};

/** References to every credential in one Secret that uses {@link CREDENTIAL_KEYS}. */
export function credentialsInSecret(secretName: string): DifyCredentials {
  const ref = (k: keyof DifyCredentials) => SecretKeyRef.of(secretName, CREDENTIAL_KEYS[k]);
  return {
    secretKey: ref('secretKey'),
    sandboxApiKey: ref('sandboxApiKey'),
    pluginDaemonKey: ref('pluginDaemonKey'),
    pluginInnerApiKey: ref('pluginInnerApiKey'),
    postgresPassword: ref('postgresPassword'),
    redisPassword: ref('redisPassword'),
    celeryBrokerUrl: ref('celeryBrokerUrl'),
    weaviateApiKey: ref('weaviateApiKey'),
  };
}
