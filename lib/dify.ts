import { Construct } from 'constructs';
import { DifyWorkerPools } from './autoscaling/worker-pools';
import { DifyPostgresBackup } from './backup/postgres-backup';
import { DifyAgentBackend, DifyAgentOptions } from './components/agent-backend';
import { DifyApi } from './components/api';
import { DifyApiWebsocket } from './components/api-websocket';
import { DifyLocalSandbox } from './components/local-sandbox';
import { DifyBeat } from './components/beat';
import { DifyMigration } from './components/migration';
import { DifyPluginDaemon } from './components/plugin-daemon';
import { DifySandbox } from './components/sandbox';
import { DifySsrfProxy } from './components/ssrf-proxy';
import { DifyWeb } from './components/web';
import { DifyWorker } from './components/worker';
import { DifyBackendConfig } from './config/backend';
import { PostgresConnection, RedisConnectionLike } from './config/connections';
import { reachOf } from './config/reach';
import { DifyUrls } from './config/urls';
import { VectorStore } from './config/vector-store';
import { SYNC_WAVES, skipDryRunOnCustomResources, syncWave } from './core/argo';
import { guardCollisions } from './core/collisions';
import { IConnectable, NetworkPeer } from './core/connections';
import { EnvSet } from './core/env';
import { invalid } from './core/validation';
import { DifyComponentProps } from './core/workload';
import { DifyComponents, DifyProps } from './dify-props';
import { resolveInstallation } from './dify-resolve';
import { DifyHttpRoute } from './networking/http-route';
import { guardProps } from './core/guard';
import { DifyIngress } from './networking/ingress';
import { DifyNetworkPolicy } from './networking/network-policy';
import { DifyNginxProxy } from './networking/nginx-proxy';
import { DifyPluginDebugService } from './networking/plugin-debug';
import { renderAgentSquidConfig } from './networking/squid-config';
import { DifyMonitoring } from './observability/monitoring';
import { DifyCredentials, requiredCredentials } from './secrets/credentials';
import { BoundSecrets, DifySecrets } from './secrets/secrets';
import { DifyFileStorage } from './stores/file-storage';
import { DifyPostgres } from './stores/postgres';
import { DifyRedis } from './stores/redis';
import { DifyWeaviate } from './stores/weaviate';
import { DifyImages } from './versions';

export * from './dify-props';

/**
 * A complete Dify 1.16.1 installation: a thin composition of the public
 * constructs (stores, SSRF proxy, sandbox, plugin daemon, migration Job, api,
 * worker, beat, web, exposure, credentials, NetworkPolicies), wired by
 * reference. Each part can be composed by hand the same way.
 *
 * @example
 * new Dify(chart, 'Dify', { host: 'dify.example.com', storage: DifyStorage.s3({ bucket: 'files', region: 'eu-west-1', useAwsManagedIam: true }) });
 */
export class Dify extends Construct {
  public readonly instance: string;
  public readonly images: DifyImages;
  public readonly urls: DifyUrls;
  /** File storage of api and worker (and its claim, for a volume). */
  public readonly storage: DifyFileStorage;
  public readonly credentials: DifyCredentials;
  /** Where credentials come from, bound into this installation. */
  public readonly secrets: BoundSecrets;
  public readonly networkPolicy?: DifyNetworkPolicy;
  public readonly backup?: DifyPostgresBackup;
  public readonly monitoring?: DifyMonitoring;
  public readonly postgres?: DifyPostgres;
  public readonly redis?: DifyRedis;
  public readonly weaviate?: DifyWeaviate;
  /** The database every component uses. */
  public readonly database: PostgresConnection;
  /** The vector store api and worker use. */
  public readonly vectorStore: VectorStore;
  public readonly ssrfProxy: DifySsrfProxy;
  public readonly sandbox: DifySandbox;
  public readonly pluginDaemon: DifyPluginDaemon;
  public readonly migration: DifyMigration;
  public readonly api: DifyApi;
  /** The single worker for every queue, unless `workerPools` split them. */
  public readonly worker?: DifyWorker;
  /** The worker pools, when `workerPools` is set. */
  public readonly workerPools?: DifyWorkerPools;
  /** Every worker Deployment. */
  public readonly workers: DifyWorker[];
  public readonly beat: DifyBeat;
  public readonly web: DifyWeb;
  public readonly ingress?: DifyIngress;
  public readonly httpRoute?: DifyHttpRoute;
  public readonly nginxProxy?: DifyNginxProxy;
  /** The collaboration websocket, unless `collaboration: false`. */
  public readonly apiWebsocket?: DifyApiWebsocket;
  /** The agent v2 stack, unless `agent: false`. */
  public readonly agentBackend?: DifyAgentBackend;
  public readonly localSandbox?: DifyLocalSandbox;
  public readonly agentSsrfProxy?: DifySsrfProxy;
  /** The plugin remote-debugging Service, with `pluginRemoteDebugging`. */
  public readonly pluginDebug?: DifyPluginDebugService;

