import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { DifyWorkerPools } from './autoscaling/worker-pools';
import { DifyBackup } from './backup/backup';
import { DifyAgentOptions } from './components/agent-backend';
import { DifyAgentStack } from './components/agent-stack';
import { DifyApi } from './components/api';
import { DifyApiWebsocket } from './components/api-websocket';
import { DifyBeat } from './components/beat';
import { DifyMigration } from './components/migration';
import { DifyPluginDaemon } from './components/plugin-daemon';
import { DifySandbox } from './components/sandbox';
import { DifySsrfProxy } from './components/ssrf-proxy';
import { DifyWeb } from './components/web';
import { DifyWorker } from './components/worker';
import { DifyBackendConfig } from './config/backend';
import { PostgresConnection, RedisConnectionLike, chartNamespaceOf } from './config/connections';
import { DifyUrls } from './config/urls';
import { VectorStore } from './config/vector-store';
import { SYNC_WAVES, skipDryRunOnCustomResources, syncWave } from './core/argo';
import { guardApp } from './core/collisions';
import { guardRuntimeContracts } from './runtime/guard';
import { invalid } from './core/validation';
import { validateNamespaceName } from './core/k8s-rules';
import { DifyTenantChart } from './tenants/tenant-chart';
import { ComponentOptions } from './core/availability';
import { validateAnnotations } from './core/k8s-rules';
import { DifyComponentProps } from './core/workload';
import { DifyComponents, DifyProps } from './dify-props';
import { embeddedStores, exposeAndOperate, optionalPart, validateOptionalParts, wireExternalFlows } from './dify-parts';
import { resolveInstallation } from './dify-resolve';
import { DifyHttpRoute } from './networking/http-route';
import { guardProps } from './core/guard';
import { DifyIngress } from './networking/ingress';
import { DifyNetworkPolicy } from './networking/network-policy';
import { DifyNginxProxy } from './networking/nginx-proxy';
import { DifyPluginDebugService } from './networking/plugin-debug';
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
  /** Scheduled backups of the embedded data (on unless `backup: false` or nothing is embedded). */
  public readonly backup?: DifyBackup;
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
  /**
   * The chart of the sandbox's namespace, with `sandboxNamespace`: it must be
   * applied after that namespace exists (`sandboxChart.addDependency(namespaceChart)`).
   */
  public readonly sandboxChart?: Chart;
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
  /** The agent v2 stack (backend, local sandbox, its SSRF proxy), unless `agent: false`. */
  public readonly agent?: DifyAgentStack;
  /** The plugin remote-debugging Service, with `pluginRemoteDebugging`. */
  public readonly pluginDebug?: DifyPluginDebugService;

  constructor(scope: Construct, id: string, props: DifyProps) {
    super(scope, id);
    guardProps('DifyProps', props, '');
    guardApp(this);
    guardRuntimeContracts(this);
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
    this.sandboxChart = sandboxNamespaceChart(this, props.sandboxNamespace);
    // The sandbox namespace's Secret (and the generator's access to it) are credentials: applied with the installation's.
    const sandboxSecretsScope = this.sandboxChart && new Construct(this.sandboxChart, 'Secrets');
    this.secrets = (props.secrets ?? DifySecrets.generated()).bind(secretsScope, {
      instance,
      image: images.api,
      redis: embedded.redis ? redisEndpoint : undefined,
      imagePullSecrets: r.pullSecrets,
      // The E2B runtime has no local sandbox, so no shellctl token.
      required: requiredCredentials(embedded, { agent: agent !== undefined, agentLocalSandbox: agent !== undefined && agent.runtime?.kind !== 'e2b' }),
      apiServer: np?.apiServer,
      sandbox: sandboxSecretsScope && { scope: sandboxSecretsScope },
    });
    this.credentials = this.secrets.credentials;
    const creds = this.credentials;
    const credentialsVersion = { secretNames: this.secrets.secretNames, version: this.secrets.version, reloader: props.reloaderAnnotations };
    // The api-image family shares the identity its file storage is reached with; per-component values win, key by key.
    const familyIdentity = validateAnnotations('serviceAccountAnnotations', props.serviceAccountAnnotations);
    const withIdentity = (o: ComponentOptions | undefined): ComponentOptions | undefined =>
      Object.keys(familyIdentity).length ? { ...o, serviceAccountAnnotations: { ...familyIdentity, ...o?.serviceAccountAnnotations } } : o;
    const family = new Set<keyof DifyComponents>(['api', 'apiWebsocket', 'worker', 'beat']);
    /** What every component gets from the installation: its options under `components.<name>`. */
    const base = (name: keyof DifyComponents): DifyComponentProps => ({
      instance,
      options: family.has(name) ? withIdentity(c[name]) : c[name],
      optionsPath: `components.${name}`,
      imagePullSecrets: r.pullSecrets,
      credentialsVersion,
    });

    Object.assign(this, embeddedStores(this, props, r, base, creds));
    this.database = this.postgres ?? props.externalDatabase!;
    const redis: RedisConnectionLike = this.redis ?? props.externalRedis!;
    this.vectorStore = this.weaviate?.asVectorStore() ?? props.vectorStore!;

    this.ssrfProxy = new DifySsrfProxy(this, 'SsrfProxy', { ...base('ssrfProxy'), ...props.ssrfProxy, image: images.ssrfProxy });
    const sandboxSecrets = this.secrets.sandbox;
    this.sandbox = new DifySandbox(this.sandboxChart ?? this, 'Sandbox', {
      ...base('sandbox'),
      ...(sandboxSecrets && {
        credentialsVersion: { secretNames: sandboxSecrets.secretNames, version: sandboxSecrets.version, reloader: props.reloaderAnnotations },
      }),
      image: images.sandbox,
      apiKey: sandboxSecrets?.apiKey ?? creds.sandboxApiKey,
      ssrfProxy: this.ssrfProxy,
      workerTimeoutSeconds: r.settings.sandboxWorkerTimeoutSeconds,
      pythonRequirements: props.sandboxPythonRequirements,
      enableNetwork: r.settings.sandboxEnableNetwork,
      port: props.settings?.sandbox?.port,
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
      debugPort: props.settings?.plugins?.debuggingPort,
      port: props.settings?.plugins?.port,
    });
    this.storage = new DifyFileStorage(this, 'Storage', { instance, storage: props.storage });

    if (agent) {
      this.agent = new DifyAgentStack(this, 'Agent', {
        instance,
        agent,
        urls: r.urls,
        credentials: creds,
        redis,
        embeddedRedis: embedded.redis,
        pluginDaemon: this.pluginDaemon,
        api: apiRef,
        externalNetworks: r.externalNetworks,
        images: { agentBackend: images.agentBackend, localSandbox: images.localSandbox, ssrfProxy: images.ssrfProxy },
        parts: { agentBackend: base('agentBackend'), localSandbox: base('localSandbox'), agentSsrfProxy: base('agentSsrfProxy') },
      });
    }
    if (props.pluginRemoteDebugging) {
      this.pluginDebug = new DifyPluginDebugService(this, 'PluginDebug', {
        ...props.pluginRemoteDebugging,
        instance,
        pluginDaemon: this.pluginDaemon,
        targetPort: this.pluginDaemon.debugPort,
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
        agentBackend: this.agent ? { endpoint: this.agent.backend, apiToken: creds.agentApiToken } : undefined,
        pluginRemoteInstall: this.pluginDebug?.advertised,
      },
    });
    this.migration = new DifyMigration(this, 'Migration', {
      instance,
      image: images.api,
      config,
      imagePullSecrets: r.pullSecrets,
      serviceAccountAnnotations: familyIdentity,
    });
    this.api = new DifyApi(this, 'Api', { ...base('api'), image: images.api, config });
    if (props.workerPools) {
      if (c.worker) invalid('components.worker', c.worker, 'conflicts with workerPools: give each pool its options');
      const { options: _o, optionsPath: _p, ...common } = base('worker');
      this.workerPools = new DifyWorkerPools(this, 'WorkerPools', {
        ...common,
        image: images.api,
        config,
        pools: Array.isArray(props.workerPools) ? props.workerPools.map((p) => ({ ...p, options: withIdentity(p?.options) })) : props.workerPools,
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
    this.agent?.connectApi(this.api);

    Object.assign(this, exposeAndOperate(this, props, r, base));
    wireExternalFlows(this, props, props.settings?.otel?.endpoint, r.externalNetworks);

    if (np) {
      this.networkPolicy = new DifyNetworkPolicy(this, 'NetworkPolicy', { dns: np.dns, clusterCidrs: np.clusterCidrs });
    }
    [this.networkPolicy, secretsScope, sandboxSecretsScope].forEach((sc) => syncWave(sc, SYNC_WAVES.foundation));
    [this.postgres, this.redis, this.weaviate].forEach((sc) => syncWave(sc, SYNC_WAVES.stores));
    syncWave(this.migration, SYNC_WAVES.migration);
    skipDryRunOnCustomResources(this);
  }
}

/** The chart of the sandbox's own namespace, validated against the installation's. */
function sandboxNamespaceChart(dify: Construct, name: string | undefined): Chart | undefined {
  if (name === undefined) return undefined;
  validateNamespaceName('sandboxNamespace', name);
  const home = chartNamespaceOf(dify);
  if (home === undefined)
    invalid(
      'sandboxNamespace',
      name,
      "needs the installation's chart to set a namespace (new Chart(app, 'dify', { namespace })) so that hosts and policies can name it",
    );
  if (name === home) invalid('sandboxNamespace', name, "must differ from the installation's namespace; leave it out to run the sandbox there");
  // The chart labels (e.g. the environment label) of the installation's chart apply to the sandbox's objects too.
  return new DifyTenantChart(dify, 'SandboxNamespace', { namespace: name, labels: Chart.of(dify).labels });
}
