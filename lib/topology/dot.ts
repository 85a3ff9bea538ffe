import {
  formatPorts,
  normalizeTopology,
  NormalizedTopology,
  oneLine,
  placeOf,
  servicePortLines,
  TopologyGraph,
  TopologyNode,
  TopologyNodeKind,
  TopologyPlace,
} from './model';

/** Graphviz node attributes per kind: components are boxes, stores cylinders, jobs dashed boxes. */
const NODE_STYLE: Readonly<Record<TopologyNodeKind, string>> = {
  workload: 'shape=box, style="rounded,filled", fillcolor="#e8f0fe"',
  job: 'shape=box, style="rounded,dashed,filled", fillcolor="#f1f3f4"',
  store: 'shape=cylinder, style=filled, fillcolor="#fef7e0"',
  ingress: 'shape=invhouse, style=filled, fillcolor="#e6f4ea"',
  peer: 'shape=box, style="rounded,dotted"',
  dns: 'shape=ellipse, style=dotted',
  external: 'shape=box3d',
  internet: 'shape=ellipse, style=dashed',
};

/** Title of the box each place is drawn in. */
export function placeTitle(place: TopologyPlace, namespace: string | undefined): string {
  switch (place) {
    case 'namespace':
      return namespace !== undefined ? `namespace ${namespace}` : 'this installation';
    case 'cluster':
      return 'in cluster';
    default:
      return 'outside the cluster';
  }
}

/**
 * A DOT double-quoted string for an escString attribute (label): `\` and `"` are escaped, control
 * characters become spaces, so `\n`, `\N`, `\G`, … in the text stay literal. `<`, `>`, `|`, `{`, `}` need
 * nothing: labels are always quoted (never HTML) and no node uses a record shape.
 */
export function dotString(s: string): string {
  return `"${oneLine(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Several lines of text as one DOT label (centred lines). */
function dotLabel(lines: readonly string[]): string {
  return `"${lines.map((l) => dotString(l).slice(1, -1)).join('\\n')}"`;
}

/** Node id as a DOT ID (ids are restricted to a safe alphabet; still quoted so keywords such as `node` work). */
function dotId(id: string): string {
  return `"${id}"`;
}

function nodeLines(n: TopologyNode): string[] {
  return n.service ? [n.label, `Service ${n.service.name}`, ...servicePortLines(n)] : [n.label];
}

/** Renders the graph in Graphviz DOT. Deterministic: canonical order, no timestamps or generated ids. */
export function renderDot(g: TopologyGraph): string {
  return dotOf(normalizeTopology(g));
}

/** DOT of an already normalized graph. */
export function dotOf(t: NormalizedTopology): string {
  const out: string[] = [
    'digraph topology {',
    `  graph [label=${dotString(t.title)}, labelloc=t, fontsize=20, fontname="Helvetica,Arial,sans-serif", rankdir=LR, nodesep=0.4, ranksep=1.1, newrank=true];`,
    '  node [fontname="Helvetica,Arial,sans-serif", fontsize=11, margin="0.22,0.08"];',
    '  edge [fontname="Helvetica,Arial,sans-serif", fontsize=9, color="#5f6368", fontcolor="#3c4043"];',
  ];
  const inPlace = (p: TopologyPlace): TopologyNode[] => t.nodes.filter((n) => placeOf(n.kind) === p);
  const emit = (nodes: TopologyNode[], indent: string): void => {
    for (const n of nodes) out.push(`${indent}${dotId(n.id)} [label=${dotLabel(nodeLines(n))}, ${NODE_STYLE[n.kind]}];`);
  };
  const namespaced = inPlace('namespace');
  const cluster = inPlace('cluster');
  if (namespaced.length || cluster.length) {
    out.push('  subgraph cluster_in_cluster {', `    label=${dotString(placeTitle('cluster', t.namespace))}; fontsize=13; style="rounded"; color="#9aa0a6";`);
    emit(cluster, '    ');
    if (namespaced.length) {
      out.push(
        '    subgraph cluster_namespace {',
        `      label=${dotString(placeTitle('namespace', t.namespace))}; fontsize=13; style="rounded,filled"; fillcolor="#fafafa"; color="#1a73e8";`,
      );
      emit(namespaced, '      ');
      out.push('    }');
    }
    out.push('  }');
  }
  const outside = inPlace('outside');
  if (outside.length) {
    out.push(
      '  subgraph cluster_outside {',
      `    label=${dotString(placeTitle('outside', t.namespace))}; fontsize=13; style="rounded,dashed"; color="#9aa0a6";`,
    );
    emit(outside, '    ');
    out.push('  }');
  }
  for (const r of t.routes) {
    out.push(
      `  ${dotId(r.via)} -> ${dotId(r.to)} [label=${dotLabel([`${r.host}${r.path}`, `:${r.port}`])}, color="#188038", fontcolor="#188038", penwidth=1.6];`,
    );
  }
  for (const f of t.flows) {
    out.push(`  ${dotId(f.from)} -> ${dotId(f.to)} [label=${dotString(formatPorts(f.ports))}];`);
  }
  out.push('}', '');
  return out.join('\n');
}
