import { Construct } from 'constructs';
import { RedisConnectionLike, ServiceEndpoint, httpUrl, redisBackendEnv } from '../config/connections';
import { ANYWHERE, ExternalNetworks, reachOf } from '../config/reach';
import { Connections, IConnectable, isConnectable } from '../core/connections';
import { EnvSet } from '../core/env';
import { ComponentResources } from '../core/resources';
import { SecretKeyRef } from '../core/secret-ref';
import { nonRootProfile } from '../core/security';
import { invalid, validateInt, validatePythonRegex } from '../core/validation';
import { DifyComponentProps, DifyWorkload, emptyDir, httpProbe, startupFor, tcpProbe } from '../core/workload';
import { DEFAULT_IMAGES } from '../versions';
import { guardProps } from '../core/guard';

/** Tunables of the agent v2 stack ({@link DifyProps.agent}). */
export interface DifyAgentOptions {
  /**
   * DIFY_AGENT_REDIS_URL (`redis[s]://:<password>@host:port/<db>`): required with
   * an external Redis (the backend uses its own DB index, upstream 2; Redis
   * Cluster is not supported, Sentinel needs the master's URL). A private CA of
   * `externalRedis` `tls.caCerts` reaches the backend as SSL_CERT_FILE; with client
   * certificates, the URL names the mounted files (`?ssl_certfile=<path>&ssl_keyfile=<path>`).
   * @default - derived from the embedded Redis (DB 2)
   */
  readonly redisUrl?: SecretKeyRef;
  /** DIFY_AGENT_RUN_TIMEOUT_SECONDS: longest agent run. @default 3600 */
  readonly runTimeoutSeconds?: number;
  /** DIFY_AGENT_RUN_RETENTION_SECONDS: how long finished runs stay in Redis. @default 259200 (3 days) */
  readonly runRetentionSeconds?: number;
  /** DIFY_AGENT_SHUTDOWN_GRACE_SECONDS: how long a stopping backend lets runs finish (the pod's grace period is 30 s longer). @default 30 */
  readonly shutdownGraceSeconds?: number;
  /** DIFY_AGENT_SHELL_REDACT_PATTERNS: regexes redacted from shell output. @default [] */
  readonly shellRedactPatterns?: string[];
  /** Landlock path isolation in the local sandbox (SHELLCTL_ENABLE_PATH_ISOLATION); needs kernel 5.13+ with the landlock LSM. @default true */
  readonly pathIsolation?: boolean;
}

/** Credentials the agent backend reads. */
export interface AgentBackendCredentials {
  /** DIFY_AGENT_API_TOKEN: equals api/worker AGENT_BACKEND_API_TOKEN. */
  readonly apiToken: SecretKeyRef;
  /** DIFY_AGENT_SERVER_SECRET_KEY: unpadded base64url of 32 random bytes (Agent Stub tokens). */
  readonly serverSecretKey: SecretKeyRef;
  /** DIFY_AGENT_LOCAL_SANDBOX_AUTH_TOKEN: equals the local sandbox's SHELLCTL_AUTH_TOKEN. */
  readonly sandboxToken: SecretKeyRef;
  /** DIFY_AGENT_PLUGIN_DAEMON_API_KEY: equals the daemon's SERVER_KEY. */
  readonly pluginDaemonKey: SecretKeyRef;
  /** DIFY_AGENT_INNER_API_KEY: equals api's INNER_API_KEY_FOR_PLUGIN. */
  readonly innerApiKey: SecretKeyRef;
  /** DIFY_AGENT_REDIS_URL. */
  readonly redisUrl: SecretKeyRef;
}

