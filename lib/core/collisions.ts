import { ApiObject, App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { oncePerSynthesis, trackSynthesis } from './synthesis';

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
  const root = scope.node.root as IConstruct & { [GUARDED]?: AppGuard };
  const existing = root[GUARDED];
  if (existing) return existing;
  const guard: AppGuard = { prepares: [], checks: new Map([['collisions', findCollisions]]) };
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
