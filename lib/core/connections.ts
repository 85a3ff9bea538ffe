import { Chart } from 'cdk8s';
import { k8s } from './k8s';
import { IConstruct } from 'constructs';
import { validateCidr } from './k8s-rules';
import { invalid, validatePort, validateServiceHost } from './validation';

/** Destinations no Dify pod may reach as "internet": private, shared, loopback, link-local (cloud metadata), multicast and reserved ranges. */
export const NON_PUBLIC_IPV4_RANGES = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
];

/** Pods addressed by namespace and pod labels. */
export interface PodPeer {
  /** Labels of the peer's namespace. */
  readonly namespaceLabels: Record<string, string>;
  /** Labels of the peer's pods. @default - every pod of those namespaces */
  readonly podLabels?: Record<string, string>;
}

/** What a NetworkPolicy needs to know when it renders a peer. */
export interface PeerRenderContext {
  /** Namespace the policy lives in; same-namespace pods need no namespaceSelector. */
  readonly namespace?: string;
  /** Cluster CIDRs to exclude from "internet". */
  readonly clusterCidrs: readonly string[];
}

function validateLabelSelector(prop: string, labels: Record<string, string> | undefined, allowEmpty: boolean): void {
  if (labels === undefined) return;
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) invalid(prop, labels, 'must be a map of label keys to values');
  if (!allowEmpty && Object.keys(labels).length === 0) invalid(prop, labels, 'must select by at least one label; {} would select everything');
}

/** `k=v, k2=v2`, or `any` for no labels. */
function describeLabels(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return pairs.length ? pairs.join(', ') : 'any';
}

/**
 * Plain words for a pod selector, for messages and pictures: `pods app=x in
 * namespace monitoring`, `every pod in namespaces team=a`.
 */
export function describePods(podLabels: Record<string, string> | undefined, namespaceLabels: Record<string, string> | undefined): string {
  const pods = podLabels && Object.keys(podLabels).length ? `pods ${describeLabels(podLabels)}` : 'every pod';
  if (namespaceLabels === undefined) return pods;
  const keys = Object.keys(namespaceLabels);
  if (keys.length === 1 && keys[0] === 'kubernetes.io/metadata.name') return `${pods} in namespace ${namespaceLabels[keys[0]]}`;
  return keys.length ? `${pods} in namespaces ${describeLabels(namespaceLabels)}` : `${pods} in every namespace`;
}

/**
 * A network peer that is not a Dify workload: pods in other namespaces, IP
 * ranges, the public internet, or anywhere. Wiring a component to one records
 * the flow; {@link DifyNetworkPolicy} renders it.
 */
export abstract class NetworkPeer {
  /** Pods selected by labels; `namespace` or `namespaceLabels` pick their namespace. @default - the policy's namespace */
  public static pods(options: {
    readonly podLabels?: Record<string, string>;
    readonly namespace?: string;
    readonly namespaceLabels?: Record<string, string>;
    readonly description?: string;
  }): NetworkPeer {
    validateLabelSelector('NetworkPeer.pods.podLabels', options.podLabels, true);
    validateLabelSelector('NetworkPeer.pods.namespaceLabels', options.namespaceLabels, false);
    if (options.namespace !== undefined && options.namespaceLabels !== undefined)
      invalid('NetworkPeer.pods.namespace', options.namespace, 'conflicts with namespaceLabels; give one of the two');
    const namespaceLabels = options.namespace !== undefined ? { 'kubernetes.io/metadata.name': options.namespace } : options.namespaceLabels;
    const description = options.description ?? describePods(options.podLabels ?? {}, namespaceLabels);
    return new (class extends NetworkPeer {
      public readonly description = description;
      public get isInCluster(): boolean {
        return true;
      }
      public render(ctx: PeerRenderContext): k8s.NetworkPolicyPeer[] {
        const sameNamespace =
          namespaceLabels === undefined ||
          (ctx.namespace !== undefined && Object.keys(namespaceLabels).length === 1 && namespaceLabels['kubernetes.io/metadata.name'] === ctx.namespace);
        return [{ ...(sameNamespace ? {} : { namespaceSelector: { matchLabels: namespaceLabels } }), podSelector: { matchLabels: options.podLabels ?? {} } }];
      }
    })();
  }

