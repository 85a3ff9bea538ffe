import { placeTitle } from './dot';
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

/** Opening and closing brackets of each kind's Mermaid flowchart shape. */
const SHAPE: Readonly<Record<TopologyNodeKind, readonly [string, string]>> = {
  workload: ['(', ')'],
  job: ['[[', ']]'],
  store: ['[(', ')]'],
  ingress: ['{{', '}}'],
  peer: ['([', '])'],
  dns: ['([', '])'],
  external: ['[/', '/]'],
  internet: ['((', '))'],
};

const CLASS_DEF: Readonly<Record<TopologyNodeKind, string>> = {
  workload: 'fill:#e8f0fe,stroke:#1a73e8',
  job: 'fill:#f1f3f4,stroke:#5f6368,stroke-dasharray:4 3',
  store: 'fill:#fef7e0,stroke:#b06000',
  ingress: 'fill:#e6f4ea,stroke:#188038',
  peer: 'fill:#ffffff,stroke:#9aa0a6,stroke-dasharray:2 2',
  dns: 'fill:#ffffff,stroke:#9aa0a6,stroke-dasharray:2 2',
  external: 'fill:#ffffff,stroke:#5f6368',
  internet: 'fill:#ffffff,stroke:#5f6368,stroke-dasharray:5 3',
};

/**
 * Text for inside a Mermaid double-quoted label: every character Mermaid or its HTML labels could read
 * as syntax (`"`, `#`, `&`, `<`, `>`, `|`, brackets, backtick, `;`) becomes a `#<code>;` entity; control
 * characters become spaces.
 */
export function mermaidText(s: string): string {
  return oneLine(s).replace(/["#&<>|[\](){}`;]/g, (c) => (c === '"' ? '#quot;' : `#${c.charCodeAt(0)};`));
}

/** Mermaid node ids: `n_` + the id with other characters than [A-Za-z0-9_] as `_`, made unique in canonical order. */
function mermaidIds(nodes: readonly TopologyNode[]): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const n of nodes) {
    const base = `n_${n.id.replace(/[^A-Za-z0-9_]/g, '_')}`;
    let id = base;
    for (let i = 2; used.has(id); i++) id = `${base}_${i}`;
    used.add(id);
    ids.set(n.id, id);
  }
  return ids;
}

/** Renders the graph as a Mermaid flowchart (the text inside a ```mermaid block). Deterministic. */
export function renderMermaid(g: TopologyGraph): string {
  return mermaidOf(normalizeTopology(g));
}

/** Mermaid of an already normalized graph. */
export function mermaidOf(t: NormalizedTopology): string {
  const ids = mermaidIds(t.nodes);
  const id = (nodeId: string): string => ids.get(nodeId)!;
  const out: string[] = ['flowchart LR'];
  const inPlace = (p: TopologyPlace): TopologyNode[] => t.nodes.filter((n) => placeOf(n.kind) === p);
  const emit = (nodes: TopologyNode[], indent: string): void => {
    for (const n of nodes) {
      const [open, close] = SHAPE[n.kind];
      const lines = n.service ? [n.label, `Service ${n.service.name}`, ...servicePortLines(n)] : [n.label];
      out.push(`${indent}${id(n.id)}${open}"${lines.map(mermaidText).join('<br/>')}"${close}`);
    }
  };
  const namespaced = inPlace('namespace');
  const cluster = inPlace('cluster');
  if (namespaced.length || cluster.length) {
    out.push(`  subgraph in_cluster ["${mermaidText(placeTitle('cluster', t.namespace))}"]`);
    emit(cluster, '    ');
    if (namespaced.length) {
      out.push(`    subgraph installation ["${mermaidText(placeTitle('namespace', t.namespace))}"]`);
      emit(namespaced, '      ');
      out.push('    end');
    }
    out.push('  end');
  }
  const outside = inPlace('outside');
  if (outside.length) {
    out.push(`  subgraph outside ["${mermaidText(placeTitle('outside', t.namespace))}"]`);
    emit(outside, '    ');
    out.push('  end');
  }
  for (const r of t.routes) out.push(`  ${id(r.via)} ==>|"${mermaidText(`${r.host}${r.path}`)} :${r.port}"| ${id(r.to)}`);
  for (const f of t.flows) out.push(`  ${id(f.from)} -->|"${mermaidText(formatPorts(f.ports))}"| ${id(f.to)}`);
  const kinds = [...new Set(t.nodes.map((n) => n.kind))];
  for (const k of kinds) out.push(`  classDef ${k} ${CLASS_DEF[k]}`);
  for (const k of kinds)
    out.push(
      `  class ${t.nodes
        .filter((n) => n.kind === k)
        .map((n) => id(n.id))
        .join(',')} ${k}`,
    );
  return `${out.join('\n')}\n`;
}
