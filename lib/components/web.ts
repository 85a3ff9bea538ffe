import { Construct } from 'constructs';
import { ServiceEndpoint, httpUrl } from '../config/connections';
import { DifySettings } from '../config/settings';
import { DifyUrls } from '../config/urls';
import { ComponentResources, withResources } from '../core/resources';
import { nonRootProfile } from '../core/security';
import { DifyWorkload, emptyDir, startupFor, tcpProbe } from '../core/workload';

/** Props of {@link DifyWeb}. */
export interface DifyWebProps {
  readonly instance: string;
  readonly image: string;
  readonly urls: DifyUrls;
  /** The api Service the Next.js server calls server-side (SERVER_CONSOLE_API_URL). */
  readonly api: ServiceEndpoint;
  readonly settings: DifySettings;
  /** @default 1 */
  readonly replicas?: number;
  /** @default - 100m/500m CPU, 256Mi/1Gi memory */
  readonly resources?: Partial<ComponentResources>;
}

/** The Next.js frontend on port 3000. */
export class DifyWeb extends Construct {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '256Mi', memoryLimit: '1Gi' };
  public static readonly PORT = 3000;

  public readonly workload: DifyWorkload;
  public readonly host: string;
  public readonly port = DifyWeb.PORT;

  constructor(scope: Construct, id: string, props: DifyWebProps) {
    super(scope, id);
    const env = props.settings.webEnv().plain({
      ...props.urls.webEnv(),
      SERVER_CONSOLE_API_URL: httpUrl(props.api),
      PORT: DifyWeb.PORT,
      HOSTNAME: '0.0.0.0',
      TEXT_GENERATION_TIMEOUT_MS: 60000,
      PM2_HOME: '/tmp/.pm2',
    }, 'web');
    props.settings.applyExtraEnv(env, 'webExtraEnv');
    const port = tcpProbe('http');
    this.workload = new DifyWorkload(this, 'Resource', {
      instance: props.instance,
      component: 'web',
      name: `${props.instance}-web`,
      image: props.image,
      kind: 'Deployment',
      replicas: props.replicas,
      env,
      ports: [{ name: 'http', port: DifyWeb.PORT }],
      probes: { readiness: port, liveness: tcpProbe('http', { period: 20 }), startup: startupFor(port, 120) },
      resources: withResources(DifyWeb.DEFAULT_RESOURCES, props.resources),
      resourcesProp: 'web.resources',
      // The web entrypoint rewrites runtime config into the image at start,
      // so the root filesystem stays writable; /tmp holds pm2's home.
      security: nonRootProfile(1001, { readOnlyRootFilesystem: false }),
      volumes: [emptyDir('tmp', '256Mi')],
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    });
    this.host = this.workload.name;
  }
}
