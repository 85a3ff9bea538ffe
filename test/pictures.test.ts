import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { cachedSvg, drawSvg, environmentTopology, writePictures } from '../apps/pictures';
import { synthEnvironment } from '../apps/environments';
import { renderMermaid } from '../lib';
import { ENVIRONMENTS, parseDocs, synthFiles } from './util';

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('the picture of %s', (_name, env) => {
  const app = synthEnvironment(env, mkdtempSync(join(tmpdir(), 'pic-')));
  const graph = environmentTopology(app, env);
  const mermaid = renderMermaid(graph);
  const docs = parseDocs(synthFiles(env));
  const ids = new Set(graph.nodes.map((n) => n.id));

  test('every workload, store and Job of the manifests is a node, with its Service', () => {
    const components = docs
      .filter((d) => ['Deployment', 'StatefulSet', 'Job', 'CronJob'].includes(d.kind))
      .map((d) => d.metadata.labels['app.kubernetes.io/component']);
    expect(components.length).toBeGreaterThan(5);
    for (const c of components) expect({ c, drawn: ids.has(c) && mermaid.includes(`n_${c.replace(/-/g, '_')}`) }).toEqual({ c, drawn: true });
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
    for (const r of served) expect(mermaid).toContain(`"${r} :`);
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
    const drawn = new Set(graph.flows.filter((f) => pod(f.from) && pod(f.to)).map((f) => `${f.from}->${f.to}`));
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
