// The credentials table's functions (lib/secrets/credentials.ts): which credentials an installation needs, the
// Secret keys references point at, and the Redis URLs derived from the password. Expected values are written out
// here, not derived from the table, so a changed row or a broken filter fails.
import fc from 'fast-check';
import { CREDENTIAL_KEYS, CREDENTIAL_NAMES, CREDENTIALS, credentialsInSecret, derivedRedisUrls, requiredCredentials } from '../lib';

const APP_KEYS = ['secretKey', 'sandboxApiKey', 'pluginDaemonKey', 'pluginInnerApiKey'];
const BY_STORE = { postgres: ['postgresPassword'], redis: ['redisPassword', 'celeryBrokerUrl'], weaviate: ['weaviateApiKey'] } as const;
const AGENT = ['agentApiToken', 'agentServerSecretKey', 'agentSandboxToken'];
const AGENT_REDIS = ['agentRedisUrl'];

describe('requiredCredentials', () => {
  test('every combination of embedded stores and the agent feature needs exactly its own credentials', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), fc.boolean(), fc.boolean(), (postgres, redis, weaviate, agent) => {
        const got = requiredCredentials({ postgres, redis, weaviate }, { agent });
        const want = new Set([
          ...APP_KEYS,
          ...(postgres ? BY_STORE.postgres : []),
          ...(redis ? BY_STORE.redis : []),
          ...(weaviate ? BY_STORE.weaviate : []),
          ...(agent ? AGENT : []),
          ...(agent && redis ? AGENT_REDIS : []),
        ]);
        expect(new Set(got)).toEqual(want);
        // Table order, no repeats.
        expect(got).toEqual(CREDENTIAL_NAMES.filter((n) => want.has(n)));
      }),
      { numRuns: 16 },
    );
  });

  test('the agent feature is on unless said otherwise', () => {
    expect(requiredCredentials({ postgres: false, redis: false, weaviate: false })).toEqual([...APP_KEYS, ...AGENT]);
  });
});

