import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { PostgresConnection, RedisConnectionLike, ServiceEndpoint, databasePluginDaemonEnv, httpUrl, redisPluginDaemonEnv } from '../config/connections';
import { PluginStorage } from '../config/plugin-storage';
import { ANYWHERE, ExternalNetworks, reachOf } from '../config/reach';
import { Connections, IConnectable, NetworkPeer, isConnectable } from '../core/connections';
import { EnvSet } from '../core/env';
import { ComponentResources } from '../core/resources';
import { SecretKeyRef } from '../core/secret-ref';
import { nonRootProfile } from '../core/security';
import { validateMemory } from '../core/k8s-rules';
import { invalid, validateDnsSubdomain, validatePort } from '../core/validation';
import { DifyComponentProps, DifyWorkload, emptyDir, httpProbe, startupFor } from '../core/workload';
import { DEFAULT_IMAGES } from '../versions';
import { guardProps } from '../core/guard';

/** Props of {@link DifyPluginDaemon}. */
export interface DifyPluginDaemonProps extends DifyComponentProps {
  /** @default - {@link DEFAULT_IMAGES}.pluginDaemon */
  readonly image?: string;
  /** The database server (embedded or {@link DifyDatabase.external}); the daemon uses its own database `pluginDatabase`. */
  readonly database: PostgresConnection;
  /** The embedded Redis or an {@link ExternalRedis}. */
  readonly redis: RedisConnectionLike;
  /**
   * The api (DIFY_INNER_API_URL). A {@link DifyApi} is wired as a flow; the api
   * also needs the daemon, so a composition usually passes `{ host, port }` here
   * and calls `daemon.connections.allowTo(api)` once the api exists.
   */
  readonly api: ServiceEndpoint & Partial<IConnectable>;
  /** SERVER_KEY: the Secret key api and worker send as PLUGIN_DAEMON_KEY. */
  readonly serverKey: SecretKeyRef;
  /** DIFY_INNER_API_KEY: the Secret key api and worker read as INNER_API_KEY_FOR_PLUGIN. */
  readonly innerApiKey: SecretKeyRef;
  /**
   * Plugin packages, installed plugins and assets. With an object store the
   * /app/storage volume stays: plugins still run from PLUGIN_WORKING_PATH on it.
   * @default PluginStorage.local()
   */
  readonly storage?: PluginStorage;
  /** Size of the /app/storage volume (installed plugins and their environments). @default "10Gi" */
  readonly storageSize?: string;
  /** StorageClass of that volume. @default - the cluster default */
  readonly storageClassName?: string;
  /** Require marketplace signatures (FORCE_VERIFYING_SIGNATURE). @default true */
  readonly forceVerifyingSignature?: boolean;
  /** Where external services given by host name live, by port. @default - any address on their ports */
  readonly externalNetworks?: ExternalNetworks;
  /** Settings merged over the daemon's own env (`DifySettings.pluginDaemonEnv()`). @default - none */
  readonly settingsEnv?: EnvSet;
  /** Port of the remote-debugging runtime (PLUGIN_REMOTE_INSTALLING_PORT). @default 5003 */
  readonly debugPort?: number;
  /** Port of the daemon's API (SERVER_PORT); its Service, PLUGIN_DAEMON_URL, the routes and the policies follow it. @default 5002 */
  readonly port?: number;
}

/**
 * The plugin daemon (local runtime) on 5002, with the remote-debugging port
 * 5003. One replica (upstream's local runtime keeps state on its volume), as
 * a StatefulSet so /app/storage is a retained PersistentVolumeClaim.
 * Default resources: 250m/1 CPU, 512Mi/2Gi memory.
 */
