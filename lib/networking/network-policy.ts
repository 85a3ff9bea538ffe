import { k8s } from '../core/k8s';
import { Construct, IConstruct } from 'constructs';
import { Chart } from 'cdk8s';
import { ConnectionRecord, Connections, FlowPort, NetworkPeer, PeerRenderContext, PodPeer, isConnectable } from '../core/connections';
import { validateCidr } from '../core/k8s-rules';
import { LABEL_INSTANCE, LABEL_NAME, metadataLabels } from '../core/labels';
import { invalid } from '../core/validation';
import { guardProps } from '../core/guard';

/** Props of {@link DifyNetworkPolicy}. */
export interface DifyNetworkPolicyProps {
  /** The construct whose components get policies. @default - the scope this construct is created in */
  readonly scope?: IConstruct;
  /** Cluster DNS. @default - namespace `kube-system`, pods `k8s-app: kube-dns` (CoreDNS and kube-dns) */
  readonly dns?: PodPeer;
  /**
   * Pod and Service CIDRs of the cluster, excluded from "internet" egress.
   * Private ranges are always excluded; list the cluster's ranges when they are public.
   * @default []
   */
  readonly clusterCidrs?: string[];
}

/** The pods of one wired component, as found in the scope. */
export interface PolicySubject {
  readonly connections: Connections;
  readonly policyName: string;
}

/**
 * NetworkPolicies derived from the wiring: default-deny for every pod of
 * each installation found under the scope, cluster DNS for all of them, and
 * one policy per component holding exactly the flows recorded on its
 * {@link Connections} (by `allowTo`/`allowFrom` when components were wired,
 * exposed by an Ingress, HTTPRoute, LoadBalancer or NodePort Service, or
 * scraped). There is no flow table: a component that is not wired to
 * something cannot reach it. Create it after wiring every component.
 *
 * @example
 * new DifyNetworkPolicy(chart, 'NetworkPolicy', { clusterCidrs: ['100.64.0.0/10'] });
 */
export class DifyNetworkPolicy extends Construct {
  public readonly dns: NetworkPeer;
  public readonly clusterCidrs: string[];
  /** Components that got a policy, in the order found. */
  public readonly subjects: PolicySubject[] = [];

