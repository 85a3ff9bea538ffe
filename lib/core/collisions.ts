import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';

const GUARDED = Symbol.for('dify-cdk8s.collision-guard');

/** Kinds that live outside namespaces. */
const CLUSTER_SCOPED = new Set(['Namespace', 'PriorityClass', 'ClusterRole', 'ClusterRoleBinding', 'StorageClass', 'CustomResourceDefinition', 'IngressClass', 'PersistentVolume', 'ClusterIssuer', 'ClusterSecretStore']);

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
  root.node.addValidation({ validate: () => findCollisions(root) });
}

/** Messages for every collision among the API objects under `root`. */
export function findCollisions(root: IConstruct): string[] {
  const errors: string[] = [];
  const names = new Map<string, ApiObject>();
  const routes = new Map<string, ApiObject>();
  const fix = 'give each installation a distinct `instance`, or put them in different namespaces';
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject)) continue;
    const group = c.apiVersion.includes('/') ? c.apiVersion.split('/')[0] : '';
    const ns = CLUSTER_SCOPED.has(c.kind) ? '' : c.metadata.namespace ?? '';
    const key = `${group}/${c.kind}/${ns}/${c.metadata.name}`;
    const first = names.get(key);
    if (first) errors.push(`${c.kind} "${c.metadata.name}"${ns ? ` in namespace "${ns}"` : ''} is defined twice: by ${first.node.path} and by ${c.node.path}; ${fix}`);
    else names.set(key, c);
    for (const hp of hostPaths(c)) {
      const k = `${ns}|${hp}`;
      const owner = routes.get(k);
      if (owner && owner !== c) errors.push(`route ${hp} is claimed twice: by ${owner.node.path} and by ${c.node.path}; give each installation its own host`);
      else routes.set(k, c);
    }
  }
  return errors;
}

/** `host + path` of every rule of an Ingress or HTTPRoute. */
function hostPaths(obj: ApiObject): string[] {
  if (obj.kind !== 'Ingress' && obj.kind !== 'HTTPRoute') return [];
  const spec = (obj.toJson() as { spec?: Record<string, any> }).spec ?? {};
  if (obj.kind === 'Ingress') {
    return (spec.rules ?? []).flatMap((r: any) => (r.http?.paths ?? []).map((p: any) => `${r.host ?? '*'}${p.path ?? '/'}`));
  }
  const hosts: string[] = spec.hostnames ?? ['*'];
  const paths: string[] = (spec.rules ?? []).flatMap((r: any) => (r.matches ?? [{}]).map((m: any) => m.path?.value ?? '/'));
  // The https redirect route has no matches and no backends: it does not claim paths.
  if ((spec.rules ?? []).every((r: any) => !r.backendRefs)) return [];
  return hosts.flatMap((h) => paths.map((p) => `${h}${p}`));
}
