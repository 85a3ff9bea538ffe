/**
 * Measures of clutter of a Graphviz layout, read from Graphviz's own `json0` output (node sizes, edge
 * splines): the picture's size, how many pairs of edges cross, and whether each label fits its shape.
 */
type Point = readonly [number, number];

export interface LayoutNode {
  readonly name: string;
  /** Width in points. */
  readonly width: number;
  readonly label: string;
  readonly shape?: string;
}

export interface LayoutEdge {
  readonly tail: string;
  readonly head: string;
  /** The drawn spline as a polyline. */
  readonly points: readonly Point[];
}

/** A box (Graphviz cluster): its title and width in points. */
export interface LayoutCluster {
  readonly name: string;
  readonly label: string;
  readonly width: number;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly clusters: readonly LayoutCluster[];
  readonly nodes: readonly LayoutNode[];
  readonly edges: readonly LayoutEdge[];
}

function cubic(p0: Point, p1: Point, p2: Point, p3: Point, steps: number): Point[] {
  const out: Point[] = [];
  for (let i = 1; i <= steps; i++) {
    const t = i / steps;
    const u = 1 - t;
    out.push([
      u * u * u * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t * t * t * p3[0],
      u * u * u * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t * t * t * p3[1],
    ]);
  }
  return out;
}

/** The polyline of a Graphviz `pos` spline: optional `s,x,y`/`e,x,y` arrow ends, then 1 + 3n Bézier control points. */
export function splinePoints(pos: string): Point[] {
  const ctrl = pos
    .split(/\s+/)
    .filter((t) => t && !t.startsWith('s,') && !t.startsWith('e,'))
    .map((t) => t.split(',').map(Number) as unknown as Point);
  const out: Point[] = ctrl.length ? [ctrl[0]!] : [];
  for (let i = 0; i + 3 < ctrl.length; i += 3) out.push(...cubic(ctrl[i]!, ctrl[i + 1]!, ctrl[i + 2]!, ctrl[i + 3]!, 12));
  return out;
}

/** Reads Graphviz `json0` output. */
export function parseLayout(json: string): Layout {
  const g = JSON.parse(json);
  const [, , w, h] = String(g.bb).split(',').map(Number);
  const objects: any[] = g.objects ?? [];
  const byGvid = new Map(objects.map((o) => [o._gvid, o]));
  return {
    width: w!,
    height: h!,
    clusters: objects
      .filter((o) => o.nodes !== undefined && o.bb !== undefined)
      .map((o) => {
        const [x0, , x1] = String(o.bb).split(',').map(Number);
        return { name: o.name, label: String(o.label ?? ''), width: x1! - x0! };
      }),
    nodes: objects.filter((o) => o.width !== undefined).map((o) => ({ name: o.name, width: Number(o.width) * 72, label: String(o.label), shape: o.shape })),
    edges: (g.edges ?? []).map((e: any) => ({ tail: byGvid.get(e.tail).name, head: byGvid.get(e.head).name, points: splinePoints(e.pos) })),
  };
}

function segmentsCross(a: Point, b: Point, c: Point, d: Point): boolean {
  const o = (p: Point, q: Point, r: Point) => Math.sign((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]));
  return o(a, b, c) * o(a, b, d) < 0 && o(c, d, a) * o(c, d, b) < 0;
}

/** Pairs of edges whose drawn splines cross, among edges that share no node (those meet by design). */
export function crossingPairs(layout: Layout): number {
  let n = 0;
  const es = layout.edges;
  for (let i = 0; i < es.length; i++) {
    for (let j = i + 1; j < es.length; j++) {
      const a = es[i]!;
      const b = es[j]!;
      if (a.tail === b.tail || a.tail === b.head || a.head === b.tail || a.head === b.head) continue;
      let crosses = false;
      for (let p = 1; p < a.points.length && !crosses; p++) {
        for (let q = 1; q < b.points.length && !crosses; q++) crosses = segmentsCross(a.points[p - 1]!, a.points[p]!, b.points[q - 1]!, b.points[q]!);
      }
      if (crosses) n++;
    }
  }
  return n;
}
