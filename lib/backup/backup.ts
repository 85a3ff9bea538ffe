import { k8s } from '../core/k8s';
import { guardApp } from '../core/collisions';
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
import { DIFY_API_UID, storageAffinityTerm } from '../components/backend-pod';
import { DifyPluginDaemon } from '../components/plugin-daemon';
import { DifyFileStorage } from '../stores/file-storage';
import { ANYWHERE, ExternalNetworks, reachOf } from '../config/reach';
import { EnvSet } from '../core/env';

/** Where backups go: claims of their own ({@link DifyBackupVolume}) or an S3-compatible bucket. */
export abstract class BackupTarget {
  /**
   * Claims of their own (ReadWriteOnce), one per backup set. They outlive the
   * workloads only where they are placed outside the workloads' kustomization
   * (`DifyBackupProps.targetScope`), and they die with their namespace: the
   * off-cluster copy is {@link BackupTarget.s3}.
   */
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

/** Where a backup pod mounts a data claim it archives (and a restore pod unpacks into). */
const DATA_MOUNT = '/data';
/** Stamp of a backup set, UTC: `20261122T031700Z`. */
const STAMP = /^\d{8}T\d{6}Z$/;
/** A Job that cannot schedule (its claim's node gone, the workloads it follows scaled to zero) fails after this. */
const ACTIVE_DEADLINE_SECONDS = 3 * 3600;

/** One file archive of a backup set: a data claim, tarred whole (minus caches). */
export interface BackupArchive {
  /** File name prefix: `<name>-<stamp>.tar.gz`. */
  readonly name: 'storage' | 'plugin-storage';
  readonly claimName: string;
  /** Paths (relative to the claim's root) left out: caches only. */
  readonly exclude: readonly string[];
}

/**
 * A backup set: what one pod saves together, in this order, under one stamp:
 * databases first, then files, so every row of a dump finds its files (the
 * files only grow between the two; see README "Backups and restore").
 */
export interface BackupSet {
  /** `<instance>-backup` or `<instance>-backup-plugins`. */
  readonly name: string;
  /** Databases dumped (custom format): `<db>-<stamp>.dump`. */
  readonly databases: readonly string[];
  readonly archives: readonly BackupArchive[];
  /** The pods the backup pod must share a node with, because they mount the same ReadWriteOnce claim. */
  readonly affinity?: k8s.PodAffinityTerm;
}

/** Props of {@link DifyBackupVolume}. */
export interface DifyBackupVolumeProps {
  readonly instance: string;
  /** The backup sets, one claim each (named after the set). */
  readonly sets: readonly string[];
  readonly size: string;
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
}

/**
 * The claims {@link BackupTarget.volume} backups are written to, one per
 * backup set. A construct of its own so it can be placed in a chart (and
 * kustomization) the workloads are not in: `kubectl delete -k` or a GitOps
 * prune of the workloads then leaves it. It still dies with its namespace.
 */
export class DifyBackupVolume extends Construct {
  public readonly claims: k8s.KubePersistentVolumeClaim[];

  constructor(scope: Construct, id: string, props: DifyBackupVolumeProps) {
    super(scope, id);
    guardApp(this);
    const labels = metadataLabels({ instance: props.instance, component: 'backup' });
    this.claims = props.sets.map(
      (name) =>
        new k8s.KubePersistentVolumeClaim(this, name, {
          metadata: { name, labels, annotations: keepAnnotations() },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: props.storageClassName,
            resources: { requests: { storage: k8s.Quantity.fromString(props.size) } },
          },
        }),
    );
  }
}

