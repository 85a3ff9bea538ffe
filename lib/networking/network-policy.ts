import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LABEL_COMPONENT, LABEL_INSTANCE, LABEL_NAME, metadataLabels } from '../core/labels';
import { invalid, validatePort } from '../core/validation';

/** Destinations no Dify pod may reach directly: private, shared, loopback, link-local (cloud metadata), multicast and reserved ranges. */
export const NON_PUBLIC_IPV4_RANGES = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12',
  '192.168.0.0/16', '224.0.0.0/4', '240.0.0.0/4',
];

/** Pods addressed by namespace and pod labels. */
export interface PodPeer {
  /** Labels of the peer's namespace. */
  readonly namespaceLabels: Record<string, string>;
  /** Labels of the peer's pods. @default - every pod of those namespaces */
  readonly podLabels?: Record<string, string>;
}

/** Props of {@link DifyNetworkPolicy}. */
export interface DifyNetworkPolicyProps {
  readonly instance: string;
  /**
   * The ingress controller's pods, allowed to reach web, api and the plugin daemon.
   * @default - namespace `ingress-nginx`, pods `app.kubernetes.io/name: ingress-nginx`
   */
  readonly ingressController?: PodPeer;
  /** Cluster DNS. @default - namespace `kube-system`, pods `k8s-app: kube-dns` (CoreDNS and kube-dns) */
  readonly dns?: PodPeer;
  /**
   * Pod and Service CIDRs of the cluster, excluded from "public internet" egress.
   * Private ranges are always excluded; list the cluster's ranges when they are public.
   * @default []
   */
  readonly clusterCidrs?: string[];
  /** Private ranges the SSRF proxy may reach (its `allowPrivateIps` allow-list). @default [] */
  readonly ssrfAllowedPrivateCidrs?: string[];
  /**
   * Where the secret generator Job reaches the Kubernetes API (endpoint IPs after Service
   * translation, and port). @default - any address on TCP 443 and 6443
   */
  readonly apiServer?: { readonly cidrs: string[]; readonly ports: number[] };
  /** An in-cluster nginx proxy (DifyNginxProxy) fronts web, api and the plugin daemon from a public Service. @default false */
  readonly frontProxy?: boolean;
  /** Which stores run in the cluster; flows to absent ones are not opened. @default - all three */
  readonly embedded?: { readonly postgres: boolean; readonly redis: boolean; readonly weaviate: boolean };
  /** Whether the secret generator Job exists (opens its API-server egress). @default true */
  readonly secretGenerator?: boolean;
  /**
   * Services outside the cluster network that the app reaches on private addresses
   * (managed PostgreSQL, Redis, vector stores, S3 endpoints in a VPC).
   * @default []
   */
  readonly externalServices?: ExternalServicePeer[];
  /** Prometheus pods allowed to scrape the metrics ports. @default - no scraping allowed */
  readonly prometheus?: PodPeer;
  /** Metrics ports per component that Prometheus may scrape. @default [] */
  readonly metricsPorts?: ReadonlyArray<{ readonly component: string; readonly port: number }>;
  /** An in-cluster OpenTelemetry collector api, worker and beat export to. @default - none */
  readonly telemetry?: { readonly collector: PodPeer; readonly ports: number[] };
  /** The backup CronJob exists; `internet` when it uploads to object storage. @default - no backup */
  readonly backup?: { readonly internet: boolean };
}

/** A private network range outside the cluster that components may reach. */
export interface ExternalServicePeer {
  /** IPv4 CIDR of the service, e.g. an RDS subnet. */
  readonly cidr: string;
  readonly ports: number[];
  /** @default - api, worker, beat, migration and plugin daemon */
  readonly from?: string[];
}

type Component = 'nginx' | 'api' | 'worker' | 'beat' | 'web' | 'sandbox' | 'plugin-daemon' | 'ssrf-proxy' | 'postgres' | 'redis' | 'weaviate' | 'migration' | 'secret-generator' | 'backup';

interface Flow {
  readonly from: Component[];
  readonly to: Component;
  readonly ports: number[];
}

/**
 * The flows the stack needs, derived from upstream's compose networks
 * (ssrf_proxy_network is internal: the sandbox reaches only the proxy) and
 * from which service talks to which in services.json.
 */
export const DIFY_FLOWS: readonly Flow[] = [
  { from: ['web', 'plugin-daemon'], to: 'api', ports: [5001] },
  { from: ['api', 'worker'], to: 'plugin-daemon', ports: [5002] },
  { from: ['api', 'worker'], to: 'sandbox', ports: [8194] },
  { from: ['api', 'worker', 'sandbox'], to: 'ssrf-proxy', ports: [3128] },
  { from: ['api', 'worker', 'beat', 'plugin-daemon', 'migration'], to: 'postgres', ports: [5432] },
  { from: ['api', 'worker', 'beat', 'plugin-daemon', 'migration'], to: 'redis', ports: [6379] },
  { from: ['api', 'worker'], to: 'weaviate', ports: [8080, 50051] },
];

