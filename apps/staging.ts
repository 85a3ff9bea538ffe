import { BackupTarget, DifySecrets, DifyStorage, IngressTls } from '../lib';
import { Environment } from './environments';

/**
 * Staging: embedded stores, two replicas of every stateless component, TLS
 * from cert-manager, credentials from a Secret the platform team manages
 * (sealed-secrets or SOPS), nightly backups to a volume. The collaboration
 * websocket and the agent v2 stack run as in prod, so that Secret also holds
 * the agent keys: agent-api-token, agent-server-secret-key (unpadded base64url
 * of 32 bytes: `python3 -c 'import secrets; print(secrets.token_urlsafe(32))'`),
 * agent-local-sandbox-token and agent-redis-url (`redis://:<redis-password>@dify-redis:6379/2`).
 * The sandbox runs in dify-staging-sandbox: create `dify-sandbox-credentials` there holding only
 * `sandbox-api-key`, the same value as in dify-credentials.
 */
export const staging: Environment = {
  name: 'staging',
  namespace: 'dify-staging',
  dify: {
    // The code sandbox in a namespace of its own (Pod Security "baseline"), so dify-staging enforces "restricted".
    sandboxNamespace: 'dify-staging-sandbox',
    host: 'dify.staging.example.com',
    ingress: { tls: IngressTls.certManager({ issuer: 'letsencrypt-staging', kind: 'ClusterIssuer' }) },
    secrets: DifySecrets.existing('dify-credentials'),
    // Two pods each of api, worker and websocket share the files: a ReadWriteMany class (GKE Filestore's
    // standard-rwx; NFS, CephFS or EFS elsewhere) lets them run on any node, so node drains finish.
    storage: DifyStorage.persistentVolume({ size: '20Gi', storageClassName: 'standard-rwx', accessMode: 'ReadWriteMany' }),
    settings: { logLevel: 'INFO', logFormat: 'json', deployEnv: 'TESTING' },
    postgres: { storageSize: '20Gi', storageClassName: 'standard-rwo' },
    redis: { storageSize: '2Gi', storageClassName: 'standard-rwo' },
    weaviate: { storageSize: '20Gi', storageClassName: 'standard-rwo' },
    pluginDaemon: { storageSize: '10Gi', storageClassName: 'standard-rwo' },
    backup: { target: BackupTarget.volume({ size: '50Gi', storageClassName: 'standard-rwo' }), retentionDays: 7 },
    components: {
      api: { replicas: 2 },
      worker: { replicas: 2 },
      web: { replicas: 2 },
      sandbox: { replicas: 2 },
      ssrfProxy: { replicas: 2 },
      apiWebsocket: { replicas: 2 },
      agentBackend: { replicas: 2 },
      agentSsrfProxy: { replicas: 2 },
    },
  },
};