/** Props of {@link DifyAgentBackend}. */
export interface DifyAgentBackendProps extends DifyComponentProps, Omit<DifyAgentOptions, 'redisUrl' | 'pathIsolation'> {
  /** @default - {@link DEFAULT_IMAGES}.agentBackend */
  readonly image?: string;
  readonly credentials: AgentBackendCredentials;
  /** The Redis server the URL points at (embedded store or {@link ExternalRedis}); only for the network flow. */
  readonly redis: RedisConnectionLike;
  readonly pluginDaemon: ServiceEndpoint & IConnectable;
  /** The api's inner API (and the `/files/` base the sandbox downloads from); a {@link DifyApi} is wired as a flow. */
  readonly api: ServiceEndpoint & Partial<IConnectable>;
  /** The local sandbox (shellctl) the runs execute in. */
  readonly localSandbox: ServiceEndpoint & IConnectable;
  /** Where external services given by host name live, by port. @default - any address on their ports */
  readonly externalNetworks?: ExternalNetworks;
}

/**
 * The agent v2 run server (dify-agent-backend, uvicorn on 5050). api and worker
 * submit runs with a bearer token; runs call models and tools through the
 * plugin daemon and the api's inner API, keep state in Redis (own DB index and
 * key prefix), and execute shell steps in the local sandbox. Restricted pod
 * (uid 1001, read-only root, /tmp on an emptyDir). Stateless across replicas:
 * each process runs what it accepted and shares status through Redis.
 */
export class DifyAgentBackend extends Construct implements IConnectable {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '100m', cpuLimit: '1', memoryRequest: '256Mi', memoryLimit: '1Gi' };
  public static readonly PORT = 5050;
  /** UID/GID of the `dify` user in the image. */
  public static readonly UID = 1001;
  /** Redis key prefix (upstream's). */
  public static readonly REDIS_PREFIX = 'dify-agent';

  public readonly workload: DifyWorkload;
  public readonly host: string;
  public readonly port = DifyAgentBackend.PORT;

  constructor(scope: Construct, id: string, props: DifyAgentBackendProps) {
    super(scope, id);
    guardProps('DifyAgentBackendProps', props);
    const grace = validateInt('agent.shutdownGraceSeconds', props.shutdownGraceSeconds ?? 30, 1, 300);
    const patterns = props.shellRedactPatterns ?? [];
    if (!Array.isArray(patterns)) invalid('agent.shellRedactPatterns', patterns, 'must be a list of regular expressions');
    // Compiled by the agent backend with Python's re (dify_agent server settings), so validated in that dialect.
    patterns.forEach((re, i) => validatePythonRegex(`agent.shellRedactPatterns[${i}]`, re, 'the agent backend'));
    const name = `${props.instance}-agent-backend`;
    const sandbox = httpUrl(props.localSandbox);
    const c = props.credentials;
    const env = new EnvSet()
      .plain(
        {
          DIFY_AGENT_PLUGIN_DAEMON_URL: httpUrl(props.pluginDaemon),
          DIFY_AGENT_INNER_API_URL: httpUrl(props.api),
          DIFY_AGENT_RUNTIME_BACKEND: 'local',
          // 1.16.1's release compose set the SHELLCTL names, later ones the LOCAL_SANDBOX names; the backend accepts both.
          DIFY_AGENT_LOCAL_SANDBOX_ENDPOINT: sandbox,
          DIFY_AGENT_SHELLCTL_ENTRYPOINT: sandbox,
          // Reached by the sandbox through the agent SSRF proxy, which allows exactly these paths.
          DIFY_AGENT_STUB_API_BASE_URL: `http://${name}:${DifyAgentBackend.PORT}/agent-stub`,
          DIFY_AGENT_SANDBOX_FILES_BASE_URL: httpUrl(props.api),
          DIFY_AGENT_SHUTDOWN_GRACE_SECONDS: grace,
          DIFY_AGENT_RUN_RETENTION_SECONDS: validateInt('agent.runRetentionSeconds', props.runRetentionSeconds ?? 259200, 60, 31536000),
          DIFY_AGENT_RUN_TIMEOUT_SECONDS: validateInt('agent.runTimeoutSeconds', props.runTimeoutSeconds ?? 3600, 1, 86400),
          DIFY_AGENT_SHELL_REDACT_PATTERNS: patterns.length ? JSON.stringify(patterns) : undefined,
          HOME: '/tmp',
        },
        'agentBackend',
      )
      // Upstream's prefix of the runs kept in Redis: another orphans the running and retained runs of the old one.
      .defaults({ DIFY_AGENT_REDIS_PREFIX: DifyAgentBackend.REDIS_PREFIX }, 'agentBackend')
      .secret({
        DIFY_AGENT_REDIS_URL: c.redisUrl,
        DIFY_AGENT_PLUGIN_DAEMON_API_KEY: c.pluginDaemonKey,
        DIFY_AGENT_INNER_API_KEY: c.innerApiKey,
        DIFY_AGENT_LOCAL_SANDBOX_AUTH_TOKEN: c.sandboxToken,
        DIFY_AGENT_SHELLCTL_AUTH_TOKEN: c.sandboxToken,
        DIFY_AGENT_SERVER_SECRET_KEY: c.serverSecretKey,
        DIFY_AGENT_API_TOKEN: c.apiToken,
      });
    env.merge(redisTrust(props.redis));
    const port = tcpProbe('http');
    this.workload = new DifyWorkload(this, 'Resource', {
      ...props,
      component: 'agent-backend',
      name,
      image: props.image ?? DEFAULT_IMAGES.agentBackend,
      kind: 'Deployment',
      env,
      ports: [{ name: 'http', port: DifyAgentBackend.PORT }],
      // uvicorn listens once the app's lifespan started; /openapi.json is FastAPI's unauthenticated schema route.
      probes: { readiness: httpProbe('/openapi.json', 'http', { timeout: 5 }), liveness: tcpProbe('http', { period: 20 }), startup: startupFor(port, 120) },
      resources: DifyAgentBackend.DEFAULT_RESOURCES,
      security: nonRootProfile(DifyAgentBackend.UID, { readOnlyRootFilesystem: true, fsGroup: DifyAgentBackend.UID }),
      volumes: [emptyDir('tmp', '256Mi')],
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
      // Runs get DIFY_AGENT_SHUTDOWN_GRACE_SECONDS to finish before the kubelet kills the process.
      terminationGracePeriodSeconds: grace + 30,
    });
    this.host = this.workload.name;
    const redis = redisBackendEnv(props.redis);
    for (const t of reachOf(props.redis, redis, props.externalNetworks ?? ANYWHERE)) this.connections.allowTo(t);
    this.connections.allowTo(props.pluginDaemon);
    this.connections.allowTo(props.localSandbox);
    if (isConnectable(props.api)) this.connections.allowTo(props.api);
  }

  public get connections(): Connections {
    return this.workload.connections;
  }
}

