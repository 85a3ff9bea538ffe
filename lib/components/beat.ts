import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DifyBackendConfig } from '../config/backend';
import { ComponentResources, withResources } from '../core/resources';
import { containerSecurityContext } from '../core/security';
import { DifyWorkload, execProbe, startupFor } from '../core/workload';
import { apiImageProfile, migrationGate } from './backend-pod';

/** Props of {@link DifyBeat}. */
export interface DifyBeatProps {
  readonly instance: string;
  readonly image: string;
  readonly config: DifyBackendConfig;
  /** @default - 100m/500m CPU, 512Mi/1Gi memory */
  readonly resources?: Partial<ComponentResources>;
}

/**
 * The Celery beat scheduler (MODE=beat). Exactly one replica with the
 * Recreate strategy: two schedulers would enqueue every periodic task twice.
 */
export class DifyBeat extends Construct {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '512Mi', memoryLimit: '1Gi' };

  public readonly workload: DifyWorkload;

  constructor(scope: Construct, id: string, props: DifyBeatProps) {
    super(scope, id);
    // Beat persists its schedule (celerybeat-schedule) in its working directory
    // /app/api and rewrites it every few minutes; a stale file means a stuck loop.
    const alive = execProbe(['/bin/sh', '-c', 'test -n "$(find /app/api -maxdepth 1 -name \'celerybeat-schedule*\' -mmin -10)"'], { period: 60, timeout: 10, failures: 3 });
    const started = execProbe(['/bin/sh', '-c', 'ls /app/api/celerybeat-schedule* >/dev/null 2>&1'], { period: 10 });
    const strategy: k8s.DeploymentStrategy = { type: 'Recreate' };
    this.workload = new DifyWorkload(this, 'Resource', {
      instance: props.instance,
      component: 'beat',
      name: `${props.instance}-beat`,
      image: props.image,
      kind: 'Deployment',
      replicas: 1,
      strategy,
      env: props.config.env('beat'),
      probes: { readiness: started, liveness: alive, startup: startupFor(started, 300) },
      resources: withResources(DifyBeat.DEFAULT_RESOURCES, props.resources),
      resourcesProp: 'beat.resources',
      // The schedule file lives beside the code in /app/api, so the root
      // filesystem stays writable for beat alone.
      security: apiImageProfile(false),
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } }],
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      // The gate writes nothing but /tmp, so it keeps a read-only root even though beat cannot.
      initContainers: [{ ...migrationGate(), securityContext: containerSecurityContext(apiImageProfile(true)) }],
    });
  }
}
