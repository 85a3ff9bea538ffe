import { Construct } from 'constructs';
import { DifyBackendConfig } from '../config/backend';
import { ComponentResources, withResources } from '../core/resources';
import { DifyWorkload, execProbe, startupFor } from '../core/workload';
import { STORAGE_AFFINITY_LABEL, apiImageProfile, backendVolumes, migrationGate, storageAffinity, storageClaimName } from './backend-pod';

/** Props of {@link DifyWorker}. */
export interface DifyWorkerProps {
  readonly instance: string;
  readonly image: string;
  readonly config: DifyBackendConfig;
  /** @default 1 */
  readonly replicas?: number;
  /** @default - 250m/1 CPU, 1Gi/2Gi memory */
  readonly resources?: Partial<ComponentResources>;
}

/** The Celery worker (MODE=worker): dataset indexing, workflows, mail and the other queues. */
export class DifyWorker extends Construct {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '2Gi' };

  public readonly workload: DifyWorkload;

  constructor(scope: Construct, id: string, props: DifyWorkerProps) {
    super(scope, id);
    const storage = props.config.props.storage;
    const { volumes, mounts } = backendVolumes(props.instance, storage);
    // Upstream's compose healthcheck: the worker answers a broker ping.
    const ping = execProbe(['celery', '-A', 'celery_healthcheck.celery', 'inspect', 'ping'], { period: 60, timeout: 30, failures: 3 });
    this.workload = new DifyWorkload(this, 'Resource', {
      instance: props.instance,
      component: 'worker',
      name: `${props.instance}-worker`,
      image: props.image,
      kind: 'Deployment',
      replicas: props.replicas,
      env: props.config.env('worker'),
      probes: { readiness: ping, liveness: ping, startup: startupFor(ping, 300) },
      resources: withResources(DifyWorker.DEFAULT_RESOURCES, props.resources),
      resourcesProp: 'worker.resources',
      security: apiImageProfile(true),
      volumes,
      volumeMounts: mounts,
      initContainers: [migrationGate()],
      affinity: storageAffinity(props.instance, storage),
      podLabels: storage?.volume ? { [STORAGE_AFFINITY_LABEL]: storageClaimName(props.instance) } : undefined,
      terminationGracePeriodSeconds: 60,
    });
  }
}
