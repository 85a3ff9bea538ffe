import { Chart } from 'cdk8s';
import { Dify, DifyDatabase, DifySecrets, DifyStorage, IngressTls, credentialsInSecret } from '../lib';

/**
 * README "Production": public host and API host with cert-manager TLS, every credential from AWS Secrets Manager
 * through External Secrets, a managed PostgreSQL, autoscaled api and web.
 */
export function production(chart: Chart): void {
  // #region README
  const credentials = credentialsInSecret('dify-credentials'); // the Secret the ExternalSecret creates
  const remote = (property: string) => ({ key: 'dify/production', property });
  new Dify(chart, 'Dify', {
    host: 'dify.example.com',
    apiHost: 'api.dify.example.com',
    ingress: { tls: IngressTls.certManager({ issuer: 'letsencrypt', kind: 'ClusterIssuer' }) },
    secrets: DifySecrets.external({
      store: { name: 'aws-secrets-manager', kind: 'ClusterSecretStore' },
      // Every credential the installation reads (the Redis URLs are derived from redisPassword), and the managed
      // database's password, which the ExternalSecret then also writes into dify-credentials.
      remoteRefs: {
        secretKey: remote('secret-key'),
        sandboxApiKey: remote('sandbox-api-key'),
        pluginDaemonKey: remote('plugin-daemon-key'),
        pluginInnerApiKey: remote('plugin-inner-api-key'),
        redisPassword: remote('redis-password'),
        weaviateApiKey: remote('weaviate-api-key'),
        agentApiToken: remote('agent-api-token'),
        agentServerSecretKey: remote('agent-server-secret-key'),
        agentSandboxToken: remote('agent-local-sandbox-token'),
        postgresPassword: remote('db-password'),
      },
    }),
    externalDatabase: DifyDatabase.external({ host: 'db.internal', username: 'dify', password: credentials.postgresPassword }),
    // Several api pods share the file storage: a ReadWriteMany claim (EFS here), or DifyStorage.s3(...).
    storage: DifyStorage.persistentVolume({ size: '50Gi', accessMode: 'ReadWriteMany', storageClassName: 'efs-sc' }),
    components: { api: { autoscaling: { minReplicas: 3, maxReplicas: 12 } }, web: { autoscaling: { minReplicas: 3, maxReplicas: 8 } } },
    networkPolicy: { externalServices: [{ cidr: '10.40.0.0/16', ports: [5432, 6379, 6333] }] },
  });
  // #endregion README
}
