import { DifyWorkerPool, WorkerPoolsBrokerOptions } from './autoscaling/worker-pools';
import { BackupTarget } from './backup/backup';
import { DifyAgentOptions } from './components/agent-backend';
import { DifyDatabase } from './config/database';
import { PluginStorage } from './config/plugin-storage';
import { ExternalRedis } from './config/redis';
import { DifySettingsProps } from './config/settings';
import { DifyStorage } from './config/storage';
import { DifySplitHostsOptions } from './config/urls';
import { VectorStore } from './config/vector-store';
import { ComponentOptions } from './core/availability';
import { PodPeer } from './core/connections';
import { DifyHttpRouteProps } from './networking/http-route';
import { DifyNginxProxyProps } from './networking/nginx-proxy';
import { DifyPluginDebugServiceProps } from './networking/plugin-debug';
import { SsrfProxyOptions } from './components/ssrf-proxy';
import { IngressSecurityHeaders, IngressTls } from './networking/tls';
import { DifySecrets } from './secrets/secrets';
import { StoreVolumeOptions } from './stores/stateful-store';
import { DifyImages } from './versions';

/** Options of one component: scaling, disruption budget, scheduling, exposure, resources, env and identity. */
export type DifyComponentOptions = ComponentOptions;

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
  /** The collaboration websocket (stateless: replicas and autoscaling allowed). */
  readonly apiWebsocket?: DifyComponentOptions;
  /** The agent v2 run server (replicas allowed; runs share state through Redis). */
  readonly agentBackend?: DifyComponentOptions;
  /** The agent local sandbox: exactly one replica (workspaces live on the pod). */
  readonly localSandbox?: DifyComponentOptions;
  /** The agent SSRF proxy (stateless). */
  readonly agentSsrfProxy?: DifyComponentOptions;
}

/** Options of {@link DifyProps.collaboration}; its gunicorn sizing is `settings.processes.apiWebsocket`. */
export type DifyCollaborationOptions = Record<string, never>;

/** Plugin remote debugging of {@link DifyProps.pluginRemoteDebugging}: where developers connect and from which networks. */
export type PluginRemoteDebuggingOptions = Omit<DifyPluginDebugServiceProps, 'instance' | 'pluginDaemon' | 'targetPort'>;

/** Network policy options of {@link DifyProps.networkPolicy}. */
export interface DifyNetworkPolicyOptions {
  /**
   * The ingress controller's (or Gateway's) pods, admitted to the exposed components.
   * @default - namespace `ingress-nginx`, pods `app.kubernetes.io/name: ingress-nginx`
   */
  readonly ingressController?: PodPeer;
  /** Cluster DNS. @default - namespace `kube-system`, pods `k8s-app: kube-dns` */
  readonly dns?: PodPeer;
  /** Pod and Service CIDRs excluded from "internet" egress (private ranges always are). @default [] */
  readonly clusterCidrs?: string[];
  /** Where the secret generator Job reaches the Kubernetes API. @default - any address on TCP 443 and 6443 */
  readonly apiServer?: { readonly cidrs: string[]; readonly ports: number[] };
  /**
   * Where external services live. The database, Redis, vector store and object
   * storage are reached on the ports their settings name, at any address unless
   * an entry here lists the port: then only at its CIDR. An entry with `from`
   * also opens its ports for those components. @default []
   */
  readonly externalServices?: ExternalServicePeer[];
  /** An in-cluster OpenTelemetry collector api, worker and beat export to. @default - the `settings.otel` endpoint's port at any address */
  readonly telemetry?: { readonly collector: PodPeer; readonly ports: number[] };
}

/** A network range outside the cluster that components reach. */
export interface ExternalServicePeer {
  /** IPv4 or IPv6 CIDR of the service, e.g. a managed database subnet. */
  readonly cidr: string;
  readonly ports: number[];
  /** Components that reach it on these ports besides those wired by settings. @default - only the wired ones */
  readonly from?: string[];
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
  /** Claims of their own, or S3 (the off-cluster copy). @default BackupTarget.volume() */
  readonly target?: BackupTarget;
  /** @default "17 3 * * *" */
  readonly schedule?: string;
  /** @default 14 */
  readonly retentionDays?: number;
  /** Annotations on the backup ServiceAccount, e.g. an IRSA role that may write the backup bucket. @default {} */
  readonly serviceAccountAnnotations?: Record<string, string>;
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
  /**
   * Upstream's `Dify-Hook-Url` header on `/e/`, through an ingress-nginx
   * `configuration-snippet` on a separate Ingress; the controller must allow
   * snippet annotations (off by default since v1.9). Without it the plugin daemon
   * derives the same URL from Host and X-Forwarded-Proto (without the query string). @default false
   */
  readonly hookUrlHeader?: boolean;
}

