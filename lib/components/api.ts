import { Construct } from 'constructs';
import { DifyBackendConfig } from '../config/backend';
import { Connections, IConnectable, NetworkPeer } from '../core/connections';
import { ComponentResources } from '../core/resources';
import { DifyComponentProps, DifyWorkload, httpProbe, startupFor } from '../core/workload';
import { DEFAULT_IMAGES } from '../versions';
import { apiImageProfile, backendPod, migrationGate } from './backend-pod';

/** Props of {@link DifyApi}. */
export interface DifyApiProps extends DifyComponentProps {
  /** @default - {@link DEFAULT_IMAGES}.api */
  readonly image?: string;
  /** What the api is configured from and connects to. */
  readonly config: DifyBackendConfig;
}

/**
 * The Flask/gunicorn API (MODE=api) on port 5001: console, web-app, service
 * and inner APIs. It connects to everything its config names and to the
 * public internet (model providers).
 *
 * @example
 * const api = new DifyApi(chart, 'Api', { instance: 'dify', config, options: { replicas: 2 } });
 * web.connections.allowTo(api);
 */
export class DifyApi extends Construct implements IConnectable {
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
    const pod = backendPod(props.instance, props.config);
    const health = httpProbe('/health', 'http', { timeout: 5 });
    this.workload = new DifyWorkload(this, 'Resource', {
      ...props,
      component: 'api',
      image: props.image ?? DEFAULT_IMAGES.api,
      kind: 'Deployment',
      env: props.config.env('api'),
      ports: [{ name: 'http', port: DifyApi.PORT }],
      probes: { readiness: health, liveness: httpProbe('/health', 'http', { period: 30, failures: 3 }), startup: startupFor(health, 300) },
      resources: DifyApi.DEFAULT_RESOURCES,
      security: apiImageProfile(true),
      volumes: pod.volumes,
      volumeMounts: pod.mounts,
      initContainers: [migrationGate()],
      affinity: pod.affinity,
      podLabels: pod.podLabels,
    });
    this.host = this.workload.name;
    for (const target of props.config.targets('api')) this.connections.allowTo(target);
    this.connections.allowTo(NetworkPeer.internet());
  }

  public get connections(): Connections {
    return this.workload.connections;
  }
}
