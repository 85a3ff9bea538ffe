import { k8s } from 'cdk8s-plus-28';
import { ApiObject } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { DifyApi } from './components/api';
import { storageClaimName } from './components/backend-pod';
import { DifyBeat } from './components/beat';
import { DifyMigration } from './components/migration';
import { DifyPluginDaemon } from './components/plugin-daemon';
import { DifySandbox } from './components/sandbox';
import { DifySsrfProxy } from './components/ssrf-proxy';
import { DifyWeb } from './components/web';
import { DifyWorker } from './components/worker';
import { DifyBackendConfig } from './config/backend';
import { PostgresConnection, RedisConnectionLike } from './config/connections';
import { DifyDatabase } from './config/database';
import { PluginStorage } from './config/plugin-storage';
import { ExternalRedis } from './config/redis';
import { VectorStore } from './config/vector-store';
import { DifySettings, DifySettingsProps } from './config/settings';
import { DifyStorage } from './config/storage';
import { DifySplitHostsOptions, DifyUrls } from './config/urls';
import { guardProps } from './core/guard';
import { resolveImage } from './core/image';
import { ComponentAvailability, ComponentOptions } from './core/availability';
import { metadataLabels } from './core/labels';
import { ComponentResources } from './core/resources';
import { invalid, validateDnsLabel, validateDnsSubdomain } from './core/validation';
import { DifyWorkload, addImagePullSecrets, addPodAnnotations } from './core/workload';
import { DifyNetworkPolicy, DifyNetworkPolicyProps, PodPeer } from './networking/network-policy';
import { BackupTarget, DifyPostgresBackup } from './backup/postgres-backup';
import { DifyMonitoring } from './observability/monitoring';
import { BoundSecrets, DifySecrets } from './secrets/secrets';
import { DifyHttpRoute, DifyHttpRouteProps } from './networking/http-route';
import { DifyIngress } from './networking/ingress';
import { DifyNginxProxy, DifyNginxProxyProps } from './networking/nginx-proxy';
import { IngressSecurityHeaders, IngressTls } from './networking/tls';
import { SquidAllowLists } from './networking/squid-config';
import { DifyCredentials } from './secrets/credentials';
import { DifyPostgres } from './stores/postgres';
import { DifyRedis } from './stores/redis';
import { StoreVolumeOptions } from './stores/stateful-store';
import { DifyWeaviate } from './stores/weaviate';
import { DEFAULT_IMAGES, DifyImages } from './versions';

/** Options of one component: scaling, disruption budget, scheduling, exposure and resources. */
export interface DifyComponentOptions extends ComponentOptions {
  /** Container resources, merged over the component's defaults. @default - the component's defaults */
  readonly resources?: Partial<ComponentResources>;
}

/** Per-component options. beat, the plugin daemon and the embedded stores run exactly one replica. */
export interface DifyComponents {
  readonly api?: DifyComponentOptions;
  readonly worker?: DifyComponentOptions;
  readonly beat?: DifyComponentOptions;
  readonly web?: DifyComponentOptions;
  readonly sandbox?: DifyComponentOptions;
  readonly pluginDaemon?: DifyComponentOptions;
  readonly ssrfProxy?: DifyComponentOptions;
  readonly postgres?: DifyComponentOptions;
  readonly redis?: DifyComponentOptions;
  readonly weaviate?: DifyComponentOptions;
  /** The nginx proxy, when `nginxProxy` is set. */
  readonly nginxProxy?: DifyComponentOptions;
}

/** Prometheus options of {@link DifyProps.monitoring}. */
export interface DifyMonitoringOptions {
  /** The Prometheus pods that scrape (opened in the NetworkPolicies). */
  readonly prometheus: PodPeer;
  /** postgres_exporter and redis_exporter sidecars. @default true */
  readonly exporters?: boolean;
  /** Weaviate's own metrics endpoint. @default true */
  readonly weaviateMetrics?: boolean;
  /** prometheus-operator ServiceMonitors. @default true */
  readonly serviceMonitors?: boolean;
  /** Labels your Prometheus selects ServiceMonitors by. @default {} */
  readonly serviceMonitorLabels?: Record<string, string>;
}

