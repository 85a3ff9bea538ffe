import { createHash } from 'crypto';
import { ApiObject } from 'cdk8s';
import { k8s } from './k8s';
import { Construct } from 'constructs';
import { AvailabilityPlan, ComponentOptions, ExternalScaling, planAvailability } from './availability';
import { Connections, IConnectable, NetworkPeer } from './connections';
import { EnvSet, sameName } from './env';
import { imageVersion, validateImage } from './image';
import { metadataLabels, selectorLabels } from './labels';
import { ComponentResources, renderResources, withResources } from './resources';
import { SecretKeyRef } from './secret-ref';
import { SecurityProfile, containerSecurityContext, podSecurityContext } from './security';
import { invalid, validateDnsLabel, validateDnsSubdomain } from './validation';
import { guardComposition } from './wiring';

/** Marks a StatefulSet's headless Service, so monitors select only the client Service. */
export const HEADLESS_LABEL = 'dify.langgenius.ai/headless';

/** A named container port that the component's Service exposes. */
export interface WorkloadPort {
  readonly name: string;
  readonly port: number;
  /** Clients reach this port when they are wired to the component without naming ports. @default true */
  readonly client?: boolean;
}

/** Where credentials come from, as the installation tells its pods. */
export interface CredentialsVersion {
  /** Secrets managed by the credential source. */
  readonly secretNames: readonly string[];
  /** Changes whenever the source changes; pods that read one of `secretNames` carry it as an annotation. */
  readonly version: string;
  /** Also annotate for Stakater Reloader. @default false */
  readonly reloader?: boolean;
}

/** What every component construct accepts besides its own props. */
export interface DifyComponentProps {
  /** Installation name: `app.kubernetes.io/instance` and the prefix of every object name. */
  readonly instance: string;
  /** Replicas, autoscaling, PDB, scheduling, Service exposure, resources, extra env, ServiceAccount annotations. @default - one replica, default resources */
  readonly options?: ComponentOptions;
  /** How errors name `options` (the facade passes `components.<name>`). @default "<component>.options" */
  readonly optionsPath?: string;
  /** imagePullSecrets of every pod. @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** Rolls pods that read credentials when their source changes. @default - no annotation */
  readonly credentialsVersion?: CredentialsVersion;
}

/** Probes of the main container. */
export interface WorkloadProbes {
  readonly readiness: k8s.Probe;
  readonly liveness: k8s.Probe;
  readonly startup?: k8s.Probe;
}