/** Props of {@link DifyBackup}. */
export interface DifyBackupProps {
  readonly instance: string;
  /** The PostgreSQL image (its pg_dump matches the server; its tar packs the files). */
  readonly image: string;
  /** Image with the AWS CLI, for S3 targets. @default "amazon/aws-cli:2.17.0" */
  readonly awsCliImage?: string;
  /** The embedded PostgreSQL: `dify` and `dify_plugin` are dumped. @default - no database dumps (a managed database has its own backups) */
  readonly database?: PostgresConnection;
  /** File storage on a claim (`privkeys/` included): archived whole. @default - no file archive */
  readonly fileStorage?: DifyFileStorage;
  /** A plugin daemon with `PluginStorage.local()`: its claim is archived (minus the uv cache). @default - no plugin archive */
  readonly pluginDaemon?: DifyPluginDaemon;
  readonly target: BackupTarget;
  /**
   * Where a {@link BackupTarget.volume} target's claims are created: a chart
   * kept out of the workloads' kustomization keeps them through `delete -k`
   * and prune. @default - beside the CronJobs
   */
  readonly targetScope?: Construct;
  /** Cron schedule. @default "17 3 * * *" */
  readonly schedule?: string;
  /** Days backups are kept. @default 14 */
  readonly retentionDays?: number;
  /** @default [] */
  readonly imagePullSecrets?: readonly string[];
  /** Annotations on the backup ServiceAccount, e.g. an IRSA role for S3 uploads. @default {} */
  readonly serviceAccountAnnotations?: Record<string, string>;
  /** Where an S3 `endpoint` is reached (its port at these networks). @default ExternalNetworks.anywhere() */
  readonly externalNetworks?: ExternalNetworks;
}

/** @deprecated Use {@link DifyBackupProps}: `database` is now optional and files can be backed up too. */
export type DifyPostgresBackupProps = DifyBackupProps;

/** The shell lines that pick the newest complete set at or before `$at` from a listing of file names on stdin of `list`. */
function pickSet(set: BackupSet, list: string, where: string): string[] {
  const files = setFiles(set, '${stamp}');
  const [first, ...rest] = files;
  const pattern = `${first.replace('${stamp}', '\\([0-9]\\{8\\}T[0-9]\\{6\\}Z\\)').replace(/\./g, '\\.')}`;
  return [
    'pick=',
    `for stamp in $(${list} | sed -n 's/^${pattern}$/\\1/p' | sort -r); do`,
    '  if [ "$at" != latest ] && [ "$stamp" \\> "$at" ]; then continue; fi',
    ...rest.map((f) => `  [ -n "$(${list} | grep -Fx "${f}")" ] || continue`),
    '  pick=$stamp; break',
    'done',
    `if [ -z "$pick" ]; then echo "no complete backup set (${setFiles(set, '<stamp>').join(', ')}) at or before $at in ${where}" >&2; exit 1; fi`,
  ];
}

/** The files of one set, for a stamp (a literal or a shell expansion). */
function setFiles(set: BackupSet, stamp: string): string[] {
  return [...set.databases.map((d) => `${d}-${stamp}.dump`), ...set.archives.map((a) => `${a.name}-${stamp}.tar.gz`)];
}

/**
 * Scheduled, restorable backups of an installation's embedded data, with
 * retention, to S3 or to claims of their own:
 *
 * - `dify` and `dify_plugin` (pg_dump custom format), then the file storage
 *   claim (`privkeys/<tenant>/private.pem` included: without it the provider
 *   credentials in the database cannot be decrypted), in one set; the pod
 *   follows the pods mounting that ReadWriteOnce claim to their node.
 * - With `PluginStorage.local()`: `dify_plugin`, then the plugin daemon's
 *   claim, in a second set (`<instance>-backup-plugins`) whose pod follows the
 *   daemon, because the two claims may be on different nodes.
 *
 * Restore with {@link DifyRestore}.
 */
export class DifyBackup extends Construct implements IConnectable {
  /** One CronJob per backup set. */
  public readonly cronJobs: k8s.KubeCronJob[];
  /** The backup sets, in CronJob order. */
  public readonly sets: readonly BackupSet[];
  /** The Jobs' flows: the database, and the S3 endpoint (AWS: the internet on 443). Restore pods run under them too. */
  public readonly connections: Connections;
  public readonly retentionDays: number;
  public readonly target: BackupTarget;
  /** The claims of a volume target. */
  public readonly volume?: DifyBackupVolume;
  /** ServiceAccount of backup and restore pods (its annotations carry the S3 identity). */
  public readonly serviceAccountName: string;
  /** @internal */
  public readonly _pod: { image: string; awsCliImage: string; database?: PostgresConnection; imagePullSecrets?: readonly string[]; instance: string };

