import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { cachedSvg, drawSvg, environmentTopology, tenantsTopology, writeGraphPictures, writePictures } from '../apps/pictures';
import { synthTenants, tenants } from '../apps/tenants';
import { crossingPairs, Layout, parseLayout } from './support/layout';
import { synthEnvironment } from '../apps/environments';
import { drawingOf, markdownText, normalizeTopology, renderDot, renderMarkdown, renderMermaid, TopologyGraph } from '../lib';
import { ENVIRONMENTS, parseDocs, synthFiles } from './util';

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('the picture of %s', (_name, env) => {
  const app = synthEnvironment(env, mkdtempSync(join(tmpdir(), 'pic-')));
  const graph = environmentTopology(app, env);
  const mermaid = renderMermaid(graph);
  const docs = parseDocs(synthFiles(env));
  // A node's id is its component, prefixed by its namespace when the installation spans two (the sandbox's own).
  const bare = (id: string) => {
    const n = graph.nodes.find((x) => x.id === id);
    return n?.namespace && id.startsWith(`${n.namespace}.`) ? id.slice(n.namespace.length + 1) : id;
  };
  const ids = new Map(graph.nodes.map((n) => [bare(n.id), n.id]));

  test('every workload, store and Job of the manifests is a node, with its Service', () => {
    const components = docs
      .filter((d) => ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(d.kind))
      .map((d) => d.metadata.labels['app.kubernetes.io/component']);
    expect(components.length).toBeGreaterThan(5);
    for (const c of components)
      expect({ c, drawn: ids.has(c) && mermaid.includes(`n_${ids.get(c)!.replace(/[^A-Za-z0-9_]/g, '_')}`) }).toEqual({ c, drawn: true });
    for (const svc of docs.filter((d) => d.kind === 'Service' && !d.metadata.name.endsWith('-headless') && !d.metadata.name.endsWith('-public'))) {
      expect(graph.nodes.some((n) => n.service?.name === svc.metadata.name)).toBe(true);
    }
  });

  test('every route of the exposure appears, host and path', () => {
    const served = docs
      .filter((d) => d.kind === 'Ingress')
      .flatMap((i) => i.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => `${r.host}${p.path}`)))
      .concat(
        docs
          .filter((d) => d.kind === 'HTTPRoute' && d.spec.rules.some((r: any) => r.backendRefs))
          .flatMap((h) => h.spec.hostnames.flatMap((host: string) => h.spec.rules.map((r: any) => `${host}${r.matches[0].path.value}`))),
      );
    expect(served.length).toBeGreaterThanOrEqual(10);
    expect(graph.routes.map((r) => `${r.host}${r.path}`).sort()).toEqual([...new Set(served)].sort());
    const readme = renderMarkdown(graph);
    for (const r of graph.routes) expect(readme).toContain(`| ${markdownText(r.host)} | ${markdownText(r.path)} |`);
    // The picture bundles routes per backend: each host and path is on the label of its backend's edge.
    const drawn = drawingOf(normalizeTopology(graph)).edges.filter((e) => e.style === 'route');
    for (const r of graph.routes) {
      const label = drawn.find((e) => e.to === r.to && e.label.at(-1) === `:${r.port}`)?.label ?? [];
      expect({ r, host: label.join(' ').split(' ').includes(r.host), path: label.join(' ').split(' ').includes(r.path) }).toEqual({
        r,
        host: true,
        path: true,
      });
    }
  });

  test('every pod-to-pod allow of the NetworkPolicies is a flow of the picture, and no other', () => {
    const allowed = new Set<string>();
    for (const p of docs.filter((d) => d.kind === 'NetworkPolicy' && d.spec.podSelector.matchLabels?.['app.kubernetes.io/component'])) {
      const from = p.spec.podSelector.matchLabels['app.kubernetes.io/component'];
      for (const rule of p.spec.egress ?? [])
        for (const to of rule.to ?? []) {
          const c = to.podSelector?.matchLabels?.['app.kubernetes.io/component'];
          // Pods of the installation: its namespace, or its sandbox's own.
          const ns = to.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name'];
          if (c && (!to.namespaceSelector || ns === env.namespace || ns === env.dify.sandboxNamespace)) allowed.add(`${from}->${c}`);
        }
    }
    const pod = (id: string) => ['workload', 'store', 'job'].includes(graph.nodes.find((n) => n.id === id)!.kind);
    const drawn = new Set(graph.flows.filter((f) => pod(f.from) && pod(f.to)).map((f) => `${bare(f.from)}->${bare(f.to)}`));
    expect(drawn.size).toBeGreaterThan(5);
    expect([...drawn].sort()).toEqual([...allowed].sort());
  });

  // Determinism across processes is CI's dist/ check; this one proves the synth's picture cache serves what Graphviz draws.
  test('a fresh Graphviz drawing is what the (cached) synth committed, and the files land beside the manifests', async () => {
    const a = mkdtempSync(join(tmpdir(), 'pic-a-'));
    await writePictures(app, env, a, drawSvg);
    const committed = join(__dirname, '..', 'dist', env.name);
    for (const f of ['topology.svg', 'README.md']) expect(readFileSync(join(committed, f), 'utf8')).toBe(readFileSync(join(a, f), 'utf8'));
    expect(readFileSync(join(a, 'topology.svg'), 'utf8')).toMatch(/^<\?xml|^<svg/);
  });
});