/** Everything the shared workload builder needs to render one component. */
export interface DifyWorkloadProps extends DifyComponentProps {
  /** `app.kubernetes.io/component` and the container name. */
  readonly component: string;
  /** `metadata.name` of the workload, its Service, ServiceAccount and (suffixed `-env`) ConfigMap. @default "<instance>-<component>" */
  readonly name?: string;
  readonly image: string;
  readonly kind: 'Deployment' | 'StatefulSet';
  /** Exactly one replica (schedulers, single-writer daemons, stores). @default false */
  readonly singleton?: boolean;
  /** A store: it always gets a PodDisruptionBudget. @default false */
  readonly store?: boolean;
  /** Replicas owned by an external autoscaler (KEDA). @default - replicas from options */
  readonly externalScaling?: ExternalScaling;
  /** A ReadWriteOnce claim the pods mount: more than one pod is refused. @default - none */
  readonly readWriteOnceClaim?: string;
  /** Environment: plain values go to the `<name>-env` ConfigMap, credentials to secretKeyRef env vars. */
  readonly env?: EnvSet;
  /** Env vars that need Kubernetes features (fieldRef, $(VAR) expansion). @default [] */
  readonly extraContainerEnv?: k8s.EnvVar[];
  readonly command?: string[];
  readonly args?: string[];
  /** @default - no Service */
  readonly ports?: WorkloadPort[];
  readonly probes: WorkloadProbes;
  /** Default resources; `options.resources` is merged over them. */
  readonly resources: ComponentResources;
  readonly security: SecurityProfile;
  /** @default [] */
  readonly volumes?: k8s.Volume[];
  /** @default [] */
  readonly volumeMounts?: k8s.VolumeMount[];
  /** Init containers; they get the main container's env, mounts and security context unless they set their own. @default [] */
  readonly initContainers?: k8s.Container[];
  /** @default - none */
  readonly affinity?: k8s.Affinity;
  /** Deployment strategy. @default - RollingUpdate maxUnavailable 0, maxSurge 1 */
  readonly strategy?: k8s.DeploymentStrategy;
  /** StatefulSet volume claim templates. @default [] */
  readonly volumeClaimTemplates?: k8s.KubePersistentVolumeClaimProps[];
  /** Extra content hashed into the `checksum/config` pod annotation (e.g. mounted config files). @default - env only */
  readonly configChecksumInputs?: Record<string, string>;
  /** Sidecar containers (e.g. metrics exporters); their own image, env and security context. @default [] */
  readonly sidecars?: k8s.Container[];
  /** Ports served by sidecars, added to the Service. @default [] */
  readonly sidecarPorts?: WorkloadPort[];
  /** Extra labels on the pod template only (never in selectors). @default {} */
  readonly podLabels?: Record<string, string>;
  /** @default 30 */
  readonly terminationGracePeriodSeconds?: number;
  /** Mount the ServiceAccount token. @default false */
  readonly automountServiceAccountToken?: boolean;
  /** Variables the component reads without connecting to the hosts they name (shared settings), skipped by the wiring check. @default [] */
  readonly unconnectedSettings?: readonly string[];
}

/**
 * Shared builder behind every Dify component: a ServiceAccount, the
 * component's env ConfigMap, a Deployment or StatefulSet with hardened pods,
 * and a ClusterIP Service for its ports. Uses the `k8s` L1 classes from
 * cdk8s-plus-28 so every field (volumeClaimTemplates, PVC retention, topology
 * spread) is typed and no JSON patch is needed.
 */
export class DifyWorkload extends Construct implements IConnectable {
  /** `metadata.name` of the workload, Service and ServiceAccount. */
  public readonly name: string;
  /** Labels the Service, PDBs and NetworkPolicies select on. */
  public readonly selector: Record<string, string>;
  /** Name of the env ConfigMap, if the component has plain config. */
  public readonly configMapName?: string;
  /** The workload API object. */
  public readonly workload: ApiObject;
  /** The Service, if the component listens. */
  public readonly service?: k8s.KubeService;
  /** The pod template as rendered (for tests). */
  public readonly podTemplate: k8s.PodTemplateSpec;
  /** Secrets the pods read credentials from. */
  public readonly secretNames: string[];
  /** Replicas, HPA, PDB and scheduling as resolved from the options. */
  public readonly availability: AvailabilityPlan;
  /** The HPA, when autoscaled. */
  public readonly hpa?: k8s.KubeHorizontalPodAutoscalerV2;
  /** The PodDisruptionBudget, if any. */
  public readonly pdb?: k8s.KubePodDisruptionBudget;
  /** The Service's ports (client ports first). */
  public readonly servicePorts: readonly WorkloadPort[];
  /** Flows to and from these pods; NetworkPolicies are derived from them. */
  public readonly connections: Connections;