export { SYNC_WAVES } from './core/argo';

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
  readonly gateway?: Omit<DifyHttpRouteProps, 'instance' | 'urls' | 'backends' | 'controller'>;
  /** Expose through an in-cluster nginx (upstream's config) behind a LoadBalancer/NodePort Service instead of an Ingress. @default - none */
  readonly nginxProxy?: Omit<
    DifyNginxProxyProps,
    'instance' | 'urls' | 'backends' | 'image' | 'options' | 'optionsPath' | 'imagePullSecrets' | 'credentialsVersion'
  >;
  /**
   * Annotations on the ServiceAccounts of the api-image family: api, the collaboration
   * websocket, every worker (pool), beat and the migration Job. Each of them builds the
   * file storage client when it starts (Dify's app factory), so all of them need the cloud
   * identity object storage is reached with (IRSA `eks.amazonaws.com/role-arn`, GKE
   * `iam.gke.io/gcp-service-account`, Azure `azure.workload.identity/client-id`).
   * `components.<name>.serviceAccountAnnotations` (and a pool's `options`) are merged
   * over these, key by key. @default {}
   */
  readonly serviceAccountAnnotations?: Record<string, string>;
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
  readonly networkPolicy?: false | DifyNetworkPolicyOptions;
  /** Embedded PostgreSQL volume. @default 10Gi on the default StorageClass */
  readonly postgres?: StoreVolumeOptions;
  /** Embedded Redis volume. @default 2Gi on the default StorageClass */
  readonly redis?: StoreVolumeOptions;
  /** Embedded Weaviate volume. @default 10Gi on the default StorageClass */
  readonly weaviate?: StoreVolumeOptions;
  /** Plugin daemon volume. @default 10Gi on the default StorageClass */
  readonly pluginDaemon?: StoreVolumeOptions;
  /** SSRF proxy allow-lists. @default - deny every private destination */
  readonly ssrfProxy?: SsrfProxyOptions;
  /** Extra Python packages for code nodes. @default [] */
  readonly sandboxPythonRequirements?: string[];
  /**
   * Run the code sandbox in this namespace of its own, so that the installation's
   * namespace can enforce Pod Security "restricted" (the sandbox's jail needs root and
   * "baseline" capabilities). The namespace must exist with at least "baseline"
   * ({@link SANDBOX_POD_SECURITY}) and be applied before the sandbox ({@link Dify.sandboxChart}).
   * The sandbox reads its key from `<instance>-sandbox-credentials` there (created by the
   * generator or External Secrets; yours with `DifySecrets.existing`); api, worker and the
   * sandbox reach each other by namespace-qualified host, and each side's NetworkPolicy
   * names the other by namespace and pod labels. @default - the installation's namespace
   */
  readonly sandboxNamespace?: string;
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
  /**
   * Scheduled backups of what is embedded: `dify` and `dify_plugin` dumps, the file storage claim (`privkeys/`
   * included) and local plugin storage, with retention; `false` turns them off. Object storage is backed up by
   * bucket versioning or replication, a managed database by its provider.
   * @default - { target: BackupTarget.volume() } when anything is embedded
   */
  readonly backup?: DifyBackupOptions | false;
  /**
   * Split the Celery worker into pools (each its own Deployment, CELERY_QUEUES, options, and optionally
   * KEDA queue-depth scaling); they must cover every queue exactly once. @default - one worker for all queues
   */
  readonly workerPools?: DifyWorkerPool[];
  /** Where KEDA reads queue lengths (derived for the embedded Redis). @default - derived */
  readonly workerPoolsBroker?: WorkerPoolsBrokerOptions;
  /** Per-component replicas, autoscaling, PDBs, scheduling, Services and resources. @default - one replica each, default resources */
  readonly components?: DifyComponents;
  /**
   * Workflow collaboration: the `api-websocket` component routed at `/socket.io/`
   * (ENABLE_COLLABORATION_MODE). `false` leaves it out, as upstream's compose
   * profile `collaboration` does. @default - on, upstream's sizing
   */
  readonly collaboration?: false | DifyCollaborationOptions;
  /**
   * The agent v2 stack: agent backend, local sandbox and agent SSRF proxy, and
   * the agent UI in web (NEXT_PUBLIC_ENABLE_AGENT_V2). `false` leaves all of them out. @default - on
   */
  readonly agent?: false | DifyAgentOptions;
  /**
   * Expose the plugin daemon's remote-debugging port (5003, raw TCP) on its own
   * LoadBalancer or NodePort Service, admitted only from `allowedCidrs`, and
   * advertise it in the console. @default - not exposed; the console shows upstream's localhost:5003
   */
  readonly pluginRemoteDebugging?: PluginRemoteDebuggingOptions;
}
