import { App, YamlOutputType } from 'cdk8s';
import { DifyStorage, DifyTenantsProps, DifyTenants, IngressTls, LABEL_ENVIRONMENT } from '../lib';

/**
 * Four customers on one cluster, each an isolated Dify in its own namespace
 * (`dify-<name>`) behind the shared ingress-nginx: own host, own generated
 * credentials, own ResourceQuota and LimitRange derived from what the
 * installation requests, NetworkPolicies that admit nothing from the other
 * tenants. One tenant gets more workers and a bigger quota headroom.
 */
export const tenants: DifyTenantsProps = {
  ingressClassName: 'nginx',
  // Unique to this App's dist/tenants/, like every environment's label: a label-scoped prune stays inside it.
  labels: { [LABEL_ENVIRONMENT]: 'tenants' },
  defaults: {
    ingress: { tls: IngressTls.certManager({ issuer: 'letsencrypt', kind: 'ClusterIssuer' }) },
    storage: DifyStorage.persistentVolume({ size: '10Gi' }),
    settings: { logLevel: 'INFO', logFormat: 'json' },
    postgres: { storageSize: '10Gi' },
    redis: { storageSize: '1Gi' },
    weaviate: { storageSize: '10Gi' },
    pluginDaemon: { storageSize: '5Gi' },
  },
  tenants: [
    { name: 'acme', host: 'acme.dify.example.com' },
    { name: 'globex', host: 'globex.dify.example.com' },
    {
      name: 'initech',
      host: 'initech.dify.example.com',
      // Several api and worker pods share the files: a ReadWriteMany claim, so node drains finish.
      dify: {
        components: { worker: { replicas: 3 }, api: { replicas: 2 } },
        storage: DifyStorage.persistentVolume({ size: '10Gi', storageClassName: 'standard-rwx', accessMode: 'ReadWriteMany' }),
      },
      quota: { headroomPercent: 50 },
    },
    { name: 'umbrella', host: 'umbrella.dify.example.com', dify: { settings: { logLevel: 'WARNING', logFormat: 'json' } } },
  ],
};

/** Synthesizes the tenants into `<outdir>/tenants/`: per tenant its namespace chart first, then its installation. */
export function synthTenants(props: DifyTenantsProps, outdir: string): App {
  const app = new App({ outdir: `${outdir}/tenants`, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  new DifyTenants(app, 'tenants', props);
  return app;
}
