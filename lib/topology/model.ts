/**
 * A plain description of one Dify installation's topology: what runs, where traffic enters and which
 * network flows are allowed. Built from the constructs' wiring; rendered by the pure functions of this
 * folder (DOT, Mermaid, Markdown, SVG). No cdk8s dependency.
 */
import { invalid } from '../core/validation';

/** What a node stands for; decides its shape and the cluster it is drawn in. */
export type TopologyNodeKind = 'workload' | 'store' | 'job' | 'external' | 'ingress' | 'internet' | 'dns' | 'peer';

/** Every {@link TopologyNodeKind}, in drawing order. */
export const TOPOLOGY_NODE_KINDS: readonly TopologyNodeKind[] = ['ingress', 'workload', 'job', 'store', 'peer', 'dns', 'external', 'internet'];

export type TopologyProtocol = 'TCP' | 'UDP';

/** One port of a node's Service. */
export interface TopologyServicePort {
  readonly name: string;
  readonly port: number;
  /** @default 'TCP' */
  readonly protocol?: TopologyProtocol;
}

/** A component, store, job or peer. */
export interface TopologyNode {
  /** Unique id: letters, digits, '_', '-', '.' and ':' (e.g. `api`, `postgres`, `ext:s3`). */
  readonly id: string;
  readonly kind: TopologyNodeKind;
  /** Human-readable name; any text (escaped by every renderer). */
  readonly label: string;
  /** The Kubernetes Service in front of it, if any. */
  readonly service?: { readonly name: string; readonly ports: readonly TopologyServicePort[] };
  /**
   * The namespace it runs in, drawn as a box of its own. @default - the graph's `namespace` for workloads,
   * stores and jobs; none (drawn by kind) for the others
   */
  readonly namespace?: string;
}

/** An HTTP route: `host` + `path` → a node's Service port. */
export interface TopologyRoute {
  readonly host: string;
  readonly path: string;
  /** Target node id. */
  readonly to: string;
  readonly port: number;
  /** Id of the `ingress` node the route belongs to. @default the graph's only `ingress` node */
  readonly via?: string;
}

/** An allowed network flow between two nodes. */
export interface TopologyFlow {
  readonly from: string;
  readonly to: string;
  readonly ports: readonly { readonly port: number; readonly protocol: TopologyProtocol }[];
}

/** The whole picture of one environment. */
export interface TopologyGraph {
  readonly title: string;
  /** The installation's namespace: its workloads, jobs and stores are drawn in a box with this name. */
  readonly namespace?: string;
  readonly nodes: readonly TopologyNode[];
  readonly routes: readonly TopologyRoute[];
  readonly flows: readonly TopologyFlow[];
}

/** Where a node is drawn. */
export type TopologyPlace = 'namespace' | 'cluster' | 'outside';

/** `namespace`: the installation's own objects; `cluster`: other in-cluster peers; `outside`: beyond the cluster. */
export function placeOf(kind: TopologyNodeKind): TopologyPlace {
  switch (kind) {
    case 'workload':
    case 'store':
    case 'job':
      return 'namespace';
    case 'ingress':
    case 'dns':
    case 'peer':
      return 'cluster';
    default:
      return 'outside';
  }
}

/** The namespace box a node is drawn in, if any. */
export function namespaceOf(n: TopologyNode, graphNamespace: string | undefined): string | undefined {
  return n.namespace ?? (placeOf(n.kind) === 'namespace' ? (graphNamespace ?? '') : undefined);
}

/** A route with its ingress node resolved. */
export interface ResolvedRoute extends TopologyRoute {
  readonly via: string;
}

