import { DifyStorage } from '../lib';
import { Environment } from './environments';

/**
 * A laptop cluster (kind, k3d, minikube, Docker Desktop): embedded stores,
 * one replica each, plain HTTP on dify.localhost, credentials generated in
 * the cluster; the collaboration websocket and the agent v2 stack included.
 */
export const dev: Environment = {
  name: 'dev',
  namespace: 'dify',
  dify: {
    host: 'dify.localhost',
    storage: DifyStorage.persistentVolume({ size: '5Gi' }),
    settings: { logLevel: 'INFO', deployEnv: 'TESTING' },
    postgres: { storageSize: '5Gi' },
    redis: { storageSize: '1Gi' },
    weaviate: { storageSize: '5Gi' },
    pluginDaemon: { storageSize: '5Gi' },
    components: {
      api: { resources: { cpuRequest: '200m', memoryRequest: '768Mi' } },
      worker: { resources: { cpuRequest: '200m', memoryRequest: '768Mi' } },
      // Collaboration and the agent v2 stack are on (upstream's defaults), with laptop-sized requests.
      apiWebsocket: { resources: { cpuRequest: '50m', memoryRequest: '192Mi' } },
      agentBackend: { resources: { cpuRequest: '50m', memoryRequest: '128Mi' } },
      localSandbox: { resources: { cpuRequest: '100m', memoryRequest: '192Mi' } },
      agentSsrfProxy: { resources: { cpuRequest: '50m', memoryRequest: '64Mi' } },
    },
  },
};
