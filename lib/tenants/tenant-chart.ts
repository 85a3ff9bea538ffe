import { ApiObject, App, Chart, ChartProps, DependencyGraph } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';

/**
 * Apps whose `synth()` or `synthYaml()` is running, with what was computed
 * during that run. They have resolved dependencies and validated once already,
 * and nothing changes the construct tree until they return.
 */
const SYNTHESIS = new WeakMap<App, WeakMap<object, unknown>>();
const WRAPPED = Symbol.for('dify-cdk8s.tenant-chart.synth');

/**
 * A Chart that renders in time proportional to its own size while its App
 * synthesizes. cdk8s's `Chart.toJson()` resolves the dependencies of the whole
 * App and runs every validation in it for each chart it renders, so an App of
 * N tenant charts costs O(N²); `App.synth()` and `App.synthYaml()` have done
 * both once before they ask the charts for their objects. While one of them
 * runs, this chart renders its objects directly, in the same dependency order
 * as cdk8s, reusing any object already rendered in the same run (see
 * {@link renderDuringSynthesis}); anywhere else (a direct `toJson()`,
 * `Testing.synth`) it behaves exactly like `Chart`.
 */
export class DifyTenantChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const app = this.node.root;
    if (app instanceof App) trackSynthesis(app);
  }

  public toJson(): any[] {
    const app = this.node.root;
    if (!(app instanceof App) || !SYNTHESIS.has(app)) return super.toJson();
    return new DependencyGraph(this.node)
      .topology()
      .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === this)
      .map((o) => renderDuringSynthesis(o));
  }
}

/**
 * `fn()`, computed once per synthesis of the App `scope` is in (keyed by
 * `key`), and every time outside one: within one `App.synth()` the tree does
 * not change, so the result cannot go stale.
 */
export function oncePerSynthesis<T>(scope: IConstruct, key: object, fn: () => T): T {
  const app = scope.node.root;
  const memo = app instanceof App ? SYNTHESIS.get(app) : undefined;
  if (!memo) return fn();
  if (!memo.has(key)) memo.set(key, fn());
  return memo.get(key) as T;
}

/** `obj.toJson()`, rendered at most once per synthesis (a quota derived from a workload and the chart rendering it share it). */
export function renderDuringSynthesis(obj: ApiObject): any {
  return oncePerSynthesis(obj, obj, () => obj.toJson());
}

/** Wraps the App's `synth` and `synthYaml` (once) so tenant charts know when the App is prepared. */
function trackSynthesis(app: App & { [WRAPPED]?: boolean }): void {
  if (app[WRAPPED]) return;
  app[WRAPPED] = true;
  for (const method of ['synth', 'synthYaml'] as const) {
    const original = app[method] as () => unknown;
    Object.defineProperty(app, method, {
      configurable: true,
      writable: true,
      value: () => {
        SYNTHESIS.set(app, new WeakMap());
        try {
          return original.call(app);
        } finally {
          SYNTHESIS.delete(app);
        }
      },
    });
  }
}
