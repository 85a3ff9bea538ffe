import { ApiObject, App } from 'cdk8s';
import { IConstruct } from 'constructs';
import { oncePerSynthesis, trackSynthesis } from './synthesis';

const GUARDED = Symbol.for('dify-cdk8s.collision-guard');
const GUARDED_KEY = {};

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

/**
 * Makes synthesis of `scope`'s App fail when two objects share
 * kind/namespace/name, or two Ingress or HTTPRoute rules claim the same host
 * and path, naming both construct paths. Installed once per App; every
 * `Dify` installs it.
 */
export function guardCollisions(scope: IConstruct): void {
  const root = scope.node.root as IConstruct & { [GUARDED]?: boolean };
  if (root[GUARDED]) return;
  root[GUARDED] = true;
  // Once per App.synth(), not once per chart cdk8s renders (it re-validates the whole App for each chart).
  if (root instanceof App) trackSynthesis(root);
  root.node.addValidation({ validate: () => oncePerSynthesis(root, GUARDED_KEY, () => findCollisions(root)) });
}

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
