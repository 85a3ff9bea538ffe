import { Construct } from 'constructs';
import { DifyBackendConfig } from '../config/backend';
import { Connections, IConnectable, NetworkPeer } from '../core/connections';
import { ComponentResources } from '../core/resources';
import { ExternalScaling } from '../core/availability';
import { DifyComponentProps, DifyWorkload, execProbe, startupFor } from '../core/workload';
import { DIFY_CELERY_QUEUES, validateQueueName } from '../autoscaling/celery-queues';
import { invalid, validateDnsLabel } from '../core/validation';
import { DEFAULT_IMAGES } from '../versions';
import { backendPod } from './backend-pod';
import { guardProps } from '../core/guard';
import { expectMigration } from './migration';

/** The worker's probe: a broker ping answered only by this pod's Celery node. */
export const WORKER_PING = 'exec celery -A celery_healthcheck.celery inspect ping -d "celery@${HOSTNAME}"';

/** Props of {@link DifyWorker}. */
export interface DifyWorkerProps extends DifyComponentProps {
  /** @default - {@link DEFAULT_IMAGES}.api */
  readonly image?: string;
  readonly config: DifyBackendConfig;
  /** A pool of workers: component `worker-<pool>`, consuming only `queues`. @default - one worker for every queue */
  readonly pool?: { readonly name: string; readonly queues: readonly string[] };
  /** Replicas owned by a queue-depth autoscaler (KEDA); the Deployment leaves them out. @default - replicas from options */
  readonly externalScaling?: ExternalScaling;
}

/** The Celery worker (MODE=worker): dataset indexing, workflows, mail and the other queues. */
export class DifyWorker extends Construct implements IConnectable {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '2Gi' };

  public readonly workload: DifyWorkload;
  /** The Celery queues these workers consume. */
  public readonly queues: readonly string[];

  constructor(scope: Construct, id: string, props: DifyWorkerProps) {
    super(scope, id);
    guardProps('DifyWorkerProps', props);
    // Upstream's compose healthcheck, addressed to this pod's own worker: the entrypoint starts Celery without -n,
    // so its node name is celery@<hostname>, and the pod's hostname is its name ($HOSTNAME). Without -d any worker
    // of the broker answers and a hung pod stays alive.
    const ping = execProbe(['/bin/sh', '-c', WORKER_PING], { period: 60, timeout: 30, failures: 3 });
    const env = props.config.env('worker', this);
    if (props.pool) {
      // The pool as the user wrote it: `workerPools[i]` through the facade or DifyWorkerPools, `pool` by hand.
      const pool = props.optionsPath?.match(/^(workerPools\[\d+\])\.options$/)?.[1] ?? 'pool';
      validateDnsLabel(`${pool}.name`, props.pool.name, 30);
      if (!props.pool.queues.length) invalid(`${pool}.queues`, props.pool.queues, 'must list at least one queue');
      props.pool.queues.forEach((q, i) => validateQueueName(`${pool}.queues[${i}]`, q));
      env.plain({ CELERY_QUEUES: props.pool.queues.join(',') }, pool);
    }
    this.queues = props.pool ? [...props.pool.queues] : [...DIFY_CELERY_QUEUES];
    this.workload = new DifyWorkload(this, 'Resource', {
      ...props,
      component: props.pool ? `worker-${props.pool.name}` : 'worker',
      image: props.image ?? DEFAULT_IMAGES.api,
      kind: 'Deployment',
      env,
      probes: { readiness: ping, liveness: ping, startup: startupFor(ping, 300) },
      resources: DifyWorker.DEFAULT_RESOURCES,
      ...backendPod(props.instance, props.config),
      terminationGracePeriodSeconds: 60,
    });
    for (const target of props.config.targets('worker')) this.connections.allowTo(target);
    expectMigration(this);
    this.connections.allowTo(NetworkPeer.internet());
  }

  public get connections(): Connections {
    return this.workload.connections;
  }
}