  constructor(scope: Construct, id: string, props: DifyProps) {
    super(scope, id);
    guardProps('DifyProps', props, '');
    guardCollisions(this);
    const r = resolveInstallation(props);
    const { instance, images, embedded } = r;
    this.instance = instance;
    this.images = images;
    this.urls = r.urls;
    const c: DifyComponents = props.components ?? {};
    const np = props.networkPolicy === false ? undefined : (props.networkPolicy ?? {});
    const redisEndpoint = { host: `${instance}-redis`, port: DifyRedis.PORT };
    const collaboration = optionalPart('collaboration', props.collaboration);
    const agent: DifyAgentOptions | undefined = optionalPart('agent', props.agent);
    validateOptionalParts(props, collaboration !== undefined, agent !== undefined);

    const secretsScope = new Construct(this, 'Secrets');
    this.secrets = (props.secrets ?? DifySecrets.generated()).bind(secretsScope, {
      instance,
      image: images.api,
      redis: embedded.redis ? redisEndpoint : undefined,
      imagePullSecrets: r.pullSecrets,
      required: requiredCredentials(embedded, { agent: agent !== undefined }),
      apiServer: np?.apiServer,
    });
    this.credentials = this.secrets.credentials;
    const creds = this.credentials;
    const credentialsVersion = { secretNames: this.secrets.secretNames, version: this.secrets.version, reloader: props.reloaderAnnotations };
    /** What every component gets from the installation: its options under `components.<name>`. */
    const base = (name: keyof DifyComponents): DifyComponentProps => ({
      instance,
      options: c[name],
      optionsPath: `components.${name}`,
      imagePullSecrets: r.pullSecrets,
      credentialsVersion,
    });

    const m = props.monitoring;
    const exporters = m ? (m.exporters ?? true) : false;
    if (embedded.postgres) {
      this.postgres = new DifyPostgres(this, 'Postgres', {
        ...base('postgres'),
        ...props.postgres,
        serverArgs: r.settings.postgresArgs(),
        image: images.postgres,
        password: creds.postgresPassword,
        metricsExporter: exporters ? { image: images.postgresExporter } : undefined,
      });
    }
    if (embedded.redis) {
      this.redis = new DifyRedis(this, 'Redis', {
        ...base('redis'),
        ...props.redis,
        image: images.redis,
        password: creds.redisPassword,
        celeryBrokerUrl: creds.celeryBrokerUrl,
        metricsExporter: exporters ? { image: images.redisExporter } : undefined,
      });
    }
    if (embedded.weaviate) {
      this.weaviate = new DifyWeaviate(this, 'Weaviate', {
        ...base('weaviate'),
        ...props.weaviate,
        settingsEnv: r.settings.weaviateEnv(),
        image: images.weaviate,
        apiKey: creds.weaviateApiKey,
        metrics: m ? (m.weaviateMetrics ?? true) : false,
      });
    }
    this.database = this.postgres ?? props.externalDatabase!;
    const redis: RedisConnectionLike = this.redis ?? props.externalRedis!;
    this.vectorStore = this.weaviate?.asVectorStore() ?? props.vectorStore!;

    this.ssrfProxy = new DifySsrfProxy(this, 'SsrfProxy', { ...base('ssrfProxy'), ...props.ssrfProxy, image: images.ssrfProxy });
    this.sandbox = new DifySandbox(this, 'Sandbox', {
      ...base('sandbox'),
      image: images.sandbox,
      apiKey: creds.sandboxApiKey,
      ssrfProxy: this.ssrfProxy,
      workerTimeoutSeconds: r.settings.sandboxWorkerTimeoutSeconds,
      pythonRequirements: props.sandboxPythonRequirements,
      enableNetwork: r.settings.sandboxEnableNetwork,
      settingsEnv: r.settings.sandboxEnv(),
    });
    // The daemon and the api reference each other; the api Service name is fixed by the instance.
    const apiRef = { host: `${instance}-api`, port: DifyApi.PORT };
    this.pluginDaemon = new DifyPluginDaemon(this, 'PluginDaemon', {
      ...base('pluginDaemon'),
      ...props.pluginDaemon,
      image: images.pluginDaemon,
      database: this.database,
      redis,
      api: apiRef,
      serverKey: creds.pluginDaemonKey,
      innerApiKey: creds.pluginInnerApiKey,
      storage: props.pluginStorage,
      externalNetworks: r.externalNetworks,
      settingsEnv: r.settings.pluginDaemonEnv(),
    });
    this.storage = new DifyFileStorage(this, 'Storage', { instance, storage: props.storage });

    if (agent) {
      // The sandbox's proxy forwards to the backend's /agent-stub/ and the api's /files/ by Service name.
      this.agentSsrfProxy = new DifySsrfProxy(this, 'AgentSsrfProxy', {
        ...base('agentSsrfProxy'),
        image: images.ssrfProxy,
        variant: {
          component: 'agent-ssrf-proxy',
          squidConfig: renderAgentSquidConfig(DifySsrfProxy.PORT, { agentBackendHost: `${instance}-agent-backend`, apiHost: apiRef.host }),
        },
      });
      this.localSandbox = new DifyLocalSandbox(this, 'LocalSandbox', {
        ...base('localSandbox'),
        image: images.localSandbox,
        authToken: creds.agentSandboxToken,
        proxy: this.agentSsrfProxy,
        pathIsolation: agent.pathIsolation,
      });
      if (!agent.redisUrl && !embedded.redis) {
        invalid(
          'agent.redisUrl',
          undefined,
          "is required with externalRedis: a SecretKeyRef to the agent backend's redis[s]:// URL (its own DB index, e.g. 2; Redis Cluster is not supported)",
        );
      }
      const { redisUrl, pathIsolation: _p, ...tunables } = agent;
      this.agentBackend = new DifyAgentBackend(this, 'AgentBackend', {
        ...base('agentBackend'),
        ...tunables,
        image: images.agentBackend,
        redis,
        pluginDaemon: this.pluginDaemon,
        api: apiRef,
        localSandbox: this.localSandbox,
        externalNetworks: r.externalNetworks,
        credentials: {
          apiToken: creds.agentApiToken,
          serverSecretKey: creds.agentServerSecretKey,
          sandboxToken: creds.agentSandboxToken,
          pluginDaemonKey: creds.pluginDaemonKey,
          innerApiKey: creds.pluginInnerApiKey,
          redisUrl: redisUrl ?? creds.agentRedisUrl,
        },
      });
    }
    if (props.pluginRemoteDebugging) {
      this.pluginDebug = new DifyPluginDebugService(this, 'PluginDebug', {
        ...props.pluginRemoteDebugging,
        instance,
        pluginDaemon: this.pluginDaemon,
        targetPort: DifyPluginDaemon.DEBUG_PORT,
      });
    }

    const config = new DifyBackendConfig({
      urls: this.urls,
      database: this.database,
      redis,
      storage: this.storage,
      vectorStore: this.vectorStore,
      credentials: creds,
      sandbox: this.sandbox,
      pluginDaemon: this.pluginDaemon,
      ssrfProxy: this.ssrfProxy,
      settings: r.settings,
      externalNetworks: r.externalNetworks,
      features: {
        collaboration: collaboration !== undefined,
        agentBackend: this.agentBackend ? { endpoint: this.agentBackend, apiToken: creds.agentApiToken } : undefined,
        pluginRemoteInstall: this.pluginDebug?.advertised,
      },
    });
    this.migration = new DifyMigration(this, 'Migration', { instance, image: images.api, config, imagePullSecrets: r.pullSecrets });
    this.api = new DifyApi(this, 'Api', { ...base('api'), image: images.api, config });
    if (props.workerPools) {
      if (c.worker) invalid('components.worker', c.worker, 'conflicts with workerPools: give each pool its options');
      const { options: _o, optionsPath: _p, ...common } = base('worker');
      this.workerPools = new DifyWorkerPools(this, 'WorkerPools', {
        ...common,
        image: images.api,
        config,
        pools: props.workerPools,
        broker: props.workerPoolsBroker,
      });
      this.workers = this.workerPools.workers;
    } else {
      this.worker = new DifyWorker(this, 'Worker', { ...base('worker'), image: images.api, config });
      this.workers = [this.worker];
    }
    this.beat = new DifyBeat(this, 'Beat', { ...base('beat'), image: images.api, config });
    if (collaboration) this.apiWebsocket = new DifyApiWebsocket(this, 'ApiWebsocket', { ...base('apiWebsocket'), image: images.api, config });
    this.web = new DifyWeb(this, 'Web', {
      ...base('web'),
      image: images.web,
      urls: this.urls,
      api: this.api,
      settings: r.settings,
      agentV2: agent !== undefined,
    });
    this.pluginDaemon.connections.allowTo(this.api);
    if (this.agentBackend && this.agentSsrfProxy) {
      this.agentBackend.connections.allowTo(this.api);
      // Path-restricted by squid to /agent-stub/ and /files/; NetworkPolicy cannot see paths.
      this.agentSsrfProxy.connections.allowTo(this.agentBackend);
      this.agentSsrfProxy.connections.allowTo(this.api);
    }

    const backends = { api: this.api, web: this.web, pluginDaemon: this.pluginDaemon, apiWebsocket: this.apiWebsocket };
    const controller = np?.ingressController;
    if (props.gateway) {
      this.httpRoute = new DifyHttpRoute(this, 'HttpRoute', { ...props.gateway, instance, urls: this.urls, backends, controller });
    } else if (props.nginxProxy) {
      this.nginxProxy = new DifyNginxProxy(this, 'NginxProxy', { ...base('nginxProxy'), ...props.nginxProxy, urls: this.urls, backends, image: images.nginx });
    } else if (props.ingress !== false) {
      this.ingress = new DifyIngress(this, 'Ingress', {
        instance,
        urls: this.urls,
        ingressClassName: props.ingressClassName,
        backends,
        controller,
        ...props.ingress,
      });
    }

    if (props.backup && this.postgres) {
      this.backup = new DifyPostgresBackup(this, 'Backup', {
        instance,
        image: images.postgres,
        awsCliImage: images.awsCli,
        database: this.postgres,
        imagePullSecrets: r.pullSecrets,
        ...props.backup,
      });
    }
    const stores = [this.postgres?.store, this.redis?.store, this.weaviate?.store].filter((s) => s !== undefined);
    if (m && (m.serviceMonitors ?? true)) {
      this.monitoring = new DifyMonitoring(this, 'Monitoring', {
        instance,
        targets: stores,
        serviceMonitorLabels: m.serviceMonitorLabels,
        scraper: m.prometheus,
      });
    } else if (m) {
      for (const s of stores)
        if (s.metricsPort !== undefined) s.connections.allowFrom(NetworkPeer.fromPodPeer('monitoring.prometheus', m.prometheus), [s.metricsPort]);
    }
    this.wireExtras(props, props.settings?.otel?.endpoint, r.externalNetworks);

    if (np) {
      this.networkPolicy = new DifyNetworkPolicy(this, 'NetworkPolicy', { dns: np.dns, clusterCidrs: np.clusterCidrs });
    }
    [this.networkPolicy, secretsScope].forEach((sc) => syncWave(sc, SYNC_WAVES.foundation));
    [this.postgres, this.redis, this.weaviate].forEach((sc) => syncWave(sc, SYNC_WAVES.stores));
    syncWave(this.migration, SYNC_WAVES.migration);
    skipDryRunOnCustomResources(this);
  }

