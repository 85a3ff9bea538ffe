import { createHash } from 'crypto';
import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { DifyBackendConfig } from '../config/backend';
import { Connections, IConnectable } from '../core/connections';
import { imageVersion, validateImage } from '../core/image';
import { metadataLabels, selectorLabels } from '../core/labels';
import { ComponentResources, renderResources, withResources } from '../core/resources';
import { containerSecurityContext, podSecurityContext } from '../core/security';
import { invalid, validateDnsSubdomain, validateInt } from '../core/validation';
import { DifyWorkload, emptyDir } from '../core/workload';
import { registerAppCheck } from '../core/collisions';
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { DEFAULT_IMAGES } from '../versions';
import { MIGRATION_GATE, apiImageProfile } from './backend-pod';
import { contractOf } from '../runtime/contracts';
import { API_WORKDIR, resolveWrites } from '../runtime/paths';
import { guardProps } from '../core/guard';
import { guardComposition } from '../core/wiring';

/** Props of {@link DifyMigration}. */
export interface DifyMigrationProps {
  readonly instance: string;
  /** The api image whose migrations run. @default - {@link DEFAULT_IMAGES}.api */
  readonly image?: string;
  readonly config: DifyBackendConfig;
  /** Retries before the Job fails (database start-up is absorbed by retries). @default 10 */
  readonly backoffLimit?: number;
  /** @default - 250m/1 CPU, 512Mi/1Gi memory */
  readonly resources?: Partial<ComponentResources>;
  /** @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** Annotations on the Job's ServiceAccount (cloud identity). @default {} */
  readonly serviceAccountAnnotations?: Record<string, string>;
}

/**
 * The database migration Job (MODE=migration runs `flask upgrade-db` and
 * exits). Its name carries a hash of the image and configuration, so every
 * rollout that changes either creates a new Job (Job templates are immutable)
 * and re-applying an unchanged stack is a no-op. Long-running pods set
 * MIGRATION_ENABLED=false and wait in their `wait-for-migrations` init
 * container until this Job has brought the schema to their image's head.
 */
