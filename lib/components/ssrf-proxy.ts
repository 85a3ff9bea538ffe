import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { metadataLabels } from '../core/labels';
import { ComponentResources, withResources } from '../core/resources';
import { nonRootProfile } from '../core/security';
import { DifyWorkload, emptyDir, startupFor, tcpProbe } from '../core/workload';
import { SquidAllowLists, renderSquidConfig, validateAllowLists } from '../networking/squid-config';

/** Props of {@link DifySsrfProxy}. */
export interface DifySsrfProxyProps extends SquidAllowLists {
  readonly instance: string;
  readonly image: string;
  /** @default 1 */
  readonly replicas?: number;
  /** @default - 50m/500m CPU, 128Mi/512Mi memory */
  readonly resources?: Partial<ComponentResources>;
}

/**
 * The SSRF proxy (squid on 3128) that api, worker and the sandbox send
 * outbound HTTP through; it refuses private, loopback, link-local and
 * metadata destinations unless allow-listed.
 */
export class DifySsrfProxy extends Construct {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '50m', cpuLimit: '500m', memoryRequest: '128Mi', memoryLimit: '512Mi' };
  public static readonly PORT = 3128;
  /** UID of the `proxy` user in the ubuntu/squid image. */
  public static readonly UID = 13;

  public readonly workload: DifyWorkload;
  public readonly host: string;
  public readonly port = DifySsrfProxy.PORT;
  /** The rendered squid.conf. */
  public readonly squidConfig: string;

  constructor(scope: Construct, id: string, props: DifySsrfProxyProps) {
    super(scope, id);
    validateAllowLists('ssrfProxy', props);
    const name = `${props.instance}-ssrf-proxy`;
    this.squidConfig = renderSquidConfig(DifySsrfProxy.PORT, props);
    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${name}-config`, labels: metadataLabels({ instance: props.instance, component: 'ssrf-proxy' }) },
      data: { 'squid.conf': this.squidConfig },
    });
    const port = tcpProbe('squid');
    this.workload = new DifyWorkload(this, 'Resource', {
      instance: props.instance,
      component: 'ssrf-proxy',
      name,
      image: props.image,
      kind: 'Deployment',
      replicas: props.replicas,
      command: ['/usr/sbin/squid'],
      args: ['-f', '/etc/squid/squid.conf', '-NYC'],
      ports: [{ name: 'squid', port: DifySsrfProxy.PORT }],
      probes: { readiness: port, liveness: tcpProbe('squid', { period: 20 }), startup: startupFor(port, 60) },
      resources: withResources(DifySsrfProxy.DEFAULT_RESOURCES, props.resources),
      resourcesProp: 'ssrfProxy.resources',
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
  }
}