  /** The OTLP collector for api, worker and beat (the declared pods, or the endpoint's port), and declared external flows. */
  private wireExtras(props: DifyProps, endpoint: string | undefined, networks: Parameters<typeof reachOf>[2]): void {
    const np = props.networkPolicy || undefined;
    const targets: Array<IConnectable | NetworkPeer> = np?.telemetry
      ? [NetworkPeer.fromPodPeer('networkPolicy.telemetry.collector', np.telemetry.collector)]
      : endpoint
        ? reachOf(undefined, new EnvSet().plain({ OTLP_BASE_ENDPOINT: endpoint }), networks)
        : [];
    for (const w of [this.api, ...this.workers, this.beat]) {
      for (const t of targets) w.connections.allowTo(t, t instanceof NetworkPeer ? np!.telemetry!.ports : undefined);
    }
    const clients: Record<string, IConnectable> = {
      api: this.api,
      ...Object.fromEntries(this.workers.map((w) => [w.workload.selector['app.kubernetes.io/component'], w])),
      beat: this.beat,
      migration: this.migration,
      'plugin-daemon': this.pluginDaemon,
      web: this.web,
    };
    if (this.apiWebsocket) clients['api-websocket'] = this.apiWebsocket;
    if (this.agentBackend) clients['agent-backend'] = this.agentBackend;
    (np?.externalServices ?? []).forEach((e, i) => {
      for (const f of e.from ?? []) {
        if (!clients[f])
          invalid(
            `networkPolicy.externalServices[${i}].from`,
            f,
            `must be one of ${Object.keys(clients).join(', ')}; the sandboxes and the SSRF proxies never reach private ranges`,
          );
        clients[f].connections.allowTo(NetworkPeer.cidrs([e.cidr]), e.ports);
      }
    });
  }
}

