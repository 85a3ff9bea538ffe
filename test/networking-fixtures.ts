import { Chart, Testing } from 'cdk8s';
import { DifyWorkload, RouteBackend, RouteTarget, nonRootProfile, tcpProbe } from '../lib';
import { RuntimeSecret, checkReferences } from './support/references';
import { formatIssues, validateSchemas } from './support/schema';

/** Namespace of the test charts. */
export const NAMESPACE = 'dify';

/** A fresh chart in {@link NAMESPACE}. */
export function networkingChart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: NAMESPACE });
}

/** Small workloads standing in for api, web, the plugin daemon and the websocket, so Services and routes resolve. */
export function backendStubs(chart: Chart): { [K in Exclude<RouteTarget, 'agentBackend'>]: RouteBackend } {
  const stub = (component: string, image: string, port: number): RouteBackend => {
    const w = new DifyWorkload(chart, `Stub-${component}`, {
      instance: 'dify',
      component,
      name: `dify-${component}`,
      image,
      kind: 'Deployment',
      ports: [{ name: 'http', port }],
      probes: { readiness: tcpProbe('http'), liveness: tcpProbe('http') },
      resources: { cpuRequest: '10m', cpuLimit: '100m', memoryRequest: '16Mi', memoryLimit: '64Mi' },
      security: nonRootProfile(1001, { readOnlyRootFilesystem: true }),
    });
    return { host: w.name, port, connections: w.connections };
  };
  return {
    api: stub('api', 'langgenius/dify-api:1.16.1', 5001),
    web: stub('web', 'langgenius/dify-web:1.16.1', 3000),
    pluginDaemon: stub('plugin-daemon', 'langgenius/dify-plugin-daemon:0.6.10-local', 5002),
    apiWebsocket: stub('api-websocket', 'langgenius/dify-api:1.16.1', 5001),
  };
}

/** Schema problems (one per line, empty when valid) and unresolved references of the chart's manifests. */
export function manifestProblems(docs: Record<string, any>[], runtimeSecrets: RuntimeSecret[] = []): { schema: string; references: string[] } {
  return {
    schema: formatIssues(validateSchemas(docs, { defaultNamespace: NAMESPACE })),
    references: checkReferences(docs, { defaultNamespace: NAMESPACE, runtimeSecrets }),
  };
}

/** Finds one document by kind and name. */
export function findDoc(docs: Record<string, any>[], kind: string, name: string): Record<string, any> {
  const d = docs.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!d) throw new Error(`no ${kind}/${name} among ${docs.map((x) => `${x.kind}/${x.metadata?.name}`).join(', ')}`);
  return d;
}
