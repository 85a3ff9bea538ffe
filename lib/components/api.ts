import { Construct } from 'constructs';
import { DifyBackendConfig } from '../config/backend';
import { BackendMode } from '../config/backend-features';
import { Connections, IConnectable, NetworkPeer } from '../core/connections';
import { ComponentResources } from '../core/resources';
import { DifyComponentProps, DifyWorkload, httpProbe, startupFor } from '../core/workload';
import { DEFAULT_IMAGES } from '../versions';
import { backendPod } from './backend-pod';
import { guardProps } from '../core/guard';
import { expectMigration } from './migration';
import { recordUrls } from '../config/urls';

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
    guardProps('DifyApiProps', props);
    this.workload = apiServerWorkload(this, props, { component: 'api', mode: 'api', resources: DifyApi.DEFAULT_RESOURCES });
    this.host = this.workload.name;
    this.connections.allowTo(NetworkPeer.internet());
  }

  public get connections(): Connections {
    return this.workload.connections;
  }
}

/**
 * The workload of an api-image HTTP server role on 5001 (api, the collaboration
 * websocket): /health probes, the backend pod (/tmp, storage claim), the
 * migration gate, and flows to everything the role's config names.
 */
export function apiServerWorkload(
  scope: Construct,
  props: DifyApiProps,
  role: { component: string; mode: BackendMode; resources: ComponentResources },
): DifyWorkload {
  const health = httpProbe('/health', 'http', { timeout: 5 });
  const workload = new DifyWorkload(scope, 'Resource', {
    ...props,
    component: role.component,
    image: props.image ?? DEFAULT_IMAGES.api,
    kind: 'Deployment',
    env: props.config.env(role.mode, scope),
    unconnectedSettings: props.config.unconnectedSettings(role.mode),
    ports: [{ name: 'http', port: DifyApi.PORT }],
    probes: { readiness: health, liveness: httpProbe('/health', 'http', { period: 30, failures: 3 }), startup: startupFor(health, 300) },
    resources: role.resources,
    ...backendPod(props.instance, props.config),
  });
  for (const target of props.config.targets(role.mode)) workload.connections.allowTo(target);
  expectMigration(workload);
  recordUrls(workload, props.instance, props.config.props.urls, 'config.urls');
  return workload;
}
