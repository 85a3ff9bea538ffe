import { Construct } from 'constructs';
import { DifyBackendConfig } from '../config/backend';
import { Connections, IConnectable, NetworkPeer } from '../core/connections';
import { ComponentResources } from '../core/resources';
import { DifyComponentProps, DifyWorkload, execProbe, startupFor } from '../core/workload';
import { DEFAULT_IMAGES } from '../versions';
import { apiImageProfile, backendPod, migrationGate } from './backend-pod';

/** Props of {@link DifyWorker}. */
export interface DifyWorkerProps extends DifyComponentProps {
  /** @default - {@link DEFAULT_IMAGES}.api */
  readonly image?: string;
  readonly config: DifyBackendConfig;
}

/** The Celery worker (MODE=worker): dataset indexing, workflows, mail and the other queues. */
export class DifyWorker extends Construct implements IConnectable {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '2Gi' };

  public readonly workload: DifyWorkload;

  constructor(scope: Construct, id: string, props: DifyWorkerProps) {
    super(scope, id);
    const pod = backendPod(props.instance, props.config);
    // Upstream's compose healthcheck: the worker answers a broker ping.
    const ping = execProbe(['celery', '-A', 'celery_healthcheck.celery', 'inspect', 'ping'], { period: 60, timeout: 30, failures: 3 });
    this.workload = new DifyWorkload(this, 'Resource', {
      ...props,
      component: 'worker',
      image: props.image ?? DEFAULT_IMAGES.api,
      kind: 'Deployment',
      env: props.config.env('worker'),
      probes: { readiness: ping, liveness: ping, startup: startupFor(ping, 300) },
      resources: DifyWorker.DEFAULT_RESOURCES,
      security: apiImageProfile(true),
      volumes: pod.volumes,
      volumeMounts: pod.mounts,
      initContainers: [migrationGate()],
      affinity: pod.affinity,
      podLabels: pod.podLabels,
      terminationGracePeriodSeconds: 60,
    });
    for (const target of props.config.targets('worker')) this.connections.allowTo(target);
    this.connections.allowTo(NetworkPeer.internet());
  }

  public get connections(): Connections {
    return this.workload.connections;
  }
}
