import { createHash } from 'crypto';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { DifyBackendConfig } from '../config/backend';
import { imageVersion, validateImage } from '../core/image';
import { metadataLabels } from '../core/labels';
import { ComponentResources, renderResources, withResources } from '../core/resources';
import { containerSecurityContext, podSecurityContext } from '../core/security';
import { emptyDir } from '../core/workload';
import { apiImageProfile } from './backend-pod';

/** Props of {@link DifyMigration}. */
export interface DifyMigrationProps {
  readonly instance: string;
  /** The api image whose migrations run. */
  readonly image: string;
  readonly config: DifyBackendConfig;
  /** Retries before the Job fails (database start-up is absorbed by retries). @default 10 */
  readonly backoffLimit?: number;
  /** @default - 250m/1 CPU, 512Mi/1Gi memory */
  readonly resources?: Partial<ComponentResources>;
  /** @default [] */
  readonly imagePullSecrets?: string[];
}

/**
 * The database migration Job (MODE=migration runs `flask upgrade-db` and
 * exits). Its name carries a hash of the image and configuration, so every
 * rollout that changes either creates a new Job (Job templates are immutable)
 * and re-applying an unchanged stack is a no-op. Long-running pods set
 * MIGRATION_ENABLED=false and wait in their `wait-for-migrations` init
 * container until this Job has brought the schema to their image's head.
 */
export class DifyMigration extends Construct {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };

  /** `metadata.name` of the Job of this rollout. */
  public readonly jobName: string;
  public readonly job: k8s.KubeJob;

  constructor(scope: Construct, id: string, props: DifyMigrationProps) {
    super(scope, id);
    validateImage('migration.image', props.image);
    const env = props.config.env('migration');
    const data = env.plainData();
    const hash = createHash('sha256').update(JSON.stringify({ image: props.image, data, secrets: env.secretRefs().map(String) })).digest('hex').slice(0, 10);
    const name = `${props.instance}-migrate-${hash}`;
    this.jobName = name;
    const labels = metadataLabels({ instance: props.instance, component: 'migration', version: imageVersion(props.image) });
    const profile = apiImageProfile(true);

    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: `${props.instance}-migration`, labels }, automountServiceAccountToken: false });
    new k8s.KubeConfigMap(this, 'Env', { metadata: { name, labels }, data });
    this.job = new k8s.KubeJob(this, 'Job', {
      metadata: { name, labels },
      spec: {
        backoffLimit: props.backoffLimit ?? 10,
        template: {
          metadata: { labels },
          spec: {
            restartPolicy: 'OnFailure',
            serviceAccountName: `${props.instance}-migration`,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurityContext(profile),
            imagePullSecrets: props.imagePullSecrets?.map((name) => ({ name })),
            containers: [{
              name: 'migrate',
              image: props.image,
              imagePullPolicy: 'IfNotPresent',
              envFrom: [{ configMapRef: { name } }],
              env: env.secretEnv(),
              resources: renderResources('migration.resources', withResources(DifyMigration.DEFAULT_RESOURCES, props.resources)),
              securityContext: containerSecurityContext(profile),
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            }],
            volumes: [emptyDir('tmp', '256Mi')],
          },
        },
      },
    });
  }
}
