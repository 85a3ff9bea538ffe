import { k8s } from './k8s';
import { ComponentResources } from './resources';
import { SecretKeyRef } from './secret-ref';
import { validateAnnotations, validateLabels, validateNodeSelector, validateObjectName, validateTolerations } from './k8s-rules';
import { invalid, validateInt } from './validation';

/** HorizontalPodAutoscaler (autoscaling/v2) settings. */
export interface AutoscalingOptions {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Average CPU utilisation target, % of requests. @default 70 */
  readonly targetCpuUtilization?: number;
  /** Average memory utilisation target, % of requests. @default - CPU only */
  readonly targetMemoryUtilization?: number;
}

/** PodDisruptionBudget settings: exactly one of the two. */
export interface DisruptionBudgetOptions {
  /** @default - unset */
  readonly minAvailable?: number;
  /** @default 1 */
  readonly maxUnavailable?: number;
}

/** How pods spread across failure domains. */
export type TopologySpread = 'soft' | 'hard' | 'none';

/** Scheduling, scaling and exposure options of one component. */
export interface ComponentOptions {
  /** Replicas; single-instance components (beat, the plugin daemon, the stores) refuse any other value than 1. @default 1 */
  readonly replicas?: number;
  /** Autoscale with an HPA; `replicas` is then omitted from the workload. @default - no HPA */
  readonly autoscaling?: AutoscalingOptions;
  /** PodDisruptionBudget. @default - maxUnavailable 1 for multi-replica workloads and stores */
  readonly disruptionBudget?: DisruptionBudgetOptions;
  /** Spread across nodes and zones. @default "soft" when more than one replica can run */
  readonly topologySpread?: TopologySpread;
  /** @default - none */
  readonly priorityClassName?: string;
  /** @default {} */
  readonly nodeSelector?: Record<string, string>;
  /** @default [] */
  readonly tolerations?: k8s.Toleration[];
  /** Merged with affinity the component needs (e.g. storage co-location). @default - none */
  readonly affinity?: k8s.Affinity;
  /** Extra pod labels (never used in selectors). @default {} */
  readonly podLabels?: Record<string, string>;
  /** Extra pod annotations. @default {} */
  readonly podAnnotations?: Record<string, string>;
  /** Service type. @default "ClusterIP" */
  readonly serviceType?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  /** Service annotations (cloud load balancers). @default {} */
  readonly serviceAnnotations?: Record<string, string>;
  /** Seconds a new pod must be ready before it counts as available. @default 10 */
  readonly minReadySeconds?: number;
  /** Container resources, merged over the component's defaults. @default - the component's defaults */
  readonly resources?: Partial<ComponentResources>;
  /**
   * Further upstream variables for this component's main container (its
   * ConfigMap). Names the component already sets and credential names are
   * rejected: use `secretEnv` for credentials. @default {}
   */
  readonly extraEnv?: Record<string, string>;
  /** Further variables read from Secrets (any credential upstream reads, e.g. SENDGRID_API_KEY). @default {} */
  readonly secretEnv?: Record<string, SecretKeyRef>;
  /** Annotations on the component's ServiceAccount: IRSA, GKE or Azure workload identity. @default {} */
  readonly serviceAccountAnnotations?: Record<string, string>;
}

/** What kind of workload the options apply to. */
export interface AvailabilityContext {
  /** Where the options were given, for messages, e.g. `components.api`. */
  readonly prop: string;
  readonly component: string;
  /** Exactly one replica (beat, the plugin daemon, stores). */
  readonly singleton: boolean;
  /** A store: always gets a PDB. */
  readonly store: boolean;
  readonly kind: 'Deployment' | 'StatefulSet';
  readonly selector: Record<string, string>;
  readonly hasService: boolean;
  /** Affinity the component itself needs, merged with the user's. */
  readonly affinity?: k8s.Affinity;
  /** Replicas owned by an external autoscaler (KEDA): the spec leaves them out. @default - none */
  readonly externalScaling?: ExternalScaling;
  /** A ReadWriteOnce claim the pods mount: it attaches to one node, so the workload runs one pod. @default - none */
  readonly readWriteOnceClaim?: string;
}

/** Replicas owned by an external autoscaler (KEDA). */
export interface ExternalScaling {
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Where the user set `maxReplicas`, for messages. @default - "<options prop>.externalScaling.maxReplicas" */
  readonly prop?: string;
}

/** Availability fields resolved once, before any object is rendered. */
export interface AvailabilityPlan {
  /** Replicas of the workload spec; undefined when an HPA owns them. */
  readonly replicas?: number;
  /** Replicas when steady (HPA minimum when autoscaled). */
  readonly minReplicas: number;
  readonly hpa?: { readonly minReplicas: number; readonly maxReplicas: number; readonly metrics: k8s.MetricSpecV2[] };
  readonly pdb?: { readonly minAvailable?: number; readonly maxUnavailable?: number };
  /** Pod spec fields: spread, priority, node selector, tolerations, affinity. */
  readonly pod: Pick<k8s.PodSpec, 'topologySpreadConstraints' | 'priorityClassName' | 'nodeSelector' | 'tolerations' | 'affinity'>;
  readonly podLabels: Record<string, string>;
  readonly podAnnotations: Record<string, string>;
  readonly minReadySeconds?: number;
  readonly progressDeadlineSeconds?: number;
  readonly serviceType: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  readonly serviceAnnotations: Record<string, string>;
}

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

