import { Construct } from 'constructs';
import { BackupTarget, DifyBackup } from './backup/backup';
import { DifyFileStorage } from './stores/file-storage';
import { ExternalNetworks, portsOfEnv, reachOf } from './config/reach';
import { IConnectable, NetworkPeer } from './core/connections';
import { EnvSet } from './core/env';
import { invalid } from './core/validation';
import { contractOf } from './runtime/contracts';
import { DifyAgentStack } from './components/agent-stack';
import { DifyApi } from './components/api';
import { DifyApiWebsocket } from './components/api-websocket';
import { DifyBeat } from './components/beat';
import { DifyMigration } from './components/migration';
import { DifyPluginDaemon } from './components/plugin-daemon';
import { DifyWeb } from './components/web';
import { DifyWorker } from './components/worker';
import { DifyComponentProps } from './core/workload';
import { DifyComponents, DifyProps } from './dify-props';
import { ResolvedInstallation } from './dify-resolve';
import { DifyHttpRoute } from './networking/http-route';
import { DifyIngress } from './networking/ingress';
import { DifyNginxProxy } from './networking/nginx-proxy';
import { DifyMonitoring } from './observability/monitoring';
import { DifyCredentials } from './secrets/credentials';
import { DifyPostgres } from './stores/postgres';
import { DifyRedis } from './stores/redis';
import { DifyWeaviate } from './stores/weaviate';

/** What the functions below read of an installation: the scope its parts are created in, and its components (a `Dify`). */
export interface InstallationParts extends Construct {
  readonly api: DifyApi;
  readonly workers: DifyWorker[];
  readonly beat: DifyBeat;
  readonly migration: DifyMigration;
  readonly pluginDaemon: DifyPluginDaemon;
  readonly web: DifyWeb;
  readonly apiWebsocket?: DifyApiWebsocket;
  readonly agent?: DifyAgentStack;
  readonly postgres?: DifyPostgres;
  readonly redis?: DifyRedis;
  readonly weaviate?: DifyWeaviate;
  readonly storage: DifyFileStorage;
}

/** Every workload of the api image: api, the websocket, each worker, beat and the migration Job. */
export function apiImageProcesses(dify: InstallationParts): IConnectable[] {
  return [dify.api, ...(dify.apiWebsocket ? [dify.apiWebsocket] : []), ...dify.workers, dify.beat, dify.migration];
}

