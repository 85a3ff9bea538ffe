import { ApiObject, App, Chart, ChartProps, DependencyGraph } from 'cdk8s';
import { Construct } from 'constructs';
import { isSynthesizing, renderDuringSynthesis, trackSynthesis } from '../core/synthesis';

export { oncePerSynthesis, renderDuringSynthesis } from '../core/synthesis';

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
    if (!(app instanceof App) || !isSynthesizing(app)) return super.toJson();
    return new DependencyGraph(this.node)
      .topology()
      .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === this)
      .map((o) => renderDuringSynthesis(o));
  }
}