  constructor(scope: Construct, id: string, props: DifyBackupProps) {
    super(scope, id);
    guardProps('DifyBackupProps', props, 'backup');
    validateImage('backup.image', props.image);
    const schedule = props.schedule ?? '17 3 * * *';
    validateCronSchedule('backup.schedule', schedule);
    this.retentionDays = validateInt('backup.retentionDays', props.retentionDays ?? 14, 1, 3650);
    this.target = props.target;
    const awsCliImage = props.awsCliImage ?? 'amazon/aws-cli:2.17.0';
    if (props.target.kind === 's3') validateImage('backup.awsCliImage', awsCliImage);
    const { instance } = props;
    const db = props.database;
    const storageClaim = props.fileStorage?.claimName;
    const plugins = props.pluginDaemon && props.pluginDaemon.storage.storageType === 'local' ? props.pluginDaemon : undefined;
    if (!db && !storageClaim && !plugins) {
      invalid('backup', 'enabled', 'has nothing to back up: no embedded PostgreSQL, no file storage claim and no local plugin storage');
    }
    const name = `${instance}-backup`;
    const sets: BackupSet[] = [];
    if (db || storageClaim) {
      sets.push({
        name,
        databases: db ? (plugins ? [db.database] : [db.database, db.pluginDatabase]) : [],
        archives: storageClaim ? [{ name: 'storage', claimName: storageClaim, exclude: [] }] : [],
        affinity: storageClaim ? storageAffinityTerm(instance, storageClaim) : undefined,
      });
    }
    if (plugins) {
      sets.push({
        name: `${name}-plugins`,
        databases: db ? [db.pluginDatabase] : [],
        // UV_CACHE_DIR of the daemon: a download cache.
        archives: [{ name: 'plugin-storage', claimName: plugins.storageClaimName, exclude: ['.uv-cache'] }],
        affinity: { labelSelector: { matchLabels: plugins.connections.pods!.selector }, topologyKey: 'kubernetes.io/hostname' },
      });
    }
    this.sets = sets;
    this.serviceAccountName = name;
    this._pod = { image: props.image, awsCliImage, database: db, imagePullSecrets: props.imagePullSecrets, instance };
    if (props.target.kind === 'volume') {
      const v = props.target.volume!;
      this.volume = new DifyBackupVolume(props.targetScope ?? this, props.targetScope ? `${instance}-backup-volume` : 'Volume', {
        instance,
        sets: sets.map((s) => s.name),
        size: v.size,
        storageClassName: v.storageClassName,
      });
    }
    const labels = metadataLabels({ instance, component: 'backup' });
    const saAnnotations = props.serviceAccountAnnotations;
    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { name, labels, annotations: saAnnotations && Object.keys(saAnnotations).length ? { ...saAnnotations } : undefined },
      automountServiceAccountToken: false,
    });
    this.cronJobs = sets.map(
      (set, i) =>
        new k8s.KubeCronJob(this, i === 0 ? 'CronJob' : `CronJob-${set.name}`, {
          metadata: { name: set.name, labels },
          spec: {
            schedule,
            concurrencyPolicy: 'Forbid',
            successfulJobsHistoryLimit: 3,
            failedJobsHistoryLimit: 3,
            jobTemplate: { spec: { backoffLimit: 2, activeDeadlineSeconds: ACTIVE_DEADLINE_SECONDS, template: this.backupPod(set) } },
          },
        }),
    );
    this.connections = Connections.forPods(this, { instance, component: 'backup', selector: selectorLabels({ instance, component: 'backup' }) }, []);
    if (db) this.connections.allowTo(isConnectable(db) ? db : NetworkPeer.anywhere(), [db.port]);
    if (props.target.kind === 's3') {
      // An S3-compatible endpoint (MinIO in the cluster, a provider's host) on its URL's port; AWS S3 and STS on 443.
      const endpoint = props.target.s3!.endpoint;
      if (!endpoint) this.connections.allowTo(NetworkPeer.internet(), [443]);
      else for (const t of reachOf(undefined, new EnvSet().plain({ S3_ENDPOINT: endpoint }), props.externalNetworks ?? ANYWHERE)) this.connections.allowTo(t);
    }
  }

  /** The first CronJob (`<instance>-backup`). */
  public get cronJob(): k8s.KubeCronJob {
    return this.cronJobs[0];
  }

  /** The pod template of one set's backup. */
  private backupPod(set: BackupSet): k8s.PodTemplateSpec {
    const save = [
      'set -eu',
      'stamp=$(date -u +%Y%m%dT%H%M%SZ)',
      ...(set.databases.length
        ? [
            `for db in ${set.databases.join(' ')}; do`,
            '  pg_dump --format=custom --no-owner --file="/backups/${db}-${stamp}.dump" --dbname="$db"',
            '  echo "dumped ${db} to ${db}-${stamp}.dump"',
            'done',
          ]
        : []),
      ...set.archives.flatMap((a) => [
        `tar -czf "/backups/${a.name}-\${stamp}.tar.gz"${a.exclude.map((e) => ` --exclude=./${e}`).join('')} -C ${DATA_MOUNT}/${a.name} .`,
        `echo "archived ${a.name} to ${a.name}-\${stamp}.tar.gz"`,
      ]),
    ];
    const dataMounts = set.archives.map((a) => ({ name: a.name, mountPath: `${DATA_MOUNT}/${a.name}`, readOnly: true }));
    if (this.target.kind === 'volume') {
      const retention = `find /backups -maxdepth 1 -type f \\( -name '*.dump' -o -name '*.tar.gz' \\) -mtime +${this.retentionDays} -print -delete`;
      return this.pod(
        set,
        'backups',
        [],
        [this.pgContainer('backup', [...save, retention], [{ name: 'backups', mountPath: '/backups' }, ...dataMounts])],
        'backup',
      );
    }
    const { bucket, prefix, endpoint } = this.s3Location();
    const upload = [
      'set -eu',
      `aws s3 cp${endpoint} --recursive /backups "s3://${bucket}/${prefix}/"`,
      `cutoff=$(date -u -d "-${this.retentionDays} days" +%Y%m%dT%H%M%SZ)`,
      `aws s3 ls${endpoint} "s3://${bucket}/${prefix}/" | awk '{print $4}' | while read -r key; do`,
      '  stamp=$(echo "$key" | sed -n \'s/.*-\\([0-9]\\{8\\}T[0-9]\\{6\\}Z\\)\\.\\(dump\\|tar\\.gz\\)$/\\1/p\')',
      `  if [ -n "$stamp" ] && [ "$stamp" \\< "$cutoff" ]; then aws s3 rm${endpoint} "s3://${bucket}/${prefix}/$key"; fi`,
      'done',
    ];
    return this.pod(
      set,
      'scratch',
      [this.pgContainer('backup', save, [{ name: 'backups', mountPath: '/backups' }, ...dataMounts])],
      [this.awsContainer('upload', upload, true)],
      'backup',
    );
  }

  /**
   * @internal The pod of a backup or restore of one set; `backups` is where the set's files are (the claim, or
   * scratch for S3). A backup follows the pods mounting its data claims; a restore runs while they are scaled down.
   */
  public pod(
    set: BackupSet,
    backups: 'backups' | 'scratch',
    initContainers: k8s.Container[],
    containers: k8s.Container[],
    role: 'backup' | 'restore',
  ): k8s.PodTemplateSpec {
    const follow = role === 'backup';
    const { instance, imagePullSecrets } = this._pod;
    const volumes: k8s.Volume[] =
      backups === 'backups'
        ? [{ name: 'backups', persistentVolumeClaim: { claimName: set.name } }]
        : // Dumps and archives pass through here on their way to or from S3.
          [emptyDir('backups', '20Gi'), emptyDir('tmp', '64Mi')];
    volumes.push(...set.archives.map((a) => ({ name: a.name, persistentVolumeClaim: { claimName: a.claimName } })));
    return {
      metadata: { labels: metadataLabels({ instance, component: 'backup' }) },
      spec: {
        restartPolicy: follow ? 'OnFailure' : 'Never',
        serviceAccountName: this.serviceAccountName,
        automountServiceAccountToken: false,
        enableServiceLinks: false,
        securityContext: podSecurityContext(PROFILE),
        imagePullSecrets: imagePullSecrets?.length ? imagePullSecrets.map((n) => ({ name: n })) : undefined,
        // A ReadWriteOnce claim attaches to one node: follow the pods that mount it (as api and worker follow each other).
        affinity: follow && set.affinity ? { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [set.affinity] } } : undefined,
        initContainers: initContainers.length ? initContainers : undefined,
        containers,
        volumes,
      },
    };
  }

  /** @internal A container of the PostgreSQL image with the database's client environment. */
  public pgContainer(name: string, script: string[], volumeMounts: k8s.VolumeMount[], extraEnv: k8s.EnvVar[] = []): k8s.Container {
    const db = this._pod.database;
    const env: k8s.EnvVar[] = [
      ...(db
        ? [
            { name: 'PGHOST', value: db.host },
            { name: 'PGPORT', value: String(db.port) },
            { name: 'PGUSER', value: db.username },
            { name: 'PGPASSWORD', valueFrom: db.password.toEnvSource() },
          ]
        : []),
      ...extraEnv,
    ];
    return {
      name,
      image: this._pod.image,
      imagePullPolicy: 'IfNotPresent',
      command: ['/bin/sh', '-c', script.join('\n')],
      env: env.length ? env : undefined,
      resources: RESOURCES,
      securityContext: containerSecurityContext(PROFILE),
      volumeMounts,
    };
  }

  /** @internal A container of the AWS CLI image with the bucket's credentials, /backups mounted. */
  public awsContainer(name: string, script: string[], readOnly: boolean, extraEnv: k8s.EnvVar[] = []): k8s.Container {
    const s3 = this.target.s3!;
    return {
      name,
      image: this._pod.awsCliImage,
      imagePullPolicy: 'IfNotPresent',
      command: ['/bin/sh', '-c', script.join('\n')],
      env: [
        { name: 'AWS_REGION', value: s3.region },
        { name: 'HOME', value: '/tmp' },
        ...(s3.accessKeyId
          ? [
              { name: 'AWS_ACCESS_KEY_ID', valueFrom: s3.accessKeyId.toEnvSource() },
              { name: 'AWS_SECRET_ACCESS_KEY', valueFrom: s3.secretAccessKey!.toEnvSource() },
            ]
          : []),
        ...extraEnv,
      ],
      resources: RESOURCES,
      securityContext: containerSecurityContext(PROFILE),
      volumeMounts: [
        { name: 'backups', mountPath: '/backups', readOnly },
        { name: 'tmp', mountPath: '/tmp' },
      ],
    };
  }

  /** @internal Bucket, prefix and the `--endpoint-url` flag of an S3 target. */
  public s3Location(): { bucket: string; prefix: string; endpoint: string } {
    const s3 = this.target.s3!;
    return {
      bucket: s3.bucket,
      prefix: (s3.prefix ?? 'dify-backups').replace(/^\/+|\/+$/g, ''),
      endpoint: s3.endpoint ? ` --endpoint-url ${s3.endpoint}` : '',
    };
  }
}

