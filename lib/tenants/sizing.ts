import { ApiObject } from 'cdk8s';
import { IConstruct } from 'constructs';
import { parseBytes, parseCpu } from '../core/k8s-rules';

/** A quantity as written in the manifests and its value (millicores or bytes). */
export interface SizedQuantity {
  readonly text: string;
  readonly value: number;
}

/** One container's requests and limits, as rendered. */
export interface ContainerSizing {
  /** `<Kind>/<name> container <container>`, for messages. */
  readonly id: string;
  readonly cpuRequest?: SizedQuantity;
  readonly memoryRequest?: SizedQuantity;
  readonly cpuLimit?: SizedQuantity;
  readonly memoryLimit?: SizedQuantity;
}

/** One PersistentVolumeClaim (standalone or from a StatefulSet template), as rendered. */
export interface ClaimSizing {
  readonly id: string;
  readonly storage: SizedQuantity;
}

/**
 * What an installation holds at most at once, read from its rendered objects:
 * every workload at its maximum replicas (the HPA's `maxReplicas` when
 * autoscaled) plus its rolling-update surge, every Job and CronJob pod once.
 */
export interface InstallationPeak {
  /** Millicores. */
  readonly requestsCpu: number;
  /** Bytes. */
  readonly requestsMemory: number;
  readonly limitsCpu: number;
  readonly limitsMemory: number;
  readonly pods: number;
  readonly persistentVolumeClaims: number;
  /** Bytes. */
  readonly requestsStorage: number;
  readonly loadBalancers: number;
  readonly nodePorts: number;
  /** Every container, init containers included. */
  readonly containers: readonly ContainerSizing[];
  readonly claims: readonly ClaimSizing[];
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

/** Sums the objects under `scope` as `render` renders them (by default `toJson()`). */
export function installationPeak(
  scope: IConstruct,
  render: (o: ApiObject) => any = (o) => o.toJson(),
  include: (o: ApiObject) => boolean = () => true,
): InstallationPeak {
  const objects = scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && include(c));
  const json = objects
    .filter((o) => WORKLOADS.has(o.kind) || ['HorizontalPodAutoscaler', 'PersistentVolumeClaim', 'Service'].includes(o.kind))
    .map((o) => render(o) as Record<string, any>);
  const hpaMax = new Map<string, number>();
  for (const h of json.filter((d) => d.kind === 'HorizontalPodAutoscaler')) {
    hpaMax.set(`${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name}`, h.spec.maxReplicas);
  }
  const peak = {
    requestsCpu: 0,
    requestsMemory: 0,
    limitsCpu: 0,
    limitsMemory: 0,
    pods: 0,
    persistentVolumeClaims: 0,
    requestsStorage: 0,
    loadBalancers: 0,
    nodePorts: 0,
  };
  const containers: ContainerSizing[] = [];
  const claims: ClaimSizing[] = [];
  const addClaim = (id: string, spec: any, count: number) => {
    const text = spec?.resources?.requests?.storage;
    if (text === undefined) return;
    const storage = { text: String(text), value: parseBytes(String(text)) };
    claims.push({ id, storage });
    peak.persistentVolumeClaims += count;
    peak.requestsStorage += storage.value * count;
  };
  for (const d of json) {
    const id = `${d.kind}/${d.metadata?.name}`;
    if (d.kind === 'Service') {
      if (d.spec?.type === 'LoadBalancer') peak.loadBalancers++;
      if (d.spec?.type === 'LoadBalancer' || d.spec?.type === 'NodePort') peak.nodePorts += (d.spec.ports ?? []).length;
      continue;
    }
    if (d.kind === 'PersistentVolumeClaim') {
      addClaim(id, d.spec, 1);
      continue;
    }
    if (!WORKLOADS.has(d.kind)) continue;
    const pods = podsOf(d, hpaMax.get(id));
    const template = d.kind === 'Pod' ? d : d.kind === 'CronJob' ? d.spec.jobTemplate.spec.template : d.spec.template;
    const pod = podSizing(id, template.spec);
    containers.push(...pod.containers);
    peak.requestsCpu += pod.requestsCpu * pods;
    peak.requestsMemory += pod.requestsMemory * pods;
    peak.limitsCpu += pod.limitsCpu * pods;
    peak.limitsMemory += pod.limitsMemory * pods;
    peak.pods += pods;
    for (const t of d.kind === 'StatefulSet' ? (d.spec.volumeClaimTemplates ?? []) : []) addClaim(`${id} claim ${t.metadata?.name}`, t.spec, pods);
  }
  return { ...peak, containers, claims };
}