/** Backup options of {@link DifyProps.backup}. */
export interface DifyBackupOptions {
  readonly target: BackupTarget;
  /** @default "17 3 * * *" */
  readonly schedule?: string;
  /** @default 14 */
  readonly retentionDays?: number;
}

/** Ingress options of {@link DifyProps.ingress}. */
export interface DifyIngressOptions {
  /** TLS from cert-manager or an existing Secret. @default - none */
  readonly tls?: IngressTls;
  /** Redirect HTTP to HTTPS when TLS is set. @default true */
  readonly sslRedirect?: boolean;
  /** @default IngressSecurityHeaders.controllerDefaults() */
  readonly securityHeaders?: IngressSecurityHeaders;
  /** Extra annotations. @default {} */
  readonly annotations?: Record<string, string>;
  /** Request body limit. @default "100m" */
  readonly maxBodySize?: string;
}

/** Argo CD sync waves: policies and credentials, then stores, then the migration Job, then the app. */
export const SYNC_WAVES = { foundation: -3, stores: -2, migration: -1 } as const;

/** Props of {@link Dify}. */
export interface DifyProps {
  /** Installation name: label value and prefix of every object name. @default "dify" */
  readonly instance?: string;
  /** Public host of the installation; every URL Dify hands out is derived from it. */
  readonly host: string;
  /**
   * A separate host for the APIs (`/console/api`, `/api`, `/v1`, `/files`, …); `host` then
   * serves the web UI. @default - everything on `host`
   */
  readonly apiHost?: string;
  /** Cookie domain, extra CORS origins and where `/e/` lives, for split hosts. @default - derived from the hosts */
  readonly splitHosts?: Omit<DifySplitHostsOptions, 'webHost' | 'apiHost' | 'tls'>;
  /** Advertise https:// URLs (implied by any TLS option below). @default false */
  readonly tls?: boolean;
  /** IngressClass. @default "nginx" */
  readonly ingressClassName?: string;
  /** Ingress options, or `false` for none. @default - an Ingress without TLS, unless gateway or nginxProxy is set */
  readonly ingress?: false | DifyIngressOptions;
  /** Expose through a Gateway API HTTPRoute instead of an Ingress. @default - none */
  readonly gateway?: Omit<DifyHttpRouteProps, 'instance' | 'urls' | 'backends'>;
  /** Expose through an in-cluster nginx (upstream's config) behind a LoadBalancer/NodePort Service instead of an Ingress. @default - none */
  readonly nginxProxy?: Omit<DifyNginxProxyProps, 'instance' | 'urls' | 'backends' | 'image'>;
  /** Image overrides. @default - {@link DEFAULT_IMAGES} */
  readonly images?: Partial<DifyImages>;
  /** File storage of api and worker. @default DifyStorage.persistentVolume() */
  readonly storage?: DifyStorage;
  /** Application settings. @default - upstream defaults */
  readonly settings?: DifySettingsProps;
  /** Where credentials come from. @default DifySecrets.generated() */
  readonly secrets?: DifySecrets;
  /**
   * Annotate workloads for Stakater Reloader so a changed Secret value (e.g. refreshed by
   * External Secrets) rolls the pods that read it. @default false
   */
  readonly reloaderAnnotations?: boolean;
  /** Pull every image through this mirror registry (host and optional path). @default - each image's registry */
  readonly imageRegistry?: string;
  /** Digests to pin per image (`sha256:…`). @default - tags only */
  readonly imageDigests?: Partial<Record<keyof DifyImages, string>>;
  /** imagePullSecrets for every pod. @default [] */
  readonly imagePullSecrets?: string[];
  /**
   * NetworkPolicies: default-deny plus one allow per flow. `false` omits them (only for
   * clusters whose CNI does not enforce NetworkPolicy). @default - enabled with defaults
   */
  readonly networkPolicy?: false | Omit<DifyNetworkPolicyProps, 'instance' | 'ssrfAllowedPrivateCidrs' | 'secretGenerator'>;
  /** Embedded PostgreSQL volume. @default 10Gi on the default StorageClass */
  readonly postgres?: StoreVolumeOptions;
  /** Embedded Redis volume. @default 2Gi on the default StorageClass */
  readonly redis?: StoreVolumeOptions;
  /** Embedded Weaviate volume. @default 10Gi on the default StorageClass */
  readonly weaviate?: StoreVolumeOptions;
  /** Plugin daemon volume. @default 10Gi on the default StorageClass */
  readonly pluginDaemon?: StoreVolumeOptions;
  /** SSRF proxy allow-lists. @default - deny every private destination */
  readonly ssrfProxy?: SquidAllowLists;
  /** Extra Python packages for code nodes. @default [] */
  readonly sandboxPythonRequirements?: string[];
  /** A managed PostgreSQL (or MySQL) instead of the embedded one. @default - embedded PostgreSQL */
  readonly externalDatabase?: DifyDatabase;
  /** A managed Redis (standalone, Sentinel or cluster) instead of the embedded one. @default - embedded Redis */
  readonly externalRedis?: ExternalRedis;
  /** A vector store instead of the embedded Weaviate. @default - embedded Weaviate */
  readonly vectorStore?: VectorStore;
  /** Object storage of the plugin daemon. @default PluginStorage.local() */
  readonly pluginStorage?: PluginStorage;
  /** Prometheus metrics: exporter sidecars, Weaviate metrics, ServiceMonitors. @default - off */
  readonly monitoring?: DifyMonitoringOptions;
  /** Scheduled pg_dump of the embedded PostgreSQL. @default - no backups */
  readonly backup?: DifyBackupOptions;
  /** Per-component replicas, autoscaling, PDBs, scheduling, Services and resources. @default - one replica each, default resources */
  readonly components?: DifyComponents;
}