/**
 * Resolves {@link ComponentOptions} into replicas or an HPA, a PDB, topology
 * spread, scheduling, pod metadata and Service exposure, validating each
 * field against the prop the user wrote. The workload renders the plan once.
 */
export function planAvailability(o: ComponentOptions, ctx: AvailabilityContext): AvailabilityPlan {
  const prop = ctx.prop;
  if (ctx.singleton && ((o.replicas !== undefined && o.replicas !== 1) || o.autoscaling)) {
    invalid(`${prop}.replicas`, o.autoscaling ? 'autoscaling' : o.replicas, `${ctx.component} must run exactly one replica`);
  }
  const replicas = validateInt(`${prop}.replicas`, o.replicas ?? 1, 0, 1000);
  let hpa: AvailabilityPlan['hpa'];
  let minReplicas = replicas;
  if (o.autoscaling) {
    if (o.replicas !== undefined) invalid(`${prop}.replicas`, o.replicas, 'must be omitted when autoscaling is set: the HPA owns the replica count');
    const a = o.autoscaling;
    validateInt(`${prop}.autoscaling.minReplicas`, a.minReplicas, 1, 1000);
    validateInt(`${prop}.autoscaling.maxReplicas`, a.maxReplicas, 1, 1000);
    if (a.minReplicas > a.maxReplicas) invalid(`${prop}.autoscaling.minReplicas`, a.minReplicas, `must not exceed autoscaling.maxReplicas (${a.maxReplicas})`);
    const metrics: k8s.MetricSpecV2[] = [];
    const cpu = validateInt(`${prop}.autoscaling.targetCpuUtilization`, a.targetCpuUtilization ?? 70, 1, 100);
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: cpu } } });
    if (a.targetMemoryUtilization !== undefined) {
      const mem = validateInt(`${prop}.autoscaling.targetMemoryUtilization`, a.targetMemoryUtilization, 1, 100);
      metrics.push({ type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: mem } } });
    }
    minReplicas = a.minReplicas;
    hpa = { minReplicas: a.minReplicas, maxReplicas: a.maxReplicas, metrics };
  }
  const ext = ctx.externalScaling;
  if (ext) {
    if (o.autoscaling) invalid(`${prop}.autoscaling`, 'set', 'conflicts with queue-depth autoscaling: KEDA owns the HPA of this workload; use one of the two');
    if (o.replicas !== undefined) invalid(`${prop}.replicas`, o.replicas, 'must be omitted when queue-depth autoscaling is set: KEDA owns the replica count');
    minReplicas = ext.minReplicas;
  }

  const multi = minReplicas > 1 || (o.autoscaling?.maxReplicas ?? ext?.maxReplicas ?? 1) > 1;
  let pdb: AvailabilityPlan['pdb'];
  if (o.disruptionBudget || multi || ctx.store) {
    const b = o.disruptionBudget ?? { maxUnavailable: 1 };
    if ((b.minAvailable === undefined) === (b.maxUnavailable === undefined)) {
      invalid(`${prop}.disruptionBudget`, b, 'must set exactly one of minAvailable and maxUnavailable');
    }
    if (b.minAvailable !== undefined) {
      validateInt(`${prop}.disruptionBudget.minAvailable`, b.minAvailable, 0, 1000);
      if (b.minAvailable >= Math.max(minReplicas, 1)) {
        invalid(
          `${prop}.disruptionBudget.minAvailable`,
          b.minAvailable,
          `must be below the ${o.autoscaling ? 'HPA minReplicas' : 'replica count'} (${minReplicas}), or no pod could ever be evicted and node drains would hang`,
        );
      }
      pdb = { minAvailable: b.minAvailable };
    } else {
      pdb = { maxUnavailable: validateInt(`${prop}.disruptionBudget.maxUnavailable`, b.maxUnavailable!, 1, 1000) };
    }
  }

  const spread = o.topologySpread ?? (multi ? 'soft' : 'none');
  if (!['soft', 'hard', 'none'].includes(spread)) invalid(`${prop}.topologySpread`, spread, 'must be "soft", "hard" or "none"');
  validateDrain(o, ctx, multi, pdb !== undefined);
  if (multi && ctx.readWriteOnceClaim) validateOnePod(o, ctx, minReplicas);
  const pod: { -readonly [K in keyof AvailabilityPlan['pod']]: AvailabilityPlan['pod'][K] } = {};
  if (spread !== 'none') {
    const when = spread === 'hard' ? 'DoNotSchedule' : 'ScheduleAnyway';
    pod.topologySpreadConstraints = [HOST, ZONE].map((topologyKey) => ({
      maxSkew: 1,
      topologyKey,
      whenUnsatisfiable: when,
      labelSelector: { matchLabels: ctx.selector },
      ...(ctx.kind === 'Deployment' ? { matchLabelKeys: ['pod-template-hash'] } : {}),
    }));
  }
  if (o.priorityClassName !== undefined) pod.priorityClassName = validateObjectName(`${prop}.priorityClassName`, o.priorityClassName, 'PriorityClass');
  const nodeSelector = validateNodeSelector(`${prop}.nodeSelector`, o.nodeSelector);
  if (Object.keys(nodeSelector).length) pod.nodeSelector = nodeSelector;
  if (o.tolerations !== undefined) validateTolerations(`${prop}.tolerations`, o.tolerations);
  if (o.tolerations?.length) pod.tolerations = [...o.tolerations];
  const affinity = o.affinity ? mergeAffinity(ctx.affinity, o.affinity) : ctx.affinity;
  if (affinity) pod.affinity = affinity;
  validateLabels(`${prop}.podLabels`, o.podLabels);
  validateAnnotations(`${prop}.podAnnotations`, o.podAnnotations);
  validateAnnotations(`${prop}.serviceAnnotations`, o.serviceAnnotations);
  validateAnnotations(`${prop}.serviceAccountAnnotations`, o.serviceAccountAnnotations);
  for (const k of Object.keys(o.podLabels ?? {})) {
    if (k in ctx.selector) invalid(`${prop}.podLabels.${k}`, o.podLabels![k], 'must not override a selector label');
  }

  if (o.serviceType !== undefined || o.serviceAnnotations) {
    if (!ctx.hasService) invalid(`${prop}.serviceType`, o.serviceType, `${ctx.component} has no Service`);
    if (o.serviceType && !['ClusterIP', 'NodePort', 'LoadBalancer'].includes(o.serviceType))
      invalid(`${prop}.serviceType`, o.serviceType, 'must be ClusterIP, NodePort or LoadBalancer');
  }
  const deployment = ctx.kind === 'Deployment';
  return {
    replicas: hpa || ext ? undefined : replicas,
    minReplicas,
    hpa,
    pdb,
    pod,
    podLabels: { ...o.podLabels },
    podAnnotations: { ...o.podAnnotations },
    minReadySeconds: deployment ? validateInt(`${prop}.minReadySeconds`, o.minReadySeconds ?? 10, 0, 3600) : undefined,
    progressDeadlineSeconds: deployment ? 900 : undefined,
    serviceType: o.serviceType ?? 'ClusterIP',
    serviceAnnotations: { ...o.serviceAnnotations },
  };
}

