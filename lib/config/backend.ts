import { IConstruct } from 'constructs';
import { IConnectable } from '../core/connections';
import { EnvSet } from '../core/env';
import { SecretKeyRef } from '../core/secret-ref';
import { PostgresConnection, RedisConnectionLike, ServiceEndpoint, databaseBackendEnv, httpUrl, redisBackendEnv } from './connections';
import { ANYWHERE, ExternalNetworks, reachOf } from './reach';
import { DifySettings } from './settings';
import { DifyFileStorage } from '../stores/file-storage';
import { invalid } from '../core/validation';
import { DifyStorage } from './storage';
import { DifyUrls } from './urls';
import { BackendMode, DifyBackendFeatures, backendFeatureEnv, storageTargets } from './backend-features';
import { RuntimeNeed } from '../runtime/contract';
import { contractOf } from '../runtime/contracts';
import { VectorStore } from './vector-store';

/** Credentials the api image (api, worker, beat, migration) reads. */
export interface DifyAppCredentials {
  /** SECRET_KEY: signs sessions; one value for api and worker. */
  readonly secretKey: SecretKeyRef;
  /** CODE_EXECUTION_API_KEY: equals the sandbox's API_KEY. */
  readonly sandboxApiKey: SecretKeyRef;
  /** PLUGIN_DAEMON_KEY: equals the plugin daemon's SERVER_KEY. */
  readonly pluginDaemonKey: SecretKeyRef;
  /** INNER_API_KEY_FOR_PLUGIN: equals the plugin daemon's DIFY_INNER_API_KEY. */
  readonly pluginInnerApiKey: SecretKeyRef;
}

/** Everything api, worker, beat and the migration Job are configured from. */
export interface DifyBackendConfigProps {
  readonly urls: DifyUrls;
  /** The embedded store, {@link DifyDatabase.external} or any {@link PostgresConnection} (DB_*). */
  readonly database: PostgresConnection;
  /** The embedded store or an {@link ExternalRedis} (REDIS_*, CELERY_*). */
  readonly redis: RedisConnectionLike;
  /** File storage: a {@link DifyFileStorage} (creates the claim a volume needs), or object storage given directly. */
  readonly storage: DifyFileStorage | DifyStorage;
  readonly vectorStore: VectorStore;
  readonly credentials: DifyAppCredentials;
  /** The code sandbox. */
  readonly sandbox: ServiceEndpoint & IConnectable;
  /** The plugin daemon. */
  readonly pluginDaemon: ServiceEndpoint & IConnectable;
  /** The SSRF proxy. */
  readonly ssrfProxy: ServiceEndpoint & IConnectable;
  readonly settings: DifySettings;
  /** Where external services given by host name live, by port. @default - any address on their ports */
  readonly externalNetworks?: ExternalNetworks;
  /** Collaboration websocket, agent backend and plugin remote debugging (lib/config/backend-features.ts). @default - none */
  readonly features?: DifyBackendFeatures;
}

/**
 * Renders the environment of each api-image role with upstream's variable
 * names. Each role gets only what it needs: beat and the migration Job do not
 * receive the sandbox or plugin daemon keys.
 */
export class DifyBackendConfig {
  constructor(public readonly props: DifyBackendConfigProps) {
    const st = props.storage;
    if (st instanceof DifyStorage && st.volume) {
      invalid(
        'config.storage',
        st.storageType,
        "is a volume whose claim nothing would create: pass new DifyFileStorage(scope, 'Storage', { instance, storage }) instead",
      );
    }
  }

  /** The claim api and worker mount, when file storage is a volume. */
  public get storageClaimName(): string | undefined {
    return this.props.storage instanceof DifyFileStorage ? this.props.storage.claimName : undefined;
  }

  /** Whether that claim is ReadWriteOnce (pins its pods to one node). */
  public get storageReadWriteOnce(): boolean {
    return this.props.storage instanceof DifyFileStorage && this.props.storage.readWriteOnce;
  }

