import fc from 'fast-check';
import { ConfigMapKeyRef, DIFY_CELERY_QUEUES, ExternalRedis, RedisTlsOptions, SecretKeyRef, credentialsInSecret } from '../lib';
import { SHARED_STORAGE, difyDocs, find, podSpecs } from './util';

const credentials = credentialsInSecret('dify-credentials');
const INDEXING = ['dataset', 'dataset_summary', 'priority_dataset', 'pipeline', 'priority_pipeline'];
const POOLS = [
  { name: 'indexing', queues: INDEXING, queueDepthScaling: { minReplicas: 0, maxReplicas: 5 } },
  { name: 'rest', queues: DIFY_CELERY_QUEUES.filter((q) => !INDEXING.includes(q)) },
];

/** An installation on an external TLS Redis with the given TLS options and ACL user, a pool scaled to zero by KEDA. */
function onTlsRedis(tls: RedisTlsOptions, username?: string) {
  return difyDocs({
    externalRedis: ExternalRedis.standalone({
      host: 'redis.data.example.internal',
      username,
      password: credentials.redisPassword,
      brokerUrl: credentials.celeryBrokerUrl,
      tls,
    }),
    agent: { redisUrl: credentials.agentRedisUrl },
    workerPools: POOLS,
    workerPoolsBroker: { database: 1 },
    storage: SHARED_STORAGE,
  }).docs;
}

/** Pods that talk to Redis: their env names REDIS_HOST (ConfigMap) or they read the agent's Redis URL. */
function redisClients(docs: Record<string, any>[]) {
  return podSpecs(docs).filter(({ spec }) =>
    spec.containers.some(
      (c: any) =>
        (c.envFrom ?? []).some((e: any) => e.configMapRef && find(docs, 'ConfigMap', e.configMapRef.name).data.REDIS_HOST) ||
        (c.env ?? []).some((e: any) => e.name === 'DIFY_AGENT_REDIS_URL'),
    ),
  );
}

const mountsKey = (spec: any, source: { kind: 'secret' | 'configMap'; name: string; key: string }) =>
  (spec.volumes ?? []).some((v: any) =>
    source.kind === 'secret'
      ? v.secret?.secretName === source.name && v.secret.items.some((i: any) => i.key === source.key)
      : v.configMap?.name === source.name && v.configMap.items.some((i: any) => i.key === source.key),
  );

describe('a private Redis CA reaches every client', () => {
  const docs = onTlsRedis({ caCerts: SecretKeyRef.of('redis-tls', 'ca.crt') }, 'dify-acl');

  test('every pod that talks to Redis mounts the CA, the agent backend included', () => {
    const clients = redisClients(docs);
    expect(clients.map((c) => c.id)).toEqual(
      expect.arrayContaining(['Deployment/dify-agent-backend', 'Deployment/dify-api', 'StatefulSet/dify-plugin-daemon']),
    );
    for (const c of clients)
      expect({ pod: c.id, mounted: mountsKey(c.spec, { kind: 'secret', name: 'redis-tls', key: 'ca.crt' }) }).toEqual({ pod: c.id, mounted: true });
  });

  test('the agent backend trusts it: SSL_CERT_FILE names the mounted file (redis-py uses the default verify paths)', () => {
    expect(find(docs, 'ConfigMap', 'dify-agent-backend-env').data.SSL_CERT_FILE).toBe('/etc/dify/files/secrets/redis-tls/ca.crt');
  });

  test('KEDA reads the CA and the ACL user, so a pool at zero can wake', () => {
    const auth = find(docs, 'TriggerAuthentication', 'dify-worker-indexing-keda-redis');
    expect(auth.spec.secretTargetRef).toEqual([
      { parameter: 'password', name: 'dify-credentials', key: 'redis-password' },
      { parameter: 'ca', name: 'redis-tls', key: 'ca.crt' },
    ]);
    const so = find(docs, 'ScaledObject', 'dify-worker-indexing');
    for (const t of so.spec.triggers)
      expect(t.metadata).toMatchObject({ address: 'redis.data.example.internal:6379', enableTLS: 'true', username: 'dify-acl' });
    expect(so.spec.triggers[0].metadata.unsafeSsl).toBeUndefined();
  });
});

