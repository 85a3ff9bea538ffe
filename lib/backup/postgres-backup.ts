import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { validateImage } from '../core/image';
import { Connections, IConnectable, NetworkPeer, isConnectable } from '../core/connections';
import { metadataLabels, selectorLabels } from '../core/labels';
import { renderResources } from '../core/resources';
import { SecretKeyRef } from '../core/secret-ref';
import { containerSecurityContext, nonRootProfile, podSecurityContext } from '../core/security';
import { validateMemory } from '../core/k8s-rules';
import { invalid, validateDnsSubdomain, validateFolder, validateInt, validateRegion, validateS3Bucket, validateUrl } from '../core/validation';
import { emptyDir } from '../core/workload';
import { keepAnnotations } from '../core/lifecycle';
import { PostgresConnection } from '../config/connections';
import { guardProps } from '../core/guard';
import { validateCronSchedule } from '../core/k8s-rules';

/** Where dumps go: a PersistentVolumeClaim or an S3 bucket. */
export abstract class BackupTarget {
  /** A claim of its own (ReadWriteOnce). */
  public static volume(options: { readonly size?: string; readonly storageClassName?: string } = {}): BackupTarget {
    const size = validateMemory('backup.volume.size', options.size ?? '20Gi');
    if (options.storageClassName !== undefined) validateDnsSubdomain('backup.volume.storageClassName', options.storageClassName);
    return new (class extends BackupTarget {
      public readonly kind = 'volume' as const;
      public readonly volume = { size, storageClassName: options.storageClassName };
    })();
  }

