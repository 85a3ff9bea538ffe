import { recordNodePortProp } from '../core/collisions';
import { guardApp } from '../core/collisions';
import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { Connections, IConnectable, NetworkPeer } from '../core/connections';
import { validateCidr } from '../core/k8s-rules';
import { metadataLabels } from '../core/labels';
import { invalid, validateInt, validatePort } from '../core/validation';
import { guardProps } from '../core/guard';

/** Props of {@link DifyPluginDebugService}. */
export interface DifyPluginDebugServiceProps {
  readonly instance: string;
  /** The plugin daemon's pods: their selector and connections. */
  readonly pluginDaemon: IConnectable & { readonly workload: { readonly selector: Record<string, string> } };
  /** Port the daemon's debug runtime listens on (PLUGIN_REMOTE_INSTALLING_PORT). */
  readonly targetPort: number;
  /** Host developers connect their plugin to (PLUGIN_REMOTE_INSTALL_HOST shown in the console): the load balancer's or a node's address. */
  readonly advertisedHost: string;
  /** Port shown in the console (PLUGIN_REMOTE_INSTALL_PORT). @default - the Service port (5003), or `nodePort` with NodePort */
  readonly advertisedPort?: number;
  /** @default "LoadBalancer" */
  readonly serviceType?: 'LoadBalancer' | 'NodePort';
  /** Node port (30000-32767) with NodePort; required there unless `advertisedPort` is given. @default - allocated */
  readonly nodePort?: number;
  /** Developer networks allowed to connect (loadBalancerSourceRanges and the NetworkPolicy); required: the port runs plugin code. */
  readonly allowedCidrs: string[];
  /** Service annotations (cloud load-balancer settings). @default {} */
  readonly annotations?: Record<string, string>;
}

/**
 * Exposes the plugin daemon's remote-debugging runtime (raw TCP, so not an
 * Ingress or HTTPRoute path) on a LoadBalancer or NodePort Service of its own,
 * admitted only from the given developer networks. The Service keeps client
 * source addresses (`externalTrafficPolicy: Local`) so the NetworkPolicy's
 * ipBlock sees the developer's address, not a node's.
 */
export class DifyPluginDebugService extends Construct {
  public readonly service: k8s.KubeService;
  /** What api advertises (PLUGIN_REMOTE_INSTALL_HOST/PORT). */
  public readonly advertised: { readonly host: string; readonly port: number };

  constructor(scope: Construct, id: string, props: DifyPluginDebugServiceProps) {
    super(scope, id);
    guardProps('DifyPluginDebugServiceProps', props);
    guardApp(this);
    const prop = 'pluginRemoteDebugging';
    const type = props.serviceType ?? 'LoadBalancer';
    if (type !== 'LoadBalancer' && type !== 'NodePort') invalid(`${prop}.serviceType`, type, 'must be "LoadBalancer" or "NodePort"');
    if (!Array.isArray(props.allowedCidrs) || props.allowedCidrs.length === 0) {
      invalid(
        `${prop}.allowedCidrs`,
        props.allowedCidrs,
        'must list the developer networks allowed to connect: the port runs plugin code against this installation',
      );
    }
    props.allowedCidrs.forEach((c, i) => validateCidr(`${prop}.allowedCidrs[${i}]`, c));
    if (props.nodePort !== undefined) {
      if (type !== 'NodePort') invalid(`${prop}.nodePort`, props.nodePort, 'only applies to serviceType "NodePort"');
      validateInt(`${prop}.nodePort`, props.nodePort, 30000, 32767);
    }
    if (type === 'NodePort' && props.nodePort === undefined && props.advertisedPort === undefined) {
      invalid(
        `${prop}.nodePort`,
        undefined,
        'is required with serviceType "NodePort" (or give advertisedPort): the console must show the port developers connect to',
      );
    }
    const port = props.advertisedPort ?? (type === 'NodePort' ? props.nodePort! : props.targetPort);
    validatePort(`${prop}.advertisedPort`, port);
    this.advertised = { host: props.advertisedHost, port };
    this.service = new k8s.KubeService(this, 'Resource', {
      metadata: {
        name: `${props.instance}-plugin-debug`,
        labels: metadataLabels({ instance: props.instance, component: 'plugin-debug' }),
        annotations: props.annotations && Object.keys(props.annotations).length ? { ...props.annotations } : undefined,
      },
      spec: {
        type,
        selector: props.pluginDaemon.workload.selector,
        ports: [{ name: 'debug', port: props.targetPort, targetPort: k8s.IntOrString.fromString('debug'), protocol: 'TCP', nodePort: props.nodePort }],
        externalTrafficPolicy: 'Local',
        loadBalancerSourceRanges: type === 'LoadBalancer' ? [...props.allowedCidrs] : undefined,
      },
    });
    recordNodePortProp(this.service, props.nodePort, `${prop}.nodePort`);
    const daemon: Connections = props.pluginDaemon.connections;
    daemon.allowFrom(NetworkPeer.cidrs(props.allowedCidrs, `${prop}.allowedCidrs`), [props.targetPort]);
  }
}