/** @deprecated Renamed {@link DifyBackup}; it now also backs up file and plugin storage. */
export const DifyPostgresBackup = DifyBackup;
/** @deprecated Renamed {@link DifyBackup}. */
export type DifyPostgresBackup = DifyBackup;

/** Backup and restore pods run as the api image's user, so the storage claims keep their ownership (no fsGroup change). */
const PROFILE = nonRootProfile(DIFY_API_UID, { readOnlyRootFilesystem: true, fsGroup: DIFY_API_UID });
const RESOURCES = renderResources('backup.resources', { cpuRequest: '100m', cpuLimit: '1', memoryRequest: '256Mi', memoryLimit: '1Gi' });

/** Props of {@link DifyRestore}. */
export interface DifyRestoreProps {
  /** The backup to restore from: its target, sets, database, claims, ServiceAccount and network flows. */
  readonly backup: DifyBackup;
  /**
   * The newest complete set at or before this UTC stamp (`20261122T031700Z`,
   * as in the file names) is restored; rendered as the pods' `RESTORE_AT`,
   * which `kubectl set env --local` can change before the Jobs are created.
   * @default "latest"
   */
  readonly at?: string;
  /**
   * Create the Jobs suspended, so applying them restores nothing until they
   * are unsuspended (`kubectl patch job … -p '{"spec":{"suspend":false}}'`).
   * @default true
   */
  readonly suspend?: boolean;
}

