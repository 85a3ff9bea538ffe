/**
 * What the pictures draw: the graph summarised so that it reads at a glance. The tables of the README
 * keep every route and flow; the pictures (SVG and Mermaid) draw
 * - routes bundled per entry, backend and port, their paths listed on one label;
 * - flows from the entry that a route already draws, left out;
 * - a DNS flow every pod of a namespace has, as one edge from the namespace's box;
 * - pods with identical egress (the worker pools), through one junction;
 * - flows into one node outside the namespaces with the same ports, through one junction.
 * Pure functions of the normalized graph: deterministic.
 */
import { formatPorts, namespaceOf, NormalizedTopology, oneLine, placeOf, servicePortLines, TopologyNode, TopologyNodeKind } from './model';

/** A box: the cluster, one per namespace inside it, and the outside. */
export interface DrawnBox {
  /** `in-cluster`, `outside` or `ns:<namespace>`. */
  readonly id: string;
  readonly title: string;
  /** The title as drawn: short lines (a list of alike namespaces one per line). */
  readonly lines: readonly string[];
  /** The box it is drawn in. */
  readonly parent?: string;
}

/** A node as drawn: its text lines, and the box it sits in. Junctions join bundled edges. */
export interface DrawnNode {
  readonly id: string;
  readonly kind: TopologyNodeKind | 'junction';
  readonly lines: readonly string[];
  readonly box?: string;
}

/** An edge as drawn. `fromBox` draws it from the border of that box (a whole namespace). */
export interface DrawnEdge {
  readonly from: string;
  readonly to: string;
  readonly style: 'route' | 'flow' | 'bundle';
  readonly label: readonly string[];
  readonly fromBox?: string;
}

export interface TopologyDrawing {
  readonly title: string;
  readonly boxes: readonly DrawnBox[];
  readonly nodes: readonly DrawnNode[];
  readonly edges: readonly DrawnEdge[];
}

/** Longest line of a node label or a wrapped list, in characters. */
export const LABEL_WRAP = 40;
/** Longest line of a box title, in characters (boxes are often one node wide). */
export const BOX_TITLE_WRAP = 22;

/** Breaks `text` at spaces into lines of at most `width` characters (a longer word stays whole). */
export function wrapText(text: string, width = LABEL_WRAP): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of oneLine(text).split(' ').filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.length ? lines : [''];
}

function nodeLines(n: TopologyNode): string[] {
  return [...wrapText(n.label), ...(n.service ? [`Service ${n.service.name}`, ...servicePortLines(n)] : [])];
}

/** Title of the box each place is drawn in. */
export function boxTitle(box: string): string {
  if (box === 'in-cluster') return 'in cluster';
  if (box === 'outside') return 'outside the cluster';
  const ns = box.slice('ns:'.length);
  return ns ? `namespace ${ns}` : 'this installation';
}