  /** A {@link PodPeer} (namespace labels and optional pod labels). */
  public static fromPodPeer(prop: string, peer: PodPeer, name?: string): NetworkPeer {
    if (peer instanceof NetworkPeer) return peer;
    if (typeof peer !== 'object' || peer === null) invalid(prop, peer, 'must be { namespaceLabels, podLabels? } or a NetworkPeer');
    validateLabelSelector(`${prop}.namespaceLabels`, peer.namespaceLabels ?? {}, false);
    validateLabelSelector(`${prop}.podLabels`, peer.podLabels, true);
    const description = name ?? `${prop}: ${describePods(peer.podLabels, peer.namespaceLabels ?? {})}`;
    return new (class extends NetworkPeer {
      public readonly description = description;
      public get isInCluster(): boolean {
        return true;
      }
      public render(): k8s.NetworkPolicyPeer[] {
        return [{ namespaceSelector: { matchLabels: peer.namespaceLabels }, ...(peer.podLabels ? { podSelector: { matchLabels: peer.podLabels } } : {}) }];
      }
    })();
  }

  /** IP ranges (IPv4 or IPv6), e.g. a managed database subnet. */
  public static cidrs(cidrs: readonly string[], description?: string): NetworkPeer {
    if (!Array.isArray(cidrs) || cidrs.length === 0) invalid('NetworkPeer.cidrs', cidrs, 'must list at least one CIDR');
    cidrs.forEach((c, i) => validateCidr(`NetworkPeer.cidrs[${i}]`, c));
    const list = [...cidrs];
    return new (class extends NetworkPeer {
      public readonly description = description ?? list.join(', ');
      public render(): k8s.NetworkPolicyPeer[] {
        return list.map((cidr) => ({ ipBlock: { cidr } }));
      }
    })();
  }

  /** Public addresses only: every IPv4 address except private, link-local (metadata), loopback and reserved ranges, and the cluster's CIDRs. */
  public static internet(): NetworkPeer {
    return INTERNET;
  }

  /**
   * Any address (no peer restriction; the ports still are): for a service known
   * only by DNS name whose addresses are not known in advance. Give
   * {@link NetworkPeer.cidrs} instead to narrow it.
   */
  public static anywhere(): NetworkPeer {
    return ANYWHERE;
  }

  /** Shown in errors and pictures. */
  public abstract readonly description: string;

  /** Pods of the cluster (drawn inside it), as opposed to addresses. */
  public get isInCluster(): boolean {
    return false;
  }

  /** NetworkPolicy peers; an empty list means "any peer" (the rule has no from/to). */
  public abstract render(ctx: PeerRenderContext): k8s.NetworkPolicyPeer[];
}

const INTERNET: NetworkPeer = new (class extends NetworkPeer {
  public readonly description = 'internet';
  public render(ctx: PeerRenderContext): k8s.NetworkPolicyPeer[] {
    const ipv4Cluster = ctx.clusterCidrs.filter((c) => !c.includes(':'));
    return [{ ipBlock: { cidr: '0.0.0.0/0', except: [...new Set([...NON_PUBLIC_IPV4_RANGES, ...ipv4Cluster])] } }];
  }
})();

const ANYWHERE: NetworkPeer = new (class extends NetworkPeer {
  public readonly description = 'anywhere';
  public render(): k8s.NetworkPolicyPeer[] {
    return [];
  }
})();

/** A port of a flow. */
export interface FlowPort {
  readonly port: number;
  /** @default "TCP" */
  readonly protocol?: 'TCP' | 'UDP';
}

/** One recorded flow, seen from one side. */
export interface ConnectionRecord {
  /** The other side: a workload's connections or an external peer. */
  readonly peer: Connections | NetworkPeer;
  /** Ports on the receiving side; empty means every port. */
  readonly ports: readonly FlowPort[];
}

/** Anything that can be wired to: a Dify workload, a store, a Job, or an external endpoint. */
export interface IConnectable {
  readonly connections: Connections;
}

