import { k8s } from '../core/k8s';
import { chartNamespaceOf } from '../config/connections';
import { Construct, IConstruct } from 'constructs';
import { ApiObject } from 'cdk8s';
import { ConnectionRecord, Connections, FlowPort, NetworkPeer, PeerRenderContext, PodPeer, podConnections } from '../core/connections';
import { applyScopeAnnotations } from '../core/argo';
import { registerPrepare } from '../core/collisions';
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
 * something cannot reach it.
 *
 * It renders at synth (or when {@link subjects} is first read), so
 * components created or wired after it are included: those under its scope,
 * and those of the same installation (`instance`) anywhere in its namespace,
 * such as a component you add beside the `Dify` facade.
 *
 * @example
 * new DifyNetworkPolicy(chart, 'NetworkPolicy', { clusterCidrs: ['100.64.0.0/10'] });
 */
export class DifyNetworkPolicy extends Construct {
  public readonly dns: NetworkPeer;
  public readonly clusterCidrs: string[];
  private readonly root: IConstruct;
  private rendered?: PolicySubject[];

  constructor(scope: Construct, id: string, props: DifyNetworkPolicyProps = {}) {
    super(scope, id);
    guardProps('DifyNetworkPolicyProps', props);
    this.root = props.scope ?? scope;
    this.dns = NetworkPeer.fromPodPeer(
      'networkPolicy.dns',
      props.dns ?? { namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' }, podLabels: { 'k8s-app': 'kube-dns' } },
    );
    this.clusterCidrs = [...(props.clusterCidrs ?? [])];
    this.clusterCidrs.forEach((c, i) => validateCidr(`networkPolicy.clusterCidrs[${i}]`, c));
    registerPrepare(this, () => this.render());
  }

  /** Components that got a policy, in the order found; reading it renders the policies (later wiring then throws). */
  public get subjects(): PolicySubject[] {
    return this.render();
  }

  /** The pods this policy covers: every component under its scope, and same-instance components elsewhere in its namespace. */
  private findSubjects(namespace: string | undefined): Connections[] {
    const found = podConnections(this.root);
    const instances = new Set(found.map((c) => c.pods!.instance));
    const others = this.node.root.node
      .findAll()
      .filter((p): p is DifyNetworkPolicy => p instanceof DifyNetworkPolicy && p !== this)
      .map((p) => p.root);
    const key = (c: Connections) => `${c.pods!.instance}/${c.pods!.component}`;
    const covered = new Set(found.map(key));
    for (const c of podConnections(this.node.root)) {
      if (found.includes(c) || !instances.has(c.pods!.instance) || c.namespace !== namespace || covered.has(key(c))) continue;
      // Another policy's scope covers it (two installations of one instance collide, and say so).
      if (others.some((r) => c.scope!.node.scopes.includes(r))) continue;
      found.push(c);
      covered.add(key(c));
    }
    return found;
  }

  private render(): PolicySubject[] {
    if (this.rendered) return this.rendered;
    const namespace = chartNamespaceOf(this);
    const found = this.findSubjects(namespace);
    if (found.length === 0)
      invalid(
        'networkPolicy',
        this.root.node.path,
        'found no Dify component to protect under its scope; create it in the scope of the components, or give `scope`',
      );
    this.rendered = [];
    // Components run in the policy's namespace or in one of their own (a sandbox namespace): each namespace gets its
    // default-deny, DNS and per-component policies, and peers across namespaces are namespaceSelector + podSelector.
    const nsOf = (c: Connections) => c.namespace ?? namespace;
    const instances = [...new Set(found.map((c) => c.pods!.instance))];
    const groups = [...new Set(found.map((c) => JSON.stringify([c.pods!.instance, nsOf(c) ?? null])))].map((k) => JSON.parse(k) as [string, string | null]);
    // Stryker disable next-line all: construct ids only (the rendered names and namespaces are checked), unique either way
    const idPrefix = (instance: string, ns: string | undefined) => `${instances.length > 1 ? `${instance}-` : ''}${ns !== namespace ? `${ns}-` : ''}`;
    const meta = (name: string, instance: string, component: string, ns: string | undefined) => ({
      name,
      // Stryker disable next-line ConditionalExpression,EqualityOperator: the chart sets its own namespace anyway, so naming it renders the same
      namespace: ns !== namespace ? ns : undefined,
      labels: policyLabels(instance, component),
    });
    const objects: ApiObject[] = [];
    for (const [instance, nsOrNull] of groups) {
      const ns = nsOrNull ?? undefined;
      const all = { matchLabels: { [LABEL_NAME]: 'dify', [LABEL_INSTANCE]: instance } };
      objects.push(
        new k8s.KubeNetworkPolicy(this, `${idPrefix(instance, ns)}DefaultDeny`, {
          metadata: meta(`${instance}-default-deny`, instance, '', ns),
          spec: { podSelector: all, policyTypes: ['Ingress', 'Egress'] },
        }),
        new k8s.KubeNetworkPolicy(this, `${idPrefix(instance, ns)}Dns`, {
          metadata: meta(`${instance}-allow-dns`, instance, 'dns', ns),
          spec: {
            podSelector: all,
            policyTypes: ['Egress'],
            egress: [
              {
                to: this.dns.render({ namespace: ns, clusterCidrs: this.clusterCidrs }),
                ports: [
                  { protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) },
                  { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) },
                ],
              },
            ],
          },
        }),
      );
    }
    for (const c of found) {
      const { instance, component, selector } = c.pods!;
      const ns = nsOf(c);
      const ctx: PeerRenderContext = { namespace: ns, clusterCidrs: this.clusterCidrs };
      const ingress = rules(c.ingress, ctx).map(({ peers, ports }) => ({ from: peers, ports }));
      const egress = rules(c.egress, ctx).map(({ peers, ports }) => ({ to: peers, ports }));
      const policyName = `${instance}-${component}`;
      objects.push(
        new k8s.KubeNetworkPolicy(this, `${idPrefix(instance, ns)}Allow-${component}`, {
          metadata: meta(policyName, instance, component, ns),
          spec: {
            podSelector: { matchLabels: selector },
            policyTypes: ['Ingress', 'Egress'],
            ingress: ingress.length ? ingress : undefined,
            egress: egress.length ? egress : undefined,
          },
        }),
      );
      c.freeze(this.node.path);
      this.rendered.push({ connections: c, policyName });
    }
    objects.forEach(applyScopeAnnotations);
    return this.rendered;
  }
}

function policyLabels(instance: string, component: string): Record<string, string> {
  return metadataLabels({ instance, component: `network-policy${component ? `-${component}` : ''}` });
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