export class DifyMigration extends Construct implements IConnectable {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };

  /** `metadata.name` of the Job of this rollout. */
  public readonly jobName: string;
  public readonly job: k8s.KubeJob;
  /** The Job's flows (database and Redis). */
  public readonly connections: Connections;
  /** The api image whose migrations this Job runs. */
  public readonly image: string;

  constructor(scope: Construct, id: string, props: DifyMigrationProps) {
    super(scope, id);
    guardProps('DifyMigrationProps', props);
    guardComposition(this);
    const image = props.image ?? DEFAULT_IMAGES.api;
    validateImage('migration.image', image);
    this.image = image;
    const env = props.config.env('migration', this);
    const files = env.fileVolumes();
    const data = env.plainData();
    const labels = metadataLabels({ instance: props.instance, component: 'migration', version: imageVersion(image) });
    const profile = apiImageProfile(true);
    // `flask upgrade-db` runs the app factory, which creates the fs storage root (its runtime contract): the read-only
    // root gets a scratch directory there (the Job reads and writes no files, so it needs neither the claim nor its
    // node affinity).
    const root = resolveWrites(contractOf('migration')!.writes, env, API_WORKDIR).find((w) => w.id === 'writes.storage-root')?.path;
    const scratch = root
      ? { volumes: [emptyDir('storage-scratch', '64Mi')], mounts: [{ name: 'storage-scratch', mountPath: root }] }
      : { volumes: [], mounts: [] };
    const sa = props.serviceAccountAnnotations;
    if (sa !== undefined && (typeof sa !== 'object' || sa === null || Array.isArray(sa)))
      invalid('migration.serviceAccountAnnotations', sa, 'must be a map of annotation keys to values');
    this.connections = Connections.forPods(
      this,
      { instance: props.instance, component: 'migration', selector: selectorLabels({ instance: props.instance, component: 'migration' }) },
      [],
    );

    const unconnected = new Set(props.config.unconnectedSettings('migration'));
    this.connections.reads(Object.fromEntries(Object.entries(data).filter(([n]) => !unconnected.has(n))));
    const podSpec = (name: string): k8s.PodSpec => ({
      restartPolicy: 'OnFailure',
      serviceAccountName: `${props.instance}-migration`,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: podSecurityContext(profile),
      imagePullSecrets: props.imagePullSecrets?.length
        ? props.imagePullSecrets.map((name) => ({ name: validateDnsSubdomain('imagePullSecrets', name) }))
        : undefined,
      containers: [
        {
          name: 'migrate',
          image,
          imagePullPolicy: 'IfNotPresent',
          envFrom: [{ configMapRef: { name } }],
          env: env.secretEnv(),
          resources: renderResources('migration.resources', withResources(DifyMigration.DEFAULT_RESOURCES, props.resources)),
          securityContext: containerSecurityContext(profile),
          volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }, ...scratch.mounts, ...files.mounts],
        },
      ],
      volumes: [emptyDir('tmp', '256Mi'), ...scratch.volumes, ...files.volumes],
    });
    // The name hashes everything the pod template is built from: a Job's template is immutable, so any change
    // (image, config, mounts, security) must create a new Job, and an unchanged stack re-applies as a no-op.
    const hash = createHash('sha256')
      .update(JSON.stringify({ image, data, secrets: env.secretRefs().map(String), pod: podSpec('') }))
      .digest('hex')
      .slice(0, 10);
    const name = `${props.instance}-migrate-${hash}`;
    this.jobName = name;

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name: `${props.instance}-migration`, labels, annotations: sa && Object.keys(sa).length ? { ...sa } : undefined },
      automountServiceAccountToken: false,
    });
    new k8s.KubeConfigMap(this, 'Env', { metadata: { name, labels }, data });
    this.job = new k8s.KubeJob(this, 'Job', {
      metadata: { name, labels },
      spec: { backoffLimit: validateInt('migration.backoffLimit', props.backoffLimit ?? 10, 0, 100), template: { metadata: { labels }, spec: podSpec(name) } },
    });
    for (const target of props.config.targets('migration')) this.connections.allowTo(target);
  }
}

function namespaceOf(c: IConstruct): string {
  try {
    return Chart.of(c).namespace ?? '';
  } catch {
    return '';
  }
}

/**
 * Messages for api-image workloads whose migration gate can never open: no
 * {@link DifyMigration} of their instance in their namespace, or none running
 * their image (the gate waits for that image's Alembic head). Registered by
 * every component with the gate.
 */
export function findMissingMigrations(root: IConstruct): string[] {
  const all = root.node.findAll();
  const migrations = all.filter((c): c is DifyMigration => c instanceof DifyMigration);
  const errors: string[] = [];
  for (const w of all) {
    if (!(w instanceof DifyWorkload) || !(w.podTemplate.spec?.initContainers ?? []).some((c) => c.name === MIGRATION_GATE)) continue;
    const instance = w.connections.pods!.instance;
    const ns = namespaceOf(w);
    const image = w.podTemplate.spec!.containers[0].image;
    const mine = migrations.filter((m) => m.connections.pods!.instance === instance && namespaceOf(m) === ns);
    const where = `"${instance}"${ns ? ` in namespace "${ns}"` : ''}`;
    if (mine.length === 0)
      errors.push(
        `${w.node.path} waits in its ${MIGRATION_GATE} init container until a migration brings the schema to its image's head, but no DifyMigration of instance ${where} exists, so it would wait forever: add new DifyMigration(scope, 'Migration', { instance: '${instance}', config }) beside it`,
      );
    else if (!mine.some((m) => m.image === image))
      errors.push(
        `${w.node.path} runs ${image}, but the DifyMigration of instance ${where} runs ${mine.map((m) => m.image).join(', ')}: its ${MIGRATION_GATE} init container waits for the schema head of its own image, which only a migration of that image brings; give both the same image`,
      );
  }
  return errors;
}

/** Registers {@link findMissingMigrations} for `scope`'s App (called by components with the migration gate). */
export function expectMigration(scope: IConstruct): void {
  registerAppCheck(scope, 'migration', findMissingMigrations);
}
