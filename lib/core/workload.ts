import { createHash } from 'crypto';
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { EnvSet } from './env';
import { imageVersion, validateImage } from './image';
import { metadataLabels, selectorLabels } from './labels';
import { ComponentResources, renderResources } from './resources';
import { SecurityProfile, containerSecurityContext, podSecurityContext } from './security';
import { validateDnsLabel, validateInt } from './validation';

/** Marks a StatefulSet's headless Service, so monitors select only the client Service. */
export const HEADLESS_LABEL = 'dify.langgenius.ai/headless';

/** A named container port that the component's Service exposes. */
export interface WorkloadPort {
  readonly name: string;
  readonly port: number;
}

/** Probes of the main container. */
export interface WorkloadProbes {
  readonly readiness: k8s.Probe;
  readonly liveness: k8s.Probe;
  readonly startup?: k8s.Probe;
}

/** Everything the shared workload builder needs to render one component. */
export interface DifyWorkloadProps {
  /** `app.kubernetes.io/instance`. */
  readonly instance: string;
  /** `app.kubernetes.io/component` and the container name. */
  readonly component: string;
  /** `metadata.name` of the workload, its Service, ServiceAccount and (suffixed `-env`) ConfigMap. */
  readonly name: string;
  readonly image: string;
  readonly kind: 'Deployment' | 'StatefulSet';
  /** @default 1 */
  readonly replicas?: number;
  /** Environment: plain values go to the `<name>-env` ConfigMap, credentials to secretKeyRef env vars. */
  readonly env?: EnvSet;
  /** Env vars that need Kubernetes features (fieldRef, $(VAR) expansion). @default [] */
  readonly extraContainerEnv?: k8s.EnvVar[];
  readonly command?: string[];
  readonly args?: string[];
  /** @default - no Service */
  readonly ports?: WorkloadPort[];
  readonly probes: WorkloadProbes;
  readonly resources: ComponentResources;
  readonly resourcesProp: string;
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
}

/**
 * Shared builder behind every Dify component: a ServiceAccount, the
 * component's env ConfigMap, a Deployment or StatefulSet with hardened pods,
 * and a ClusterIP Service for its ports. Uses the `k8s` L1 classes from
 * cdk8s-plus-28 so every field (volumeClaimTemplates, PVC retention, topology
 * spread) is typed and no JSON patch is needed.
 */
export class DifyWorkload extends Construct {
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
  /** The pod template as rendered (for tests and policies). */
  public readonly podTemplate: k8s.PodTemplateSpec;
  /** Secrets the pods read credentials from. */
  public readonly secretNames: string[];
  /** The workload spec as rendered; {@link ComponentAvailability} sets replicas and rollout fields on it. */
  public readonly spec: { replicas?: number; minReadySeconds?: number; progressDeadlineSeconds?: number };
  /** The Service spec, if any. */
  public readonly serviceSpec?: { type?: string };

  constructor(scope: Construct, id: string, props: DifyWorkloadProps) {
    super(scope, id);
    this.name = validateDnsLabel(`${props.component}.name`, props.name, 52);
    validateImage(`${props.component}.image`, props.image);
    const replicas = validateInt(`${props.component}.replicas`, props.replicas ?? 1, 0, 1000);
    const version = imageVersion(props.image);
    const labelOpts = { instance: props.instance, component: props.component, version };
    const labels = metadataLabels(labelOpts);
    this.selector = selectorLabels(labelOpts);

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: this.name, labels },
      automountServiceAccountToken: props.automountServiceAccountToken ?? false,
    });

    const env = props.env ?? new EnvSet();
    const data = env.plainData();
    const envFrom: k8s.EnvFromSource[] = [];
    if (Object.keys(data).length > 0) {
      this.configMapName = `${this.name}-env`;
      new k8s.KubeConfigMap(this, 'Env', { metadata: { name: this.configMapName, labels }, data });
      envFrom.push({ configMapRef: { name: this.configMapName } });
    }
    const containerEnv = [...env.secretEnv(), ...(props.extraContainerEnv ?? [])];
    this.secretNames = [...new Set(env.secretRefs().map((r) => r.secretName))].sort();
    const checksum = createHash('sha256')
      .update(JSON.stringify({ data, secretEnv: env.secretRefs().map(String), files: props.configChecksumInputs ?? {} }))
      .digest('hex');

    const securityContext = containerSecurityContext(props.security);
    const mounts = props.volumeMounts ?? [];
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
      resources: renderResources(props.resourcesProp, props.resources),
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

    this.podTemplate = {
      metadata: { labels: { ...labels, ...props.podLabels }, annotations: { 'checksum/config': checksum } },
      spec: {
        serviceAccountName: this.name,
        automountServiceAccountToken: props.automountServiceAccountToken ?? false,
        enableServiceLinks: false,
        securityContext: podSecurityContext(props.security),
        terminationGracePeriodSeconds: props.terminationGracePeriodSeconds ?? 30,
        affinity: props.affinity,
        initContainers: initContainers.length ? initContainers : undefined,
        containers: [main, ...(props.sidecars ?? [])],
        volumes: props.volumes?.length ? props.volumes : undefined,
      },
    };

    if (props.kind === 'Deployment') {
      const spec: k8s.DeploymentSpec = {
          replicas,
          revisionHistoryLimit: 5,
          selector: { matchLabels: this.selector },
          strategy: props.strategy ?? { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
          template: this.podTemplate,
      };
      this.spec = spec as DifyWorkload['spec'];
      this.workload = new k8s.KubeDeployment(this, 'Deployment', { metadata: { name: this.name, labels }, spec });
    } else {
      const spec: k8s.StatefulSetSpec = {
          replicas,
          revisionHistoryLimit: 5,
          serviceName: `${this.name}-headless`,
          podManagementPolicy: 'OrderedReady',
          selector: { matchLabels: this.selector },
          updateStrategy: { type: 'RollingUpdate' },
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          template: this.podTemplate,
          volumeClaimTemplates: props.volumeClaimTemplates?.map((t) => ({
            metadata: { ...t.metadata, labels },
            spec: t.spec,
          })),
      };
      this.spec = spec as DifyWorkload['spec'];
      this.workload = new k8s.KubeStatefulSet(this, 'StatefulSet', { metadata: { name: this.name, labels }, spec });
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

    const servicePorts = [...(props.ports ?? []), ...(props.sidecarPorts ?? [])];
    if (servicePorts.length) {
      const serviceSpec: k8s.ServiceSpec = {
        type: 'ClusterIP',
        selector: this.selector,
        ports: servicePorts.map((p) => ({ name: p.name, port: p.port, targetPort: k8s.IntOrString.fromString(p.name), protocol: 'TCP' })),
      };
      this.serviceSpec = serviceSpec as { type?: string };
      this.service = new k8s.KubeService(this, 'Service', { metadata: { name: this.name, labels }, spec: serviceSpec });
    }
  }
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

/** Adds annotations to a pod template (e.g. credential versions). */
export function addPodAnnotations(template: k8s.PodTemplateSpec, annotations: Record<string, string>): void {
  const meta = template.metadata as { annotations?: Record<string, string> };
  meta.annotations = { ...meta.annotations, ...annotations };
}

/** Adds imagePullSecrets to a pod template. */
export function addImagePullSecrets(template: k8s.PodTemplateSpec, names: string[]): void {
  if (!names.length) return;
  const spec = template.spec as { imagePullSecrets?: k8s.LocalObjectReference[] };
  spec.imagePullSecrets = [...(spec.imagePullSecrets ?? []), ...names.map((name) => ({ name }))];
}