interface Flow {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

/**
 * Namespaces whose contents are alike (the same nodes, flows and route paths: tenants of one
 * configuration) are drawn once: the node ids of the others map to the first one's.
 */
function foldAlikeNamespaces(t: NormalizedTopology, boxOf: (n: TopologyNode) => string): { alias: Map<string, string>; folded: Map<string, string[]> } {
  const local = (n: TopologyNode) => `${n.kind}\u0000${nodeLines(n).join('\n')}`;
  const members = new Map<string, TopologyNode[]>();
  for (const n of t.nodes) if (boxOf(n).startsWith('ns:')) members.set(boxOf(n), [...(members.get(boxOf(n)) ?? []), n]);
  const key = (id: string): string => {
    const n = t.byId.get(id)!;
    return boxOf(n).startsWith('ns:') ? local(n) : id;
  };
  const signature = (box: string): string | undefined => {
    const inBox = members.get(box)!;
    if (new Set(inBox.map(local)).size !== inBox.length) return undefined;
    const ids = new Set(inBox.map((n) => n.id));
    const flows = t.flows.filter((f) => ids.has(f.from) || ids.has(f.to)).map((f) => `${key(f.from)}>${key(f.to)}:${formatPorts(f.ports)}`);
    const routes = t.routes.filter((r) => ids.has(r.to)).map((r) => `${r.via}>${key(r.to)}:${r.port}${r.path}`);
    return [...inBox.map(local).sort(), '', ...flows.sort(), '', ...routes.sort()].join('\u0001');
  };
  const alias = new Map<string, string>();
  const folded = new Map<string, string[]>();
  const firstOf = new Map<string, string>();
  for (const box of members.keys()) {
    const sig = signature(box);
    const first = sig === undefined ? undefined : firstOf.get(sig);
    if (sig === undefined || first === undefined) {
      if (sig !== undefined) firstOf.set(sig, box);
      folded.set(box, [box]);
      continue;
    }
    folded.get(first)!.push(box);
    const byLocal = new Map(members.get(first)!.map((n) => [local(n), n.id]));
    for (const n of members.get(box)!) alias.set(n.id, byLocal.get(local(n))!);
  }
  return { alias, folded };
}

/** The drawing of a normalized graph. */
export function drawingOf(normalized: NormalizedTopology): TopologyDrawing {
  const boxOf = (n: TopologyNode): string => {
    const ns = namespaceOf(n, normalized.namespace);
    if (ns !== undefined) return `ns:${ns}`;
    return placeOf(n.kind) === 'outside' ? 'outside' : 'in-cluster';
  };
  const { alias, folded } = foldAlikeNamespaces(normalized, boxOf);
  const as = (id: string) => alias.get(id) ?? id;
  const flowKeys = new Set<string>();
  const t = {
    ...normalized,
    nodes: normalized.nodes.filter((n) => !alias.has(n.id)),
    routes: normalized.routes.map((r) => ({ ...r, to: as(r.to), via: as(r.via) })),
    flows: normalized.flows
      .map((f) => ({ ...f, from: as(f.from), to: as(f.to) }))
      .filter((f) => {
        const k = `${f.from}>${f.to}`;
        if (flowKeys.has(k)) return false;
        flowKeys.add(k);
        return true;
      }),
  };
  const nodes: DrawnNode[] = t.nodes.map((n) => ({ id: n.id, kind: n.kind, lines: nodeLines(n), box: boxOf(n) }));
  const boxIds = [...new Set(nodes.map((n) => n.box!))];
  const boxes: DrawnBox[] = [];
  if (boxIds.some((b) => b !== 'outside')) boxes.push({ id: 'in-cluster', title: boxTitle('in-cluster'), lines: [boxTitle('in-cluster')] });
  for (const b of boxIds.filter((b) => b.startsWith('ns:'))) {
    const alike = folded.get(b) ?? [b];
    const names = alike.map((a) => a.slice('ns:'.length));
    // Short lines: a box is often one node wide.
    const head = alike.length > 1 ? `${alike.length} alike namespaces, drawn once:` : boxTitle(b);
    const lines = [...wrapText(head, BOX_TITLE_WRAP), ...(alike.length > 1 ? names : [])];
    boxes.push({ id: b, title: alike.length > 1 ? `${head} ${names.join(', ')}` : head, lines, parent: 'in-cluster' });
  }
  if (boxIds.includes('outside')) boxes.push({ id: 'outside', title: boxTitle('outside'), lines: [boxTitle('outside')] });
  const boxById = new Map(nodes.map((n) => [n.id, n.box!]));
  const edges: DrawnEdge[] = [];

  // Routes: one edge per entry, backend and port, listing the hosts and their paths.
  const routeGroups = new Map<string, { via: string; to: string; port: number; paths: Map<string, string[]> }>();
  for (const r of t.routes) {
    const key = `${r.via}\u0000${r.to}\u0000${r.port}`;
    const g = routeGroups.get(key) ?? { via: r.via, to: r.to, port: r.port, paths: new Map<string, string[]>() };
    g.paths.set(r.host, [...(g.paths.get(r.host) ?? []), r.path]);
    routeGroups.set(key, g);
  }
  const routed = new Map<string, Set<number>>();
  for (const g of routeGroups.values()) {
    // Hosts with the same paths share their lines.
    const hostsByPaths = new Map<string, string[]>();
    for (const [host, paths] of g.paths) hostsByPaths.set(paths.join(' '), [...(hostsByPaths.get(paths.join(' ')) ?? []), host]);
    const label = [...hostsByPaths.entries()].flatMap(([paths, hosts]) => [...wrapText(hosts.join(' ')), ...wrapText(paths)]);
    edges.push({ from: g.via, to: g.to, style: 'route', label: [...label, `:${g.port}`] });
    const key = `${g.via}\u0000${g.to}`;
    routed.set(key, new Set([...(routed.get(key) ?? []), g.port]));
  }

  // Flows, less those a route draws already (the entry reaching a backend on the routed port).
  let flows: Flow[] = t.flows
    .filter((f) => {
      const ports = routed.get(`${f.from}\u0000${f.to}`);
      return !(ports && f.ports.length > 0 && f.ports.every((p) => p.protocol === 'TCP' && ports.has(p.port)));
    })
    .map((f) => ({ from: f.from, to: f.to, label: formatPorts(f.ports) }));

  // A flow every pod of a namespace has to one node (cluster DNS), with the same ports: one edge from the box.
  for (const target of t.nodes.filter((n) => n.kind === 'dns')) {
    for (const box of boxes.filter((b) => b.id.startsWith('ns:'))) {
      const members = nodes.filter((n) => n.box === box.id && n.id !== target.id);
      const into = flows.filter((f) => f.to === target.id && boxById.get(f.from) === box.id);
      const labels = new Set(into.map((f) => f.label));
      if (members.length < 2 || into.length !== members.length || labels.size !== 1) continue;
      flows = flows.filter((f) => !into.includes(f));
      edges.push({ from: members[0]!.id, fromBox: box.id, to: target.id, style: 'flow', label: [`every pod: ${into[0]!.label}`] });
    }
  }

  // Pods with the same egress (at least two flows): one junction, then one edge per flow.
  let junctions = 0;
  const junction = (box: string | undefined): string => {
    const id = `junction:${++junctions}`;
    nodes.push({ id, kind: 'junction', lines: [], box });
    return id;
  };
  const egressKey = (from: string) =>
    flows
      .filter((f) => f.from === from)
      .map((f) => `${f.to}\u0000${f.label}`)
      .sort()
      .join('\u0001');
  const bySignature = new Map<string, string[]>();
  for (const from of [...new Set(flows.map((f) => f.from))]) {
    const key = egressKey(from);
    if (key.includes('\u0001')) bySignature.set(key, [...(bySignature.get(key) ?? []), from]);
  }
  for (const sources of bySignature.values()) {
    if (sources.length < 2) continue;
    const shared = new Set(sources.map((s) => boxById.get(s)));
    const j = junction(shared.size === 1 ? [...shared][0] : undefined);
    for (const s of sources) edges.push({ from: s, to: j, style: 'bundle', label: [] });
    const out = flows.filter((f) => f.from === sources[0]);
    flows = flows.filter((f) => !sources.includes(f.from));
    flows.push(...out.map((f) => ({ from: j, to: f.to, label: f.label })));
  }

  // Flows into one node outside the namespaces with the same ports: one junction, one labelled edge.
  const fanIn = new Map<string, Flow[]>();
  for (const f of flows) {
    if (boxById.get(f.to)?.startsWith('ns:')) continue;
    const key = `${f.to}\u0000${f.label}`;
    fanIn.set(key, [...(fanIn.get(key) ?? []), f]);
  }
  for (const group of fanIn.values()) {
    if (group.length < 2) continue;
    const j = junction(undefined);
    for (const f of group) edges.push({ from: f.from, to: j, style: 'bundle', label: [] });
    edges.push({ from: j, to: group[0]!.to, style: 'flow', label: [group[0]!.label] });
    flows = flows.filter((f) => !group.includes(f));
  }
  for (const f of flows) edges.push({ from: f.from, to: f.to, style: 'flow', label: [f.label] });
  return { title: t.title, boxes, nodes, edges };
}
