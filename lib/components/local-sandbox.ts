import { Construct } from 'constructs';
import { ServiceEndpoint, httpUrl } from '../config/connections';
import { Connections, IConnectable } from '../core/connections';
import { EnvSet } from '../core/env';
import { ComponentResources } from '../core/resources';
import { SecretKeyRef } from '../core/secret-ref';
import { nonRootProfile } from '../core/security';
import { invalid } from '../core/validation';
import { DifyComponentProps, DifyWorkload, emptyDir, startupFor, tcpProbe } from '../core/workload';
import { DEFAULT_IMAGES } from '../versions';
import { guardProps } from '../core/guard';

/** Props of {@link DifyLocalSandbox}. */
export interface DifyLocalSandboxProps extends DifyComponentProps {
  /** @default - {@link DEFAULT_IMAGES}.localSandbox */
  readonly image?: string;
  /** SHELLCTL_AUTH_TOKEN: the Secret key the agent backend sends (DIFY_AGENT_LOCAL_SANDBOX_AUTH_TOKEN). */
  readonly authToken: SecretKeyRef;
  /** The agent SSRF proxy: the sandbox's only network peer (HTTP_PROXY, HTTPS_PROXY). */
  readonly proxy: ServiceEndpoint & IConnectable;
  /** Landlock path isolation (SHELLCTL_ENABLE_PATH_ISOLATION); needs kernel 5.13+ with the landlock LSM. @default true */
  readonly pathIsolation?: boolean;
}

/**
 * The agent v2 local sandbox (shellctl on 5004): where agent runs execute
 * shell commands, in per-run homes and workspaces. It runs as the image's
 * unprivileged `dify` user under Pod Security "restricted" (no capabilities,
 * read-only root, no ServiceAccount token); shellctl confines commands with
 * Landlock, which needs no capability. Its only peer is the agent SSRF proxy:
 * it never reaches api, the stores or the internet directly. Exactly one
 * replica: homes, workspaces and snapshots live on the pod's volumes.
 */
export class DifyLocalSandbox extends Construct implements IConnectable {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '250m', cpuLimit: '2', memoryRequest: '512Mi', memoryLimit: '2Gi' };
  public static readonly PORT = 5004;
  /** UID/GID of the image's `dify` user (created by `useradd` on python:3.12-slim: the first free uid). */
  public static readonly UID = 1000;

  public readonly workload: DifyWorkload;
  public readonly host: string;
  public readonly port = DifyLocalSandbox.PORT;

  constructor(scope: Construct, id: string, props: DifyLocalSandboxProps) {
    super(scope, id);
    guardProps('DifyLocalSandboxProps', props);
    const isolation = props.pathIsolation ?? true;
    if (typeof isolation !== 'boolean') invalid('agent.pathIsolation', isolation, 'must be true or false');
    const proxy = httpUrl(props.proxy);
    // curl and most CLI tools read the lowercase names only.
    const env = new EnvSet()
      .plain(
        {
          HTTP_PROXY: proxy,
          HTTPS_PROXY: proxy,
          NO_PROXY: 'localhost,127.0.0.1',
          http_proxy: proxy,
          https_proxy: proxy,
          no_proxy: 'localhost,127.0.0.1',
          SHELLCTL_ENABLE_PATH_ISOLATION: isolation,
        },
        'localSandbox',
      )
      .secret({ SHELLCTL_AUTH_TOKEN: props.authToken });
    const port = tcpProbe('shellctl');
    this.workload = new DifyWorkload(this, 'Resource', {
      ...props,
      component: 'local-sandbox',
      image: props.image ?? DEFAULT_IMAGES.localSandbox,
      kind: 'Deployment',
      singleton: true,
      strategy: { type: 'Recreate' },
      env,
      ports: [{ name: 'shellctl', port: DifyLocalSandbox.PORT }],
      // tcpSocket: whether /healthz is exempt from the bearer token is not documented.
      probes: { readiness: port, liveness: tcpProbe('shellctl', { period: 30, failures: 3 }), startup: startupFor(port, 60) },
      resources: DifyLocalSandbox.DEFAULT_RESOURCES,
      security: nonRootProfile(DifyLocalSandbox.UID, { readOnlyRootFilesystem: true, fsGroup: DifyLocalSandbox.UID }),
      volumes: [emptyDir('home', '5Gi'), emptyDir('workspace', '10Gi'), emptyDir('drive', '1Gi'), emptyDir('tmp', '1Gi')],
      volumeMounts: [
        { name: 'home', mountPath: '/home/dify' },
        { name: 'workspace', mountPath: '/workspace' },
        { name: 'drive', mountPath: '/mnt/drive' },
        { name: 'tmp', mountPath: '/tmp' },
      ],
    });
    this.host = this.workload.name;
    this.connections.allowTo(props.proxy);
  }

  public get connections(): Connections {
    return this.workload.connections;
  }
}
