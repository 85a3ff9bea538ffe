import { ApiObject, App, Chart } from 'cdk8s';
import { validateNamespaceName } from './k8s-rules';
import { DifyValidationError } from './validation';
import { IConstruct } from 'constructs';
import { oncePerSynthesis, renderDuringSynthesis, trackSynthesis } from './synthesis';

const GUARDED = Symbol.for('dify-cdk8s.collision-guard');
const GUARDED_KEY = {};

/** A synth-time check of the whole App: messages for every problem found (empty when none). */
export type AppCheck = (root: IConstruct) => string[];

interface AppGuard {
  /** Run first, in registration order: renders what renders lazily (network policies) so the checks see it. */
  readonly prepares: Array<() => void>;
  /** One entry per kind of check (the key), each run once per synthesis. */
  readonly checks: Map<string, AppCheck>;
}

/**
 * Installs the App-wide guard on `scope`'s root (once per App), whichever
 * construct comes first: the facade or any construct composed by hand. At
 * synth it first runs the registered prepare hooks, then every check
 * (collisions, plus those registered with {@link registerAppCheck}), and fails
 * with all their messages together.
 */
export function guardApp(scope: IConstruct): AppGuard {
  // Every construct that renders objects comes through here: its chart's namespace is checked when it is built.
  validateChartNamespace(scope);
  const root = scope.node.root as IConstruct & { [GUARDED]?: AppGuard };
  const existing = root[GUARDED];
  if (existing) return existing;
  const guard: AppGuard = {
    prepares: [],
    checks: new Map([
      ['collisions', findCollisions],
      ['node-ports', findNodePortClaims],
      ['namespaces', findBadNamespaces],
    ]),
  };
  root[GUARDED] = guard;
  // Once per App.synth(), not once per chart cdk8s renders (it re-validates the whole App for each chart).
  if (root instanceof App) trackSynthesis(root);
  root.node.addValidation({
    validate: () =>
      oncePerSynthesis(root, GUARDED_KEY, () => {
        for (const prepare of guard.prepares) prepare();
        return [...guard.checks.values()].flatMap((check) => check(root));
      }),
  });
  return guard;
}

/** @deprecated since the guard covers every App: use {@link guardApp}. Kept for callers of the 1.x API. */
export function guardCollisions(scope: IConstruct): void {
  guardApp(scope);
}

/** Adds `check` (once per `key`) to the checks `scope`'s App runs at synth. */
export function registerAppCheck(scope: IConstruct, key: string, check: AppCheck): void {
  const guard = guardApp(scope);
  if (!guard.checks.has(key)) guard.checks.set(key, check);
}

/** Runs `prepare` at synth before any check (e.g. a construct that renders its objects lazily). */
export function registerPrepare(scope: IConstruct, prepare: () => void): void {
  guardApp(scope).prepares.push(prepare);
}

/** Kinds that live outside namespaces. */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'PriorityClass',
  'ClusterRole',
  'ClusterRoleBinding',
  'StorageClass',
  'CustomResourceDefinition',
  'IngressClass',
  'PersistentVolume',
  'ClusterIssuer',
  'ClusterSecretStore',
]);

/** An exposure's served routes (Ingress, HTTPRoute, nginx proxy), read without rendering anything. */
interface RouteTableLike {
  readonly routeTable: ReadonlyArray<{ readonly host: string; readonly path: string }>;
}

/**
 * Messages for every collision under `root`: two API objects with one
 * kind/namespace/name, or two exposures serving one host and path (cluster-wide:
 * an ingress controller or Gateway serves every namespace). Reads metadata and
 * route tables only, so it costs nothing like a render.
 */
export function findCollisions(root: IConstruct): string[] {
  const errors: string[] = [];
  const names = new Map<string, ApiObject>();
  const routes = new Map<string, IConstruct>();
  const fix = 'give each installation a distinct `instance`, or put them in different namespaces';
  for (const c of root.node.findAll()) {
    const table = (c as Partial<RouteTableLike>).routeTable;
    if (Array.isArray(table)) {
      for (const r of table) {
        const hp = `${r.host}${r.path}`;
        const owner = routes.get(hp);
        if (owner && owner !== c) errors.push(`route ${hp} is claimed twice: by ${owner.node.path} and by ${c.node.path}; give each installation its own host`);
        else routes.set(hp, c);
      }
    }
    if (!(c instanceof ApiObject)) continue;
    const group = c.apiVersion.includes('/') ? c.apiVersion.split('/')[0] : '';
    const ns = CLUSTER_SCOPED.has(c.kind) ? '' : (c.metadata.namespace ?? '');
    const key = `${group}/${c.kind}/${ns}/${c.metadata.name}`;
    const first = names.get(key);
    if (first)
      errors.push(`${c.kind} "${c.metadata.name}"${ns ? ` in namespace "${ns}"` : ''} is defined twice: by ${first.node.path} and by ${c.node.path}; ${fix}`);
    else names.set(key, c);
  }
  return errors;
}

/** The props that gave a Service's node ports, as the user wrote them (see {@link recordNodePortProp}). */
const NODE_PORT_PROPS = new WeakMap<ApiObject, Map<number, string>>();

/** Records that `service`'s node port `port` came from the prop `prop`, so a clash names it. */
export function recordNodePortProp(service: ApiObject, port: number | undefined, prop: string): void {
  if (port === undefined) return;
  const props = NODE_PORT_PROPS.get(service) ?? new Map<number, string>();
  props.set(port, prop);
  NODE_PORT_PROPS.set(service, props);
}

/**
 * Messages for every node port two Services of the App claim (node ports are
 * cluster-wide: the API server refuses the second Service). Each names the
 * prop that gave the port, where the construct recorded it, else the Service.
 */
export function findNodePortClaims(root: IConstruct): string[] {
  const errors: string[] = [];
  const claims = new Map<number, string>();
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject) || c.kind !== 'Service') continue;
    const ports: Array<{ nodePort?: number }> = renderDuringSynthesis(c)?.spec?.ports ?? [];
    for (const { nodePort } of ports) {
      if (typeof nodePort !== 'number') continue;
      const where = NODE_PORT_PROPS.get(c)?.get(nodePort) ?? `Service "${c.metadata.name}" (${c.node.path})`;
      const first = claims.get(nodePort);
      if (first) {
        errors.push(
          `${where}: got ${nodePort}; is already the node port of ${first}: node ports are cluster-wide, give each Service its own (30000-32767) or leave it unset to be allocated`,
        );
      } else claims.set(nodePort, where);
    }
  }
  return errors;
}

/**
 * Messages for every chart whose namespace Kubernetes refuses (a DNS-1123
 * label of at most 63 characters), hand-made charts included: every object in
 * it would be refused at apply time.
 */
export function findBadNamespaces(root: IConstruct): string[] {
  const errors: string[] = [];
  for (const c of root.node.findAll()) {
    if (!(c instanceof Chart)) continue;
    try {
      validateChartNamespace(c);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return errors;
}

/** Throws when the namespace of `scope`'s chart is not a DNS-1123 label (naming the chart); no chart or no namespace passes. */
export function validateChartNamespace(scope: IConstruct): void {
  let chart: Chart;
  try {
    chart = Chart.of(scope);
  } catch {
    return;
  }
  if (chart.namespace === undefined) return;
  try {
    validateNamespaceName('namespace', chart.namespace);
  } catch (e) {
    throw new DifyValidationError(`${(e as Error).message} (the namespace of chart "${chart.node.path}")`);
  }
}
