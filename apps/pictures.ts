import { createHash } from 'crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { App } from 'cdk8s';
import { Dify, DifyTenants, TopologyGraph, createSvgRenderer, renderDot, renderMarkdown, topologyOf } from '../lib';
import { Environment } from './environments';

/** Draws a topology as SVG text. */
export type SvgSource = (g: TopologyGraph) => Promise<string>;

/** The topology of one synthesized environment, read from its constructs' wiring. */
export function environmentTopology(app: App, env: Environment) {
  const dify = app.node.findAll().find((c): c is Dify => c instanceof Dify);
  if (!dify) throw new Error(`environment ${env.name}: no Dify installation to draw`);
  return topologyOf(dify, { title: `Dify — ${env.name}`, namespace: env.namespace });
}

/** The topology of the tenants example: every tenant's namespace, behind the shared ingress controller. */
export function tenantsTopology(app: App): TopologyGraph {
  const tenants = app.node.findAll().find((c): c is DifyTenants => c instanceof DifyTenants);
  if (!tenants) throw new Error('tenants: no DifyTenants to draw');
  return topologyOf(tenants, { title: 'Dify — tenants' });
}

/** Writes `topology.svg` and a `README.md` (Mermaid, routes, flows) beside the manifests. */
export async function writePictures(app: App, env: Environment, dir: string, svg: SvgSource): Promise<void> {
  await writeGraphPictures(environmentTopology(app, env), dir, svg);
}

/** Writes the pictures of `graph` into `dir`. */
export async function writeGraphPictures(graph: TopologyGraph, dir: string, svg: SvgSource): Promise<void> {
  writeFileSync(join(dir, 'topology.svg'), await svg(graph));
  writeFileSync(join(dir, 'README.md'), renderMarkdown(graph, { svgPath: 'topology.svg' }));
}

/** Graphviz on every call (loaded once per process). */
export const drawSvg: SvgSource = async (g) => (await createSvgRenderer())(g);

/**
 * Graphviz only for a picture it has not drawn before: the SVG is a pure
 * function of the DOT text and the Graphviz build, so it is kept in `dir`
 * under the hash of both and read back while neither changes. Graphviz is
 * most of a synth's picture cost, and its WebAssembly is not even loaded
 * when every picture is cached.
 */
export function cachedSvg(dir: string): SvgSource & { prune(): void } {
  const vizPackage = join(dirname(require.resolve('@viz-js/viz')), '..', 'package.json');
  const viz = `${JSON.parse(readFileSync(vizPackage, 'utf8')).version}`;
  const used = new Set<string>();
  const svg = async (g: TopologyGraph): Promise<string> => {
    const key = createHash('sha256')
      .update(`@viz-js/viz ${viz}\n${renderDot(g)}`)
      .digest('hex');
    const file = join(dir, `${key}.svg`);
    used.add(file);
    if (existsSync(file)) return readFileSync(file, 'utf8');
    const drawn = await drawSvg(g);
    mkdirSync(dir, { recursive: true });
    // Written whole, then renamed: a concurrent synth never reads half a picture.
    const partial = `${file}.${process.pid}`;
    writeFileSync(partial, drawn);
    renameSync(partial, file);
    return drawn;
  };
  /** Removes every cached picture this renderer did not use (a synth draws them all: the others are outdated). */
  const prune = (): void => {
    if (!existsSync(dir)) return;
    for (const f of readdirSync(dir)) if (f.endsWith('.svg') && !used.has(join(dir, f))) rmSync(join(dir, f), { force: true });
  };
  return Object.assign(svg, { prune });
}