/**
 * A complete Dify 1.16.1 installation: api, worker, beat, web, sandbox,
 * plugin daemon, SSRF proxy, the migration Job, embedded PostgreSQL, Redis
 * and Weaviate, credentials and one Ingress. Each part is also usable alone.
 */
export class Dify extends Construct {
  public readonly instance: string;
  public readonly images: DifyImages;
  public readonly urls: DifyUrls;
  public readonly storage: DifyStorage;
  public readonly credentials: DifyCredentials;
  /** Where credentials come from, bound into this installation. */
  public readonly secrets: BoundSecrets;
  /** The NetworkPolicies, unless disabled. */
  public readonly networkPolicy?: DifyNetworkPolicy;
  /** The backup CronJob, if enabled. */
  public readonly backup?: DifyPostgresBackup;
  /** ServiceMonitors, if enabled. */
  public readonly monitoring?: DifyMonitoring;
  /** Replicas/HPA/PDB/scheduling applied to each component. */
  public readonly availability: Partial<Record<keyof DifyComponents, ComponentAvailability>>;
  /** Embedded PostgreSQL, unless `externalDatabase` is set. */
  public readonly postgres?: DifyPostgres;
  /** Embedded Redis, unless `externalRedis` is set. */
  public readonly redis?: DifyRedis;
  /** Embedded Weaviate, unless `vectorStore` is set. */
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
  public readonly worker: DifyWorker;
  public readonly beat: DifyBeat;
  public readonly web: DifyWeb;
  /** The Ingress, unless another exposure is chosen. */
  public readonly ingress?: DifyIngress;
  /** The HTTPRoute, when `gateway` is set. */
  public readonly httpRoute?: DifyHttpRoute;
  /** The nginx proxy, when `nginxProxy` is set. */
  public readonly nginxProxy?: DifyNginxProxy;
  private readonly secretsScope: Construct;