/**
 * Availability plans that cannot drain: a required pod affinity with several replicas and a PDB (a replacement must
 * land beside pods on the draining node, so it stays Pending and the budget blocks the next eviction).
 */
function validateDrain(o: ComponentOptions, ctx: AvailabilityContext, multi: boolean, pdb: boolean): void {
  const required = o.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  if (multi && pdb && required.length) {
    invalid(
      `${ctx.prop}.affinity`,
      'podAffinity.requiredDuringSchedulingIgnoredDuringExecution',
      'with more than one replica and a PodDisruptionBudget cannot drain: a replacement must land beside pods on the node being drained, so it stays Pending and the budget blocks the next eviction. Use preferredDuringSchedulingIgnoredDuringExecution, or one replica',
    );
  }
}

/**
 * More than one pod of a workload on a ReadWriteOnce claim: the claim attaches to one node, so the pods are pinned
 * there (required affinity); a drain or a 'hard' spread leaves the second pod Pending.
 */
function validateOnePod(o: ComponentOptions, ctx: AvailabilityContext, minReplicas: number): void {
  const [prop, value] = o.autoscaling
    ? [`${ctx.prop}.autoscaling.maxReplicas`, o.autoscaling.maxReplicas]
    : ctx.externalScaling
      ? [ctx.externalScaling.prop ?? `${ctx.prop}.externalScaling.maxReplicas`, ctx.externalScaling.maxReplicas]
      : [`${ctx.prop}.replicas`, minReplicas];
  invalid(
    prop,
    value,
    `${ctx.component} mounts the ReadWriteOnce file-storage claim ${ctx.readWriteOnceClaim}, which attaches to one node: more than one pod cannot drain or spread. ` +
      "Run one pod, or use DifyStorage.persistentVolume({ accessMode: 'ReadWriteMany' }) with a ReadWriteMany storage class, or object storage (DifyStorage.s3(...))",
  );
}

function mergeAffinity(base: k8s.Affinity | undefined, extra: k8s.Affinity): k8s.Affinity {
  if (!base) return extra;
  const required = [
    ...(base.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(extra.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
  ];
  return {
    ...base,
    ...extra,
    podAffinity:
      base.podAffinity || extra.podAffinity
        ? { ...base.podAffinity, ...extra.podAffinity, ...(required.length ? { requiredDuringSchedulingIgnoredDuringExecution: required } : {}) }
        : undefined,
  };
}