/** Graphviz's layout of a graph (node sizes, edge splines), as the SVG is drawn from it. */
async function layoutOf(g: TopologyGraph): Promise<Layout> {
  const { instance } = await import('@viz-js/viz');
  const result = (await instance()).render(renderDot(g), { format: 'json0', engine: 'dot' });
  if (result.status !== 'success' || result.output === undefined) throw new Error(`Graphviz failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return parseLayout(result.output);
}

const PICTURES: Array<[string, () => TopologyGraph]> = [
  ...ENVIRONMENTS.map(
    (e) => [e.name, () => environmentTopology(synthEnvironment(e, mkdtempSync(join(tmpdir(), 'pic-l-'))), e)] as [string, () => TopologyGraph],
  ),
  ['tenants', () => tenantsTopology(synthTenants(tenants, mkdtempSync(join(tmpdir(), 'pic-t-'))))],
];

describe.each(PICTURES)('the picture of %s reads at a glance', (name, build) => {
  const graph = build();
  const drawing = drawingOf(normalizeTopology(graph));
  let layout: Layout;
  beforeAll(async () => {
    layout = await layoutOf(graph);
  });

  test('one ingress node receives every route', () => {
    const ingress = graph.nodes.filter((n) => n.kind === 'ingress');
    expect(ingress).toHaveLength(1);
    expect(new Set(graph.routes.map((r) => r.via))).toEqual(new Set([ingress[0]!.id]));
  });

  test('DNS is one edge per namespace box, internet flows meet before they leave', () => {
    const boxes = drawing.boxes.filter((b) => b.id.startsWith('ns:')).length;
    const into = (kind: string) => drawing.edges.filter((e) => drawing.nodes.find((n) => n.id === e.to)?.kind === kind);
    expect(into('dns').length).toBeGreaterThan(0);
    expect(into('dns').length).toBeLessThanOrEqual(boxes);
    expect(into('internet').length).toBeLessThanOrEqual(2);
    // The tables still list every pod's flows.
    expect(graph.flows.filter((f) => f.to === 'dns').length).toBeGreaterThan(5);
  });

  test('labels are words, never raw JSON', () => {
    for (const n of drawing.nodes) for (const l of n.lines) expect({ n: n.id, l, json: /[{}"]/.test(l) }).toEqual({ n: n.id, l, json: false });
  });

  test('every label fits its shape, even in a wide fallback font (0.6 em per character)', () => {
    const shapes = layout.nodes.filter((n) => n.label !== '');
    expect(shapes.length).toBeGreaterThan(8);
    for (const n of shapes) {
      const longest = Math.max(...n.label.split('\\n').map((l) => l.length));
      expect({ n: n.name, fits: longest * 0.6 * 11 + 2 * 0.2 * 72 <= n.width }).toEqual({ n: n.name, fits: true });
    }
  });

  test('every box title fits its box, even in a wide fallback font (0.6 em per character)', () => {
    expect(layout.clusters.length).toBeGreaterThan(1);
    for (const c of layout.clusters) {
      const longest = Math.max(...c.label.split('\\n').map((l) => l.length));
      expect({ c: c.name, fits: longest * 0.6 * 13 <= c.width }).toEqual({ c: c.name, fits: true });
    }
  });

  // Before the summaries (routes bundled, one ingress node, DNS per box, junctions) prod drew 80 edges with 335 crossing
  // pairs on 2795 x 2522 pt, and the tenants 102 edges with 335 crossings on 2294 x 3516 pt.
  // The sandbox namespaces (staging, prod, tenants) add one box each: 3016 pt wide for the tenants.
  test('size and clutter stay bounded: at most 45 edges, 40 crossing pairs, 3200 x 1300 pt', () => {
    expect(layout.edges.length).toBeLessThanOrEqual(45);
    expect(crossingPairs(layout)).toBeLessThanOrEqual(40);
    expect(layout.width).toBeLessThanOrEqual(3200);
    expect(layout.height).toBeLessThanOrEqual(1300);
    if (name === 'tenants')
      expect(drawing.boxes.map((b) => b.title)).toContain('4 alike namespaces, drawn once: dify-acme, dify-globex, dify-initech, dify-umbrella');
  });
});

test('the tenants picture is what the synth committed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pic-tenants-'));
  await writeGraphPictures(tenantsTopology(synthTenants(tenants, mkdtempSync(join(tmpdir(), 'pic-t-')))), dir, drawSvg);
  for (const f of ['topology.svg', 'README.md'])
    expect(readFileSync(join(__dirname, '..', 'dist', 'tenants', f), 'utf8')).toBe(readFileSync(join(dir, f), 'utf8'));
});

describe('the picture cache', () => {
  const [env] = ENVIRONMENTS;
  const graph = environmentTopology(synthEnvironment(env, mkdtempSync(join(tmpdir(), 'pic-cache-'))), env);

  test('draws a picture once, stores it under the hash of its Graphviz input, and reads it back unchanged', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'svg-cache-')), 'topology');
    const fresh = await drawSvg(graph);
    expect(await cachedSvg(dir)(graph)).toBe(fresh);
    const stored = readdirSync(dir);
    expect(stored).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.svg$/)]);
    expect(readFileSync(join(dir, stored[0]), 'utf8')).toBe(fresh);
    // A hit is read from the file, not drawn: what the file holds is what comes back.
    writeFileSync(join(dir, stored[0]), '<svg>kept</svg>');
    expect(await cachedSvg(dir)(graph)).toBe('<svg>kept</svg>');
  });

  test('prune keeps exactly the pictures this renderer used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svg-cache-'));
    await cachedSvg(dir)({ ...graph, title: `${graph.title} (old)` });
    writeFileSync(join(dir, 'unrelated.txt'), 'kept');
    const svg = cachedSvg(dir);
    await svg(graph);
    svg.prune();
    const svgs = readdirSync(dir).filter((f) => f.endsWith('.svg'));
    expect(svgs).toEqual([expect.stringMatching(/^[0-9a-f]{64}\.svg$/)]);
    expect(readdirSync(dir)).toContain('unrelated.txt');
    expect(readFileSync(join(dir, svgs[0]), 'utf8')).toBe(await drawSvg(graph));
  });

  test('another graph is another entry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'svg-cache-'));
    const svg = cachedSvg(dir);
    await svg(graph);
    const other = { ...graph, title: `${graph.title} (other)` };
    expect(await svg(other)).toBe(await drawSvg(other));
    expect(readdirSync(dir).filter((f) => f.endsWith('.svg'))).toHaveLength(2);
  });
});
