import { Construct } from 'constructs';
import { DifyBackendConfig } from '../config/backend';
import { ComponentResources, withResources } from '../core/resources';
import { DifyWorkload, httpProbe, startupFor } from '../core/workload';
import { STORAGE_AFFINITY_LABEL, apiImageProfile, backendVolumes, migrationGate, storageAffinity, storageClaimName } from './backend-pod';

/** Props of {@link DifyApi}. */
export interface DifyApiProps {
  /** Installation name (`app.kubernetes.io/instance`, prefix of every name). */
  readonly instance: string;
  readonly image: string;
  readonly config: DifyBackendConfig;
  /** @default 1 */
  readonly replicas?: number;
  /** @default - 250m/1 CPU, 1Gi/2Gi memory */
  readonly resources?: Partial<ComponentResources>;
}

/** The Flask/gunicorn API (MODE=api) on port 5001: console, web-app, service and inner APIs. */
export class DifyApi extends Construct {
  /** Default container resources. */
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '2Gi' };
  /** Port the API listens on. */
  public static readonly PORT = 5001;

  public readonly workload: DifyWorkload;
  /** Service host name. */
  public readonly host: string;
  public readonly port = DifyApi.PORT;

  constructor(scope: Construct, id: string, props: DifyApiProps) {
    super(scope, id);
    const storage = props.config.props.storage;
    const { volumes, mounts } = backendVolumes(props.instance, storage);
    const health = httpProbe('/health', 'http', { timeout: 5 });
    this.workload = new DifyWorkload(this, 'Resource', {
      instance: props.instance,
      component: 'api',
      name: `${props.instance}-api`,
      image: props.image,
      kind: 'Deployment',
      replicas: props.replicas,
      env: props.config.env('api'),
      ports: [{ name: 'http', port: DifyApi.PORT }],
      probes: { readiness: health, liveness: httpProbe('/health', 'http', { period: 30, failures: 3 }), startup: startupFor(health, 300) },
      resources: withResources(DifyApi.DEFAULT_RESOURCES, props.resources),
      resourcesProp: 'api.resources',
      security: apiImageProfile(true),
      volumes,
      volumeMounts: mounts,
      initContainers: [migrationGate()],
      affinity: storageAffinity(props.instance, storage),
      podLabels: storage?.volume ? { [STORAGE_AFFINITY_LABEL]: storageClaimName(props.instance) } : undefined,
    });
    this.host = this.workload.name;
  }
}