/** Pods a workload runs at most at once: replicas (or the HPA's maximum) plus the rolling-update surge. */
function podsOf(d: Record<string, any>, hpaMax: number | undefined): number {
  const spec = d.spec ?? {};
  switch (d.kind) {
    case 'Pod':
      return 1;
    case 'Job':
      return spec.parallelism ?? 1;
    case 'CronJob':
      return spec.jobTemplate?.spec?.parallelism ?? 1;
    case 'DaemonSet':
      return 1; // one per node; an installation has none
  }
  const replicas = Math.max(spec.replicas ?? 1, hpaMax ?? 0);
  if (d.kind !== 'Deployment' || spec.strategy?.type === 'Recreate') return replicas;
  const surge = spec.strategy?.rollingUpdate?.maxSurge ?? '25%';
  const text = String(surge);
  return replicas + (text.endsWith('%') ? Math.ceil((replicas * parseInt(text, 10)) / 100) : Number(text));
}

/** A pod's effective requests and limits: the larger of its containers' sum and its largest init container. */
function podSizing(id: string, spec: Record<string, any>) {
  const containers: ContainerSizing[] = [];
  const sum = { requestsCpu: 0, requestsMemory: 0, limitsCpu: 0, limitsMemory: 0 };
  const init = { ...sum };
  for (const [list, acc, combine] of [
    [spec.containers ?? [], sum, (a: number, b: number) => a + b],
    [spec.initContainers ?? [], init, Math.max],
  ] as const) {
    for (const c of list) {
      const r = c.resources ?? {};
      const q = (v: unknown, parse: (s: string) => number): SizedQuantity | undefined =>
        v === undefined ? undefined : { text: String(v), value: parse(String(v)) };
      const sized: ContainerSizing = {
        id: `${id} container ${c.name}`,
        cpuRequest: q(r.requests?.cpu, parseCpu),
        memoryRequest: q(r.requests?.memory, parseBytes),
        cpuLimit: q(r.limits?.cpu, parseCpu),
        memoryLimit: q(r.limits?.memory, parseBytes),
      };
      containers.push(sized);
      acc.requestsCpu = combine(acc.requestsCpu, sized.cpuRequest?.value ?? 0);
      acc.requestsMemory = combine(acc.requestsMemory, sized.memoryRequest?.value ?? 0);
      acc.limitsCpu = combine(acc.limitsCpu, sized.cpuLimit?.value ?? 0);
      acc.limitsMemory = combine(acc.limitsMemory, sized.memoryLimit?.value ?? 0);
    }
  }
  return {
    containers,
    requestsCpu: Math.max(sum.requestsCpu, init.requestsCpu),
    requestsMemory: Math.max(sum.requestsMemory, init.requestsMemory),
    limitsCpu: Math.max(sum.limitsCpu, init.limitsCpu),
    limitsMemory: Math.max(sum.limitsMemory, init.limitsMemory),
  };
}

/** Millicores as a CPU quantity, rounded up to a whole millicore. */
export function formatCpu(millicores: number): string {
  const m = Math.ceil(millicores);
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** Bytes as a binary quantity, rounded up to a whole MiB. */
export function formatBytes(bytes: number): string {
  const mi = Math.ceil(bytes / 1024 ** 2);
  return mi % 1024 === 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}