/** Identity of the pods a {@link Connections} belongs to. */
export interface PodIdentity {
  /** `app.kubernetes.io/instance`. */
  readonly instance: string;
  /** `app.kubernetes.io/component`, also the policy name suffix. */
  readonly component: string;
  /** Labels that select exactly these pods. */
  readonly selector: Record<string, string>;
}

/**
 * The flows of one side of a wiring, in the spirit of cdk8s-plus
 * `pod.connections`: `a.connections.allowTo(b)` records egress on `a` and, when
 * `b` is a workload, ingress on `b`. NetworkPolicies, pictures and checks are
 * derived from these records; nothing else lists flows.
 */
export class Connections {
  /** Connections of pods (a workload or a Job): they get a NetworkPolicy. */
  public static forPods(scope: IConstruct, identity: PodIdentity, defaultPorts: readonly number[]): Connections {
    return new Connections(scope, identity, undefined, defaultPorts);
  }

  /** Connections of something outside this installation's pods: only reached, never given a policy. */
  public static forPeer(peer: NetworkPeer, ports: readonly number[], label?: string): Connections {
    return new Connections(undefined, undefined, peer, ports, label);
  }

  public readonly egress: ConnectionRecord[] = [];
  public readonly ingress: ConnectionRecord[] = [];
  /** Service names clients address these pods by (checked against the configuration of every other pod). */
  public readonly serviceHosts: string[] = [];
  /** Configuration values these pods read (plain env), by variable name: where they name another component's host, a connection must be recorded. */
  public readonly configValues: Array<{ readonly name: string; readonly value: string }> = [];
  private frozenBy?: string;

  private constructor(
    /** The construct that owns these connections (for messages and namespaces); none for external peers. */
    public readonly scope: IConstruct | undefined,
    /** Set for pods; undefined for external peers. */
    public readonly pods: PodIdentity | undefined,
    /** Set for external peers. */
    public readonly peer: NetworkPeer | undefined,
    /** Ports clients reach when no ports are given. */
    public readonly defaultPorts: readonly number[],
    /** What an external peer is, for messages and pictures (e.g. its host). */
    public readonly label?: string,
  ) {
    defaultPorts.forEach((p) => validatePort(`${scope?.node.path ?? peer?.description}.ports`, p));
  }

  /** Namespace of the owning chart, if any. */
  public get namespace(): string | undefined {
    if (!this.scope) return undefined;
    try {
      return Chart.of(this.scope).namespace;
    } catch {
      return undefined;
    }
  }

  /** Human name for messages and pictures. */
  public get description(): string {
    return this.pods ? `${this.pods.instance}/${this.pods.component}` : (this.label ?? this.peer!.description);
  }

  /**
   * Records that these pods connect to `target` on `ports` (default: the
   * target's client ports). A workload target also admits the flow.
   */
  public allowTo(target: IConnectable | NetworkPeer, ports?: readonly (number | FlowPort)[]): void {
    this.assertOpen();
    const to = target instanceof NetworkPeer ? target : connectionsOf('allowTo', target);
    const flowPorts = toFlowPorts(ports ?? (to instanceof Connections ? to.defaultPorts : []));
    if (to === ANYWHERE && flowPorts.length === 0)
      invalid('connections.allowTo', 'anywhere', 'needs ports: a flow to any address on any port would disable the policy');
    this.egress.push({ peer: to, ports: flowPorts });
    if (to instanceof Connections && to.pods) {
      to.assertOpen();
      to.ingress.push({ peer: this, ports: flowPorts });
    }
  }

  /** Records that `source` may connect to these pods on `ports` (default: the client ports). */
  public allowFrom(source: IConnectable | NetworkPeer, ports?: readonly (number | FlowPort)[]): void {
    const from = source instanceof NetworkPeer ? source : connectionsOf('allowFrom', source);
    if (from instanceof Connections && from.pods) {
      from.allowTo({ connections: this }, ports);
      return;
    }
    this.assertOpen();
    const flowPorts = toFlowPorts(ports ?? this.defaultPorts);
    if (from === ANYWHERE && flowPorts.length === 0)
      invalid('connections.allowFrom', 'anywhere', 'needs ports: a flow from any address to any port would disable the policy');
    this.ingress.push({ peer: from, ports: flowPorts });
  }

