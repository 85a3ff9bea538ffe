import { writeFileSync } from 'fs';
import { join } from 'path';
import { App } from 'cdk8s';
import { Dify, SvgRenderer, renderMarkdown, topologyOf } from '../lib';
import { Environment } from './environments';

/** The topology of one synthesized environment, read from its constructs' wiring. */
export function environmentTopology(app: App, env: Environment) {
  const dify = app.node.findAll().find((c): c is Dify => c instanceof Dify);
  if (!dify) throw new Error(`environment ${env.name}: no Dify installation to draw`);
  return topologyOf(dify, { title: `Dify — ${env.name}`, namespace: env.namespace });
}

/** Writes `topology.svg` and a `README.md` (Mermaid, routes, flows) beside the manifests. */
export function writePictures(app: App, env: Environment, dir: string, renderSvg: SvgRenderer): void {
  const graph = environmentTopology(app, env);
  writeFileSync(join(dir, 'topology.svg'), renderSvg(graph));
  writeFileSync(join(dir, 'README.md'), renderMarkdown(graph, { svgPath: 'topology.svg' }));
}
