import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import {
  DifyApi,
  DifyBackendConfig,
  DifyEndpoint,
  DifyFileStorage,
  DifyIngress,
  DifyMigration,
  DifyNetworkPolicy,
  DifyPluginDaemon,
  DifyPostgres,
  DifyRedis,
  DifySandbox,
  DifySettings,
  DifySsrfProxy,
  DifyStatefulStore,
  DifyUrls,
  DifyWeb,
  DifyWorker,
  EnvSet,
  NetworkPeer,
  SecretKeyRef,
  VectorStore,
  connectVia,
  credentialsInSecret,
  guardRuntimeContracts,
  httpProbe,
  nonRootProfile,
} from '../lib';

/** Dify composed by hand: Qdrant on DifyStatefulStore, no beat, an OpenTelemetry collector in another namespace. */
// #region README
export class ComposedDify extends Chart {
  constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'dify' });
    const instance = 'dify';
    const credentials = credentialsInSecret('dify-credentials');
    const qdrantKey = SecretKeyRef.of('dify-credentials', 'qdrant-api-key');
    const urls = DifyUrls.fromHost('dify.example.com', { tls: true });

    const postgres = new DifyPostgres(this, 'Postgres', { instance, password: credentials.postgresPassword });
    const redis = new DifyRedis(this, 'Redis', { instance, password: credentials.redisPassword, celeryBrokerUrl: credentials.celeryBrokerUrl });
    const qdrant = new DifyStatefulStore(this, 'Qdrant', {
      instance,
      component: 'qdrant',
      image: 'qdrant/qdrant:v1.12.4',
      ports: [
        { name: 'http', port: 6333 },
        { name: 'grpc', port: 6334 },
      ],
      env: new EnvSet().secret({ QDRANT__SERVICE__API_KEY: qdrantKey }),
      probes: { readiness: httpProbe('/readyz', 'http'), liveness: httpProbe('/livez', 'http') },
      resources: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '2Gi' },
      security: nonRootProfile(1000, { readOnlyRootFilesystem: true, fsGroup: 1000 }),
      dataPath: '/qdrant/storage',
      defaultStorageSize: '10Gi',
    });
    const otel = DifyEndpoint.of({
      host: 'otel-collector.observability.svc',
      port: 4318,
      peer: NetworkPeer.pods({ namespace: 'observability', podLabels: { 'app.kubernetes.io/name': 'opentelemetry-collector' } }),
    });

    const ssrfProxy = new DifySsrfProxy(this, 'SsrfProxy', { instance });
    const sandbox = new DifySandbox(this, 'Sandbox', { instance, apiKey: credentials.sandboxApiKey, ssrfProxy });
    const pluginDaemon = new DifyPluginDaemon(this, 'PluginDaemon', {
      instance,
      database: postgres,
      redis,
      api: { host: `${instance}-api`, port: DifyApi.PORT },
      serverKey: credentials.pluginDaemonKey,
      innerApiKey: credentials.pluginInnerApiKey,
    });
    const config = new DifyBackendConfig({
      urls,
      database: postgres,
      redis,
      credentials,
      sandbox,
      pluginDaemon,
      ssrfProxy,
      storage: new DifyFileStorage(this, 'Storage', { instance }),
      vectorStore: connectVia(VectorStore.qdrant({ url: `http://${qdrant.host}:${qdrant.port}`, apiKey: qdrantKey }), qdrant),
      settings: new DifySettings({ otel: { endpoint: `http://${otel.host}:${otel.port}` } }),
    });
    const migration = new DifyMigration(this, 'Migration', { instance, config });
    // One pod each: the default file-storage claim is ReadWriteOnce (scale out on ReadWriteMany or object storage).
    const api = new DifyApi(this, 'Api', { instance, config });
    const worker = new DifyWorker(this, 'Worker', { instance, config });
    const web = new DifyWeb(this, 'Web', { instance, urls, api });
    pluginDaemon.connections.allowTo(api);
    // Every process with ENABLE_OTEL exports to the collector (their runtime contracts; checked at synth).
    for (const c of [migration, api, worker]) c.connections.allowTo(otel);
    guardRuntimeContracts(this);
    new DifyIngress(this, 'Ingress', { instance, urls, backends: { api, web, pluginDaemon } });
    new DifyNetworkPolicy(this, 'NetworkPolicy');
  }
}
// #endregion README
