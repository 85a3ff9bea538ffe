import { renderDot } from './dot';
import { TopologyGraph } from './model';

/** Renders a graph to SVG text; synchronous once the renderer is loaded. */
export type SvgRenderer = (g: TopologyGraph) => string;

let loading: Promise<SvgRenderer> | undefined;

/**
 * Loads Graphviz (compiled to WebAssembly, embedded in the `@viz-js/viz` package: no network, no native
 * binary) once per process and returns a synchronous renderer. Loading is asynchronous because
 * WebAssembly instantiation is; call this once before synthesizing several environments.
 */
export function createSvgRenderer(): Promise<SvgRenderer> {
  // Imported on first use: the package embeds the WebAssembly binary, which a synth with every picture cached never needs.
  loading ??= import('@viz-js/viz')
    .then(({ instance }) => instance())
    .then((viz) => (g: TopologyGraph): string => {
      const result = viz.render(renderDot(g), { format: 'svg', engine: 'dot' });
      if (result.status !== 'success') {
        throw new Error(`topology: Graphviz failed: ${result.errors.map((e) => e.message).join('; ')}`);
      }
      return result.output;
    });
  return loading;
}

/**
 * Renders the graph to SVG with Graphviz `dot`. Deterministic: the same graph gives identical bytes
 * (the DOT input is canonical and the layout uses Graphviz's built-in font metrics, not system fonts).
 * Asynchronous only for the first load of the WebAssembly module; see {@link createSvgRenderer}.
 */
export async function renderSvg(g: TopologyGraph): Promise<string> {
  return (await createSvgRenderer())(g);
}