  constructor(scope: Construct, id: string, props: DifyWorkloadProps) {
    super(scope, id);
    guardComposition(this);
    const o = props.options ?? {};
    const optionsPath = props.optionsPath ?? `${props.component}.options`;
    this.name = validateDnsLabel(`${props.component}.name`, props.name ?? `${props.instance}-${props.component}`, 52);
    validateImage(`${props.component}.image`, props.image);
    const version = imageVersion(props.image);
    const labelOpts = { instance: props.instance, component: props.component, version };
    const labels = metadataLabels(labelOpts);
    this.selector = selectorLabels(labelOpts);
    this.servicePorts = [...(props.ports ?? []), ...(props.sidecarPorts ?? []).map((p) => ({ ...p, client: false }))];
    this.availability = planAvailability(o, {
      prop: optionsPath,
      component: props.component,
      singleton: props.singleton ?? false,
      store: props.store ?? false,
      kind: props.kind,
      selector: this.selector,
      hasService: this.servicePorts.length > 0,
      affinity: props.affinity,
      externalScaling: props.externalScaling,
      readWriteOnceClaim: props.readWriteOnceClaim,
    });
    const plan = this.availability;
    this.connections = Connections.forPods(
      this,
      { instance: props.instance, component: props.component, selector: this.selector },
      (props.ports ?? []).filter((p) => p.client !== false).map((p) => p.port),
    );

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.name, labels, annotations: nonEmpty(o.serviceAccountAnnotations) },
      automountServiceAccountToken: props.automountServiceAccountToken ?? false,
    });

    const env = withExtraEnv(props.env ?? new EnvSet(), o, optionsPath);
    const data = env.plainData();
    const envFrom: k8s.EnvFromSource[] = [];
    if (Object.keys(data).length > 0) {
      this.configMapName = `${this.name}-env`;
      new k8s.KubeConfigMap(this, 'Env', { metadata: { name: this.configMapName, labels }, data });
      envFrom.push({ configMapRef: { name: this.configMapName } });
    }
    const containerEnv = [...env.secretEnv(), ...(props.extraContainerEnv ?? [])];
    const literalEnv = (props.extraContainerEnv ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value!]);
    const skipped = new Set(props.unconnectedSettings ?? []);
    this.connections.reads(Object.fromEntries([...Object.entries(data), ...literalEnv].filter(([n]) => !skipped.has(n))));
    this.secretNames = [...new Set(env.secretRefs().map((r) => r.secretName))].sort();
    const checksum = createHash('sha256')
      .update(JSON.stringify({ data, secretEnv: env.secretRefs().map(String), files: props.configChecksumInputs ?? {} }))
      .digest('hex');

    const securityContext = containerSecurityContext(props.security);
    const files = env.fileVolumes();
    const mounts = [...(props.volumeMounts ?? []), ...files.mounts];
    const volumes = [...(props.volumes ?? []), ...files.volumes];
    const main: k8s.Container = {
      name: props.component,
      image: props.image,
      imagePullPolicy: 'IfNotPresent',
      command: props.command,
      args: props.args,
      ports: props.ports?.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
      envFrom: envFrom.length ? envFrom : undefined,
      env: containerEnv.length ? containerEnv : undefined,
      readinessProbe: props.probes.readiness,
      livenessProbe: props.probes.liveness,
      startupProbe: props.probes.startup,
      resources: renderResources(`${optionsPath}.resources`, withResources(props.resources, o.resources)),
      securityContext,
      volumeMounts: mounts.length ? mounts : undefined,
    };
    const initContainers = (props.initContainers ?? []).map((c) => ({
      image: props.image,
      imagePullPolicy: 'IfNotPresent',
      envFrom: envFrom.length ? envFrom : undefined,
      env: containerEnv.length ? containerEnv : undefined,
      securityContext,
      resources: main.resources,
      volumeMounts: main.volumeMounts,
      ...c,
    }));

    const rotation = props.credentialsVersion;
    const readsCredentials = rotation !== undefined && this.secretNames.some((n) => rotation.secretNames.includes(n));
    const pullSecrets = (props.imagePullSecrets ?? []).map((n) => ({ name: validateDnsSubdomain('imagePullSecrets', n) }));
    this.podTemplate = {
      metadata: {
        labels: { ...labels, ...props.podLabels, ...plan.podLabels },
        annotations: {
          'checksum/config': checksum,
          ...plan.podAnnotations,
          ...(readsCredentials ? { 'dify.langgenius.ai/credentials-version': rotation.version } : {}),
        },
      },
      spec: {
        serviceAccountName: this.name,
        automountServiceAccountToken: props.automountServiceAccountToken ?? false,
        enableServiceLinks: false,
        securityContext: podSecurityContext(props.security),
        terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 30,
        ...plan.pod,
        initContainers: initContainers.length ? initContainers : undefined,
        containers: [main, ...(props.sidecars ?? [])],
        volumes: volumes.length ? volumes : undefined,
        imagePullSecrets: pullSecrets.length ? pullSecrets : undefined,
      },
    };
    const workloadMeta = {
      name: this.name,
      labels,
      annotations:
        readsCredentials && rotation.reloader
          ? { 'secret.reloader.stakater.com/reload': this.secretNames.filter((n) => rotation.secretNames.includes(n)).join(',') }
          : undefined,
    };

    if (props.kind === 'Deployment') {
      this.workload = new k8s.KubeDeployment(this, 'Deployment', {
        metadata: workloadMeta,
        spec: {
          replicas: plan.replicas,
          revisionHistoryLimit: 5,
          minReadySeconds: plan.minReadySeconds,
          progressDeadlineSeconds: plan.progressDeadlineSeconds,
          selector: { matchLabels: this.selector },
          strategy: props.strategy ?? {
            type: 'RollingUpdate',
            rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) },
          },
          template: this.podTemplate,
        },
      });
    } else {
      this.workload = new k8s.KubeStatefulSet(this, 'StatefulSet', {
        metadata: workloadMeta,
        spec: {
          replicas: plan.replicas,
          revisionHistoryLimit: 5,
          serviceName: `${this.name}-headless`,
          podManagementPolicy: 'OrderedReady',
          selector: { matchLabels: this.selector },
          updateStrategy: { type: 'RollingUpdate' },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          template: this.podTemplate,
          volumeClaimTemplates: props.volumeClaimTemplates?.map((t) => ({ metadata: { ...t.metadata, labels }, spec: t.spec })),
        },
      });
      new k8s.KubeService(this, 'HeadlessService', {
        metadata: { name: `${this.name}-headless`, labels: { ...labels, [HEADLESS_LABEL]: 'true' } },
        spec: {
          clusterIp: 'None',
          publishNotReadyAddresses: true,
          selector: this.selector,
          ports: (props.ports ?? []).map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP' })),
        },
      });
    }

    if (this.servicePorts.length) {
      this.connections.serves(this.name);
      this.service = new k8s.KubeService(this, 'Service', {
        metadata: { name: this.name, labels, annotations: nonEmpty(plan.serviceAnnotations) },
        spec: {
          type: plan.serviceType,
          selector: this.selector,
          ports: this.servicePorts.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP' })),
        },
      });
      // A NodePort or LoadBalancer Service is reachable from outside the cluster: its policy must admit that.
      if (plan.serviceType !== 'ClusterIP')
        this.connections.allowFrom(
          NetworkPeer.anywhere(),
          (props.ports ?? []).map((p) => p.port),
        );
    }

    const availabilityLabels = metadataLabels({ instance: props.instance, component: props.component });
    if (plan.hpa) {
      this.hpa = new k8s.KubeHorizontalPodAutoscalerV2(this, 'Hpa', {
        metadata: { name: this.name, labels: availabilityLabels },
        spec: {
          scaleTargetRef: { apiVersion: this.workload.apiVersion, kind: this.workload.kind, name: this.name },
          minReplicas: plan.hpa.minReplicas,
          maxReplicas: plan.hpa.maxReplicas,
          metrics: plan.hpa.metrics,
          behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
        },
      });
    }
    if (plan.pdb) {
      this.pdb = new k8s.KubePodDisruptionBudget(this, 'Pdb', {
        metadata: { name: this.name, labels: availabilityLabels },
        spec: {
          selector: { matchLabels: this.selector },
          ...(plan.pdb.minAvailable !== undefined
            ? { minAvailable: k8s.IntOrString.fromNumber(plan.pdb.minAvailable) }
            : { maxUnavailable: k8s.IntOrString.fromNumber(plan.pdb.maxUnavailable!) }),
          unhealthyPodEvictionPolicy: 'AlwaysAllow',
        },
      });
    }
  }

  /** Records that these pods connect to `target` (see {@link Connections.allowTo}). */
  public allowTo(target: IConnectable | NetworkPeer, ports?: number[]): void {
    this.connections.allowTo(target, ports);
  }
}