describe('credentialsInSecret', () => {
  test('refers every credential to its own key of the named Secret', () => {
    const refs = credentialsInSecret('my-creds') as unknown as Record<string, { secretName: string; key: string }>;
    expect(Object.keys(refs)).toEqual(CREDENTIAL_NAMES);
    for (const n of CREDENTIAL_NAMES) expect({ n, name: refs[n].secretName, key: refs[n].key }).toEqual({ n, name: 'my-creds', key: CREDENTIAL_KEYS[n] });
  });

  test('keys are the Secret data keys of the table, distinct, DNS-friendly', () => {
    expect(CREDENTIAL_KEYS).toMatchObject({
      secretKey: 'secret-key',
      sandboxApiKey: 'sandbox-api-key',
      pluginDaemonKey: 'plugin-daemon-key',
      pluginInnerApiKey: 'plugin-inner-api-key',
      postgresPassword: 'postgres-password',
      redisPassword: 'redis-password',
      celeryBrokerUrl: 'celery-broker-url',
      weaviateApiKey: 'weaviate-api-key',
      agentApiToken: 'agent-api-token',
      agentServerSecretKey: 'agent-server-secret-key',
      agentSandboxToken: 'agent-local-sandbox-token',
      agentRedisUrl: 'agent-redis-url',
    });
    const keys = Object.values(CREDENTIAL_KEYS);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(k).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});

describe('derivedRedisUrls', () => {
  test('maps each wanted derived key to its Redis DB index, and nothing else', () => {
    expect(derivedRedisUrls(['celery-broker-url', 'agent-redis-url', 'secret-key'])).toEqual({ 'celery-broker-url': 1, 'agent-redis-url': 2 });
    expect(derivedRedisUrls(['agent-redis-url'])).toEqual({ 'agent-redis-url': 2 });
    expect(derivedRedisUrls(['redis-password', 'secret-key'])).toEqual({});
    expect(derivedRedisUrls([])).toEqual({});
    expect(derivedRedisUrls(new Set(['celery-broker-url']))).toEqual({ 'celery-broker-url': 1 });
  });
});

test('generated credentials draw enough random bytes; derived ones draw none', () => {
  for (const n of CREDENTIAL_NAMES) {
    const spec = CREDENTIALS[n];
    if (spec.derived) expect({ n, bytes: spec.bytes }).toEqual({ n, bytes: undefined });
    else expect({ n, enough: (spec.bytes ?? 0) >= 24 }).toEqual({ n, enough: true });
  }
  expect(CREDENTIALS.agentServerSecretKey).toMatchObject({ bytes: 32, format: 'urlsafe' });
  expect(CREDENTIAL_NAMES.filter((n) => CREDENTIALS[n].format === 'urlsafe')).toEqual(['agentServerSecretKey']);
});

test('every reader names the component and the exact variables it reads', () => {
  const readers = Object.fromEntries(CREDENTIAL_NAMES.map((n) => [n, CREDENTIALS[n].readers]));
  const api = ['api', 'worker', 'beat', 'migration', 'api-websocket'];
  const of = (components: string[], ...vars: string[]) => Object.fromEntries(components.map((c) => [c, vars]));
  expect(readers.secretKey).toEqual(of(api, 'SECRET_KEY'));
  expect(readers.postgresPassword).toEqual({ ...of([...api, 'plugin-daemon'], 'DB_PASSWORD'), postgres: ['POSTGRES_PASSWORD'] });
  expect(readers.redisPassword).toEqual({ ...of([...api, 'plugin-daemon'], 'REDIS_PASSWORD'), redis: ['REDIS_PASSWORD', 'REDISCLI_AUTH'] });
  expect(readers.celeryBrokerUrl).toEqual(of(api, 'CELERY_BROKER_URL'));
  expect(readers.weaviateApiKey).toEqual({ ...of(api, 'WEAVIATE_API_KEY'), weaviate: ['AUTHENTICATION_APIKEY_ALLOWED_KEYS'] });
  // The shared keys: one Secret key read under each side's upstream name (docker/.env.example, envs/).
  expect(readers.sandboxApiKey).toEqual({ ...of(['api', 'worker'], 'CODE_EXECUTION_API_KEY'), sandbox: ['API_KEY'] });
  expect(readers.pluginDaemonKey).toEqual({
    ...of(['api', 'worker'], 'PLUGIN_DAEMON_KEY'),
    'plugin-daemon': ['SERVER_KEY'],
    'agent-backend': ['DIFY_AGENT_PLUGIN_DAEMON_API_KEY'],
  });
  expect(readers.pluginInnerApiKey).toEqual({
    ...of(['api', 'worker'], 'INNER_API_KEY_FOR_PLUGIN'),
    'plugin-daemon': ['DIFY_INNER_API_KEY'],
    'agent-backend': ['DIFY_AGENT_INNER_API_KEY'],
  });
  expect(readers.agentApiToken).toEqual({ ...of(['api', 'worker'], 'AGENT_BACKEND_API_TOKEN'), 'agent-backend': ['DIFY_AGENT_API_TOKEN'] });
  expect(readers.agentServerSecretKey).toEqual({ 'agent-backend': ['DIFY_AGENT_SERVER_SECRET_KEY'] });
  expect(readers.agentSandboxToken).toEqual({
    'agent-backend': ['DIFY_AGENT_LOCAL_SANDBOX_AUTH_TOKEN', 'DIFY_AGENT_SHELLCTL_AUTH_TOKEN'],
    'local-sandbox': ['SHELLCTL_AUTH_TOKEN'],
  });
  expect(readers.agentRedisUrl).toEqual({ 'agent-backend': ['DIFY_AGENT_REDIS_URL'] });
});

test('the local sandbox token follows the local runtime, which follows the agent unless said otherwise (E2B has none)', () => {
  const none = { postgres: false, redis: false, weaviate: false };
  expect(requiredCredentials(none, { agent: true, agentLocalSandbox: false })).toEqual([...APP_KEYS, 'agentApiToken', 'agentServerSecretKey']);
  expect(requiredCredentials(none, { agent: true, agentLocalSandbox: true })).toEqual([...APP_KEYS, ...AGENT]);
  expect(requiredCredentials(none, { agent: false, agentLocalSandbox: true })).toEqual([...APP_KEYS, 'agentSandboxToken']);
  expect(requiredCredentials(none, { agent: false })).toEqual(APP_KEYS);
});