/** The OTLP collector for every api-image process (the declared pods, or the endpoint's port), and declared external flows. */
export function wireExternalFlows(dify: InstallationParts, props: DifyProps, endpoint: string | undefined, networks: ExternalNetworks): void {
  const np = props.networkPolicy || undefined;
  if (np?.telemetry && endpoint) {
    // The collector pods must be open on the port the processes export to, or every ENABLE_OTEL process loses its spans.
    const port = portsOfEnv(new EnvSet().plain({ OTLP_BASE_ENDPOINT: endpoint }))[0];
    const ports = np.telemetry.ports;
    if (port !== undefined && Array.isArray(ports) && !ports.includes(port))
      invalid(
        'networkPolicy.telemetry.ports',
        ports,
        `must include ${port}, the port of settings.otel.endpoint (${endpoint}) that every api-image process exports to`,
      );
  }
  const targets: Array<IConnectable | NetworkPeer> = np?.telemetry
    ? [NetworkPeer.fromPodPeer('networkPolicy.telemetry.collector', np.telemetry.collector)]
    : endpoint
      ? reachOf(undefined, new EnvSet().plain({ OTLP_BASE_ENDPOINT: endpoint }), networks)
      : [];
  // Every process whose runtime contract exports telemetry (the app factory's ext_otel, on with settings.otel).
  for (const w of apiImageProcesses(dify).filter((p) => contractOf(p.connections.pods!.component)?.connects.some((c) => c.to === 'otel-collector'))) {
    for (const t of targets) w.connections.allowTo(t, t instanceof NetworkPeer ? np!.telemetry!.ports : undefined);
  }
  const clients: Record<string, IConnectable> = {
    api: dify.api,
    ...Object.fromEntries(dify.workers.map((w) => [w.workload.selector['app.kubernetes.io/component'], w])),
    beat: dify.beat,
    migration: dify.migration,
    'plugin-daemon': dify.pluginDaemon,
    web: dify.web,
  };
  if (dify.apiWebsocket) clients['api-websocket'] = dify.apiWebsocket;
  if (dify.agent) clients['agent-backend'] = dify.agent.backend;
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

/** Options of a part that is switched off are a mistake; several websocket pods need one pub/sub Redis URL with Sentinel or Cluster. */
export function validateOptionalParts(props: DifyProps, collaboration: boolean, agent: boolean): void {
  const c = props.components ?? {};
  if (!collaboration && c.apiWebsocket)
    invalid('components.apiWebsocket', c.apiWebsocket, 'configures the websocket, which collaboration: false leaves out; remove one of the two');
  for (const k of ['agentBackend', 'localSandbox', 'agentSsrfProxy'] as const) {
    if (!agent && c[k]) invalid(`components.${k}`, c[k], 'configures the agent stack, which agent: false leaves out; remove one of the two');
  }
  const runtime = props.agent ? props.agent.runtime : undefined;
  for (const k of ['localSandbox', 'agentSsrfProxy'] as const) {
    if (runtime?.kind === 'e2b' && c[k])
      invalid(`components.${k}`, c[k], 'configures the local sandbox stack, which the E2B runtime (agent.runtime) leaves out; remove one of the two');
  }
  validateSwitchedOff(props, collaboration);
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

/**
 * Options given for a part that is switched off would be ignored without a
 * word: each is refused, naming the option as written and the switch that
 * leaves its part out.
 */
function validateSwitchedOff(props: DifyProps, collaboration: boolean): void {
  const s = props.settings ?? {};
  const m = props.monitoring;
  const exposure = props.gateway ? 'gateway' : props.nginxProxy ? 'nginxProxy' : props.ingress === false ? 'ingress: false' : undefined;
  const marketplaceOff = (s.marketplace?.enabled ?? s.marketplaceEnabled) === false;
  const sentry = s.sentry ?? {};
  const rules: Array<[prop: string, value: unknown, off: boolean, why: string]> = [
    [
      'components.nginxProxy',
      props.components?.nginxProxy,
      !props.nginxProxy,
      'configures the nginx proxy, which is only deployed with nginxProxy; set nginxProxy or remove it',
    ],
    ['ingressClassName', props.ingressClassName, exposure !== undefined, `selects the Ingress class, but ${exposure} leaves the Ingress out; remove it`],
    [
      'settings.postgres',
      s.postgres,
      Boolean(props.externalDatabase),
      'tunes the embedded PostgreSQL, which externalDatabase replaces; tune your server instead',
    ],
    ['settings.weaviate', s.weaviate, Boolean(props.vectorStore), 'configures the embedded Weaviate, which vectorStore replaces; remove one of the two'],
    [
      'monitoring.weaviateMetrics',
      m?.weaviateMetrics || undefined,
      Boolean(props.vectorStore),
      'scrapes the embedded Weaviate, which vectorStore replaces; remove it',
    ],
    [
      'monitoring.exporters',
      m?.exporters || undefined,
      Boolean(props.externalDatabase && props.externalRedis),
      'adds exporters beside the embedded PostgreSQL and Redis, which externalDatabase and externalRedis replace; remove it',
    ],
    [
      'workerPoolsBroker',
      props.workerPoolsBroker,
      !props.workerPools,
      'is where KEDA reads queue lengths for workerPools, which are not set; remove it or set workerPools',
    ],
    [
      'settings.processes.apiWebsocket',
      s.processes?.apiWebsocket,
      !collaboration,
      'sizes the websocket, which collaboration: false leaves out; remove one of the two',
    ],
    [
      'settings.marketplace.apiUrl',
      s.marketplace?.apiUrl,
      marketplaceOff,
      'points at the marketplace, which is switched off; remove it or enable the marketplace',
    ],
    ['settings.marketplace.url', s.marketplace?.url, marketplaceOff, 'points at the marketplace, which is switched off; remove it or enable the marketplace'],
    [
      'settings.sentry.tracesSampleRate',
      sentry.tracesSampleRate,
      !sentry.apiDsn,
      'samples traces for Sentry, which is off without settings.sentry.apiDsn; set apiDsn or remove it',
    ],
    [
      'settings.sentry.profilesSampleRate',
      sentry.profilesSampleRate,
      !sentry.apiDsn,
      'samples profiles for Sentry, which is off without settings.sentry.apiDsn; set apiDsn or remove it',
    ],
  ];
  for (const [prop, value, off, why] of rules) if (off && value !== undefined) invalid(prop, value, why);
}

/** An optional part: `false` leaves it out, `undefined` or options deploy it. */
export function optionalPart<T extends object>(prop: string, value: false | T | undefined): T | undefined {
  if (value === false) return undefined;
  if (value === undefined) return {} as T;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) invalid(prop, value, 'must be false or an options object');
  return value;
}

/** The embedded PostgreSQL, Redis and Weaviate an installation runs where no external service replaces them. */
export function embeddedStores(
  scope: Construct,
  props: DifyProps,
  r: ResolvedInstallation,
  base: (name: keyof DifyComponents) => DifyComponentProps,
  creds: DifyCredentials,
): { postgres?: DifyPostgres; redis?: DifyRedis; weaviate?: DifyWeaviate } {
  const { images, embedded } = r;
  const m = props.monitoring;
  const exporters = m ? (m.exporters ?? true) : false;
  return {
    postgres: embedded.postgres
      ? new DifyPostgres(scope, 'Postgres', {
          ...base('postgres'),
          ...props.postgres,
          serverArgs: r.settings.postgresArgs(),
          image: images.postgres,
          password: creds.postgresPassword,
          metricsExporter: exporters ? { image: images.postgresExporter } : undefined,
        })
      : undefined,
    redis: embedded.redis
      ? new DifyRedis(scope, 'Redis', {
          ...base('redis'),
          ...props.redis,
          image: images.redis,
          password: creds.redisPassword,
          celeryBrokerUrl: creds.celeryBrokerUrl,
          metricsExporter: exporters ? { image: images.redisExporter } : undefined,
        })
      : undefined,
    weaviate: embedded.weaviate
      ? new DifyWeaviate(scope, 'Weaviate', {
          ...base('weaviate'),
          ...props.weaviate,
          settingsEnv: r.settings.weaviateEnv(),
          image: images.weaviate,
          apiKey: creds.weaviateApiKey,
          metrics: m ? (m.weaviateMetrics ?? true) : false,
        })
      : undefined,
  };
}

/** The exposure (one of Ingress, HTTPRoute, nginx proxy), the backup CronJob and the ServiceMonitors of an installation. */
export function exposeAndOperate(
  dify: InstallationParts,
  props: DifyProps,
  r: ResolvedInstallation,
  base: (name: keyof DifyComponents) => DifyComponentProps,
): { ingress?: DifyIngress; httpRoute?: DifyHttpRoute; nginxProxy?: DifyNginxProxy; backup?: DifyBackup; monitoring?: DifyMonitoring } {
  const { instance, images, urls } = r;
  const out: ReturnType<typeof exposeAndOperate> = {};
  // E2B sandboxes call the agent backend's /agent-stub/ from outside the cluster.
  const agentBackend = dify.agent?.runtime.kind === 'e2b' ? dify.agent.backend : undefined;
  const backends = { api: dify.api, web: dify.web, pluginDaemon: dify.pluginDaemon, apiWebsocket: dify.apiWebsocket, agentBackend };
  const controller = props.networkPolicy ? props.networkPolicy.ingressController : undefined;
  if (props.gateway) {
    out.httpRoute = new DifyHttpRoute(dify, 'HttpRoute', { ...props.gateway, instance, urls, backends, controller });
  } else if (props.nginxProxy) {
    out.nginxProxy = new DifyNginxProxy(dify, 'NginxProxy', { ...base('nginxProxy'), ...props.nginxProxy, urls, backends, image: images.nginx });
  } else if (props.ingress !== false) {
    out.ingress = new DifyIngress(dify, 'Ingress', { instance, urls, ingressClassName: props.ingressClassName, backends, controller, ...props.ingress });
  }
  // On wherever data is embedded: the database, the file storage claim, the plugin daemon's local storage.
  const pluginFiles = dify.pluginDaemon.storage.storageType === 'local';
  if (props.backup !== false && (props.backup !== undefined || dify.postgres || dify.storage.claimName || pluginFiles)) {
    const { target, ...options } = props.backup ?? {};
    out.backup = new DifyBackup(dify, 'Backup', {
      instance,
      image: images.postgres,
      awsCliImage: images.awsCli,
      database: dify.postgres,
      fileStorage: dify.storage.claimName ? dify.storage : undefined,
      pluginDaemon: pluginFiles ? dify.pluginDaemon : undefined,
      imagePullSecrets: r.pullSecrets,
      target: target ?? BackupTarget.volume(),
      externalNetworks: r.externalNetworks,
      ...options,
    });
  }
  const m = props.monitoring;
  const stores = [dify.postgres?.store, dify.redis?.store, dify.weaviate?.store].filter((s) => s !== undefined);
  if (m && (m.serviceMonitors ?? true)) {
    out.monitoring = new DifyMonitoring(dify, 'Monitoring', { instance, targets: stores, serviceMonitorLabels: m.serviceMonitorLabels, scraper: m.prometheus });
  } else if (m) {
    for (const s of stores) {
      if (s.metricsPort !== undefined) s.connections.allowFrom(NetworkPeer.fromPodPeer('monitoring.prometheus', m.prometheus), [s.metricsPort]);
    }
  }
  return out;
}