describe('KEDA mirrors every TLS setting of the broker', () => {
  test('a CA from a ConfigMap (trust-manager) is read through configMapTargetRef', () => {
    const docs = onTlsRedis({ caCerts: ConfigMapKeyRef.of('trust-bundle', 'bundle.pem') });
    expect(find(docs, 'TriggerAuthentication', 'dify-worker-indexing-keda-redis').spec.configMapTargetRef).toEqual([
      { parameter: 'ca', name: 'trust-bundle', key: 'bundle.pem' },
    ]);
    expect(mountsKey(find(docs, 'Deployment', 'dify-agent-backend').spec.template.spec, { kind: 'configMap', name: 'trust-bundle', key: 'bundle.pem' })).toBe(
      true,
    );
  });

  test('client certificates reach KEDA (cert, key) and the agent backend (mounted for the URL)', () => {
    const docs = onTlsRedis({
      caCerts: SecretKeyRef.of('redis-tls', 'ca.crt'),
      certFile: SecretKeyRef.of('redis-tls', 'tls.crt'),
      keyFile: SecretKeyRef.of('redis-tls', 'tls.key'),
    });
    expect(find(docs, 'TriggerAuthentication', 'dify-worker-indexing-keda-redis').spec.secretTargetRef.map((r: any) => r.parameter)).toEqual([
      'password',
      'ca',
      'cert',
      'key',
    ]);
    const agent = find(docs, 'Deployment', 'dify-agent-backend').spec.template.spec;
    for (const key of ['ca.crt', 'tls.crt', 'tls.key']) expect(mountsKey(agent, { kind: 'secret', name: 'redis-tls', key })).toBe(true);
  });

  test('CERT_NONE in Dify is unsafeSsl in KEDA, and no trust store is set for the agent backend', () => {
    const docs = onTlsRedis({ certReqs: 'CERT_NONE' });
    expect(find(docs, 'ScaledObject', 'dify-worker-indexing').spec.triggers[0].metadata.unsafeSsl).toBe('true');
    expect(find(docs, 'ConfigMap', 'dify-agent-backend-env').data.SSL_CERT_FILE).toBeUndefined();
  });

  test('a CA given as a path only Dify pods mount is refused for KEDA, naming the setting', () => {
    expect(() => onTlsRedis({ caCertsPath: '/etc/ssl/private-ca.pem' })).toThrow(
      'workerPools[0].queueDepthScaling: got "REDIS_SSL_CA_CERTS=/etc/ssl/private-ca.pem"; needs the Redis TLS files as Secret or ConfigMap keys (externalRedis tls.caCerts, certFile, keyFile), not paths: KEDA\'s operator reads them through its TriggerAuthentication, it cannot see files mounted in Dify\'s pods',
    );
  });

  test('property: whatever the TLS options and ACL user, KEDA gets the same CA, client certificate, verification and user as Dify', () => {
    const ca = fc.constantFrom(undefined, SecretKeyRef.of('redis-tls', 'ca.crt'), ConfigMapKeyRef.of('trust-bundle', 'ca.pem'));
    fc.assert(
      fc.property(
        ca,
        fc.boolean(),
        fc.constantFrom(undefined, 'CERT_REQUIRED', 'CERT_OPTIONAL', 'CERT_NONE'),
        fc.option(fc.constantFrom('dify', 'app-user')),
        (caCerts, mtls, certReqs, username) => {
          const tls: RedisTlsOptions = {
            certReqs: certReqs as RedisTlsOptions['certReqs'],
            caCerts: certReqs === 'CERT_NONE' ? undefined : caCerts,
            ...(mtls ? { certFile: SecretKeyRef.of('redis-tls', 'tls.crt'), keyFile: SecretKeyRef.of('redis-tls', 'tls.key') } : {}),
          };
          const docs = onTlsRedis(tls, username ?? undefined);
          const auth = find(docs, 'TriggerAuthentication', 'dify-worker-indexing-keda-redis').spec;
          const params = [...auth.secretTargetRef, ...(auth.configMapTargetRef ?? [])].map((r: any) => `${r.parameter}=${r.name}/${r.key}`).sort();
          const expected = [
            'password=dify-credentials/redis-password',
            ...(tls.caCerts
              ? [`ca=${tls.caCerts instanceof ConfigMapKeyRef ? tls.caCerts.configMapName : (tls.caCerts as SecretKeyRef).secretName}/${tls.caCerts.key}`]
              : []),
            ...(mtls ? ['cert=redis-tls/tls.crt', 'key=redis-tls/tls.key'] : []),
          ].sort();
          expect(params).toEqual(expected);
          const meta = find(docs, 'ScaledObject', 'dify-worker-indexing').spec.triggers[0].metadata;
          expect(meta.username).toBe(username ?? undefined);
          expect(meta.unsafeSsl).toBe(certReqs === 'CERT_NONE' ? 'true' : undefined);
          // The same CA reaches every Redis client pod.
          if (tls.caCerts) {
            const source =
              tls.caCerts instanceof ConfigMapKeyRef
                ? { kind: 'configMap' as const, name: tls.caCerts.configMapName, key: tls.caCerts.key }
                : { kind: 'secret' as const, name: (tls.caCerts as SecretKeyRef).secretName, key: tls.caCerts.key };
            for (const c of redisClients(docs)) expect({ pod: c.id, mounted: mountsKey(c.spec, source) }).toEqual({ pod: c.id, mounted: true });
          }
        },
      ),
      { numRuns: 12 },
    );
  });
});

describe('DifyQueueAutoscaler TLS props', () => {
  const { Testing } = require('cdk8s') as typeof import('cdk8s');
  const { DifyQueueAutoscaler } = require('../lib') as typeof import('../lib');
  const props = (tls: object) => ({
    instance: 'dify',
    target: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'dify-worker-indexing' },
    minReplicas: 0,
    maxReplicas: 3,
    queues: ['dataset'],
    redis: { address: 'redis.data.svc:6379', database: 1, password: SecretKeyRef.of('r', 'password'), tls },
  });
  test('a client certificate without its key is refused, naming the missing prop', () => {
    expect(() => new DifyQueueAutoscaler(Testing.chart(), 'K', props({ cert: SecretKeyRef.of('r', 'tls.crt') }))).toThrow(
      'redis.tls.key: got undefined; a client certificate and its key are required together for mutual TLS',
    );
  });
  test('a client key given as a plain string is refused without echoing it', () => {
    expect(() => new DifyQueueAutoscaler(Testing.chart(), 'K', props({ cert: SecretKeyRef.of('r', 'tls.crt'), key: '-----BEGIN KEY-----' }))).toThrow(
      /^redis\.tls\.key: got "<not a SecretKeyRef>"; must be a SecretKeyRef/,
    );
    expect(() => new DifyQueueAutoscaler(Testing.chart(), 'K', props({ cert: SecretKeyRef.of('r', 'tls.crt'), key: '-----BEGIN KEY-----' }))).not.toThrow(
      /BEGIN/,
    );
  });
});
