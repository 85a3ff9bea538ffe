import { mermaidOf } from './mermaid';
import { formatPorts, normalizeTopology, oneLine, servicePortLines, TopologyGraph, TopologyNode } from './model';
import { invalid } from '../core/validation';

/** Options of {@link renderMarkdown}. */
export interface TopologyMarkdownOptions {
  /** Relative path of the rendered SVG next to the README; adds an image link to it. */
  readonly svgPath?: string;
}

/**
 * Text for Markdown (headings and table cells): backslash-escapes every character CommonMark/GFM could
 * read as inline syntax or a cell boundary (`\`, `` ` ``, `*`, `_`, `[`, `]`, `<`, `>`, `|`, `~`, `&`,
 * `#`, `!`); control characters become spaces.
 */
export function markdownText(s: string): string {
  return oneLine(s).replace(/[\\`*_[\]<>|~&#!]/g, (c) => `\\${c}`);
}

const SVG_PATH = /^[A-Za-z0-9_][A-Za-z0-9_./-]*\.svg$/;

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(head: readonly string[], rows: readonly (readonly string[])[], empty: string): string[] {
  if (rows.length === 0) return [empty];
  return [row(head), row(head.map(() => '---')), ...rows.map(row)];
}

/**
 * Renders a README for one environment: the Mermaid diagram (code hosts draw it), then tables of the
 * components with their Services and ports, the routes (host + path → component) and the allowed flows.
 * Deterministic: canonical order, no timestamps.
 */
export function renderMarkdown(g: TopologyGraph, opts: TopologyMarkdownOptions = {}): string {
  const t = normalizeTopology(g);
  if (opts.svgPath !== undefined && !SVG_PATH.test(opts.svgPath)) {
    invalid('svgPath', opts.svgPath, "must be a relative path to a .svg file (letters, digits, '_', '-', '.', '/')");
  }
  const name = (id: string): string => {
    const n = t.byId.get(id)!;
    return `${markdownText(n.label)} (${markdownText(n.id)})`;
  };
  const serviceCell = (n: TopologyNode): string => (n.service ? markdownText(n.service.name) : '–');
  const portsCell = (n: TopologyNode): string => (n.service ? servicePortLines(n).map(markdownText).join(', ') || '–' : '–');
  const out: string[] = [
    `# ${markdownText(t.title)}`,
    '',
    "Generated from the constructs' wiring at synth; do not edit.",
    '',
    ...(opts.svgPath !== undefined ? [`![topology](${opts.svgPath})`, ''] : []),
    '```mermaid',
    mermaidOf(t).trimEnd(),
    '```',
    '',
    '## Components and Services',
    '',
    ...table(
      ['Component', 'Kind', 'Service', 'Ports'],
      t.nodes.map((n) => [name(n.id), n.kind, serviceCell(n), portsCell(n)]),
      'No components.',
    ),
    '',
    '## Routes',
    '',
    ...table(
      ['Host', 'Path', 'Entry', 'Backend', 'Port'],
      t.routes.map((r) => [markdownText(r.host), markdownText(r.path), name(r.via), name(r.to), String(r.port)]),
      'No routes.',
    ),
    '',
    '## Allowed flows',
    '',
    ...table(
      ['From', 'To', 'Ports'],
      t.flows.map((f) => [name(f.from), name(f.to), markdownText(formatPorts(f.ports))]),
      'No flows.',
    ),
    '',
  ];
  return out.join('\n');
}