  /** An S3 bucket (credentials by Secret reference, or the pod's IAM role when omitted). */
  public static s3(options: S3BackupOptions): BackupTarget {
    guardProps('S3BackupOptions', options, 'backup.s3');
    validateS3Bucket('backup.s3.bucket', options.bucket);
    validateRegion('backup.s3.region', options.region, 'eu-west-1');
    // Both land in the backup shell script: only values with no shell meaning pass.
    if (options.endpoint !== undefined) validateUrl('backup.s3.endpoint', options.endpoint);
    if (options.endpoint !== undefined && /[\s'"`$\\;&|<>(){}]/.test(options.endpoint))
      invalid('backup.s3.endpoint', options.endpoint, 'must be a plain http(s) URL without spaces or shell characters');
    if (options.prefix !== undefined) validateFolder('backup.s3.prefix', options.prefix);
    if ((options.accessKeyId === undefined) !== (options.secretAccessKey === undefined)) {
      invalid('backup.s3.accessKeyId', options.accessKeyId?.toString(), 'accessKeyId and secretAccessKey must be given together (or neither, for IAM roles)');
    }
    return new (class extends BackupTarget {
      public readonly kind = 's3' as const;
      public readonly s3 = options;
    })();
  }

  public abstract readonly kind: 'volume' | 's3';
  public readonly volume?: { size: string; storageClassName?: string };
  public readonly s3?: S3BackupOptions;
}

/** Props of {@link BackupTarget.s3}. */
export interface S3BackupOptions {
  readonly bucket: string;
  /** Key prefix. @default "dify-backups" */
  readonly prefix?: string;
  readonly region: string;
  /** @default - AWS */
  readonly endpoint?: string;
  /** @default - the pod's IAM role */
  readonly accessKeyId?: SecretKeyRef;
  /** @default - the pod's IAM role */
  readonly secretAccessKey?: SecretKeyRef;
}

/** Props of {@link DifyPostgresBackup}. */
export interface DifyPostgresBackupProps {
  readonly instance: string;
  /** The PostgreSQL image (its pg_dump matches the server). */
  readonly image: string;
  /** Image with the AWS CLI, for S3 targets. @default "amazon/aws-cli:2.17.0" */
  readonly awsCliImage?: string;
  readonly database: PostgresConnection;
  readonly target: BackupTarget;
  /** Cron schedule. @default "17 3 * * *" */
  readonly schedule?: string;
  /** Days dumps are kept. @default 14 */
  readonly retentionDays?: number;
  /** @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** Annotations on the CronJob's ServiceAccount, e.g. an IRSA role for S3 uploads. @default {} */
  readonly serviceAccountAnnotations?: Record<string, string>;
}

/**
 * A CronJob that `pg_dump`s Dify's database and the plugin daemon's database
 * (custom format, restorable with `pg_restore`) to a volume or to S3, and
 * deletes dumps older than the retention.
 */
export class DifyPostgresBackup extends Construct implements IConnectable {
  public readonly cronJob: k8s.KubeCronJob;
  /** The Job's flows: the database, and the internet for S3 uploads. */
  public readonly connections: Connections;
  public readonly retentionDays: number;

  constructor(scope: Construct, id: string, props: DifyPostgresBackupProps) {
    super(scope, id);
    guardProps('DifyPostgresBackupProps', props, 'backup');
    validateImage('backup.image', props.image);
    const schedule = props.schedule ?? '17 3 * * *';
    validateCronSchedule('backup.schedule', schedule);
    this.retentionDays = validateInt('backup.retentionDays', props.retentionDays ?? 14, 1, 3650);
    const name = `${props.instance}-backup`;
    const labels = metadataLabels({ instance: props.instance, component: 'backup' });
    const db = props.database;
    const dump = [
      'set -eu',
      'stamp=$(date -u +%Y%m%dT%H%M%SZ)',
      `for db in ${db.database} ${db.pluginDatabase}; do`,
      '  pg_dump --format=custom --no-owner --file="/backups/${db}-${stamp}.dump" --dbname="$db"',
      '  echo "dumped ${db} to ${db}-${stamp}.dump"',
      'done',
    ];
    const volumes: k8s.Volume[] = [];
    const pgEnv: k8s.EnvVar[] = [
      { name: 'PGHOST', value: db.host },
      { name: 'PGPORT', value: String(db.port) },
      { name: 'PGUSER', value: db.username },
      { name: 'PGPASSWORD', valueFrom: db.password.toEnvSource() },
    ];
    const profile = nonRootProfile(70, { readOnlyRootFilesystem: true, fsGroup: 70 });
    const resources = renderResources('backup.resources', { cpuRequest: '100m', cpuLimit: '1', memoryRequest: '256Mi', memoryLimit: '1Gi' });
    let containers: k8s.Container[];
    let initContainers: k8s.Container[] | undefined;
    if (props.target.kind === 'volume') {
      const v = props.target.volume!;
      new k8s.KubePersistentVolumeClaim(this, 'Volume', {
        metadata: { name, labels, annotations: keepAnnotations() },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: v.storageClassName, resources: { requests: { storage: k8s.Quantity.fromString(v.size) } } },
      });
      volumes.push({ name: 'backups', persistentVolumeClaim: { claimName: name } });
      containers = [
        {
          name: 'pg-dump',
          image: props.image,
          imagePullPolicy: 'IfNotPresent',
          command: ['/bin/sh', '-c', [...dump, `find /backups -name '*.dump' -mtime +${this.retentionDays} -print -delete`].join('\n')],
          env: pgEnv,
          resources,
          securityContext: containerSecurityContext(profile),
          volumeMounts: [{ name: 'backups', mountPath: '/backups' }],
        },
      ];
    } else {
      const s3 = props.target.s3!;
      const cli = props.awsCliImage ?? 'amazon/aws-cli:2.17.0';
      validateImage('backup.awsCliImage', cli);
      const prefix = (s3.prefix ?? 'dify-backups').replace(/^\/+|\/+$/g, '');
      volumes.push(emptyDir('backups', '10Gi'), emptyDir('tmp', '64Mi'));
      initContainers = [
        {
          name: 'pg-dump',
          image: props.image,
          imagePullPolicy: 'IfNotPresent',
          command: ['/bin/sh', '-c', dump.join('\n')],
          env: pgEnv,
          resources,
          securityContext: containerSecurityContext(profile),
          volumeMounts: [{ name: 'backups', mountPath: '/backups' }],
        },
      ];
      const endpoint = s3.endpoint ? ` --endpoint-url ${s3.endpoint}` : '';
      const upload = [
        'set -eu',
        `aws s3 cp${endpoint} --recursive /backups "s3://${s3.bucket}/${prefix}/"`,
        `cutoff=$(date -u -d "-${this.retentionDays} days" +%Y%m%dT%H%M%SZ)`,
        `aws s3 ls${endpoint} "s3://${s3.bucket}/${prefix}/" | awk '{print $4}' | while read -r key; do`,
        '  stamp=$(echo "$key" | sed -n \'s/.*-\\([0-9]\\{8\\}T[0-9]\\{6\\}Z\\)\\.dump$/\\1/p\')',
        `  if [ -n "$stamp" ] && [ "$stamp" \\< "$cutoff" ]; then aws s3 rm${endpoint} "s3://${s3.bucket}/${prefix}/$key"; fi`,
        'done',
      ];
      containers = [
        {
          name: 'upload',
          image: cli,
          imagePullPolicy: 'IfNotPresent',
          command: ['/bin/sh', '-c', upload.join('\n')],
          env: [
            { name: 'AWS_REGION', value: s3.region },
            { name: 'HOME', value: '/tmp' },
            ...(s3.accessKeyId
              ? [
                  { name: 'AWS_ACCESS_KEY_ID', valueFrom: s3.accessKeyId.toEnvSource() },
                  { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: s3.secretAccessKey!.toEnvSource() },
                ]
              : []),
          ],
          resources,
          securityContext: containerSecurityContext(profile),
          volumeMounts: [
            { name: 'backups', mountPath: '/backups', readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ];
    }
    const saAnnotations = props.serviceAccountAnnotations;
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name, labels, annotations: saAnnotations && Object.keys(saAnnotations).length ? { ...saAnnotations } : undefined },
      automountServiceAccountToken: false,
    });
    this.cronJob = new k8s.KubeCronJob(this, 'CronJob', {
      metadata: { name, labels },
      spec: {
        schedule,
        concurrencyPolicy: 'Forbid',
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 3,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            template: {
              metadata: { labels },
              spec: {
                restartPolicy: 'OnFailure',
                serviceAccountName: name,
                automountServiceAccountToken: false,
                enableServiceLinks: false,
                securityContext: podSecurityContext(profile),
                imagePullSecrets: props.imagePullSecrets?.length ? props.imagePullSecrets.map((n) => ({ name: n })) : undefined,
                initContainers,
                containers,
                volumes,
              },
            },
          },
        },
      },
    });
    this.connections = Connections.forPods(
      this,
      { instance: props.instance, component: 'backup', selector: selectorLabels({ instance: props.instance, component: 'backup' }) },
      [],
    );
    this.connections.allowTo(isConnectable(db) ? db : NetworkPeer.anywhere(), [db.port]);
    if (props.target.kind === 's3') this.connections.allowTo(NetworkPeer.internet());
  }
}