export class DifyPluginDaemon extends Construct implements IConnectable {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '2Gi' };
  public static readonly PORT = 5002;
  public static readonly DEBUG_PORT = 5003;

  public readonly workload: DifyWorkload;
  public readonly host: string;
  public readonly port: number;
  /** Port of the remote-debugging runtime (PLUGIN_REMOTE_INSTALLING_PORT). */
  public readonly debugPort: number;
  /** Where plugin packages, installed plugins and assets are kept. */
  public readonly storage: PluginStorage;
  /** The /app/storage claim of the (single) pod: `storage-<instance>-plugin-daemon-0`. */
  public readonly storageClaimName: string;

  constructor(scope: Construct, id: string, props: DifyPluginDaemonProps) {
    super(scope, id);
    guardProps('DifyPluginDaemonProps', props);
    this.port = validatePort('settings.plugins.port', props.port ?? DifyPluginDaemon.PORT);
    this.debugPort = validatePort('settings.plugins.debuggingPort', props.debugPort ?? DifyPluginDaemon.DEBUG_PORT);
    if (this.debugPort === this.port)
      invalid('settings.plugins.debuggingPort', this.debugPort, `must differ from the daemon's API port ${this.port} (settings.plugins.port)`);
    const size = validateMemory('pluginDaemon.storageSize', props.storageSize ?? '10Gi');
    if (props.storageClassName !== undefined) validateDnsSubdomain('pluginDaemon.storageClassName', props.storageClassName);
    const storage = props.storage ?? PluginStorage.local();
    if (!(storage instanceof PluginStorage)) {
      invalid(
        'pluginDaemon.storage',
        typeof storage,
        'must be a PluginStorage: PluginStorage.local(), .s3(), .azureBlob(), .tencentCos(), .aliyunOss() or .volcengineTos()',
      );
    }
    // Secret env order feeds checksum/config: database and Redis first, as before.
    const databaseEnv = databasePluginDaemonEnv(props.database);
    const redisEnv = redisPluginDaemonEnv(props.redis);
    const storageEnv = storage.env('/app/storage');
    const env = new EnvSet()
      .merge(databaseEnv)
      .merge(redisEnv)
      .plain(
        {
          SERVER_PORT: this.port,
          DIFY_INNER_API_URL: httpUrl(props.api),
          PLUGIN_REMOTE_INSTALLING_PORT: this.debugPort,
          MAX_PLUGIN_PACKAGE_SIZE: 52428800,
          FORCE_VERIFYING_SIGNATURE: props.forceVerifyingSignature ?? true,
          PYTHON_ENV_INIT_TIMEOUT: 120,
          PLUGIN_MAX_EXECUTION_TIMEOUT: 600,
          PLUGIN_STDIO_BUFFER_SIZE: 1024,
          PLUGIN_STDIO_MAX_BUFFER_SIZE: 5242880,
          PPROF_ENABLED: 'false',
          // Non-root: caches and HOME live on writable volumes.
          HOME: '/tmp',
        },
        'pluginDaemon',
      )
      // The layout of the volume mounted at /app/storage (the root filesystem is read-only): another path must stay on it.
      .defaults(
        {
          PLUGIN_REMOTE_INSTALLING_HOST: '0.0.0.0',
          PLUGIN_WORKING_PATH: '/app/storage/cwd',
          PLUGIN_INSTALLED_PATH: 'plugin',
          PLUGIN_PACKAGE_CACHE_PATH: 'plugin_packages',
          PLUGIN_MEDIA_CACHE_PATH: 'assets',
          UV_CACHE_DIR: '/app/storage/.uv-cache',
        },
        'pluginDaemon',
      )
      .secret({ SERVER_KEY: props.serverKey, DIFY_INNER_API_KEY: props.innerApiKey })
      .merge(storageEnv)
      .merge(props.settingsEnv ?? new EnvSet());
    const claim: k8s.KubePersistentVolumeClaimProps = {
      metadata: { name: 'storage' },
      spec: { accessModes: ['ReadWriteOnce'], storageClassName: props.storageClassName, resources: { requests: { storage: k8s.Quantity.fromString(size) } } },
    };
    const health = httpProbe('/health/check', 'http');
    this.workload = new DifyWorkload(this, 'Resource', {
      ...props,
      component: 'plugin-daemon',
      image: props.image ?? DEFAULT_IMAGES.pluginDaemon,
      kind: 'StatefulSet',
      singleton: true,
      store: true,
      env,
      ports: [
        { name: 'http', port: this.port },
        { name: 'debug', port: this.debugPort, client: false },
      ],
      probes: { readiness: health, liveness: httpProbe('/health/check', 'http', { period: 30 }), startup: startupFor(health, 300) },
      resources: DifyPluginDaemon.DEFAULT_RESOURCES,
      security: nonRootProfile(1001, { readOnlyRootFilesystem: true, fsGroup: 1001 }),
      volumes: [emptyDir('tmp', '2Gi')],
      volumeMounts: [
        { name: 'tmp', mountPath: '/tmp' },
        { name: 'storage', mountPath: '/app/storage' },
      ],
      volumeClaimTemplates: [claim],
      terminationGracePeriodSeconds: 60,
    });
    this.host = this.workload.name;
    this.storage = storage;
    this.storageClaimName = `${claim.metadata!.name}-${this.workload.name}-0`;
    const nets = props.externalNetworks ?? ANYWHERE;
    for (const target of [...reachOf(props.database, databaseEnv, nets), ...reachOf(props.redis, redisEnv, nets), ...reachOf(storage, storageEnv, nets)]) {
      this.connections.allowTo(target);
    }
    if (isConnectable(props.api)) this.connections.allowTo(props.api);
    // Plugin installs from the marketplace and plugins' own calls to model providers.
    this.connections.allowTo(NetworkPeer.internet());
  }

  public get connections(): Connections {
    return this.workload.connections;
  }
}
