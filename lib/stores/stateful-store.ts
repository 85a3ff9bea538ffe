import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { ServiceEndpoint } from '../config/connections';
import { Connections, IConnectable } from '../core/connections';
import { EnvSet } from '../core/env';
import { ComponentResources } from '../core/resources';
import { SecurityProfile } from '../core/security';
import { validateMemory } from '../core/k8s-rules';
import { validateDnsSubdomain } from '../core/validation';
import { DifyComponentProps, DifyWorkload, WorkloadPort, WorkloadProbes } from '../core/workload';

/** Storage of an embedded store's data volume. */
export interface StoreVolumeOptions {
  /** Size of the data volume. */
  readonly storageSize?: string;
  /** StorageClass of the data volume. @default - the cluster default */
  readonly storageClassName?: string;
}

/** Props of {@link DifyStatefulStore}. */
export interface DifyStatefulStoreProps extends StoreVolumeOptions, DifyComponentProps {
  /** `app.kubernetes.io/component` and the `<instance>-<component>` name, e.g. `qdrant`. */
  readonly component: string;
  readonly image: string;
  /** The port clients use (first entry) and any others. */
  readonly ports: WorkloadPort[];
  /** @default - no environment */
  readonly env?: EnvSet;
  readonly probes: WorkloadProbes;
  /** Default resources; `options.resources` is merged over them. */
  readonly resources: ComponentResources;
  readonly security: SecurityProfile;
  /** Where the data volume is mounted. */
  readonly dataPath: string;
  /** Default size when `storageSize` is not given. */
  readonly defaultStorageSize: string;
  readonly command?: string[];
  readonly args?: string[];
  /** @default [] */
  readonly volumes?: k8s.Volume[];
  /** @default [] */
  readonly volumeMounts?: k8s.VolumeMount[];
  /** @default - none */
  readonly configChecksumInputs?: Record<string, string>;
  /** Sidecars such as a metrics exporter. @default [] */
  readonly sidecars?: k8s.Container[];
  /** Ports the sidecars serve on the Service. @default [] */
  readonly sidecarPorts?: WorkloadPort[];
  /** The port Prometheus scrapes (a sidecar's or the store's own). @default - none */
  readonly metricsPort?: number;
}

/**
 * An embedded single-replica store (PostgreSQL, Redis, Weaviate): a
 * StatefulSet with a `data` volumeClaimTemplate whose claims are retained
 * when the StatefulSet is deleted or scaled, a headless Service for stable
 * pod DNS and a ClusterIP Service with a stable name. Consumers use `host`
 * and `port` instead of rebuilding DNS names, and wire to it with
 * `client.connections.allowTo(store)`.
 *
 * @example
 * const qdrant = new DifyStatefulStore(chart, 'Qdrant', {
 *   instance: 'dify', component: 'qdrant', image: 'qdrant/qdrant:v1.12.4',
 *   ports: [{ name: 'http', port: 6333 }, { name: 'grpc', port: 6334, client: false }],
 *   probes: { readiness: httpProbe('/readyz', 'http'), liveness: httpProbe('/livez', 'http') },
 *   resources: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '2Gi' },
 *   security: nonRootProfile(1000, { readOnlyRootFilesystem: true, fsGroup: 1000 }),
 *   dataPath: '/qdrant/storage', defaultStorageSize: '10Gi',
 * });
 */
export class DifyStatefulStore extends Construct implements ServiceEndpoint, IConnectable {
  /** Service host name. */
  public readonly host: string;
  /** Client port. */
  public readonly port: number;
  /** Resolved size of the data volume. */
  public readonly storageSize: string;
  public readonly workload: DifyWorkload;
  /** The port Prometheus scrapes, if any. */
  public readonly metricsPort?: number;

  constructor(scope: Construct, id: string, props: DifyStatefulStoreProps) {
    super(scope, id);
    this.metricsPort = props.metricsPort;
    this.storageSize = validateMemory(`${props.component}.storageSize`, props.storageSize ?? props.defaultStorageSize);
    if (props.storageClassName !== undefined) validateDnsSubdomain(`${props.component}.storageClassName`, props.storageClassName);
    this.workload = new DifyWorkload(this, 'Resource', {
      ...props,
      kind: 'StatefulSet',
      singleton: true,
      store: true,
      command: props.command,
      args: props.args,
      ports: props.ports,
      probes: props.probes,
      volumes: props.volumes,
      volumeMounts: [{ name: 'data', mountPath: props.dataPath }, ...(props.volumeMounts ?? [])],
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: props.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(this.storageSize) } },
          },
        },
      ],
      configChecksumInputs: props.configChecksumInputs,
      sidecars: props.sidecars,
      sidecarPorts: props.sidecarPorts,
      terminationGracePeriodSeconds: 60,
    });
    this.host = this.workload.name;
    this.port = props.ports[0].port;
  }

  public get connections(): Connections {
    return this.workload.connections;
  }
}
