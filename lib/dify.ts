import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
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
import { DifySettings, DifySettingsProps } from './config/settings';
import { DifyStorage } from './config/storage';
import { DifyUrls } from './config/urls';
import { resolveImage } from './core/image';
import { metadataLabels } from './core/labels';
import { ComponentResources } from './core/resources';
import { invalid, validateDnsLabel, validateDnsSubdomain } from './core/validation';
import { DifyWorkload, addImagePullSecrets, addPodAnnotations } from './core/workload';
import { DifyNetworkPolicy, DifyNetworkPolicyProps } from './networking/network-policy';
import { BoundSecrets, DifySecrets } from './secrets/secrets';
import { DifyIngress } from './networking/ingress';
import { SquidAllowLists } from './networking/squid-config';
import { DifyCredentials } from './secrets/credentials';
import { DifyPostgres } from './stores/postgres';
import { DifyRedis } from './stores/redis';
import { StoreVolumeOptions } from './stores/stateful-store';
import { DifyWeaviate } from './stores/weaviate';
import { DEFAULT_IMAGES, DifyImages } from './versions';

/** Replicas of the stateless components. */
export interface DifyReplicas {
  /** @default 1 */ readonly api?: number;
  /** @default 1 */ readonly worker?: number;
  /** @default 1 */ readonly web?: number;
  /** @default 1 */ readonly sandbox?: number;
  /** @default 1 */ readonly ssrfProxy?: number;
}

/** Resource overrides per component. */
export interface DifyResources {
  readonly api?: Partial<ComponentResources>;
  readonly worker?: Partial<ComponentResources>;
  readonly beat?: Partial<ComponentResources>;
  readonly web?: Partial<ComponentResources>;
  readonly sandbox?: Partial<ComponentResources>;
  readonly pluginDaemon?: Partial<ComponentResources>;
  readonly ssrfProxy?: Partial<ComponentResources>;
  readonly postgres?: Partial<ComponentResources>;
  readonly redis?: Partial<ComponentResources>;
  readonly weaviate?: Partial<ComponentResources>;
}

/** Props of {@link Dify}. */
export interface DifyProps {
  /** Installation name: label value and prefix of every object name. @default "dify" */
  readonly instance?: string;
  /** Public host of the installation; every URL Dify hands out is derived from it. */
  readonly host: string;
  /** Serve and advertise https:// URLs. @default false */
  readonly tls?: boolean;
  /** IngressClass. @default "nginx" */
  readonly ingressClassName?: string;
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
  /** @default - one of each */
  readonly replicas?: DifyReplicas;
  /** @default - each component's defaults */
  readonly resources?: DifyResources;
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
  public readonly postgres: DifyPostgres;
  public readonly redis: DifyRedis;
  public readonly weaviate: DifyWeaviate;
  public readonly ssrfProxy: DifySsrfProxy;
  public readonly sandbox: DifySandbox;
  public readonly pluginDaemon: DifyPluginDaemon;
  public readonly migration: DifyMigration;
  public readonly api: DifyApi;
  public readonly worker: DifyWorker;
  public readonly beat: DifyBeat;
  public readonly web: DifyWeb;
  public readonly ingress: DifyIngress;

