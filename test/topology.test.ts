import {
  createSvgRenderer,
  normalizeTopology,
  DifyValidationError,
  markdownText,
  renderDot,
  renderMarkdown,
  renderMermaid,
  renderSvg,
  TopologyGraph,
  TopologyNode,
  LABEL_WRAP,
  drawingOf,
  wrapText,
} from '../lib';

const HOSTILE = 'S3 "bucket" \\N <b>x</b> | [y] {z} (w) #1 & `c`; \\"q\\" end';

const GRAPH: TopologyGraph = {
  title: 'dify (prod)',
  namespace: 'dify',
  nodes: [
    { id: 'api', kind: 'workload', label: 'API', service: { name: 'dify-api', ports: [{ name: 'http', port: 5001 }] } },
    { id: 'web', kind: 'workload', label: 'Web', service: { name: 'dify-web', ports: [{ name: 'http', port: 3000 }] } },
    { id: 'worker', kind: 'workload', label: 'Worker' },
    { id: 'postgres', kind: 'store', label: 'PostgreSQL', service: { name: 'dify-postgres', ports: [{ name: 'postgres', port: 5432 }] } },
    {
      id: 'redis',
      kind: 'store',
      label: 'Redis',
      service: {
        name: 'dify-redis',
        ports: [
          { name: 'metrics', port: 9121 },
          { name: 'redis', port: 6379 },
        ],
      },
    },
    { id: 'migration', kind: 'job', label: 'Migration' },
    { id: 'ingress', kind: 'ingress', label: 'Ingress (nginx)' },
    { id: 'dns', kind: 'dns', label: 'kube-dns' },
    { id: 'prometheus', kind: 'peer', label: 'Prometheus' },
    { id: 'internet', kind: 'internet', label: 'Internet' },
    { id: 'ext:s3', kind: 'external', label: HOSTILE },
    // DOT and Mermaid keywords as ids must not break either language.
    { id: 'end', kind: 'external', label: 'subgraph' },
  ],
  routes: [
    { host: 'dify.example.com', path: '/console/api', to: 'api', port: 5001 },
    { host: 'dify.example.com', path: '/', to: 'web', port: 3000 },
    { host: 'dify.example.com', path: '/files|"<x>"', to: 'api', port: 5001 },
  ],
  flows: [
    { from: 'api', to: 'postgres', ports: [{ port: 5432, protocol: 'TCP' }] },
    { from: 'api', to: 'redis', ports: [{ port: 6379, protocol: 'TCP' }] },
    { from: 'worker', to: 'redis', ports: [{ port: 6379, protocol: 'TCP' }] },
    {
      from: 'api',
      to: 'dns',
      ports: [
        { port: 53, protocol: 'UDP' },
        { port: 53, protocol: 'TCP' },
      ],
    },
    { from: 'api', to: 'ext:s3', ports: [{ port: 443, protocol: 'TCP' }] },
    { from: 'migration', to: 'postgres', ports: [{ port: 5432, protocol: 'TCP' }] },
    { from: 'prometheus', to: 'redis', ports: [{ port: 9121, protocol: 'TCP' }] },
    { from: 'worker', to: 'end', ports: [{ port: 8443, protocol: 'TCP' }] },
  ],
};

/** The same graph with every list reversed: output must not depend on input order. */
function reversed(g: TopologyGraph): TopologyGraph {
  return {
    ...g,
    nodes: [...g.nodes].reverse().map((n) => (n.service ? { ...n, service: { ...n.service, ports: [...n.service.ports].reverse() } } : n)),
    routes: [...g.routes].reverse(),
    flows: [...g.flows].reverse().map((f) => ({ ...f, ports: [...f.ports].reverse() })),
  };
}

function xmlDecode(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|lt|gt|amp|quot|apos);/gi, (_, e: string) => {
    if (e[0] === '#') return String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    return ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" } as Record<string, string>)[e]!;
  });
}

interface SvgParts {
  nodes: string[];
  edges: string[];
  clusters: string[];
  texts: string[];
}