/** The component's env plus `options.extraEnv` and `options.secretEnv`, which may replace only the component's defaults ({@link EnvSet.defaults}). */
function withExtraEnv(env: EnvSet, o: ComponentOptions, prop: string): EnvSet {
  const extra = o.extraEnv ?? {};
  const secret = o.secretEnv ?? {};
  const given = new Map<string, string>();
  for (const [name, value] of Object.entries(extra)) {
    const managed = env.nameLike(name);
    if (managed && !(managed === name && env.isDefault(name)))
      invalid(`${prop}.extraEnv.${name}`, value, `${sameName(name, managed)} is set by the component or a typed prop; set that prop instead`);
    if (typeof value !== 'string') invalid(`${prop}.extraEnv.${name}`, value, 'must be a string');
    const twice = given.get(name.toUpperCase());
    if (twice) invalid(`${prop}.extraEnv.${name}`, value, `${sameName(name, twice)} is already in extraEnv; give it once`);
    given.set(name.toUpperCase(), name);
  }
  for (const [name, ref] of Object.entries(secret)) {
    const set = env.nameLike(name) ?? given.get(name.toUpperCase());
    if (set)
      invalid(`${prop}.secretEnv.${name}`, `<SecretKeyRef ${String(ref)}>`, `${sameName(name, set)} is already set by the component, a typed prop or extraEnv`);
    given.set(name.toUpperCase(), name);
    if (!(ref instanceof SecretKeyRef)) invalid(`${prop}.secretEnv.${name}`, typeof ref, 'must be a SecretKeyRef, e.g. SecretKeyRef.of("my-secret", "key")');
  }
  return new EnvSet().merge(env).plain(extra, `${prop}.extraEnv`).secret(secret);
}

