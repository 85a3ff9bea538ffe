import { ApiObject, App, Chart, ChartProps, DependencyGraph } from 'cdk8s';
import { Construct } from 'constructs';

/** Apps whose `synth()` or `synthYaml()` is running: they have resolved dependencies and validated once already. */
const PREPARED = new WeakSet<App>();
const WRAPPED = Symbol.for('dify-cdk8s.tenant-chart.synth');

/**
 * A Chart that renders in time proportional to its own size while its App
 * synthesizes. cdk8s's `Chart.toJson()` resolves the dependencies of the whole
 * App and runs every validation in it for each chart it renders, so an App of
 * N tenant charts costs O(N²); `App.synth()` and `App.synthYaml()` have done
 * both once before they ask the charts for their objects. While one of them
 * runs, this chart renders its objects directly, in the same dependency order
 * as cdk8s; anywhere else (a direct `toJson()`, `Testing.synth`) it behaves
 * exactly like `Chart`.
 */
export class DifyTenantChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = {}) {
    super(scope, id, props);
    const app = this.node.root;
    if (app instanceof App) markSynthesis(app);
  }

  public toJson(): any[] {
    const app = this.node.root;
    if (!(app instanceof App) || !PREPARED.has(app)) return super.toJson();
    return new DependencyGraph(this.node).topology()
      .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === this)
      .map((o) => o.toJson());
  }
}

/** Wraps the App's `synth` and `synthYaml` (once) so tenant charts know when the App is prepared. */
function markSynthesis(app: App & { [WRAPPED]?: boolean }): void {
  if (app[WRAPPED]) return;
  app[WRAPPED] = true;
  for (const method of ['synth', 'synthYaml'] as const) {
    const original = app[method] as () => unknown;
    Object.defineProperty(app, method, {
      configurable: true,
      writable: true,
      value: () => {
        PREPARED.add(app);
        try {
          return original.call(app);
        } finally {
          PREPARED.delete(app);
        }
      },
    });
  }
}
