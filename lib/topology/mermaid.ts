import { DrawnBox, drawingOf } from './drawing';
import { normalizeTopology, NormalizedTopology, oneLine, TopologyGraph, TopologyNodeKind } from './model';

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

const CLASS_DEF: Readonly<Record<TopologyNodeKind | 'junction', string>> = {
  junction: 'fill:#5f6368,stroke:#5f6368',
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
function mermaidIds(nodes: readonly { readonly id: string }[], prefix = 'n_'): Map<string, string> {
  const ids = new Map<string, string>();
  const used = new Set<string>();
  for (const n of nodes) {
    const base = `${prefix}${n.id.replace(/[^A-Za-z0-9_]/g, '_')}`;
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

/** Mermaid of an already normalized graph: the same drawing as the SVG (see {@link drawingOf}). */
export function mermaidOf(t: NormalizedTopology): string {
  const d = drawingOf(t);
  const ids = mermaidIds(d.nodes);
  const boxIds = mermaidIds(d.boxes, 'box_');
  const id = (nodeId: string): string => ids.get(nodeId)!;
  const out: string[] = ['flowchart LR'];
  const emitBox = (b: DrawnBox | undefined, indent: string): void => {
    if (b) out.push(`${indent}subgraph ${boxIds.get(b.id)} ["${mermaidText(b.title)}"]`);
    const inner = b ? `${indent}  ` : indent;
    for (const n of d.nodes.filter((n) => n.box === b?.id)) {
      if (n.kind === 'junction') {
        out.push(`${inner}${id(n.id)}(( ))`);
        continue;
      }
      const [open, close] = SHAPE[n.kind];
      out.push(`${inner}${id(n.id)}${open}"${n.lines.map(mermaidText).join('<br/>')}"${close}`);
    }
    for (const c of d.boxes.filter((c) => c.parent === b?.id && (b || !c.parent))) emitBox(c, inner);
    if (b) out.push(`${indent}end`);
  };
  emitBox(undefined, '  ');
  for (const e of d.edges) {
    const from = e.fromBox ? boxIds.get(e.fromBox)! : id(e.from);
    const arrow = e.style === 'route' ? '==>' : e.style === 'bundle' ? '---' : '-->';
    const label = e.label.length ? `|"${e.label.map(mermaidText).join('<br/>')}"|` : '';
    out.push(`  ${from} ${arrow}${label} ${id(e.to)}`);
  }
  const kinds = [...new Set(d.nodes.map((n) => n.kind))];
  for (const k of kinds) out.push(`  classDef ${k} ${CLASS_DEF[k]}`);
  for (const k of kinds)
    out.push(
      `  class ${d.nodes
        .filter((n) => n.kind === k)
        .map((n) => id(n.id))
        .join(',')} ${k}`,
    );
  return `${out.join('\n')}\n`;
}