  constructor(scope: Construct, id: string, props: DifyNetworkPolicyProps = {}) {
    super(scope, id);
    guardProps('DifyNetworkPolicyProps', props);
    const root = props.scope ?? scope;
    this.dns = NetworkPeer.fromPodPeer(
      'networkPolicy.dns',
      props.dns ?? { namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' }, podLabels: { 'k8s-app': 'kube-dns' } },
    );
    if (props.clusterCidrs !== undefined && !Array.isArray(props.clusterCidrs))
      invalid('networkPolicy.clusterCidrs', props.clusterCidrs, 'must be a list of CIDRs');
    this.clusterCidrs = [...(props.clusterCidrs ?? [])];
    this.clusterCidrs.forEach((c, i) => validateCidr(`networkPolicy.clusterCidrs[${i}]`, c));
    let namespace: string | undefined;
    try {
      namespace = Chart.of(this).namespace;
    } catch {
      namespace = undefined;
    }
    const ctx: PeerRenderContext = { namespace, clusterCidrs: this.clusterCidrs };

    const found = podConnections(root);
    if (found.length === 0)
      invalid(
        'networkPolicy',
        root.node.path,
        'found no Dify component to protect under its scope; create it after the components, in the same scope or with `scope`',
      );
    const instances = [...new Set(found.map((c) => c.pods!.instance))];
    for (const instance of instances) {
      const prefix = instances.length > 1 ? `${instance}-` : '';
      const all = { matchLabels: { [LABEL_NAME]: 'dify', [LABEL_INSTANCE]: instance } };
      new k8s.KubeNetworkPolicy(this, `${prefix}DefaultDeny`, {
        metadata: { name: `${instance}-default-deny`, labels: policyLabels(instance, '') },
        spec: { podSelector: all, policyTypes: ['Ingress', 'Egress'] },
      });
      new k8s.KubeNetworkPolicy(this, `${prefix}Dns`, {
        metadata: { name: `${instance}-allow-dns`, labels: policyLabels(instance, 'dns') },
        spec: {
          podSelector: all,
          policyTypes: ['Egress'],
          egress: [
            {
              to: this.dns.render(ctx),
              ports: [
                { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
                { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
              ],
            },
          ],
        },
      });
    }
    for (const c of found) {
      const { instance, component, selector } = c.pods!;
      const ingress = rules(c.ingress, ctx).map(({ peers, ports }) => ({ from: peers, ports }));
      const egress = rules(c.egress, ctx).map(({ peers, ports }) => ({ to: peers, ports }));
      const policyName = `${instance}-${component}`;
      new k8s.KubeNetworkPolicy(this, `${instances.length > 1 ? `${instance}-` : ''}Allow-${component}`, {
        metadata: { name: policyName, labels: policyLabels(instance, component) },
        spec: {
          podSelector: { matchLabels: selector },
          policyTypes: ['Ingress', 'Egress'],
          ingress: ingress.length ? ingress : undefined,
          egress: egress.length ? egress : undefined,
        },
      });
      c.freeze(this.node.path);
      this.subjects.push({ connections: c, policyName });
    }
    // Components created after this construct would sit under default-deny with no allow at all.
    this.node.addValidation({
      validate: () =>
        podConnections(root)
          .filter((c) => !found.includes(c) && instances.includes(c.pods!.instance))
          .map((c) => `${c.scope!.node.path} was created after DifyNetworkPolicy ${this.node.path} and has no policy; create the policy after every component`),
    });
  }
}

function policyLabels(instance: string, component: string): Record<string, string> {
  return metadataLabels({ instance, component: `network-policy${component ? `-${component}` : ''}` });
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

/** Groups records into rules: one rule per distinct port set, its peers merged in order. */
function rules(records: readonly ConnectionRecord[], ctx: PeerRenderContext): Array<{ peers?: k8s.NetworkPolicyPeer[]; ports?: k8s.NetworkPolicyPort[] }> {
  const groups = new Map<string, { peers: k8s.NetworkPolicyPeer[]; anyPeer: boolean; ports: readonly FlowPort[] }>();
  const render = (r: ConnectionRecord) => (r.peer instanceof NetworkPeer ? r.peer.render(ctx) : renderPods(r.peer, ctx));
  // Peers already open on every port: a flow to them on some ports adds nothing (e.g. storage on 443 beside the internet).
  const everyPort = new Set(records.filter((r) => r.ports.length === 0).flatMap((r) => render(r).map((p) => JSON.stringify(p))));
  for (const r of records) {
    const rendered = render(r);
    if (r.ports.length > 0 && rendered.length > 0 && rendered.every((p) => everyPort.has(JSON.stringify(p)))) continue;
    // A rule open to any peer never absorbs the peers of another rule, and vice versa.
    const key = JSON.stringify([rendered.length === 0, r.ports.map((p) => [p.protocol ?? 'TCP', p.port])]);
    const g = groups.get(key) ?? { peers: [], anyPeer: rendered.length === 0, ports: r.ports };
    groups.set(key, g);
    for (const p of rendered) if (!g.peers.some((q) => JSON.stringify(q) === JSON.stringify(p))) g.peers.push(p);
  }
  return [...groups.values()].map((g) => ({
    peers: g.anyPeer ? undefined : g.peers,
    ports: g.ports.length ? g.ports.map((p) => ({ protocol: p.protocol ?? 'TCP', port: k8s.IntOrString.fromNumber(p.port) })) : undefined,
  }));
}

function renderPods(c: Connections, ctx: PeerRenderContext): k8s.NetworkPolicyPeer[] {
  if (!c.pods) return c.peer!.render(ctx);
  const ns = c.namespace;
  return [
    {
      ...(ns !== undefined && ns !== ctx.namespace ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } } : {}),
      podSelector: { matchLabels: c.pods.selector },
    },
  ];
}
