import { DifyDatabase, DifySecrets, DifyStorage, ExternalRedis, IngressTls, PluginStorage, SecretKeyRef, VectorStore, credentialsInSecret } from '../lib';
import { Environment } from './environments';

// Placeholders: replace the hosts, bucket, CIDR, store and secret paths with your own.
const credentials = credentialsInSecret('dify-credentials');
const DATA_SUBNET = '10.40.0.0/16';
// IRSA: the IAM roles that may read and write the file and plugin buckets (no access keys anywhere).
const FILES_ROLE = { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/dify-prod-files' };
const PLUGINS_ROLE = { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/dify-prod-plugins' };

/**
 * Production: managed PostgreSQL, Redis (TLS), S3 (IRSA) and Qdrant; every
 * credential from AWS Secrets Manager through External Secrets; three api and
 * web replicas with HPAs and PDBs spread across zones; TLS from cert-manager on
 * split web and api hosts; OpenTelemetry to the in-cluster collector; the
 * collaboration websocket (autoscaled) and the agent v2 stack.
 */
export const prod: Environment = {
  name: 'prod',
  namespace: 'dify-prod',
  priorityClasses: [
    {
      name: 'dify-critical',
      value: 100000,
      description: 'Dify serving path: api, web, worker, sandboxes, SSRF proxies, plugin daemon, websocket, agent backend',
    },
  ],
  dify: {
    // The code sandbox in a namespace of its own (Pod Security "baseline"), so dify-prod enforces "restricted".
    sandboxNamespace: 'dify-prod-sandbox',
    host: 'dify.example.com',
    apiHost: 'api.dify.example.com',
    ingress: { tls: IngressTls.certManager({ issuer: 'letsencrypt', kind: 'ClusterIssuer' }) },
    secrets: DifySecrets.external({
      store: { name: 'aws-secrets-manager', kind: 'ClusterSecretStore' },
      remoteRefs: {
        secretKey: { key: 'prod/dify/app', property: 'secret-key' },
        sandboxApiKey: { key: 'prod/dify/app', property: 'sandbox-api-key' },
        pluginDaemonKey: { key: 'prod/dify/app', property: 'plugin-daemon-key' },
        pluginInnerApiKey: { key: 'prod/dify/app', property: 'plugin-inner-api-key' },
        postgresPassword: { key: 'prod/dify/rds', property: 'password' },
        redisPassword: { key: 'prod/dify/redis', property: 'auth-token' },
        celeryBrokerUrl: { key: 'prod/dify/redis', property: 'broker-url' },
        agentApiToken: { key: 'prod/dify/agent', property: 'api-token' },
        agentServerSecretKey: { key: 'prod/dify/agent', property: 'server-secret-key' },
        agentSandboxToken: { key: 'prod/dify/agent', property: 'local-sandbox-token' },
        // rediss://:<auth-token>@<primary endpoint>:6379/2 — the agent backend's own DB index.
        agentRedisUrl: { key: 'prod/dify/redis', property: 'agent-url' },
      },
      extraKeys: { 'qdrant-api-key': { key: 'prod/dify/qdrant', property: 'api-key' }, 'otlp-api-key': { key: 'prod/dify/otel', property: 'api-key' } },
    }),
    reloaderAnnotations: true,
    externalDatabase: DifyDatabase.external({
      host: 'dify-prod.cluster-example.eu-west-1.rds.amazonaws.com',
      username: 'dify',
      password: credentials.postgresPassword,
      sslMode: 'require',
    }),
    externalRedis: ExternalRedis.standalone({
      host: 'master.dify-prod.example.euw1.cache.amazonaws.com',
      password: credentials.redisPassword,
      brokerUrl: credentials.celeryBrokerUrl,
      tls: {},
    }),
    agent: { redisUrl: credentials.agentRedisUrl },
    vectorStore: VectorStore.qdrant({ url: 'https://qdrant.data.example.internal:6333', apiKey: SecretKeyRef.of('dify-credentials', 'qdrant-api-key') }),
    storage: DifyStorage.s3({ bucket: 'example-dify-prod-files', region: 'eu-west-1', useAwsManagedIam: true }),
    // Every api-image process (api, websocket, worker pools, beat, the migration Job) opens the bucket at start.
    serviceAccountAnnotations: FILES_ROLE,
    pluginStorage: PluginStorage.s3({ bucket: 'example-dify-prod-plugins', region: 'eu-west-1', useAwsManagedIam: true }),
    settings: {
      logLevel: 'INFO',
      logFormat: 'json',
      otel: { endpoint: 'http://otel-collector.observability.svc:4318', samplingRate: 0.1, apiKey: SecretKeyRef.of('dify-credentials', 'otlp-api-key') },
    },
    networkPolicy: {
      externalServices: [{ cidr: DATA_SUBNET, ports: [5432, 6379, 6333] }],
      telemetry: {
        collector: { namespaceLabels: { 'kubernetes.io/metadata.name': 'observability' }, podLabels: { 'app.kubernetes.io/name': 'opentelemetry-collector' } },
        ports: [4317, 4318],
      },
    },
    // Celery queues split so an indexing burst cannot starve workflow runs; each pool scales on its queues' depth (KEDA).
    workerPools: [
      {
        name: 'indexing',
        queues: ['dataset', 'dataset_summary', 'priority_dataset', 'pipeline', 'priority_pipeline'],
        queueDepthScaling: { minReplicas: 1, maxReplicas: 10, listLength: 10 },
        options: { priorityClassName: 'dify-critical', resources: { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '2Gi', memoryLimit: '4Gi' } },
      },
      {
        name: 'workflow',
        queues: [
          'workflow',
          'workflow_storage',
          'workflow_based_app_execution',
          'conversation',
          'triggered_workflow_dispatcher',
          'schedule_poller',
          'schedule_executor',
          'trigger_refresh_publisher',
          'trigger_refresh_executor',
          'plugin',
          'api_token',
          'app_deletion',
          'app_rbac',
          'retention',
        ],
        queueDepthScaling: { minReplicas: 2, maxReplicas: 20, listLength: 5 },
        options: { priorityClassName: 'dify-critical', resources: { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '2Gi', memoryLimit: '4Gi' } },
      },
      { name: 'ops', queues: ['mail', 'ops_trace'], queueDepthScaling: { minReplicas: 1, maxReplicas: 4, listLength: 20 } },
    ],
    // CELERY_BROKER_URL of the prod Redis points at database 1 (as upstream's compose).
    workerPoolsBroker: { database: 1 },
    components: {
      api: {
        autoscaling: { minReplicas: 3, maxReplicas: 12 },
        priorityClassName: 'dify-critical',
        resources: { cpuRequest: '500m', cpuLimit: '2', memoryRequest: '2Gi', memoryLimit: '4Gi' },
      },
      web: { autoscaling: { minReplicas: 3, maxReplicas: 8 }, priorityClassName: 'dify-critical' },
      sandbox: { autoscaling: { minReplicas: 2, maxReplicas: 10 }, priorityClassName: 'dify-critical' },
      ssrfProxy: { replicas: 2, priorityClassName: 'dify-critical' },
      pluginDaemon: { priorityClassName: 'dify-critical', serviceAccountAnnotations: PLUGINS_ROLE },
      apiWebsocket: { autoscaling: { minReplicas: 2, maxReplicas: 6 }, priorityClassName: 'dify-critical' },
      agentBackend: { replicas: 2, priorityClassName: 'dify-critical' },
      localSandbox: { priorityClassName: 'dify-critical' },
      agentSsrfProxy: { replicas: 2, priorityClassName: 'dify-critical' },
    },
  },
};
