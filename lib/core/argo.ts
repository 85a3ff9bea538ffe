import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { ARGO_SYNC_OPTIONS, mergeSyncOptions } from './lifecycle';

/** Argo CD sync waves: policies and credentials, then stores, then the migration Job, then the app. */
export const SYNC_WAVES = { foundation: -3, stores: -2, migration: -1 } as const;

/** apiVersions of built-in Kubernetes groups (core, apps, batch, policy, networking, rbac, autoscaling). */
const BUILT_IN_GROUP = /^(v1|(apps|batch|policy|autoscaling|networking\.k8s\.io|rbac\.authorization\.k8s\.io)\/v[0-9a-z]+)$/;

/** Marks every API object under `scope` with an Argo CD sync wave (inert for kubectl and Flux). */
export function syncWave(scope: IConstruct | undefined, wave: number): void {
  if (scope) annotateAll(scope, 'argocd.argoproj.io/sync-wave', String(wave));
}

/** Custom resources whose CRDs may be installed in the same sync: let Argo CD dry-run without them. */
export function skipDryRunOnCustomResources(scope: IConstruct): void {
  for (const c of scope.node.findAll()) {
    if (!(c instanceof ApiObject) || BUILT_IN_GROUP.test(c.apiVersion)) continue;
    // Kept with any options the object already has (Delete=false,Prune=false on the credentials).
    const own = c.metadata.toJson().annotations?.[ARGO_SYNC_OPTIONS];
    c.metadata.addAnnotation(ARGO_SYNC_OPTIONS, mergeSyncOptions(own, 'SkipDryRunOnMissingResource=true'));
  }
}

/** Annotations given to a scope, kept for objects rendered under it later (lazily, at synth). */
const RECORDED = new WeakMap<IConstruct, Array<[string, string]>>();

function annotateAll(scope: IConstruct, key: string, value: string): void {
  RECORDED.set(scope, [...(RECORDED.get(scope) ?? []), [key, value]]);
  for (const c of scope.node.findAll()) {
    if (c instanceof ApiObject) c.metadata.addAnnotation(key, value);
  }
}

/** Gives `obj`, created after its scopes were annotated (a lazily rendered object), the sync waves of those scopes. */
export function applyScopeAnnotations(obj: ApiObject): void {
  for (const scope of obj.node.scopes) {
    for (const [key, value] of RECORDED.get(scope) ?? []) obj.metadata.addAnnotation(key, value);
  }
}
