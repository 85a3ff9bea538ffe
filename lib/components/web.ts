import { Construct } from 'constructs';
import { ServiceEndpoint, httpUrl } from '../config/connections';
import { DifySettings } from '../config/settings';
import { DifyUrls, recordUrls } from '../config/urls';
import { Connections, IConnectable } from '../core/connections';
import { ComponentResources } from '../core/resources';
import { nonRootProfile } from '../core/security';
import { DifyComponentProps, DifyWorkload, emptyDir, startupFor, tcpProbe } from '../core/workload';
import { DEFAULT_IMAGES } from '../versions';
import { guardProps } from '../core/guard';

/** Props of {@link DifyWeb}. */
export interface DifyWebProps extends DifyComponentProps {
  /** @default - {@link DEFAULT_IMAGES}.web */
  readonly image?: string;
  readonly urls: DifyUrls;
  /** The api the Next.js server calls server-side (SERVER_CONSOLE_API_URL); wired as a flow. */
  readonly api: ServiceEndpoint & IConnectable;
  /** @default - upstream defaults */
  readonly settings?: DifySettings;
  /** Show the agent v2 UI (NEXT_PUBLIC_ENABLE_AGENT_V2): true exactly when the agent backend is deployed. @default false */
  readonly agentV2?: boolean;
}

/** The Next.js frontend on port 3000. Default resources: 100m/500m CPU, 256Mi/1Gi memory. */
export class DifyWeb extends Construct implements IConnectable {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '256Mi', memoryLimit: '1Gi' };
  public static readonly PORT = 3000;

  public readonly workload: DifyWorkload;
  public readonly host: string;
  public readonly port = DifyWeb.PORT;

  constructor(scope: Construct, id: string, props: DifyWebProps) {
    super(scope, id);
    guardProps('DifyWebProps', props);
    recordUrls(this, props.instance, props.urls, 'web.urls');
    const settings = props.settings ?? new DifySettings();
    const env = settings
      .webEnv()
      .plain(
        {
          ...props.urls.webEnv(),
          SERVER_CONSOLE_API_URL: httpUrl(props.api),
          PORT: DifyWeb.PORT,
          HOSTNAME: '0.0.0.0',
          PM2_HOME: '/tmp/.pm2',
          NEXT_PUBLIC_ENABLE_AGENT_V2: props.agentV2 ?? false,
        },
        'web',
      );
    settings.applyExtraEnv(env, 'webExtraEnv');
    const port = tcpProbe('http');
    this.workload = new DifyWorkload(this, 'Resource', {
      ...props,
      component: 'web',
      image: props.image ?? DEFAULT_IMAGES.web,
      kind: 'Deployment',
      env,
      ports: [{ name: 'http', port: DifyWeb.PORT }],
      probes: { readiness: port, liveness: tcpProbe('http', { period: 20 }), startup: startupFor(port, 120) },
      resources: DifyWeb.DEFAULT_RESOURCES,
      // The root filesystem stays writable: the 1.16.1 entrypoint could not be read
      // at the tag and Next.js caches under .next/ (lib/runtime, web.writes.root);
      // /tmp holds pm2's home.
      security: nonRootProfile(1001, { readOnlyRootFilesystem: false }),
      volumes: [emptyDir('tmp', '256Mi')],
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    });
    this.host = this.workload.name;
    this.connections.allowTo(props.api);
  }

  public get connections(): Connections {
    return this.workload.connections;
  }
}
