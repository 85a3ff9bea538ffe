import fc from 'fast-check';
import { CREDENTIAL_KEYS, DifyDatabase, DifySecrets, SecretKeyRef, VectorStore, credentialsInSecret } from '../lib';
import { difyDocs } from './util';

const credentials = credentialsInSecret('dify-credentials');
/** Every credential an installation with embedded Redis and Weaviate and an external database reads. */
const LOCATED = {
  secretKey: { key: 'dify/app', property: 'secret-key' },
  sandboxApiKey: { key: 'dify/app', property: 'sandbox-api-key' },
  pluginDaemonKey: { key: 'dify/app', property: 'plugin-daemon-key' },
  pluginInnerApiKey: { key: 'dify/app', property: 'plugin-inner-api-key' },
  redisPassword: { key: 'dify/redis', property: 'password' },
  weaviateApiKey: { key: 'dify/weaviate', property: 'api-key' },
  agentApiToken: { key: 'dify/agent', property: 'api-token' },
  agentServerSecretKey: { key: 'dify/agent', property: 'server-secret-key' },
  agentSandboxToken: { key: 'dify/agent', property: 'local-sandbox-token' },
};
const externalDatabase = DifyDatabase.external({ host: 'db.internal', username: 'dify', password: credentials.postgresPassword });
const external = (remoteRefs: object) => DifySecrets.external({ store: { name: 'aws-secrets-manager', kind: 'ClusterSecretStore' }, remoteRefs });

describe('an ExternalSecret must provide every key the installation reads from its Secret', () => {
  test("README's former Production snippet: the database password read from dify-credentials is named, with its readers", () => {
    expect(() => difyDocs({ secrets: external(LOCATED), externalDatabase })).toThrow(
      /externalSecret\.remoteRefs: got \[[^\]]*\]; must locate every key the installation reads from Secret "dify-credentials"; missing postgresPassword \(key postgres-password, read as (DB_PASSWORD of [A-Za-z]+\/[a-z0-9-]+, )*DB_PASSWORD of Deployment\/dify-api/,
    );
  });

  test('locating it (remoteRefs.postgresPassword) synthesizes, and the ExternalSecret writes the key', () => {
    const { docs } = difyDocs({ secrets: external({ ...LOCATED, postgresPassword: { key: 'dify/rds', property: 'password' } }), externalDatabase });
    const es = docs.find((d) => d.kind === 'ExternalSecret');
    expect(Object.keys(es!.spec.target.template.data)).toContain('postgres-password');
  });

  test('one message lists every missing key: required credentials not located, credentials and extra keys pods read', () => {
    const { secretKey: _s, agentApiToken: _a, ...partial } = LOCATED;
    const vectorStore = VectorStore.qdrant({ url: 'https://qdrant.data.internal:6333', apiKey: SecretKeyRef.of('dify-credentials', 'qdrant-api-key') });
    let message = '';
    try {
      difyDocs({ secrets: external(partial), externalDatabase, vectorStore });
    } catch (e) {
      message = (e as Error).message;
    }
    const missing = /missing (.*)$/m.exec(message)?.[1] ?? '';
    expect(missing.match(/(^|, )([A-Za-z]+|extraKeys\["[^"]+"\]) \(key /g)?.map((m) => m.replace(/^, /, '').replace(/ \(key $/, ''))).toEqual([
      'agentApiToken',
      'postgresPassword',
      'extraKeys["qdrant-api-key"]',
      'secretKey',
    ]);
    expect(message).toMatch(/extraKeys\["qdrant-api-key"\] \(key qdrant-api-key, read as [^)]*QDRANT_API_KEY of Deployment\/dify-api/);
    // The message names keys and readers, never a value.
    expect(message).not.toMatch(/dify\/app|property/);
  });

  test('property: for any subset of locations left out, the error names exactly the keys left out that pods read or the installation requires', () => {
    const names = [...Object.keys(LOCATED), 'postgresPassword'] as Array<keyof typeof CREDENTIAL_KEYS>;
    fc.assert(
      fc.property(fc.subarray(names, { minLength: 1 }), (omitted) => {
        const refs = Object.fromEntries(
          names.filter((n) => !omitted.includes(n)).map((n) => [n, (LOCATED as Record<string, object>)[n] ?? { key: 'dify/rds', property: 'password' }]),
        );
        let message = '';
        try {
          difyDocs({ secrets: external(refs), externalDatabase });
        } catch (e) {
          message = (e as Error).message;
        }
        const listed = [...message.matchAll(/(?:missing |, )([A-Za-z]+) \(key ([a-z0-9-]+)/g)].map((m) => m[1]).sort();
        // The Redis URLs are derived from the Redis password: without it nothing writes them either.
        const derived = omitted.includes('redisPassword') ? ['agentRedisUrl', 'celeryBrokerUrl'] : [];
        expect(listed).toEqual([...omitted, ...derived].sort());
      }),
      { numRuns: 10 },
    );
  });
});
