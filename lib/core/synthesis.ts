import { ApiObject, App } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Apps whose `synth()` or `synthYaml()` is running, with what was computed
 * during that run. They have resolved dependencies and validated once already,
 * and nothing changes the construct tree until they return.
 */
const SYNTHESIS = new WeakMap<App, WeakMap<object, unknown>>();
const WRAPPED = Symbol.for('dify-cdk8s.tenant-chart.synth');

/** True while `app`'s `synth()` or `synthYaml()` runs (once {@link trackSynthesis} has wrapped them). */
export function isSynthesizing(app: App): boolean {
  return SYNTHESIS.has(app);
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

/**
 * Wraps the App's `synth` and `synthYaml` (once) so that what is computed
 * during one run (see {@link oncePerSynthesis}) is computed once: cdk8s
 * re-runs every validation of the App for each chart it renders.
 */
export function trackSynthesis(app: App & { [WRAPPED]?: boolean }): void {
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