  /**
   * What a role connects to, from its runtime contract (lib/runtime): the
   * database, Redis and file storage for every role (the app factory opens all
   * three at start), and for api and worker the vector store, sandbox, plugin
   * daemon, SSRF proxy and agent backend. Embedded stores are reached as
   * themselves; external services on the ports their settings name. The
   * collector is wired by the installation (it may be pods of another
   * namespace), the internet by the serving components themselves.
   */
  public targets(mode: BackendMode): IConnectable[] {
    const p = this.props;
    const nets = p.externalNetworks ?? ANYWHERE;
    const resolve: Partial<Record<RuntimeNeed, () => IConnectable[]>> = {
      database: () => reachOf(p.database, databaseBackendEnv(p.database), nets),
      redis: () => reachOf(p.redis, redisBackendEnv(p.redis), nets),
      'file-storage': () => storageTargets(p),
      'vector-store': () => reachOf(p.vectorStore, p.vectorStore.env(), nets),
      sandbox: () => [p.sandbox],
      'plugin-daemon': () => [p.pluginDaemon],
      'ssrf-proxy': () => [p.ssrfProxy],
      'agent-backend': () => (p.features?.agentBackend ? [p.features.agentBackend.endpoint] : []),
    };
    return contractOf(mode)!.connects.flatMap((c) => resolve[c.to]?.() ?? []);
  }

  /**
   * Variables `mode` reads without connecting to what they name: the vector
   * store's settings, which every api-image role receives but only api and
   * worker use. The wiring check skips them.
   */
  public unconnectedSettings(mode: BackendMode): string[] {
    return mode === 'api' || mode === 'worker' ? [] : Object.keys(this.props.vectorStore.env().plainData());
  }

  /**
   * The environment of one role; `client`, the role's construct, decides how
   * endpoints in another namespace (a sandbox namespace) are addressed.
   */
  public env(mode: BackendMode, client?: IConstruct): EnvSet {
    const p = this.props;
    const env = new EnvSet()
      .plain(
        {
          // The websocket is the api process with another gunicorn worker class.
          MODE: mode === 'api-websocket' ? 'api' : mode,
          MIGRATION_ENABLED: mode === 'migration' ? 'true' : 'false',
          PYTHONDONTWRITEBYTECODE: '1',
          ...p.urls.backendEnv(),
        },
        'backend',
      )
      // The locale the api image is built and tested with (its entrypoint's fallback is en_US.UTF-8).
      .defaults({ LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', PYTHONIOENCODING: 'utf-8' }, 'backend')
      .secret({ SECRET_KEY: p.credentials.secretKey })
      .merge(databaseBackendEnv(p.database))
      .merge(redisBackendEnv(p.redis))
      .merge(p.storage.env())
      .merge(p.vectorStore.env())
      .merge(p.settings.backendEnv());

    if (mode === 'api' || mode === 'worker') {
      env
        .plain(
          {
            CODE_EXECUTION_ENDPOINT: httpUrl(p.sandbox, client),
            PLUGIN_DAEMON_URL: httpUrl(p.pluginDaemon, client),
            PLUGIN_DAEMON_TIMEOUT: '600.0',
            SSRF_PROXY_HTTP_URL: httpUrl(p.ssrfProxy, client),
            SSRF_PROXY_HTTPS_URL: httpUrl(p.ssrfProxy, client),
            ENABLE_COLLABORATION_MODE: 'false',
          },
          'backend',
        )
        .secret({
          CODE_EXECUTION_API_KEY: p.credentials.sandboxApiKey,
          PLUGIN_DAEMON_KEY: p.credentials.pluginDaemonKey,
          INNER_API_KEY_FOR_PLUGIN: p.credentials.pluginInnerApiKey,
        });
    }
    if (mode === 'api') {
      env
        .plain({ DIFY_PORT: 5001, PLUGIN_REMOTE_INSTALL_HOST: p.pluginDaemon.host, PLUGIN_REMOTE_INSTALL_PORT: 5003 }, 'backend')
        .defaults({ DIFY_BIND_ADDRESS: '0.0.0.0' }, 'backend');
    }
    env.merge(p.settings.processEnv(mode === 'api-websocket' ? 'apiWebsocket' : mode));
    env.merge(backendFeatureEnv(mode, p.features ?? {}));
    return p.settings.applyExtraEnv(env, 'extraEnv', mode === 'api-websocket' ? 'apiWebsocket' : mode);
  }
}