/**
 * Restore Jobs, one per backup set (`<instance>-restore`,
 * `<instance>-restore-plugins`): each picks the newest complete set at or
 * before `at`, drops and recreates its databases and `pg_restore`s them, then
 * empties its data claims and unpacks the archives. Run them with the
 * workloads scaled to zero (README "Backups and restore"), then migrate.
 * The pods run as backup pods (their ServiceAccount and NetworkPolicy).
 */
export class DifyRestore extends Construct {
  public readonly jobs: k8s.KubeJob[];
  public readonly at: string;

  constructor(scope: Construct, id: string, props: DifyRestoreProps) {
    super(scope, id);
    guardProps('DifyRestoreProps', props, 'restore');
    const at = props.at ?? 'latest';
    if (at !== 'latest' && !(STAMP.test(at) && !Number.isNaN(Date.parse(`${at.slice(0, 4)}-${at.slice(4, 6)}-${at.slice(6, 8)}T00:00:00Z`))))
      invalid('restore.at', at, 'must be "latest" or a UTC stamp as in the backup file names, such as "20261122T031700Z"');
    this.at = at;
    const b = props.backup;
    const { instance } = b._pod;
    // Checked again in the pod: RESTORE_AT may have been changed after synthesis.
    const readAt = [
      'at="$RESTORE_AT"',
      'case "$at" in',
      `  latest|${'[0-9]'.repeat(8)}T${'[0-9]'.repeat(6)}Z) ;;`,
      '  *) echo "RESTORE_AT must be latest or a UTC stamp such as 20261122T031700Z, not \\"$at\\"" >&2; exit 1 ;;',
      'esac',
    ];
    const atEnv: k8s.EnvVar = { name: 'RESTORE_AT', value: at };
    this.jobs = b.sets.map((set, i) => {
      const name = set.name.replace(/-backup(-plugins)?$/, '-restore$1');
      const restore = [
        'set -eu',
        ...readAt,
        ...pickSet(set, 'ls /backups', '/backups'),
        'echo "restoring the set of ${pick}"',
        ...(set.databases.length
          ? [
              `for db in ${set.databases.join(' ')}; do`,
              // Dropped and recreated, so objects newer than the dump (a later migration's tables) go too.
              '  dropdb --if-exists --force "$db"',
              '  createdb "$db"',
              '  pg_restore --no-owner --exit-on-error --single-transaction --dbname="$db" "/backups/${db}-${pick}.dump"',
              '  echo "restored ${db} from ${db}-${pick}.dump"',
              'done',
            ]
          : []),
        ...set.archives.flatMap((a) => [
          `find ${DATA_MOUNT}/${a.name} -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf {} +`,
          `tar -xzf "/backups/${a.name}-\${pick}.tar.gz" -C ${DATA_MOUNT}/${a.name}`,
          `echo "restored ${a.name} from ${a.name}-\${pick}.tar.gz"`,
        ]),
      ];
      const dataMounts = set.archives.map((a) => ({ name: a.name, mountPath: `${DATA_MOUNT}/${a.name}` }));
      let template: k8s.PodTemplateSpec;
      if (b.target.kind === 'volume') {
        template = b.pod(
          set,
          'backups',
          [],
          [b.pgContainer('restore', restore, [{ name: 'backups', mountPath: '/backups', readOnly: true }, ...dataMounts], [atEnv])],
          'restore',
        );
      } else {
        const { bucket, prefix, endpoint } = b.s3Location();
        const fetch = [
          'set -eu',
          ...readAt,
          `aws s3 ls${endpoint} "s3://${bucket}/${prefix}/" | awk '{print $4}' > /tmp/keys`,
          ...pickSet(set, 'cat /tmp/keys', `s3://${bucket}/${prefix}/`),
          ...setFiles(set, '${pick}').map((f) => `aws s3 cp${endpoint} "s3://${bucket}/${prefix}/${f}" "/backups/${f}"`),
        ];
        template = b.pod(
          set,
          'scratch',
          [b.awsContainer('fetch', fetch, false, [atEnv])],
          [b.pgContainer('restore', restore, [{ name: 'backups', mountPath: '/backups', readOnly: true }, ...dataMounts], [atEnv])],
          'restore',
        );
      }
      return new k8s.KubeJob(this, i === 0 ? 'Job' : `Job-${name}`, {
        metadata: { name, labels: metadataLabels({ instance, component: 'restore' }) },
        spec: { suspend: props.suspend ?? true, backoffLimit: 1, activeDeadlineSeconds: ACTIVE_DEADLINE_SECONDS, template },
      });
    });
  }
}