/**
 * The backend's trust for a Redis whose certificate a private CA signs: the
 * backend opens Redis with redis-py's `Redis.from_url(DIFY_AGENT_REDIS_URL)`
 * (dify-agent/src/dify_agent/server/app.py), whose TLS context comes from
 * `ssl.create_default_context()` and so from OpenSSL's default verify paths:
 * SSL_CERT_FILE names the same CA bundle the api-image pods mount
 * (REDIS_SSL_CA_CERTS). It replaces the image's default trust store for
 * default-context clients only (its HTTP clients verify with certifi).
 * Client certificates are mounted too (at the path REDIS_SSL_CERTFILE /
 * REDIS_SSL_KEYFILE name elsewhere); the URL names them with
 * `?ssl_certfile=<path>&ssl_keyfile=<path>`.
 */
function redisTrust(redis: RedisConnectionLike): EnvSet {
  const env = new EnvSet();
  const shared = redisBackendEnv(redis);
  if (shared.plainValue('REDIS_USE_SSL') !== 'true' || shared.plainValue('REDIS_SSL_CERT_REQS') === 'CERT_NONE') return env;
  const ca = shared.fileSource('REDIS_SSL_CA_CERTS');
  if (ca) env.file({ SSL_CERT_FILE: ca });
  else env.plain({ SSL_CERT_FILE: shared.plainValue('REDIS_SSL_CA_CERTS') }, 'redis.tls.caCertsPath');
  for (const name of ['REDIS_SSL_CERTFILE', 'REDIS_SSL_KEYFILE']) {
    const source = shared.fileSource(name);
    if (source) env.mountFile(source);
  }
  return env;
}
