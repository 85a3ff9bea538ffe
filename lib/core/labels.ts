/** The `app.kubernetes.io/*` label set shared by every object of one Dify installation. */
export interface DifyLabelsOptions {
  /** `app.kubernetes.io/instance`: the installation name, e.g. `dify`. */
  readonly instance: string;
  /** `app.kubernetes.io/component`: e.g. `api`, `worker`, `postgres`. */
  readonly component: string;
  /** `app.kubernetes.io/version`: the image tag the component runs. */
  readonly version?: string;
}

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
export const LABEL_PART_OF = 'app.kubernetes.io/part-of';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_VERSION = 'app.kubernetes.io/version';

/**
 * Selector labels: name, instance and component only. They never include a
 * version or a construct path, so selectors stay stable across upgrades and
 * refactors (a Deployment's selector is immutable).
 */
export function selectorLabels(o: DifyLabelsOptions): Record<string, string> {
  return { [LABEL_NAME]: 'dify', [LABEL_INSTANCE]: o.instance, [LABEL_COMPONENT]: o.component };
}

/** Full metadata labels: the selector labels plus part-of, managed-by and version. */
export function metadataLabels(o: DifyLabelsOptions): Record<string, string> {
  const labels: Record<string, string> = { ...selectorLabels(o), [LABEL_PART_OF]: 'dify', [LABEL_MANAGED_BY]: 'cdk8s' };
  if (o.version) labels[LABEL_VERSION] = o.version;
  return labels;
}
