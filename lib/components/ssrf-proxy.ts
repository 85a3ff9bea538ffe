import { validatePort } from '../core/validation';
import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { Connections, IConnectable, NetworkPeer } from '../core/connections';
import { metadataLabels } from '../core/labels';
import { ComponentResources } from '../core/resources';
import { nonRootProfile } from '../core/security';
import { DifyComponentProps, DifyWorkload, emptyDir, startupFor, tcpProbe } from '../core/workload';
import { SquidAllowLists, renderSquidConfig, validateAllowLists } from '../networking/squid-config';
import { DEFAULT_IMAGES } from '../versions';
import { guardProps } from '../core/guard';

/** Props of {@link DifySsrfProxy}. */
/** The SSRF proxy's own options: its allow lists and port. */
export interface SsrfProxyOptions extends SquidAllowLists {
  /** Port squid listens on and its Service serves (upstream SSRF_HTTP_PORT); clients and policies follow it. @default 3128 */
  readonly port?: number;
}

export interface DifySsrfProxyProps extends SsrfProxyOptions, DifyComponentProps {
  /** @default - {@link DEFAULT_IMAGES}.ssrfProxy */
  readonly image?: string;
  /**
   * Another squid of the same shape under its own name and rules (the agent
   * SSRF proxy): `component` names it, `squidConfig` replaces the rendered
   * configuration (the allow-lists then do not apply). @default - the SSRF proxy of api, worker and the sandbox
   */
  readonly variant?: { readonly component: string; readonly squidConfig: string };
}

/**
 * The SSRF proxy (squid on 3128) that api, worker and the sandbox send
 * outbound HTTP through; it refuses private, loopback, link-local and
 * metadata destinations unless allow-listed. Its NetworkPolicy lets it reach
 * only public addresses and the allow-listed private ranges, so even a squid
 * misconfiguration cannot reach the cluster or cloud metadata.
 * Default resources: 50m/500m CPU, 128Mi/512Mi memory.
 */
export class DifySsrfProxy extends Construct implements IConnectable {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '50m', cpuLimit: '500m', memoryRequest: '128Mi', memoryLimit: '512Mi' };
  public static readonly PORT = 3128;
  /** UID of the `proxy` user in the ubuntu/squid image. */
  public static readonly UID = 13;

  public readonly workload: DifyWorkload;
  public readonly host: string;
  public readonly port: number;
  /** The rendered squid.conf. */
  public readonly squidConfig: string;

  constructor(scope: Construct, id: string, props: DifySsrfProxyProps) {
    super(scope, id);
    guardProps('DifySsrfProxyProps', props);
    validateAllowLists('ssrfProxy', props);
    this.port = validatePort('ssrfProxy.port', props.port ?? DifySsrfProxy.PORT);
    const component = props.variant?.component ?? 'ssrf-proxy';
    const name = `${props.instance}-${component}`;
    this.squidConfig = props.variant?.squidConfig ?? renderSquidConfig(this.port, props);
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${name}-config`, labels: metadataLabels({ instance: props.instance, component }) },
      data: { 'squid.conf': this.squidConfig },
    });
    const port = tcpProbe('squid');
    this.workload = new DifyWorkload(this, 'Resource', {
      ...props,
      component,
      name,
      image: props.image ?? DEFAULT_IMAGES.ssrfProxy,
      kind: 'Deployment',
      command: ['/usr/sbin/squid'],
      args: ['-f', '/etc/squid/squid.conf', '-NYC'],
      ports: [{ name: 'squid', port: this.port }],
      probes: { readiness: port, liveness: tcpProbe('squid', { period: 20 }), startup: startupFor(port, 60) },
      resources: DifySsrfProxy.DEFAULT_RESOURCES,
      security: nonRootProfile(DifySsrfProxy.UID, { readOnlyRootFilesystem: true }),
      volumes: [{ name: 'config', configMap: { name: `${name}-config` } }, emptyDir('spool', '512Mi'), emptyDir('run', '16Mi')],
      volumeMounts: [
        { name: 'config', mountPath: '/etc/squid/squid.conf', subPath: 'squid.conf', readOnly: true },
        { name: 'spool', mountPath: '/var/spool/squid' },
        { name: 'run', mountPath: '/var/run/squid' },
      ],
      configChecksumInputs: { 'squid.conf': this.squidConfig },
    });
    this.host = this.workload.name;
    this.connections.allowTo(NetworkPeer.internet());
    if (props.allowPrivateIps?.length) this.connections.allowTo(NetworkPeer.cidrs(props.allowPrivateIps, 'allowPrivateIps'));
  }

  public get connections(): Connections {
    return this.workload.connections;
  }
}
