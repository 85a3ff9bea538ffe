import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { LABEL_COMPONENT, LABEL_INSTANCE, metadataLabels } from './labels';
import { invalid, validateDnsSubdomain, validateInt } from './validation';
import { DifyWorkload } from './workload';

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
  /** Replicas; ignored for single-instance components. @default 1 */
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
}

const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';

/**
 * Applies {@link ComponentOptions} to a workload: replicas or an HPA, a PDB,
 * topology spread, scheduling, pod metadata and Service exposure. Every
 * field it sets is a typed L1 field; tests assert each of them.
 */
export class ComponentAvailability extends Construct {
  public readonly hpa?: k8s.KubeHorizontalPodAutoscalerV2;
  public readonly pdb?: k8s.KubePodDisruptionBudget;
  /** Replicas the workload runs when steady (HPA minimum when autoscaled). */
  public readonly minReplicas: number;

  constructor(scope: Construct, id: string, w: DifyWorkload, component: string, o: ComponentOptions, opts: { singleton: boolean; store: boolean }) {
    super(scope, id);
    const prop = `components.${component}`;
    const spec = w.spec;
    if (opts.singleton && (o.replicas !== undefined && o.replicas !== 1 || o.autoscaling)) {
      invalid(`${prop}.replicas`, o.autoscaling ? 'autoscaling' : o.replicas, `${component} must run exactly one replica`);
    }
    const replicas = validateInt(`${prop}.replicas`, o.replicas ?? 1, 0, 1000);
    const labels = metadataLabels({ instance: w.selector[LABEL_INSTANCE], component: w.selector[LABEL_COMPONENT] });

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
      spec.replicas = undefined;
      this.minReplicas = a.minReplicas;
      this.hpa = new k8s.KubeHorizontalPodAutoscalerV2(this, 'Hpa', {
        metadata: { name: w.name, labels },
        spec: {
          scaleTargetRef: { apiVersion: w.workload.apiVersion, kind: w.workload.kind, name: w.name },
          minReplicas: a.minReplicas,
          maxReplicas: a.maxReplicas,
          metrics,
          behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
        },
      });
    } else {
      spec.replicas = replicas;
      this.minReplicas = replicas;
    }

    const multi = this.minReplicas > 1 || (o.autoscaling?.maxReplicas ?? 1) > 1;
    if (o.disruptionBudget || multi || opts.store) {
      const b = o.disruptionBudget ?? { maxUnavailable: 1 };
      if ((b.minAvailable === undefined) === (b.maxUnavailable === undefined)) {
        invalid(`${prop}.disruptionBudget`, b, 'must set exactly one of minAvailable and maxUnavailable');
      }
      if (b.minAvailable !== undefined) {
        validateInt(`${prop}.disruptionBudget.minAvailable`, b.minAvailable, 0, 1000);
        if (b.minAvailable >= this.minReplicas) {
          invalid(`${prop}.disruptionBudget.minAvailable`, b.minAvailable, `must be below the ${o.autoscaling ? 'HPA minReplicas' : 'replica count'} (${this.minReplicas}), or no pod could ever be evicted and node drains would hang`);
        }
      } else {
        validateInt(`${prop}.disruptionBudget.maxUnavailable`, b.maxUnavailable!, 1, 1000);
      }
      this.pdb = new k8s.KubePodDisruptionBudget(this, 'Pdb', {
        metadata: { name: w.name, labels },
        spec: {
          selector: { matchLabels: w.selector },
          ...(b.minAvailable !== undefined ? { minAvailable: k8s.IntOrString.fromNumber(b.minAvailable) } : { maxUnavailable: k8s.IntOrString.fromNumber(b.maxUnavailable!) }),
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      });
    }

    const pod = w.podTemplate.spec as { -readonly [K in keyof k8s.PodSpec]: k8s.PodSpec[K] };
    const spread = o.topologySpread ?? (multi ? 'soft' : 'none');
    if (!['soft', 'hard', 'none'].includes(spread)) invalid(`${prop}.topologySpread`, spread, 'must be "soft", "hard" or "none"');
    if (spread !== 'none') {
      const when = spread === 'hard' ? 'DoNotSchedule' : 'ScheduleAnyway';
      pod.topologySpreadConstraints = [HOST, ZONE].map((topologyKey) => ({
        maxSkew: 1,
        topologyKey,
        whenUnsatisfiable: when,
        labelSelector: { matchLabels: w.selector },
        ...(w.workload.kind === 'Deployment' ? { matchLabelKeys: ['pod-template-hash'] } : {}),
      }));
    }
    if (o.priorityClassName !== undefined) pod.priorityClassName = validateDnsSubdomain(`${prop}.priorityClassName`, o.priorityClassName);
    if (o.nodeSelector && Object.keys(o.nodeSelector).length) pod.nodeSelector = { ...o.nodeSelector };
    if (o.tolerations?.length) pod.tolerations = [...o.tolerations];
    if (o.affinity) pod.affinity = mergeAffinity(pod.affinity, o.affinity);
    const meta = w.podTemplate.metadata as { labels?: Record<string, string>; annotations?: Record<string, string> };
    for (const k of Object.keys(o.podLabels ?? {})) {
      if (k in w.selector) invalid(`${prop}.podLabels.${k}`, o.podLabels![k], 'must not override a selector label');
    }
    meta.labels = { ...meta.labels, ...o.podLabels };
    meta.annotations = { ...meta.annotations, ...o.podAnnotations };
    if (w.workload.kind === 'Deployment') {
      spec.minReadySeconds = validateInt(`${prop}.minReadySeconds`, o.minReadySeconds ?? 10, 0, 3600);
      spec.progressDeadlineSeconds = 900;
    }

    if (o.serviceType !== undefined || o.serviceAnnotations) {
      if (!w.service) invalid(`${prop}.serviceType`, o.serviceType, `${component} has no Service`);
      if (o.serviceType && !['ClusterIP', 'NodePort', 'LoadBalancer'].includes(o.serviceType)) invalid(`${prop}.serviceType`, o.serviceType, 'must be ClusterIP, NodePort or LoadBalancer');
      const svc = w.serviceSpec!;
      svc.type = o.serviceType ?? 'ClusterIP';
      for (const [k, v] of Object.entries(o.serviceAnnotations ?? {})) w.service!.metadata.addAnnotation(k, v);
    }
  }
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
    podAffinity: base.podAffinity || extra.podAffinity ? {
      ...base.podAffinity,
      ...extra.podAffinity,
      ...(required.length ? { requiredDuringSchedulingIgnoredDuringExecution: required } : {}),
    } : undefined,
  };
}