/** Options of a part that is switched off are a mistake; several websocket pods need one pub/sub Redis URL with Sentinel or Cluster. */
function validateOptionalParts(props: DifyProps, collaboration: boolean, agent: boolean): void {
  const c = props.components ?? {};
  if (!collaboration && c.apiWebsocket)
    invalid('components.apiWebsocket', c.apiWebsocket, 'configures the websocket, which collaboration: false leaves out; remove one of the two');
  for (const k of ['agentBackend', 'localSandbox', 'agentSsrfProxy'] as const) {
    if (!agent && c[k]) invalid(`components.${k}`, c[k], 'configures the agent stack, which agent: false leaves out; remove one of the two');
  }
  const ws = c.apiWebsocket ?? {};
  const mode = props.externalRedis?.mode;
  if (collaboration && (mode === 'sentinel' || mode === 'cluster') && ((ws.replicas ?? 1) > 1 || ws.autoscaling) && !ws.secretEnv?.EVENT_BUS_REDIS_URL) {
    invalid(
      'components.apiWebsocket',
      `${mode} Redis without EVENT_BUS_REDIS_URL`,
      "several websocket pods broadcast through one Redis pub/sub URL: give secretEnv.EVENT_BUS_REDIS_URL (the master's redis[s]:// URL) or run one replica",
    );
  }
}

/** An optional part: `false` leaves it out, `undefined` or options deploy it. */
function optionalPart<T extends object>(prop: string, value: false | T | undefined): T | undefined {
  if (value === false) return undefined;
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(prop, value, 'must be false or an options object');
  return value;
}
