/**
 * Objects that outlive the workloads: the namespace, the claims that hold data and the credentials. They carry these
 * annotations, so Argo CD never deletes or prunes them (`Delete=false,Prune=false`) and Flux never prunes them; the
 * synth writes them into a kustomization of their own (`dist/<env>/data/`), applied first, so that
 * `kubectl delete -k dist/<env>` removes the workloads and keeps the data.
 */
export const KEEP_ANNOTATIONS: Readonly<Record<string, string>> = {
  'argocd.argoproj.io/sync-options': 'Delete=false,Prune=false',
  'kustomize.toolkit.fluxcd.io/prune': 'disabled',
};

/** Argo CD's sync-options annotation: a comma-separated list. */
export const ARGO_SYNC_OPTIONS = 'argocd.argoproj.io/sync-options';

/**
 * The annotations of an object that outlives the workloads ({@link KEEP_ANNOTATIONS}) merged with its own.
 * Give the result as `metadata.annotations` when creating the object.
 *
 * @example
 * new k8s.KubePersistentVolumeClaim(this, 'Claim', { metadata: { name, labels, annotations: keepAnnotations() }, spec });
 */
export function keepAnnotations(annotations: Record<string, string> = {}): Record<string, string> {
  return { ...annotations, ...KEEP_ANNOTATIONS, [ARGO_SYNC_OPTIONS]: mergeSyncOptions(annotations[ARGO_SYNC_OPTIONS], KEEP_ANNOTATIONS[ARGO_SYNC_OPTIONS]) };
}

/** Joins two Argo CD sync-options values, each option once, in order. */
export function mergeSyncOptions(a: string | undefined, b: string): string {
  const options = [...(a ?? '').split(','), ...b.split(',')].map((o) => o.trim()).filter((o) => o);
  return [...new Set(options)].join(',');
}

/** Whether a rendered document outlives the workloads (carries {@link KEEP_ANNOTATIONS}). */
export function isKeptData(doc: { readonly metadata?: { readonly annotations?: Record<string, string> } } | null | undefined): boolean {
  const a = doc?.metadata?.annotations ?? {};
  const argo = (a[ARGO_SYNC_OPTIONS] ?? '').split(',').map((o) => o.trim());
  return a['kustomize.toolkit.fluxcd.io/prune'] === 'disabled' && argo.includes('Delete=false') && argo.includes('Prune=false');
}

/**
 * The label every object of one environment carries, unique to it, so that a label-scoped prune
 * (`kubectl apply --prune -l dify.langgenius.ai/environment=staging`) cannot reach another environment. Metadata
 * only: never in a selector or a pod template (selectors are immutable; pod labels would roll every pod).
 */
export const LABEL_ENVIRONMENT = 'dify.langgenius.ai/environment';