function nonEmpty(r: Record<string, string> | undefined): Record<string, string> | undefined {
  return r && Object.keys(r).length ? { ...r } : undefined;
}

/** An HTTP GET probe on a named port. */
export function httpProbe(path: string, port: string, o: { period?: number; timeout?: number; failures?: number; initialDelay?: number } = {}): k8s.Probe {
  return {
    httpGet: { path, port: k8s.IntOrString.fromString(port) },
    periodSeconds: o.period ?? 10,
    timeoutSeconds: o.timeout ?? 5,
    failureThreshold: o.failures ?? 3,
    initialDelaySeconds: o.initialDelay,
  };
}

/** A TCP probe on a named port. */
export function tcpProbe(port: string, o: { period?: number; timeout?: number; failures?: number } = {}): k8s.Probe {
  return {
    tcpSocket: { port: k8s.IntOrString.fromString(port) },
    periodSeconds: o.period ?? 10,
    timeoutSeconds: o.timeout ?? 5,
    failureThreshold: o.failures ?? 3,
  };
}

/** An exec probe. */
export function execProbe(command: string[], o: { period?: number; timeout?: number; failures?: number; initialDelay?: number } = {}): k8s.Probe {
  return {
    exec: { command },
    periodSeconds: o.period ?? 10,
    timeoutSeconds: o.timeout ?? 5,
    failureThreshold: o.failures ?? 3,
    initialDelaySeconds: o.initialDelay,
  };
}

/** A startup probe that tolerates `seconds` of boot time. */
export function startupFor(probe: k8s.Probe, seconds: number): k8s.Probe {
  const period = 10;
  return { ...probe, periodSeconds: period, failureThreshold: Math.ceil(seconds / period), initialDelaySeconds: undefined };
}

/** An emptyDir volume, memory-capped. */
export function emptyDir(name: string, sizeLimit = '256Mi'): k8s.Volume {
  return { name, emptyDir: { sizeLimit: k8s.Quantity.fromString(sizeLimit) } };
}