/** A graph checked and put in canonical order: every renderer reads this, so output never depends on input order. */
export interface NormalizedTopology extends TopologyGraph {
  /** Sorted by place, kind, id; service ports by port, protocol, name. */
  readonly nodes: readonly TopologyNode[];
  /** Exact duplicates removed, ingress node resolved; sorted by host, path, ingress, target, port. */
  readonly routes: readonly ResolvedRoute[];
  /** One per (from, to), ports merged and sorted; sorted by from, to. */
  readonly flows: readonly TopologyFlow[];
  /** Node by id. */
  readonly byId: ReadonlyMap<string, TopologyNode>;
}

const NODE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;
const PLACE_ORDER: readonly TopologyPlace[] = ['namespace', 'cluster', 'outside'];

function cmp(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkPort(prop: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) invalid(prop, port, 'must be a port number from 1 to 65535');
}

function checkProtocol(prop: string, protocol: unknown): void {
  if (protocol !== 'TCP' && protocol !== 'UDP') invalid(prop, protocol, 'must be "TCP" or "UDP"');
}

function checkNode(n: TopologyNode, i: number): TopologyNode {
  const at = `topology.nodes[${i}]`;
  if (typeof n.id !== 'string' || n.id.length > 253 || !NODE_ID.test(n.id)) {
    invalid(`${at}.id`, n.id, "must be 1-253 letters, digits, '_', '-', '.' or ':', starting with a letter or digit");
  }
  if (!TOPOLOGY_NODE_KINDS.includes(n.kind)) invalid(`${at}.kind`, n.kind, `must be one of ${TOPOLOGY_NODE_KINDS.join(', ')}`);
  if (typeof n.label !== 'string' || n.label.trim() === '') invalid(`${at}.label`, n.label, 'must be a non-empty string');
  if (n.namespace !== undefined && (typeof n.namespace !== 'string' || n.namespace === '')) {
    invalid(`${at}.namespace`, n.namespace, 'must be a non-empty namespace name');
  }
  const ns = n.namespace !== undefined ? { namespace: n.namespace } : {};
  if (!n.service) return { id: n.id, kind: n.kind, label: n.label, ...ns };
  if (typeof n.service.name !== 'string' || n.service.name === '') invalid(`${at}.service.name`, n.service.name, 'must be a non-empty string');
  const ports = n.service.ports
    .map((p, j) => {
      checkPort(`${at}.service.ports[${j}].port`, p.port);
      const protocol = p.protocol ?? 'TCP';
      checkProtocol(`${at}.service.ports[${j}].protocol`, protocol);
      return { name: p.name, port: p.port, protocol };
    })
    .sort((a, b) => a.port - b.port || cmp(a.protocol, b.protocol) || cmp(a.name, b.name));
  return { id: n.id, kind: n.kind, label: n.label, service: { name: n.service.name, ports }, ...ns };
}

/**
 * Checks a graph (unique node ids, known references, ports in range, one target per host+path) and puts
 * it in canonical order. Throws the project's validation error on bad input.
 */
