import { DrawnBox, DrawnNode, drawingOf } from './drawing';
import { normalizeTopology, NormalizedTopology, oneLine, TopologyGraph, TopologyNodeKind } from './model';

/** Graphviz node attributes per kind: components are boxes, stores cylinders, jobs dashed boxes. */
const NODE_STYLE: Readonly<Record<TopologyNodeKind | 'junction', string>> = {
  workload: 'shape=box, style="rounded,filled", fillcolor="#e8f0fe"',
  job: 'shape=box, style="rounded,dashed,filled", fillcolor="#f1f3f4"',
  store: 'shape=cylinder, style=filled, fillcolor="#fef7e0"',
  ingress: 'shape=box, style="rounded,filled,bold", fillcolor="#e6f4ea", color="#188038"',
  peer: 'shape=box, style="rounded,dotted"',
  dns: 'shape=box, style="rounded,dotted"',
  external: 'shape=box, style="dashed"',
  internet: 'shape=box, style="rounded,dashed"',
  junction: 'shape=point, width=0.06, color="#5f6368"',
};

/** Font size of node labels, in points. */
export const NODE_FONT_SIZE = 11;
/** Horizontal margin inside a node on each side, in inches. */
const NODE_MARGIN_X = 0.22;
/**
 * Advance width assumed per character, in ems: wider than Helvetica's or Arial's average and about the
 * widest of the usual sans-serif fallbacks (DejaVu Sans), so a label fits its shape in any viewer.
 */
export const GLYPH_EM = 0.62;

/** The width a node is given: its longest line at {@link GLYPH_EM} plus the margins, in inches. */
export function nodeWidthInches(lines: readonly string[]): number {
  const longest = Math.max(0, ...lines.map((l) => oneLine(l).length));
  return Math.round(((longest * GLYPH_EM * NODE_FONT_SIZE) / 72 + 2 * NODE_MARGIN_X) * 100) / 100;
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

/** DOT name of a box: Graphviz draws subgraphs named `cluster…` as boxes. */
function clusterId(box: string): string {
  return `"cluster_${box}"`;
}

const BOX_STYLE: Readonly<Record<'in-cluster' | 'namespace' | 'outside', string>> = {
  'in-cluster': 'style="rounded"; color="#9aa0a6";',
  namespace: 'style="rounded,filled"; fillcolor="#fafafa"; color="#1a73e8";',
  outside: 'style="rounded,dashed"; color="#9aa0a6";',
};

/** Renders the graph in Graphviz DOT. Deterministic: canonical order, no timestamps or generated ids. */
export function renderDot(g: TopologyGraph): string {
  return dotOf(normalizeTopology(g));
}

/** DOT of an already normalized graph. */
export function dotOf(t: NormalizedTopology): string {
  const d = drawingOf(t);
  const out: string[] = [
    'digraph topology {',
    `  graph [label=${dotString(d.title)}, labelloc=t, fontsize=20, fontname="Helvetica,Arial,sans-serif", rankdir=LR, nodesep=0.3, ranksep=0.9, newrank=true, compound=true];`,
    `  node [fontname="Helvetica,Arial,sans-serif", fontsize=${NODE_FONT_SIZE}, margin="${NODE_MARGIN_X},0.08"];`,
    '  edge [fontname="Helvetica,Arial,sans-serif", fontsize=9, color="#5f6368", fontcolor="#3c4043"];',
  ];
  const emitNode = (n: DrawnNode, indent: string): void => {
    if (n.kind === 'junction') out.push(`${indent}${dotId(n.id)} [label="", ${NODE_STYLE.junction}];`);
    else out.push(`${indent}${dotId(n.id)} [label=${dotLabel(n.lines)}, width=${nodeWidthInches(n.lines)}, ${NODE_STYLE[n.kind]}];`);
  };
  const emitBox = (b: DrawnBox | undefined, indent: string): void => {
    if (b) {
      const style = BOX_STYLE[b.id.startsWith('ns:') ? 'namespace' : (b.id as 'in-cluster' | 'outside')];
      out.push(`${indent}subgraph ${clusterId(b.id)} {`, `${indent}  label=${dotLabel(b.lines)}; fontsize=13; ${style}`);
    }
    const inner = b ? `${indent}  ` : indent;
    for (const n of d.nodes.filter((n) => n.box === b?.id)) emitNode(n, inner);
    for (const c of d.boxes.filter((c) => c.parent === b?.id && (b || !c.parent))) emitBox(c, inner);
    if (b) out.push(`${indent}}`);
  };
  emitBox(undefined, '  ');
  for (const e of d.edges) {
    const attrs: string[] = [];
    if (e.label.length) attrs.push(`label=${dotLabel(e.label)}`);
    if (e.style === 'route') attrs.push('color="#188038"', 'fontcolor="#188038"', 'penwidth=1.6');
    if (e.style === 'bundle') attrs.push('arrowhead=none');
    if (e.fromBox) attrs.push(`ltail=${clusterId(e.fromBox)}`);
    out.push(`  ${dotId(e.from)} -> ${dotId(e.to)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  out.push('}', '');
  return out.join('\n');
}