  constructor(scope: Construct, id: string, props: DifyProps) {
    super(scope, id);
    this.instance = validateDnsLabel('instance', props.instance ?? 'dify', 30);
    const requested: DifyImages = { ...DEFAULT_IMAGES, ...props.images };
    for (const k of Object.keys(props.imageDigests ?? {})) {
      if (!(k in DEFAULT_IMAGES)) invalid(`imageDigests.${k}`, k, `must be one of ${Object.keys(DEFAULT_IMAGES).join(', ')}`);
    }
    this.images = Object.fromEntries(Object.entries(requested).map(([k, image]) => [k, resolveImage(`images.${k}`, image, {
      registry: props.imageRegistry, digest: props.imageDigests?.[k as keyof DifyImages],
    })])) as unknown as DifyImages;
    const pullSecrets = (props.imagePullSecrets ?? []).map((n) => validateDnsSubdomain('imagePullSecrets', n));
    this.urls = DifyUrls.fromHost(props.host, { tls: props.tls });
    this.storage = props.storage ?? DifyStorage.persistentVolume();
    const settings = new DifySettings(props.settings);
    const instance = this.instance;
    const images = this.images;
    const resources = props.resources ?? {};
    const replicas = props.replicas ?? {};

    const redisHost = { host: `${instance}-redis`, port: 6379 };
    this.secrets = (props.secrets ?? DifySecrets.generated()).bind(this, { instance, image: images.api, redis: redisHost, imagePullSecrets: pullSecrets });
    this.credentials = this.secrets.credentials;
    const creds = this.credentials;

    this.postgres = new DifyPostgres(this, 'Postgres', { instance, image: images.postgres, password: creds.postgresPassword, resources: resources.postgres, ...props.postgres });
    this.redis = new DifyRedis(this, 'Redis', { instance, image: images.redis, password: creds.redisPassword, celeryBrokerUrl: creds.celeryBrokerUrl, resources: resources.redis, ...props.redis });
    this.weaviate = new DifyWeaviate(this, 'Weaviate', { instance, image: images.weaviate, apiKey: creds.weaviateApiKey, resources: resources.weaviate, ...props.weaviate });
    this.ssrfProxy = new DifySsrfProxy(this, 'SsrfProxy', { instance, image: images.ssrfProxy, replicas: replicas.ssrfProxy, resources: resources.ssrfProxy, ...props.ssrfProxy });
    this.sandbox = new DifySandbox(this, 'Sandbox', {
      instance, image: images.sandbox, apiKey: creds.sandboxApiKey, ssrfProxy: this.ssrfProxy,
      workerTimeoutSeconds: settings.sandboxWorkerTimeoutSeconds, pythonRequirements: props.sandboxPythonRequirements,
      replicas: replicas.sandbox, resources: resources.sandbox,
    });
    const apiEndpoint = { host: `${instance}-api`, port: DifyApi.PORT };
    this.pluginDaemon = new DifyPluginDaemon(this, 'PluginDaemon', {
      instance, image: images.pluginDaemon, database: this.postgres, redis: this.redis, api: apiEndpoint,
      serverKey: creds.pluginDaemonKey, innerApiKey: creds.pluginInnerApiKey, resources: resources.pluginDaemon, ...props.pluginDaemon,
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
      database: this.postgres,
      redis: this.redis,
      storage: this.storage,
      vectorStore: this.weaviate.asVectorStore(),
      credentials: creds,
      sandbox: this.sandbox,
      pluginDaemon: this.pluginDaemon,
      ssrfProxy: this.ssrfProxy,
      settings,
    });
    this.migration = new DifyMigration(this, 'Migration', { instance, image: images.api, config, imagePullSecrets: pullSecrets });
    this.api = new DifyApi(this, 'Api', { instance, image: images.api, config, replicas: replicas.api, resources: resources.api });
    this.worker = new DifyWorker(this, 'Worker', { instance, image: images.api, config, replicas: replicas.worker, resources: resources.worker });
    this.beat = new DifyBeat(this, 'Beat', { instance, image: images.api, config, resources: resources.beat });
    this.web = new DifyWeb(this, 'Web', { instance, image: images.web, urls: this.urls, api: this.api, settings, replicas: replicas.web, resources: resources.web });
    this.ingress = new DifyIngress(this, 'Ingress', {
      instance, host: props.host, ingressClassName: props.ingressClassName,
      backends: { api: this.api, web: this.web, pluginDaemon: this.pluginDaemon },
    });

    if (props.networkPolicy !== false) {
      this.networkPolicy = new DifyNetworkPolicy(this, 'NetworkPolicy', {
        ...props.networkPolicy,
        instance,
        ssrfAllowedPrivateCidrs: props.ssrfProxy?.allowPrivateIps,
        secretGenerator: this.secrets.generated,
      });
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
      this.postgres.store.workload, this.redis.store.workload, this.weaviate.store.workload, this.ssrfProxy.workload,
      this.sandbox.workload, this.pluginDaemon.workload, this.api.workload, this.worker.workload, this.beat.workload, this.web.workload,
    ];
  }
}
