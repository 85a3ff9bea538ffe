import { Connections, IConnectable, NetworkPeer } from '../core/connections';
import { DifyFileStorage } from '../stores/file-storage';
import { EnvSet } from '../core/env';
import { SecretKeyRef } from '../core/secret-ref';
import { validateServiceHost } from '../core/validation';
import { ServiceEndpoint, httpUrl } from './connections';
import { DifyStorage } from './storage';
import { ANYWHERE, ExternalNetworks, reachOf } from './reach';
import { storageUsesPodIdentity } from '../runtime/paths';

/** The process role of the api image (its MODE variable). */
export type BackendMode = 'api' | 'worker' | 'beat' | 'migration' | 'api-websocket';

/** What the feature flows read of a backend configuration. */
export interface BackendFeatureInputs {
  readonly storage: DifyFileStorage | DifyStorage;
  readonly externalNetworks?: ExternalNetworks;
  readonly features?: DifyBackendFeatures;
}

/** The agent backend as api and worker call it (AGENT_BACKEND_*). */
export interface AgentBackendClient {
  readonly endpoint: ServiceEndpoint & IConnectable;
  /** AGENT_BACKEND_API_TOKEN: the Secret key the backend reads as DIFY_AGENT_API_TOKEN. */
  readonly apiToken: SecretKeyRef;
  /** AGENT_SHELL_ENABLED: whether the backend has a sandbox runtime. @default true */
  readonly shellEnabled?: boolean;
}

/**
 * Optional parts of the api-image configuration, kept apart from the core
 * settings: the collaboration websocket, the agent backend and the plugin
 * remote-debugging address api advertises.
 */
export interface DifyBackendFeatures {
  /** The collaboration websocket is deployed (ENABLE_COLLABORATION_MODE on api, worker and the websocket). @default false */
  readonly collaboration?: boolean;
  /** The websocket role's gunicorn sizing. @default - upstream's */
  /** The agent backend api and worker call. @default - none: AGENT_BACKEND_* unset, so api creates no client */
  readonly agentBackend?: AgentBackendClient;
  /** Where developers connect a plugin for remote debugging (PLUGIN_REMOTE_INSTALL_HOST/PORT). @default - upstream's "localhost", 5003 */
  readonly pluginRemoteInstall?: { readonly host: string; readonly port: number };
}

/** The geventwebsocket worker: the only gunicorn worker class that upgrades connections. */
export const WEBSOCKET_WORKER_CLASS = 'geventwebsocket.gunicorn.workers.GeventWebSocketWorker';

/**
 * REDIS_SOCKET_TIMEOUT of the websocket pods. Dify 1.16.1 passes it to the idle
 * Socket.IO pub/sub listener, which then reconnects (losing events) after that
 * many silent seconds (langgenius/dify#39745, fixed after 1.16.1 by #39587);
 * 300 s keeps reconnects rare while a connection dropped by a middlebox is still
 * noticed within minutes.
 */
export const WEBSOCKET_REDIS_SOCKET_TIMEOUT = 300;

/** Env each role gets from the features; merged last, so it overrides the core defaults. */
export function backendFeatureEnv(mode: BackendMode, f: DifyBackendFeatures): EnvSet {
  const env = new EnvSet();
  if (mode === 'api' || mode === 'worker' || mode === 'api-websocket') {
    env.plain({ ENABLE_COLLABORATION_MODE: f.collaboration ? 'true' : 'false' }, 'backend');
  }
  if (mode === 'api-websocket') {
    // Gunicorn sizing comes from settings.processes.apiWebsocket (upstream's API_WEBSOCKET_* defaults).
    env.plain({ DIFY_PORT: 5001, REDIS_SOCKET_TIMEOUT: WEBSOCKET_REDIS_SOCKET_TIMEOUT }, 'backend').defaults({ DIFY_BIND_ADDRESS: '0.0.0.0' }, 'backend');
  }
  if ((mode === 'api' || mode === 'worker') && f.agentBackend) {
    env
      .plain({ AGENT_BACKEND_BASE_URL: httpUrl(f.agentBackend.endpoint), AGENT_SHELL_ENABLED: f.agentBackend.shellEnabled ?? true }, 'backend')
      // Upstream's values; settings.extraEnv may tune them.
      .defaults({ AGENT_BACKEND_STREAM_READ_TIMEOUT_SECONDS: 30, AGENT_BACKEND_STREAM_MAX_RECONNECTS: 3 }, 'backend')
      .secret({ AGENT_BACKEND_API_TOKEN: f.agentBackend.apiToken });
  }
  if (mode === 'api') {
    const r = f.pluginRemoteInstall ?? { host: 'localhost', port: 5003 };
    validateServiceHost('pluginRemoteDebugging.advertisedHost', r.host, { portProp: 'pluginRemoteDebugging.advertisedPort' });
    env.plain({ PLUGIN_REMOTE_INSTALL_HOST: r.host, PLUGIN_REMOTE_INSTALL_PORT: r.port }, 'backend');
  }
  return env;
}

/**
 * The GKE metadata server pods fetch Workload Identity tokens from (Application
 * Default Credentials): 169.254.169.254:80, and 169.254.169.252:988 on GKE
 * Dataplane V2. Opened only for Google Cloud Storage without a key, which
 * cannot start without it.
 */
export const GKE_METADATA_SERVER: ReadonlyArray<{ readonly cidr: string; readonly port: number }> = [
  { cidr: '169.254.169.254/32', port: 80 },
  { cidr: '169.254.169.252/32', port: 988 },
];

/**
 * Where a role reaches its file storage. Every api-image role builds the
 * storage client when it starts (the app factory's ext_storage; S3 checks its
 * bucket then, see lib/runtime), so every role needs this flow, not only the
 * serving ones. Object storage named only by region has no endpoint to narrow
 * to: then public addresses on 443 (which also carries the cloud's token
 * service for IRSA). Google Cloud Storage without a key also needs the
 * metadata server for its token. A volume needs no flow.
 */
export function storageTargets(p: BackendFeatureInputs): IConnectable[] {
  const storage = p.storage instanceof DifyFileStorage ? p.storage.storage : p.storage;
  if (storage.volume) return [];
  const env = p.storage.env();
  const reach = reachOf(p.storage, env, p.externalNetworks ?? ANYWHERE);
  const out = reach.length ? reach : [{ connections: Connections.forPeer(NetworkPeer.internet(), [443]) }];
  if (storageUsesPodIdentity(env.plainData(), new Set(env.secretEnv().map((e) => e.name))) && env.plainValue('STORAGE_TYPE') === 'google-storage') {
    for (const m of GKE_METADATA_SERVER) out.push({ connections: Connections.forPeer(NetworkPeer.cidrs([m.cidr], 'GKE metadata server'), [m.port]) });
  }
  return out;
}
