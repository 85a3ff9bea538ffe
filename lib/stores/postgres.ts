import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { PostgresConnection } from '../config/connections';
import { Connections, IConnectable } from '../core/connections';
import { EnvSet } from '../core/env';
import { metadataLabels } from '../core/labels';
import { ComponentResources } from '../core/resources';
import { SecretKeyRef } from '../core/secret-ref';
import { nonRootProfile } from '../core/security';
import { validateDnsLabel, validateSqlIdentifier } from '../core/validation';
import { DifyComponentProps, emptyDir, execProbe, startupFor } from '../core/workload';
import { DEFAULT_IMAGES } from '../versions';
import { ExporterOptions, METRICS_PORT_NAME, exporterSidecar } from './exporter';
import { DifyStatefulStore, StoreVolumeOptions } from './stateful-store';
import { guardProps } from '../core/guard';

/** Props of {@link DifyPostgres}. */
export interface DifyPostgresProps extends StoreVolumeOptions, DifyComponentProps {
  /** @default - {@link DEFAULT_IMAGES}.postgres */
  readonly image?: string;
  /** The superuser password the server is initialised with (POSTGRES_PASSWORD). */
  readonly password: SecretKeyRef;
  /** @default "postgres" */
  readonly username?: string;
  /** @default "dify" */
  readonly database?: string;
  /** The plugin daemon's database, created at initialisation. @default "dify_plugin" */
  readonly pluginDatabase?: string;
  /** max_connections. @default 200 */
  readonly maxConnections?: number;
  /** shared_buffers. @default "128MB" */
  readonly sharedBuffers?: string;
  /** Run a postgres_exporter sidecar on port 9187. @default - none */
  readonly metricsExporter?: ExporterOptions;
  /** The server command line, replacing maxConnections/sharedBuffers (`DifySettings.postgresArgs()`). @default - built from the props above */
  readonly serverArgs?: string[];
}

/**
 * Embedded PostgreSQL 15 for Dify's metadata and the plugin daemon's database.
 * Default resources: 250m/1 CPU, 512Mi/1Gi memory.
 */
export class DifyPostgres extends Construct implements PostgresConnection, IConnectable {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };
  /** UID of the `postgres` user in the alpine image. */
  public static readonly UID = 70;

  /** postgres_exporter port. */
  public static readonly METRICS_PORT = 9187;

  public readonly store: DifyStatefulStore;
  public readonly host: string;
  public readonly port = 5432;
  public readonly database: string;
  public readonly pluginDatabase: string;
  public readonly username: string;
  public readonly password: SecretKeyRef;

  constructor(scope: Construct, id: string, props: DifyPostgresProps) {
    super(scope, id);
    guardProps('DifyPostgresProps', props);
    this.username = validateDnsLabel('postgres.username', props.username ?? 'postgres').replace(/-/g, '_');
    this.database = props.database ?? 'dify';
    this.pluginDatabase = props.pluginDatabase ?? 'dify_plugin';
    validateSqlIdentifier('postgres.database', this.database);
    validateSqlIdentifier('postgres.pluginDatabase', this.pluginDatabase);
    this.password = props.password;
    const name = `${props.instance}-postgres`;
    const initSql = `CREATE DATABASE ${this.pluginDatabase};\n`;
    new k8s.KubeConfigMap(this, 'Init', {
      metadata: { name: `${name}-init`, labels: metadataLabels({ instance: props.instance, component: 'postgres' }) },
      data: { '01-plugin-database.sql': initSql },
    });
    const ready = execProbe(['/bin/sh', '-c', 'pg_isready -h 127.0.0.1 -p 5432 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'], { period: 10 });
    this.store = new DifyStatefulStore(this, 'Store', {
      ...props,
      component: 'postgres',
      image: props.image ?? DEFAULT_IMAGES.postgres,
      ports: [{ name: 'postgres', port: this.port }],
      env: new EnvSet()
        .plain({ POSTGRES_USER: this.username, POSTGRES_DB: this.database }, 'postgres')
        // A subdirectory of the volume's mount (initdb refuses a mount point holding lost+found); another must stay under it.
        .defaults({ PGDATA: '/var/lib/postgresql/data/pgdata' }, 'postgres')
        .secret({ POSTGRES_PASSWORD: props.password }),
      args: props.serverArgs ?? [
        'postgres',
        '-c',
        `max_connections=${props.maxConnections ?? 200}`,
        '-c',
        `shared_buffers=${props.sharedBuffers ?? '128MB'}`,
        '-c',
        'work_mem=4MB',
        '-c',
        'maintenance_work_mem=64MB',
        '-c',
        'effective_cache_size=4096MB',
      ],
      probes: { readiness: ready, liveness: execProbe(['/bin/sh', '-c', 'pg_isready -h 127.0.0.1 -p 5432'], { period: 30 }), startup: startupFor(ready, 300) },
      resources: DifyPostgres.DEFAULT_RESOURCES,
      security: nonRootProfile(DifyPostgres.UID, { readOnlyRootFilesystem: true, fsGroup: DifyPostgres.UID }),
      dataPath: '/var/lib/postgresql/data',
      defaultStorageSize: '10Gi',
      storageSize: props.storageSize,
      storageClassName: props.storageClassName,
      volumes: [{ name: 'init', configMap: { name: `${name}-init` } }, emptyDir('run', '16Mi'), emptyDir('tmp', '256Mi')],
      volumeMounts: [
        { name: 'init', mountPath: '/docker-entrypoint-initdb.d', readOnly: true },
        { name: 'run', mountPath: '/var/run/postgresql' },
        { name: 'tmp', mountPath: '/tmp' },
      ],
      configChecksumInputs: { init: initSql },
      ...(props.metricsExporter
        ? {
            sidecars: [
              exporterSidecar(
                'postgres.metricsExporter',
                props.metricsExporter,
                DifyPostgres.METRICS_PORT,
                [
                  { name: 'DATA_SOURCE_URI', value: `127.0.0.1:5432/${this.database}?sslmode=disable` },
                  { name: 'DATA_SOURCE_USER', value: this.username },
                ],
                { name: 'DATA_SOURCE_PASS', ref: props.password },
              ),
            ],
            sidecarPorts: [{ name: METRICS_PORT_NAME, port: DifyPostgres.METRICS_PORT }],
            metricsPort: DifyPostgres.METRICS_PORT,
          }
        : {}),
    });
    this.host = this.store.host;
  }

  public get connections(): Connections {
    return this.store.connections;
  }
}