/** Components the ingress controller reaches, and on which port. */
const INGRESS_TARGETS: ReadonlyArray<[Component, number]> = [['web', 3000], ['api', 5001], ['plugin-daemon', 5002]];

/** Components that talk to the data stores. */
const STORE_CLIENTS: readonly Component[] = ['api', 'worker', 'beat', 'migration', 'plugin-daemon'];

/** Components with egress to the public internet (as upstream: model providers, plugin installs, the proxy itself). */
const INTERNET_EGRESS: readonly Component[] = ['api', 'worker', 'plugin-daemon', 'ssrf-proxy'];

const CIDR = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

/**
 * Default-deny NetworkPolicies for every pod of an installation, plus one
 * explicit allow per flow: each component gets one policy holding its
 * ingress and egress allow-lists. Every pod may resolve names through
 * cluster DNS. The SSRF proxy is the only way out for the sandbox, and the
 * proxy itself may reach only public addresses (and allow-listed ranges), so
 * even a squid misconfiguration cannot reach the cluster or cloud metadata.
 */
export class DifyNetworkPolicy extends Construct {
  public readonly ingressController: PodPeer;
  public readonly dns: PodPeer;
  public readonly clusterCidrs: string[];

  constructor(scope: Construct, id: string, props: DifyNetworkPolicyProps) {
    super(scope, id);
    this.ingressController = props.ingressController ?? {
      namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
      podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
    };
    this.dns = props.dns ?? { namespaceLabels: { 'kubernetes.io/metadata.name': 'kube-system' }, podLabels: { 'k8s-app': 'kube-dns' } };
    this.clusterCidrs = [...(props.clusterCidrs ?? [])];
    this.clusterCidrs.forEach((c) => validateCidr('networkPolicy.clusterCidrs', c));
    const ssrfAllowed = props.ssrfAllowedPrivateCidrs ?? [];
    ssrfAllowed.filter((c) => !c.includes(':')).forEach((c) => validateCidr('networkPolicy.ssrfAllowedPrivateCidrs', c));
    const apiServer = props.apiServer ?? { cidrs: ['0.0.0.0/0'], ports: [443, 6443] };
    apiServer.cidrs.forEach((c) => validateCidr('networkPolicy.apiServer.cidrs', c));
    apiServer.ports.forEach((p) => validatePort('networkPolicy.apiServer.ports', p));
    for (const [prop, peer] of [['networkPolicy.ingressController', this.ingressController], ['networkPolicy.dns', this.dns]] as const) {
      if (Object.keys(peer.namespaceLabels).length === 0) invalid(`${prop}.namespaceLabels`, peer.namespaceLabels, 'must select the namespace by at least one label; {} would admit every namespace');
    }

    const instance = props.instance;
    const sel = (component: Component): k8s.LabelSelector => ({
      matchLabels: { [LABEL_NAME]: 'dify', [LABEL_INSTANCE]: instance, [LABEL_COMPONENT]: component },
    });
    const tcp = (ports: number[]): k8s.NetworkPolicyPort[] => ports.map((p) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(p) }));
    const peerOf = (p: PodPeer): k8s.NetworkPolicyPeer => ({
      namespaceSelector: { matchLabels: p.namespaceLabels },
      ...(p.podLabels ? { podSelector: { matchLabels: p.podLabels } } : {}),
    });
    const labels = (component: string) => metadataLabels({ instance, component: 'network-policy' + (component ? `-${component}` : '') });

    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: `${instance}-default-deny`, labels: labels('') },
      spec: {
        podSelector: { matchLabels: { [LABEL_NAME]: 'dify', [LABEL_INSTANCE]: instance } },
        policyTypes: ['Ingress', 'Egress'],
      },
    });
    new k8s.KubeNetworkPolicy(this, 'Dns', {
      metadata: { name: `${instance}-allow-dns`, labels: labels('dns') },
      spec: {
        podSelector: { matchLabels: { [LABEL_NAME]: 'dify', [LABEL_INSTANCE]: instance } },
        policyTypes: ['Egress'],
        egress: [{
          to: [peerOf(this.dns)],
          ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
        }],
      },
    });

    const publicInternet: k8s.NetworkPolicyPeer = {
      ipBlock: { cidr: '0.0.0.0/0', except: [...new Set([...NON_PUBLIC_IPV4_RANGES, ...this.clusterCidrs])] },
    };
    const embedded = props.embedded ?? { postgres: true, redis: true, weaviate: true };
    const absent = new Set<Component>((['postgres', 'redis', 'weaviate'] as const).filter((st) => !embedded[st]));
    const components: Component[] = (['api', 'worker', 'beat', 'web', 'sandbox', 'plugin-daemon', 'ssrf-proxy', 'postgres', 'redis', 'weaviate', 'migration'] as Component[])
      .filter((c) => !absent.has(c));
    if (props.secretGenerator ?? true) components.push('secret-generator');
    if (props.backup) components.push('backup');
    if (props.frontProxy) components.push('nginx');
    const external = props.externalServices ?? [];
    external.forEach((e, i) => {
      validateCidr(`networkPolicy.externalServices[${i}].cidr`, e.cidr);
      e.ports.forEach((p) => validatePort(`networkPolicy.externalServices[${i}].ports`, p));
      for (const f of e.from ?? []) {
        if (![...STORE_CLIENTS, 'web'].includes(f as Component)) {
          invalid(`networkPolicy.externalServices[${i}].from`, f, `must be one of ${[...STORE_CLIENTS, 'web'].join(', ')}; the sandbox and the SSRF proxy never reach private ranges`);
        }
      }
    });
    const metrics = props.metricsPorts ?? [];
    if (metrics.length && !props.prometheus) invalid('networkPolicy.prometheus', undefined, 'must select the Prometheus pods when metrics ports are exposed');
    metrics.forEach((m) => validatePort(`networkPolicy.metricsPorts.${m.component}`, m.port));
    for (const c of components) {
      const ingress: k8s.NetworkPolicyIngressRule[] = [];
      const egress: k8s.NetworkPolicyEgressRule[] = [];
      for (const [target, port] of INGRESS_TARGETS) {
        if (target === c) {
          const from = [peerOf(this.ingressController), ...(props.frontProxy ? [{ podSelector: sel('nginx') }] : [])];
          ingress.push({ from, ports: tcp([port]) });
        }
        if (c === 'nginx') egress.push({ to: [{ podSelector: sel(target) }], ports: tcp([port]) });
      }
      // The proxy's public Service: clients from anywhere, on its listener ports only.
      if (c === 'nginx') ingress.push({ ports: tcp([8080, 8443]) });
      for (const f of DIFY_FLOWS.filter((x) => !absent.has(x.to))) {
        if (f.to === c) ingress.push({ from: f.from.map((src) => ({ podSelector: sel(src) })), ports: tcp(f.ports) });
        if (f.from.includes(c)) egress.push({ to: [{ podSelector: sel(f.to) }], ports: tcp(f.ports) });
      }
      if (INTERNET_EGRESS.includes(c) || (c === 'backup' && props.backup?.internet)) egress.push({ to: [publicInternet] });
      if (c === 'backup') egress.push({ to: [{ podSelector: sel('postgres') }], ports: tcp([5432]) });
      if (c === 'postgres' && props.backup) ingress.push({ from: [{ podSelector: sel('backup') }], ports: tcp([5432]) });
      for (const e of external) {
        if ((e.from ?? STORE_CLIENTS).includes(c)) egress.push({ to: [{ ipBlock: { cidr: e.cidr } }], ports: tcp(e.ports) });
      }
      if (props.telemetry && ['api', 'worker', 'beat'].includes(c)) egress.push({ to: [peerOf(props.telemetry.collector)], ports: tcp(props.telemetry.ports) });
      const scraped = metrics.filter((m) => m.component === c).map((m) => m.port);
      if (scraped.length) ingress.push({ from: [peerOf(props.prometheus!)], ports: tcp(scraped) });
      if (c === 'ssrf-proxy' && ssrfAllowed.length) egress.push({ to: ssrfAllowed.map((cidr) => ({ ipBlock: { cidr } })) });
      if (c === 'secret-generator') egress.push({ to: apiServer.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: tcp(apiServer.ports) });
      if (!ingress.length && !egress.length) continue;
      new k8s.KubeNetworkPolicy(this, `Allow-${c}`, {
        metadata: { name: `${instance}-${c}`, labels: labels(c) },
        spec: {
          podSelector: sel(c),
          policyTypes: ['Ingress', 'Egress'],
          ingress: ingress.length ? ingress : undefined,
          egress: egress.length ? egress : undefined,
        },
      });
    }
  }
}

function validateCidr(prop: string, cidr: string): void {
  if (!CIDR.test(cidr)) invalid(prop, cidr, 'must be an IPv4 CIDR such as "10.96.0.0/12"');
}