  /** Records that clients reach these pods at the Service `host` (a name in the owning chart's namespace). */
  public serves(host: string): void {
    if (!this.serviceHosts.includes(host)) this.serviceHosts.push(host);
  }

  /** Records the plain configuration these pods read, so synth can check that every host it names was wired. */
  public reads(values: Record<string, string>): void {
    for (const [name, value] of Object.entries(values)) this.configValues.push({ name, value });
  }

  /** True when a flow from these pods to `target` was recorded. */
  public reaches(target: Connections): boolean {
    return this.egress.some((e) => e.peer === target);
  }

  /** Called by the policy that rendered these records: later wiring would be lost, so it throws. */
  public freeze(by: string): void {
    this.frozenBy = by;
  }

  private assertOpen(): void {
    if (this.frozenBy) {
      throw new Error(
        `${this.scope?.node.path ?? this.description}: a connection was recorded after ${this.frozenBy} rendered its policies (at synth, or when its subjects were read); wire every component before synthesizing`,
      );
    }
  }
}

function connectionsOf(method: string, target: IConnectable): Connections {
  const c = (target as Partial<IConnectable> | undefined)?.connections;
  if (!(c instanceof Connections))
    invalid(`connections.${method}`, typeof target, 'must be a Dify component, store, endpoint (anything with `connections`) or a NetworkPeer');
  return c;
}

function toFlowPorts(ports: readonly (number | FlowPort)[]): FlowPort[] {
  return ports.map((p, i) => {
    const port = typeof p === 'number' ? p : p?.port;
    validatePort(`ports[${i}]`, port);
    return typeof p === 'number' ? { port: p, protocol: 'TCP' as const } : { port: p.port, protocol: p.protocol ?? 'TCP' };
  });
}

/** True when `x` carries {@link Connections}. */
export function isConnectable(x: unknown): x is IConnectable {
  return typeof x === 'object' && x !== null && (x as Partial<IConnectable>).connections instanceof Connections;
}

/**
 * A service outside the installation's pods that components are wired to by
 * reference: its host and port for configuration, and how NetworkPolicies
 * reach it (in-cluster pods of another namespace, a CIDR, or any address).
 *
 * @example
 * const otel = DifyEndpoint.of({ host: 'otel-collector.observability.svc', port: 4318,
 *   peer: NetworkPeer.pods({ namespace: 'observability', podLabels: { 'app.kubernetes.io/name': 'opentelemetry-collector' } }) });
 * api.connections.allowTo(otel);
 */
export class DifyEndpoint implements IConnectable {
  /** An endpoint at `host:port`; policies reach it through `peer`. @default peer - any address on `port` */
  public static of(options: { readonly host: string; readonly port: number; readonly peer?: NetworkPeer }): DifyEndpoint {
    if (typeof options !== 'object' || options === null) invalid('DifyEndpoint.of', options, 'must be { host, port, peer? }');
    validateServiceHost('DifyEndpoint.of.host', options.host);
    validatePort('DifyEndpoint.of.port', options.port);
    if (options.peer !== undefined && !(options.peer instanceof NetworkPeer))
      invalid('DifyEndpoint.of.peer', typeof options.peer, 'must be a NetworkPeer such as NetworkPeer.pods({...}) or NetworkPeer.cidrs([...])');
    return new DifyEndpoint(
      options.host,
      options.port,
      Connections.forPeer(options.peer ?? NetworkPeer.anywhere(), [options.port], `${options.host}:${options.port}`),
    );
  }

  private constructor(
    public readonly host: string,
    public readonly port: number,
    public readonly connections: Connections,
  ) {}
}

/** Every pods-owning {@link Connections} under `root`, once each, in tree order. */
export function podConnections(root: IConstruct): Connections[] {
  const out: Connections[] = [];
  for (const c of root.node.findAll()) {
    if (!isConnectable(c)) continue;
    const conn = c.connections;
    if (conn.pods && !out.includes(conn)) out.push(conn);
  }
  return out;
}