export function normalizeTopology(g: TopologyGraph): NormalizedTopology {
  if (typeof g.title !== 'string' || g.title.trim() === '') invalid('topology.title', g.title, 'must be a non-empty string');
  const byId = new Map<string, TopologyNode>();
  g.nodes.forEach((raw, i) => {
    const n = checkNode(raw, i);
    if (byId.has(n.id)) invalid(`topology.nodes[${i}].id`, n.id, 'must be unique: another node has this id');
    byId.set(n.id, n);
  });
  const place = (n: TopologyNode): number => (n.namespace !== undefined ? 0 : PLACE_ORDER.indexOf(placeOf(n.kind)));
  const nodes = [...byId.values()].sort(
    (a, b) =>
      place(a) - place(b) ||
      cmp(namespaceOf(a, g.namespace) ?? '', namespaceOf(b, g.namespace) ?? '') ||
      TOPOLOGY_NODE_KINDS.indexOf(a.kind) - TOPOLOGY_NODE_KINDS.indexOf(b.kind) ||
      cmp(a.id, b.id),
  );
  const ref = (prop: string, id: string): TopologyNode => {
    const n = byId.get(id);
    if (!n) invalid(prop, id, `must be the id of a node (${[...byId.keys()].sort().join(', ') || 'none defined'})`);
    return n;
  };

  const ingresses = nodes.filter((n) => n.kind === 'ingress').map((n) => n.id);
  const routes = new Map<string, ResolvedRoute>();
  g.routes.forEach((r, i) => {
    const at = `topology.routes[${i}]`;
    if (typeof r.host !== 'string' || r.host === '') invalid(`${at}.host`, r.host, 'must be a non-empty host name');
    if (typeof r.path !== 'string' || !r.path.startsWith('/')) invalid(`${at}.path`, r.path, 'must be a path starting with "/"');
    ref(`${at}.to`, r.to);
    checkPort(`${at}.port`, r.port);
    let via = r.via;
    if (via === undefined) {
      if (ingresses.length !== 1)
        invalid(`${at}.via`, via, `must name the ingress node the route belongs to when the graph has ${ingresses.length} ingress nodes`);
      via = ingresses[0]!;
    } else if (ref(`${at}.via`, via).kind !== 'ingress') {
      invalid(`${at}.via`, via, 'must be the id of a node of kind "ingress"');
    }
    const key = `${via}\u0000${r.host}\u0000${r.path}`;
    const prev = routes.get(key);
    if (prev && (prev.to !== r.to || prev.port !== r.port)) {
      invalid(`${at}.to`, `${r.to}:${r.port}`, `conflicts with another route of ${r.host}${r.path} to ${prev.to}:${prev.port}`);
    }
    routes.set(key, { host: r.host, path: r.path, to: r.to, port: r.port, via });
  });

  const flows = new Map<string, Map<string, { port: number; protocol: TopologyProtocol }>>();
  const anyPort = new Set<string>();
  g.flows.forEach((f, i) => {
    const at = `topology.flows[${i}]`;
    ref(`${at}.from`, f.from);
    ref(`${at}.to`, f.to);
    const key = `${f.from}\u0000${f.to}`;
    // No ports means every port, which absorbs any listed ones.
    if (f.ports.length === 0) anyPort.add(key);
    const ports = flows.get(key) ?? new Map<string, { port: number; protocol: TopologyProtocol }>();
    f.ports.forEach((p, j) => {
      checkPort(`${at}.ports[${j}].port`, p.port);
      checkProtocol(`${at}.ports[${j}].protocol`, p.protocol);
      ports.set(`${p.port}/${p.protocol}`, { port: p.port, protocol: p.protocol });
    });
    flows.set(key, ports);
  });

  return {
    title: g.title,
    ...(g.namespace !== undefined ? { namespace: g.namespace } : {}),
    nodes,
    routes: [...routes.values()].sort((a, b) => cmp(a.host, b.host) || cmp(a.path, b.path) || cmp(a.via, b.via) || cmp(a.to, b.to) || a.port - b.port),
    flows: [...flows.entries()]
      .sort(([a], [b]) => cmp(a, b))
      .map(([key, ports]) => {
        const [from, to] = key.split('\u0000') as [string, string];
        if (anyPort.has(key)) ports = new Map();
        return { from, to, ports: [...ports.values()].sort((a, b) => a.port - b.port || cmp(a.protocol, b.protocol)) };
      }),
    byId,
  };
}

/** `5432/TCP, 6379/TCP`, or `any port` for an empty list. */
export function formatPorts(ports: readonly { readonly port: number; readonly protocol?: TopologyProtocol }[]): string {
  if (ports.length === 0) return 'any port';
  return ports.map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(', ');
}

/** `http 5001/TCP` lines of a node's Service. */
export function servicePortLines(n: TopologyNode): string[] {
  return (n.service?.ports ?? []).map((p) => `${p.name ? `${p.name} ` : ''}${p.port}/${p.protocol ?? 'TCP'}`);
}

/** Replaces control characters (newlines, tabs, …) by spaces: labels are one line of text. */
export function oneLine(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}
