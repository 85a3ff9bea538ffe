import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { DifyBackendConfig } from '../config/backend';
import { Connections, IConnectable } from '../core/connections';
import { ComponentResources } from '../core/resources';
import { containerSecurityContext } from '../core/security';
import { DifyComponentProps, DifyWorkload, execProbe, startupFor } from '../core/workload';
import { DEFAULT_IMAGES } from '../versions';
import { apiImageProfile, migrationGate } from './backend-pod';
import { guardProps } from '../core/guard';
import { expectMigration } from './migration';

/** Props of {@link DifyBeat}. */
export interface DifyBeatProps extends DifyComponentProps {
  /** @default - {@link DEFAULT_IMAGES}.api */
  readonly image?: string;
  readonly config: DifyBackendConfig;
}

/**
 * The Celery beat scheduler (MODE=beat). Exactly one replica with the
 * Recreate strategy: two schedulers would enqueue every periodic task twice.
 * Default resources: 100m/500m CPU, 512Mi/1Gi memory.
 */
export class DifyBeat extends Construct implements IConnectable {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '512Mi', memoryLimit: '1Gi' };

  public readonly workload: DifyWorkload;

  constructor(scope: Construct, id: string, props: DifyBeatProps) {
    super(scope, id);
    guardProps('DifyBeatProps', props);
    // Beat persists its schedule (celerybeat-schedule) in its working directory
    // /app/api and rewrites it every few minutes; a stale file means a stuck loop.
    const alive = execProbe(['/bin/sh', '-c', 'test -n "$(find /app/api -maxdepth 1 -name \'celerybeat-schedule*\' -mmin -10)"'], {
      period: 60,
      timeout: 10,
      failures: 3,
    });
    const started = execProbe(['/bin/sh', '-c', 'ls /app/api/celerybeat-schedule* >/dev/null 2>&1'], { period: 10 });
    const strategy: k8s.DeploymentStrategy = { type: 'Recreate' };
    this.workload = new DifyWorkload(this, 'Resource', {
      ...props,
      component: 'beat',
      image: props.image ?? DEFAULT_IMAGES.api,
      kind: 'Deployment',
      singleton: true,
      strategy,
      env: props.config.env('beat', this),
      unconnectedSettings: props.config.unconnectedSettings('beat'),
      probes: { readiness: started, liveness: alive, startup: startupFor(started, 300) },
      resources: DifyBeat.DEFAULT_RESOURCES,
      // The schedule file lives beside the code in /app/api, so the root
      // filesystem stays writable for beat alone.
      security: apiImageProfile(false),
      volumes: [{ name: 'tmp', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } }],
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      // The gate writes nothing but /tmp, so it keeps a read-only root even though beat cannot.
      initContainers: [{ ...migrationGate(), securityContext: containerSecurityContext(apiImageProfile(true)) }],
    });
    for (const target of props.config.targets('beat')) this.connections.allowTo(target);
    expectMigration(this);
  }

  public get connections(): Connections {
    return this.workload.connections;
  }
}