  constructor(scope: Construct, id: string, props: DifyProps) {
    super(scope, id);
    guardProps('DifyProps', props, '');
    this.instance = validateDnsLabel('instance', props.instance ?? 'dify', 30);
    const requested: DifyImages = { ...DEFAULT_IMAGES, ...props.images };
    for (const k of Object.keys(props.imageDigests ?? {})) {
      if (!(k in DEFAULT_IMAGES)) invalid(`imageDigests.${k}`, k, `must be one of ${Object.keys(DEFAULT_IMAGES).join(', ')}`);
    }
    this.images = Object.fromEntries(Object.entries(requested).map(([k, image]) => [k, resolveImage(`images.${k}`, image, {
      registry: props.imageRegistry, digest: props.imageDigests?.[k as keyof DifyImages],
    })])) as unknown as DifyImages;
    const pullSecrets = (props.imagePullSecrets ?? []).map((n) => validateDnsSubdomain('imagePullSecrets', n));
    const exposures = [props.gateway && 'gateway', props.nginxProxy && 'nginxProxy', props.ingress && 'ingress'].filter(Boolean) as string[];
    if (exposures.length > 1) invalid(exposures[1], 'set', `conflicts with ${exposures[0]}: expose Dify through one of ingress, gateway and nginxProxy`);
    const tls = props.tls ?? Boolean((props.ingress && props.ingress.tls) || props.nginxProxy?.tls);
    if (props.tls === false && ((props.ingress && props.ingress.tls) || props.nginxProxy?.tls)) {
      invalid('tls', false, 'contradicts the TLS configured on the ingress or nginx proxy; omit it or set true');
    }
    if (props.splitHosts && !props.apiHost) invalid('splitHosts', props.splitHosts, 'only applies with apiHost');
    this.urls = props.apiHost
      ? DifyUrls.split({ webHost: props.host, apiHost: props.apiHost, tls, ...props.splitHosts })
      : DifyUrls.fromHost(props.host, { tls });
    this.storage = props.storage ?? DifyStorage.persistentVolume();
    const settings = new DifySettings(props.settings);
    const instance = this.instance;
    const images = this.images;
    const c = props.components ?? {};
    const resources = Object.fromEntries(Object.entries(c).map(([k, v]) => [k, v?.resources])) as Record<keyof DifyComponents, Partial<ComponentResources> | undefined>;

    // Conflicting stores: an external service replaces the embedded one.
    const conflicts: Array<[string, unknown, string, unknown]> = [
      ['externalDatabase', props.externalDatabase, 'postgres', props.postgres ?? c.postgres],
      ['externalRedis', props.externalRedis, 'redis', props.redis ?? c.redis],
      ['vectorStore', props.vectorStore, 'weaviate', props.weaviate ?? c.weaviate],
    ];
    for (const [external, set, embedded, embeddedOptions] of conflicts) {
      if (set && embeddedOptions) invalid(embedded, embeddedOptions, `configures the embedded ${embedded}, which ${external} replaces; remove one of the two`);
    }
    if (props.backup && props.externalDatabase) invalid('backup', 'enabled', 'backs up the embedded PostgreSQL; with externalDatabase use your provider\'s backups');
    const embedded = { postgres: !props.externalDatabase, redis: !props.externalRedis, weaviate: !props.vectorStore };

    const redisEndpoint = { host: `${instance}-redis`, port: 6379 };
    const required: Array<keyof DifyCredentials> = ['secretKey', 'sandboxApiKey', 'pluginDaemonKey', 'pluginInnerApiKey'];
    if (embedded.postgres) required.push('postgresPassword');
    if (embedded.redis) required.push('redisPassword', 'celeryBrokerUrl');
    if (embedded.weaviate) required.push('weaviateApiKey');
    this.secretsScope = new Construct(this, 'Secrets');
    this.secrets = (props.secrets ?? DifySecrets.generated()).bind(this.secretsScope, {
      instance, image: images.api, redis: embedded.redis ? redisEndpoint : undefined, imagePullSecrets: pullSecrets, required,
    });
    this.credentials = this.secrets.credentials;
    const creds = this.credentials;

    const m = props.monitoring;
    const exporters = m ? m.exporters ?? true : false;
    if (embedded.postgres) {
      this.postgres = new DifyPostgres(this, 'Postgres', {
        instance, image: images.postgres, password: creds.postgresPassword, resources: resources.postgres, ...props.postgres,
        metricsExporter: exporters ? { image: images.postgresExporter } : undefined,
      });
    }
    if (embedded.redis) {
      this.redis = new DifyRedis(this, 'Redis', {
        instance, image: images.redis, password: creds.redisPassword, celeryBrokerUrl: creds.celeryBrokerUrl, resources: resources.redis, ...props.redis,
        metricsExporter: exporters ? { image: images.redisExporter } : undefined,
      });
    }
    if (embedded.weaviate) {
      this.weaviate = new DifyWeaviate(this, 'Weaviate', {
        instance, image: images.weaviate, apiKey: creds.weaviateApiKey, resources: resources.weaviate, ...props.weaviate,
        metrics: m ? m.weaviateMetrics ?? true : false,
      });
    }
    this.database = this.postgres ?? props.externalDatabase!;
    const redis: RedisConnectionLike = this.redis ?? props.externalRedis!;
    this.vectorStore = this.weaviate?.asVectorStore() ?? props.vectorStore!;

    this.ssrfProxy = new DifySsrfProxy(this, 'SsrfProxy', { instance, image: images.ssrfProxy, resources: resources.ssrfProxy, ...props.ssrfProxy });
    this.sandbox = new DifySandbox(this, 'Sandbox', {
      instance, image: images.sandbox, apiKey: creds.sandboxApiKey, ssrfProxy: this.ssrfProxy,
      workerTimeoutSeconds: settings.sandboxWorkerTimeoutSeconds, pythonRequirements: props.sandboxPythonRequirements,
      resources: resources.sandbox,
    });
    const apiEndpoint = { host: `${instance}-api`, port: DifyApi.PORT };
    this.pluginDaemon = new DifyPluginDaemon(this, 'PluginDaemon', {
      instance, image: images.pluginDaemon, database: this.database, redis, api: apiEndpoint,
      serverKey: creds.pluginDaemonKey, innerApiKey: creds.pluginInnerApiKey, resources: resources.pluginDaemon,
      storage: props.pluginStorage, ...props.pluginDaemon,
    });

    if (this.storage.volume) {
      new k8s.KubePersistentVolumeClaim(this, 'Storage', {
        metadata: { name: storageClaimName(instance), labels: metadataLabels({ instance, component: 'storage' }) },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: this.storage.volume.storageClassName,
          resources: { requests: { storage: k8s.Quantity.fromString(this.storage.volume.size) } },
        },
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
      settings,
    });
    this.migration = new DifyMigration(this, 'Migration', { instance, image: images.api, config, imagePullSecrets: pullSecrets });
    this.api = new DifyApi(this, 'Api', { instance, image: images.api, config, resources: resources.api });
    this.worker = new DifyWorker(this, 'Worker', { instance, image: images.api, config, resources: resources.worker });
    this.beat = new DifyBeat(this, 'Beat', { instance, image: images.api, config, resources: resources.beat });
    this.web = new DifyWeb(this, 'Web', { instance, image: images.web, urls: this.urls, api: this.api, settings, resources: resources.web });
    const backends = { api: this.api, web: this.web, pluginDaemon: this.pluginDaemon };
    if (props.gateway) {
      this.httpRoute = new DifyHttpRoute(this, 'HttpRoute', { ...props.gateway, instance, urls: this.urls, backends });
    } else if (props.nginxProxy) {
      this.nginxProxy = new DifyNginxProxy(this, 'NginxProxy', { ...props.nginxProxy, instance, urls: this.urls, backends, image: images.nginx });
    } else if (props.ingress !== false) {
      const o = props.ingress ?? {};
      this.ingress = new DifyIngress(this, 'Ingress', { instance, urls: this.urls, ingressClassName: props.ingressClassName, backends, ...o });
    }

    if (props.backup && this.postgres) {
      this.backup = new DifyPostgresBackup(this, 'Backup', {
        instance, image: images.postgres, awsCliImage: images.awsCli, database: this.postgres, imagePullSecrets: pullSecrets, ...props.backup,
      });
    }
    const stores = [this.postgres?.store, this.redis?.store, this.weaviate?.store].filter((x): x is NonNullable<typeof x> => x !== undefined);
    const metricsTargets = stores.map((st) => st.workload)
      .filter((w) => (w.serviceSpec as { ports?: Array<{ name?: string }> } | undefined)?.ports?.some((p) => p.name === 'metrics'));
    if (m && (m.serviceMonitors ?? true)) {
      this.monitoring = new DifyMonitoring(this, 'Monitoring', { instance, targets: metricsTargets, serviceMonitorLabels: m.serviceMonitorLabels });
    }

    if (props.networkPolicy !== false) {
      this.networkPolicy = new DifyNetworkPolicy(this, 'NetworkPolicy', {
        ...props.networkPolicy,
        instance,
        ssrfAllowedPrivateCidrs: props.ssrfProxy?.allowPrivateIps,
        secretGenerator: this.secrets.generated,
        embedded,
        frontProxy: this.nginxProxy !== undefined,
        prometheus: m?.prometheus,
        metricsPorts: m ? [
          ...(exporters && embedded.postgres ? [{ component: 'postgres', port: DifyPostgres.METRICS_PORT }] : []),
          ...(exporters && embedded.redis ? [{ component: 'redis', port: DifyRedis.METRICS_PORT }] : []),
          ...((m.weaviateMetrics ?? true) && embedded.weaviate ? [{ component: 'weaviate', port: DifyWeaviate.METRICS_PORT }] : []),
        ] : undefined,
        backup: this.backup ? { internet: props.backup!.target.kind === 's3' } : undefined,
      });
    }

    const components: Array<[keyof DifyComponents, DifyWorkload | undefined, boolean, boolean]> = [
      ['postgres', this.postgres?.store.workload, true, true], ['redis', this.redis?.store.workload, true, true],
      ['weaviate', this.weaviate?.store.workload, true, true], ['pluginDaemon', this.pluginDaemon.workload, true, true],
      ['beat', this.beat.workload, true, false], ['ssrfProxy', this.ssrfProxy.workload, false, false],
      ['sandbox', this.sandbox.workload, false, false], ['api', this.api.workload, false, false],
      ['worker', this.worker.workload, false, false], ['web', this.web.workload, false, false],
      ['nginxProxy', this.nginxProxy?.workload, false, false],
    ];
    this.availability = {};
    for (const [name, w, singleton, store] of components) {
      if (!w) continue;
      const { resources: _resources, ...options } = c[name] ?? {};
      this.availability[name] = new ComponentAvailability(w, 'Availability', w, name, options, { singleton, store });
    }

    for (const sc of [this.networkPolicy, this.secretsScope]) if (sc) syncWave(sc, SYNC_WAVES.foundation);
    for (const store of [this.postgres, this.redis, this.weaviate]) if (store) syncWave(store, SYNC_WAVES.stores);
    syncWave(this.migration, SYNC_WAVES.migration);

    // Custom resources whose CRDs may be installed in the same sync: let Argo CD dry-run without them.
    for (const obj of this.node.findAll()) {
      if (obj instanceof ApiObject && !BUILT_IN_GROUP.test(obj.apiVersion)) {
        obj.metadata.addAnnotation('argocd.argoproj.io/sync-options', 'SkipDryRunOnMissingResource=true');
      }
    }

    for (const w of this.workloads()) {
      addImagePullSecrets(w.podTemplate, pullSecrets);
      const reads = w.secretNames.filter((n) => this.secrets.secretNames.includes(n));
      if (reads.length === 0) continue;
      addPodAnnotations(w.podTemplate, { 'dify.langgenius.ai/credentials-version': this.secrets.version });
      if (props.reloaderAnnotations) w.workload.metadata.addAnnotation('secret.reloader.stakater.com/reload', reads.join(','));
    }
  }

  /** Every long-running workload of the installation. */
  public workloads(): DifyWorkload[] {
    return [
      this.postgres?.store.workload, this.redis?.store.workload, this.weaviate?.store.workload, this.ssrfProxy.workload,
      this.sandbox.workload, this.pluginDaemon.workload, this.api.workload, this.worker.workload, this.beat.workload, this.web.workload,
      this.nginxProxy?.workload,
    ].filter((w): w is DifyWorkload => w !== undefined);
  }
}

/** apiVersions of built-in Kubernetes groups (core, apps, batch, policy, networking, rbac, autoscaling). */
const BUILT_IN_GROUP = /^(v1|(apps|batch|policy|autoscaling|networking\.k8s\.io|rbac\.authorization\.k8s\.io)\/v[0-9a-z]+)$/;

/** Marks every API object under `scope` with an Argo CD sync wave (inert for kubectl and Flux). */
function syncWave(scope: IConstruct, wave: number): void {
  for (const c of scope.node.findAll()) {
    if (c instanceof ApiObject) c.metadata.addAnnotation('argocd.argoproj.io/sync-wave', String(wave));
  }
}