/** Titles of the node/edge/cluster groups and every text element of a Graphviz SVG. */
function parseSvg(svg: string): SvgParts {
  const groups = [...svg.matchAll(/<g id="[^"]+" class="(node|edge|cluster)">\s*<title>([^<]*)<\/title>/g)];
  const of = (c: string): string[] =>
    groups
      .filter((m) => m[1] === c)
      .map((m) => xmlDecode(m[2]!))
      .sort();
  return {
    nodes: of('node'),
    edges: of('edge'),
    clusters: of('cluster'),
    texts: [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => xmlDecode(m[1]!)),
  };
}

function mermaidDecode(s: string): string {
  return s.replace(/#quot;/g, '"').replace(/#([0-9]+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

const mermaidId = (id: string): string => `n_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;
const label = (n: TopologyNode): string => n.label;

describe('topology renderers', () => {
  let svg: string;
  beforeAll(async () => {
    svg = await renderSvg(GRAPH);
  });

  test('DOT: every node with its shape and width, routes bundled per backend with their paths, every flow with its ports', () => {
    const dot = renderDot(GRAPH);
    for (const n of GRAPH.nodes) expect(dot).toMatch(new RegExp(`^\\s*"${n.id}" \\[label=`, 'm'));
    expect(dot).toMatch(/"postgres" \[label="PostgreSQL\\nService dify-postgres\\npostgres 5432\/TCP", width=[0-9.]+, shape=cylinder/);
    expect(dot).toMatch(/"api" \[label="API\\nService dify-api\\nhttp 5001\/TCP", width=[0-9.]+, shape=box/);
    expect(dot).toContain('"ingress" -> "web" [label="dify.example.com\\n/\\n:3000"');
    // Two routes to the same backend and port: one edge listing both paths.
    expect(dot).toContain('"ingress" -> "api" [label="dify.example.com\\n/console/api /files|\\"<x>\\"\\n:5001"');
    expect(dot.match(/"ingress" -> "api"/g)).toHaveLength(1);
    expect(dot).toContain('"api" -> "dns" [label="53/TCP, 53/UDP"]');
    for (const f of GRAPH.flows) expect(dot).toContain(`"${f.from}" -> "${f.to}" [label=`);
    expect(dot).toMatch(/subgraph "cluster_ns:dify" \{\s*label="namespace dify"/);
    expect(dot).toMatch(/subgraph "cluster_outside" \{\s*label="outside the cluster"/);
  });

  test('SVG: one node per node id, one edge per bundled route and flow, labels as text, clusters for in/outside the cluster', () => {
    const parts = parseSvg(svg);
    expect(svg.startsWith('<?xml')).toBe(true);
    expect(parts.nodes).toEqual(GRAPH.nodes.map((n) => n.id).sort());
    const edges = [...new Set(GRAPH.routes.map((r) => `ingress->${r.to}`)), ...GRAPH.flows.map((f) => `${f.from}->${f.to}`)].sort();
    expect(parts.edges).toEqual(edges);
    expect(parts.clusters).toEqual(['cluster_in-cluster', 'cluster_ns:dify', 'cluster_outside']);
    for (const n of GRAPH.nodes.filter((n) => n.label.length <= LABEL_WRAP)) expect(parts.texts).toContain(label(n));
    expect(parts.texts).toEqual(expect.arrayContaining(['dify.example.com', '/console/api /files|"<x>"', ':5001']));
    expect(parts.texts).toEqual(
      expect.arrayContaining([
        'Service dify-redis',
        'redis 6379/TCP',
        'metrics 9121/TCP',
        '53/TCP, 53/UDP',
        '8443/TCP',
        'namespace dify',
        'in cluster',
        'outside the cluster',
        'dify (prod)',
      ]),
    );
  });

  test('SVG: hostile labels survive DOT escaping exactly (quotes, backslash escapes, HTML, pipes, brackets), wrapped at spaces', () => {
    const lines = wrapText(HOSTILE);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((l) => l.length <= LABEL_WRAP)).toBe(true);
    expect(lines.join(' ')).toBe(HOSTILE);
    for (const l of lines) expect(parseSvg(svg).texts).toContain(l);
    expect(svg).not.toContain('<b>x</b>');
  });

  test('Mermaid: every node in its box, routes as thick edges, flows with ports', () => {
    const m = renderMermaid(GRAPH);
    expect(m.startsWith('flowchart LR\n')).toBe(true);
    for (const n of GRAPH.nodes) {
      const line = m.split('\n').find((l) => l.trim().startsWith(`${mermaidId(n.id)}`) && l.includes('"'));
      expect(line).toBeDefined();
      expect(mermaidDecode(line!).replace(/<br\/>/g, ' ')).toContain(n.label);
    }
    expect(m).toContain('n_postgres[("PostgreSQL<br/>Service dify-postgres<br/>postgres 5432/TCP")]');
    expect(m).toContain('n_api("API<br/>Service dify-api<br/>http 5001/TCP")');
    expect(m).toMatch(/subgraph box_ns_dify \["namespace dify"\]\n(\s+n_\w+.*\n)+\s+end/);
    expect(m).toContain('n_ingress ==>|"dify.example.com<br/>/<br/>:3000"| n_web');
    expect(m.split('\n').filter((l) => l.startsWith('  n_ingress ==>'))).toHaveLength(2);
    for (const f of GRAPH.flows) expect(m).toMatch(new RegExp(`${mermaidId(f.from)} -->\\|"[0-9/TCPUD, ]+"\\| ${mermaidId(f.to)}\\n`));
    // Keyword-like ids are prefixed: no bare `end` node.
    expect(m).toContain('n_end[/"subgraph"/]');
  });

  test('Mermaid: hostile labels are entity-escaped, never raw syntax', () => {
    const m = renderMermaid(GRAPH);
    const line = m.split('\n').find((l) => l.includes('n_ext_s3['))!;
    const inner = line.slice(line.indexOf('"') + 1, line.lastIndexOf('"'));
    const lines = inner.split('<br/>');
    for (const l of lines) expect(l.replace(/#(quot|[0-9]+);/g, '')).not.toMatch(/["<>|[\]{}()`;#&]/);
    expect(lines.map(mermaidDecode).join(' ')).toBe(HOSTILE);
    const route = m.split('\n').find((l) => l.includes('/files'))!;
    expect(route).toBe('  n_ingress ==>|"dify.example.com<br/>/console/api /files#124;#quot;#60;x#62;#quot;<br/>:5001"| n_api');
  });

  test('Markdown: the Mermaid block and a row per component, route and flow', () => {
    const md = renderMarkdown(GRAPH, { svgPath: 'topology.svg' });
    expect(md.startsWith('# dify (prod)\n')).toBe(true);
    expect(md).toContain('![topology](topology.svg)');
    expect(md).toContain(`\`\`\`mermaid\n${renderMermaid(GRAPH)}\`\`\`\n`);
    const section = (title: string): string[] => {
      const after = md.split(`## ${title}\n\n`)[1]!;
      return after
        .split('\n\n')[0]!
        .split('\n')
        .slice(2)
        .filter((l) => l !== '');
    };
    const components = section('Components and Services');
    expect(components).toHaveLength(GRAPH.nodes.length);
    for (const n of GRAPH.nodes) expect(components.some((r) => r.includes(`${markdownText(n.label)} (${markdownText(n.id)})`))).toBe(true);
    expect(components).toContain('| Redis (redis) | store | dify-redis | redis 6379/TCP, metrics 9121/TCP |');
    const routes = section('Routes');
    expect(routes).toEqual([
      '| dify.example.com | / | Ingress (nginx) (ingress) | Web (web) | 3000 |',
      '| dify.example.com | /console/api | Ingress (nginx) (ingress) | API (api) | 5001 |',
      '| dify.example.com | /files\\|"\\<x\\>" | Ingress (nginx) (ingress) | API (api) | 5001 |',
    ]);
    const flows = section('Allowed flows');
    expect(flows).toHaveLength(GRAPH.flows.length);
    for (const f of GRAPH.flows) expect(flows.some((r) => r.includes(`(${markdownText(f.from)}) | `) && r.includes(`(${markdownText(f.to)}) | `))).toBe(true);
  });

  test('Markdown: hostile labels cannot open HTML, links or extra table cells', () => {
    const md = renderMarkdown(GRAPH);
    const row = md.split('\n').find((l) => l.startsWith('| S3'))!;
    // Exactly five cell separators: the row keeps its four cells.
    expect(row.replace(/\\\\/g, '').match(/(?<!\\)\|/g)).toHaveLength(5);
    expect(row).not.toMatch(/(?<!\\)[<[`]/);
    const cell = row.split(/(?<!\\)\|/)[1]!.trim();
    expect(cell.replace(/\\(.)/g, '$1')).toBe(`${HOSTILE} (ext:s3)`);
  });

  test('deterministic: same graph, any input order -> identical bytes in every format', async () => {
    const again = reversed(GRAPH);
    expect(renderDot(again)).toBe(renderDot(GRAPH));
    expect(renderMermaid(again)).toBe(renderMermaid(GRAPH));
    expect(renderMarkdown(again)).toBe(renderMarkdown(GRAPH));
    expect(await renderSvg(again)).toBe(svg);
    const render = await createSvgRenderer();
    expect(render(GRAPH)).toBe(svg);
    expect(svg).not.toMatch(/\b20[0-9]{2}-[0-9]{2}-[0-9]{2}T/);
  });

  test('duplicate flows merge their ports; exact duplicate routes collapse', () => {
    const g: TopologyGraph = {
      title: 't',
      nodes: [
        { id: 'a', kind: 'workload', label: 'A' },
        { id: 'b', kind: 'store', label: 'B' },
        { id: 'in', kind: 'ingress', label: 'In' },
      ],
      routes: [
        { host: 'h.example.com', path: '/', to: 'a', port: 80 },
        { host: 'h.example.com', path: '/', to: 'a', port: 80 },
      ],
      flows: [
        { from: 'a', to: 'b', ports: [{ port: 6379, protocol: 'TCP' }] },
        {
          from: 'a',
          to: 'b',
          ports: [
            { port: 26379, protocol: 'TCP' },
            { port: 6379, protocol: 'TCP' },
          ],
        },
      ],
    };
    const dot = renderDot(g);
    expect(dot.match(/-> "b"/g)).toHaveLength(1);
    expect(dot).toContain('"a" -> "b" [label="6379/TCP, 26379/TCP"]');
    expect(dot.match(/"in" -> "a"/g)).toHaveLength(1);
  });
});

describe('topology validation', () => {
  const base = (over: Partial<TopologyGraph>): TopologyGraph => ({ ...GRAPH, ...over });
  const cases: Array<[string, TopologyGraph, string]> = [
    [
      'duplicate node id',
      base({ nodes: [...GRAPH.nodes, { id: 'api', kind: 'job', label: 'again' }] }),
      'topology.nodes[12].id: got "api"; must be unique: another node has this id',
    ],
    ['unsafe node id', base({ nodes: [{ id: 'a b"', kind: 'workload', label: 'x' }] }), 'topology.nodes[0].id: got "a b\\""; must be 1-253 letters'],
    [
      'unknown kind',
      base({ nodes: [{ id: 'x', kind: 'pod' as never, label: 'x' }] }),
      'topology.nodes[0].kind: got "pod"; must be one of ingress, workload, job, store, peer, dns, external, internet',
    ],
    ['empty label', base({ nodes: [{ id: 'x', kind: 'workload', label: ' ' }] }), 'topology.nodes[0].label: got " "; must be a non-empty string'],
    [
      'flow to an unknown node',
      base({ flows: [{ from: 'api', to: 'mysql', ports: [{ port: 3306, protocol: 'TCP' }] }] }),
      'topology.flows[0].to: got "mysql"; must be the id of a node (api, dns, end, ext:s3',
    ],
    [
      'port out of range',
      base({ flows: [{ from: 'api', to: 'redis', ports: [{ port: 70000, protocol: 'TCP' }] }] }),
      'topology.flows[0].ports[0].port: got 70000; must be a port number from 1 to 65535',
    ],
    [
      'bad protocol',
      base({ flows: [{ from: 'api', to: 'redis', ports: [{ port: 6379, protocol: 'SCTP' as never }] }] }),
      'topology.flows[0].ports[0].protocol: got "SCTP"; must be "TCP" or "UDP"',
    ],
    [
      'route path without slash',
      base({ routes: [{ host: 'h', path: 'api', to: 'api', port: 5001 }] }),
      'topology.routes[0].path: got "api"; must be a path starting with "/"',
    ],
    [
      'route with two ingress nodes and no via',
      base({ nodes: [...GRAPH.nodes, { id: 'gw', kind: 'ingress', label: 'Gateway' }] }),
      'topology.routes[0].via: got undefined; must name the ingress node the route belongs to when the graph has 2 ingress nodes',
    ],
    [
      'route via a non-ingress node',
      base({ routes: [{ host: 'h', path: '/', to: 'api', port: 5001, via: 'web' }] }),
      'topology.routes[0].via: got "web"; must be the id of a node of kind "ingress"',
    ],
    [
      'conflicting routes',
      base({
        routes: [
          { host: 'h', path: '/', to: 'api', port: 5001 },
          { host: 'h', path: '/', to: 'web', port: 3000 },
        ],
      }),
      'topology.routes[1].to: got "web:3000"; conflicts with another route of h/ to api:5001',
    ],
    ['empty title', base({ title: '' }), 'topology.title: got ""; must be a non-empty string'],
  ];
  test.each(cases)('%s', (_name, g, message) => {
    expect(() => renderDot(g)).toThrow(DifyValidationError);
    expect(() => renderMermaid(g)).toThrow(message);
  });

  test('svgPath must be a relative .svg path', () => {
    expect(() => renderMarkdown(GRAPH, { svgPath: 'javascript:alert(1)' })).toThrow(
      'svgPath: got "javascript:alert(1)"; must be a relative path to a .svg file',
    );
  });
});

test('a flow without ports means every port, and absorbs listed ports between the same nodes', () => {
  const g = normalizeTopology({
    ...GRAPH,
    flows: [
      { from: 'api', to: 'redis', ports: [{ port: 6379, protocol: 'TCP' }] },
      { from: 'api', to: 'redis', ports: [] },
    ],
  });
  expect(g.flows.filter((f) => f.from === 'api' && f.to === 'redis')).toEqual([{ from: 'api', to: 'redis', ports: [] }]);
  expect(renderMermaid({ ...GRAPH, flows: [{ from: 'api', to: 'redis', ports: [] }] })).toContain('"any port"');
});

describe('the drawing summarises what the tables list in full', () => {
  const pod = (id: string, namespace?: string): TopologyNode => ({ id, kind: 'workload', label: id.split('.').pop()!, ...(namespace ? { namespace } : {}) });
  const tcp = (port: number) => [{ port, protocol: 'TCP' as const }];
  const dns = [
    { port: 53, protocol: 'UDP' as const },
    { port: 53, protocol: 'TCP' as const },
  ];
  const base: TopologyGraph = {
    title: 't',
    namespace: 'ns',
    nodes: [pod('a'), pod('b'), pod('c'), { id: 'in', kind: 'ingress', label: 'ingress controller' }, { id: 'dns', kind: 'dns', label: 'DNS' }],
    routes: [],
    flows: [],
  };
  const edgesOf = (g: TopologyGraph) => drawingOf(normalizeTopology(g)).edges;
  const edge = (g: TopologyGraph, from: string, to: string) => edgesOf(g).filter((e) => e.from === from && e.to === to);

  test("a flow from the entry on a routed port is the route's edge; on another port it stays", () => {
    const g = { ...base, routes: [{ host: 'h', path: '/', to: 'a', port: 80 }], flows: [{ from: 'in', to: 'a', ports: tcp(80) }] };
    expect(edge(g, 'in', 'a').map((e) => e.style)).toEqual(['route']);
    const other = { ...g, flows: [{ from: 'in', to: 'a', ports: tcp(9090) }] };
    expect(edge(other, 'in', 'a').map((e) => e.style)).toEqual(['route', 'flow']);
  });

  test("DNS of every pod of a namespace is one edge from the namespace's box; a pod without it keeps the edges apart", () => {
    const all = { ...base, flows: ['a', 'b', 'c'].map((from) => ({ from, to: 'dns', ports: dns })) };
    const into = edgesOf(all).filter((e) => e.to === 'dns');
    expect(into).toEqual([{ from: 'a', fromBox: 'ns:ns', to: 'dns', style: 'flow', label: ['every pod: 53/TCP, 53/UDP'] }]);
    expect(renderDot(all)).toContain('"a" -> "dns" [label="every pod: 53/TCP, 53/UDP", ltail="cluster_ns:ns"]');
    expect(renderMermaid(all)).toContain('box_ns_ns -->|"every pod: 53/TCP, 53/UDP"| n_dns');
    const some = { ...all, flows: all.flows.slice(0, 2) };
    expect(edgesOf(some).some((e) => e.fromBox)).toBe(false);
  });

  test('pods with the same egress share one junction; one labelled edge per flow leaves it', () => {
    const g = {
      ...base,
      nodes: [...base.nodes, { id: 'db', kind: 'store' as const, label: 'db' }],
      flows: ['a', 'b'].flatMap((from) => [
        { from, to: 'c', ports: tcp(80) },
        { from, to: 'db', ports: tcp(5432) },
      ]),
    };
    const d = drawingOf(normalizeTopology(g));
    const j = d.nodes.filter((n) => n.kind === 'junction');
    expect(j).toHaveLength(1);
    expect(d.edges.filter((e) => e.to === j[0]!.id).map((e) => [e.from, e.style])).toEqual([
      ['a', 'bundle'],
      ['b', 'bundle'],
    ]);
    expect(d.edges.filter((e) => e.from === j[0]!.id).map((e) => [e.to, e.label])).toEqual([
      ['c', ['80/TCP']],
      ['db', ['5432/TCP']],
    ]);
    expect(d.edges).toHaveLength(4);
  });

  test('flows into one node outside the namespaces on the same ports meet at a junction first', () => {
    const g = {
      ...base,
      nodes: [...base.nodes, { id: 'net', kind: 'internet' as const, label: 'internet' }],
      flows: [
        { from: 'a', to: 'net', ports: [] },
        { from: 'b', to: 'net', ports: [] },
        { from: 'c', to: 'net', ports: tcp(443) },
      ],
    };
    const d = drawingOf(normalizeTopology(g));
    const into = d.edges.filter((e) => e.to === 'net');
    expect(into.map((e) => e.label)).toEqual([['any port'], ['443/TCP']]);
    expect(into[0]!.from).toMatch(/^junction:/);
    expect(into[1]!.from).toBe('c');
  });

  test('alike namespaces are drawn once, titled with all their names; a namespace that differs is drawn apart', () => {
    const tenant = (ns: string, extra = false): TopologyGraph => ({
      title: 't',
      nodes: [pod(`${ns}.api`, ns), pod(`${ns}.web`, ns), ...(extra ? [pod(`${ns}.worker`, ns)] : [])],
      routes: [{ host: `${ns}.example.com`, path: '/', to: `${ns}.web`, port: 3000, via: 'in' }],
      flows: [{ from: `${ns}.web`, to: `${ns}.api`, ports: tcp(5001) }],
    });
    const merge = (...gs: TopologyGraph[]): TopologyGraph => ({
      title: 'tenants',
      nodes: [{ id: 'in', kind: 'ingress', label: 'ingress controller' }, ...gs.flatMap((g) => g.nodes)],
      routes: gs.flatMap((g) => g.routes),
      flows: gs.flatMap((g) => g.flows),
    });
    const d = drawingOf(normalizeTopology(merge(tenant('acme'), tenant('globex'), tenant('initech', true))));
    expect(d.boxes.map((b) => b.title)).toEqual(['in cluster', '2 alike namespaces, drawn once: acme, globex', 'namespace initech']);
    expect(d.nodes.map((n) => n.id).sort()).toEqual(['acme.api', 'acme.web', 'in', 'initech.api', 'initech.web', 'initech.worker']);
    const route = d.edges.find((e) => e.to === 'acme.web')!;
    expect(route.label).toEqual(['acme.example.com globex.example.com', '/', ':3000']);
    // The tables keep every tenant.
    const md = renderMarkdown(merge(tenant('acme'), tenant('globex')));
    expect(md).toContain('| globex.example.com | / |');
  });
});
