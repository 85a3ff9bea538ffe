import { Construct } from 'constructs';
import { RedisConnectionLike, ServiceEndpoint, httpUrl, redisBackendEnv, validateSecretKeyRef } from '../config/connections';
import { ANYWHERE, ExternalNetworks, reachOf } from '../config/reach';
import { Connections, IConnectable, NetworkPeer, isConnectable } from '../core/connections';
import { EnvSet } from '../core/env';
import { ComponentResources } from '../core/resources';
import { SecretKeyRef } from '../core/secret-ref';
import { nonRootProfile } from '../core/security';
import { invalid, validateInt, validatePort, validatePythonRegex } from '../core/validation';
import { DifyComponentProps, DifyWorkload, emptyDir, httpProbe, startupFor, tcpProbe } from '../core/workload';
import { DEFAULT_IMAGES } from '../versions';
import { guardProps } from '../core/guard';

/** Options of {@link AgentRuntime.e2b}: upstream's five E2B settings (docker/.env.example, 1.16.1). */
export interface E2bRuntimeOptions {
  /** DIFY_AGENT_E2B_API_KEY: the E2B API key, from a Secret. */
  readonly apiKey: SecretKeyRef;
  /** DIFY_AGENT_E2B_TEMPLATE: a prepared template that starts shellctl and holds the initial home. @default "difys-default-team/dify-agent-local-sandbox" */
  readonly template?: string;
  /** DIFY_AGENT_E2B_ACTIVE_TIMEOUT_SECONDS: longest continuous active time of a run's sandbox, then it pauses (E2B allows up to 3600). @default 3600 */
  readonly activeTimeoutSeconds?: number;
  /** DIFY_AGENT_E2B_SHELLCTL_AUTH_TOKEN: bearer token shellctl in the template expects. @default - none (upstream's empty value) */
  readonly shellctlAuthToken?: SecretKeyRef;
  /** DIFY_AGENT_E2B_SHELLCTL_PORT: shellctl's port in the template. @default 5004 */
  readonly shellctlPort?: number;
}

/**
 * Where agent runs execute shell steps (DIFY_AGENT_RUNTIME_BACKEND): the
 * in-cluster local sandbox (default), or E2B's hosted sandboxes. With E2B,
 * as upstream's docker-compose.e2b.yaml, no local sandbox (nor its SSRF
 * proxy) is deployed; the backend reaches the E2B API and sandboxes on 443,
 * and the sandboxes call back the public `/agent-stub/` and `/files/` routes.
 */
export class AgentRuntime {
  /** The local sandbox (shellctl) in the cluster, behind its own SSRF proxy. */
  public static local(): AgentRuntime {
    return new AgentRuntime('local');
  }

  /** E2B sandboxes: the API key from a Secret, the other four settings typed. */
  public static e2b(options: E2bRuntimeOptions): AgentRuntime {
    if (typeof options !== 'object' || options === null)
      invalid('agent.runtime.e2b', options, 'must be { apiKey, template?, activeTimeoutSeconds?, shellctlAuthToken?, shellctlPort? }');
    validateSecretKeyRef('agent.runtime.e2b.apiKey', options.apiKey, 'the E2B API key');
    if (options.shellctlAuthToken !== undefined)
      validateSecretKeyRef('agent.runtime.e2b.shellctlAuthToken', options.shellctlAuthToken, 'the token shellctl in the template expects');
    const template = options.template ?? AgentRuntime.DEFAULT_E2B_TEMPLATE;
    if (typeof template !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?(:[A-Za-z0-9._-]+)?$/.test(template))
      invalid('agent.runtime.e2b.template', template, 'must be an E2B template name or id such as "difys-default-team/dify-agent-local-sandbox"');
    return new AgentRuntime('e2b', {
      apiKey: options.apiKey,
      template,
      activeTimeoutSeconds: validateInt('agent.runtime.e2b.activeTimeoutSeconds', options.activeTimeoutSeconds ?? 3600, 1, 3600),
      shellctlAuthToken: options.shellctlAuthToken,
      shellctlPort: validatePort('agent.runtime.e2b.shellctlPort', options.shellctlPort ?? 5004),
    });
  }

  /** Upstream's default template. */
  public static readonly DEFAULT_E2B_TEMPLATE = 'difys-default-team/dify-agent-local-sandbox';

  private constructor(
    /** DIFY_AGENT_RUNTIME_BACKEND. */
    public readonly kind: 'local' | 'e2b',
    /** The E2B settings, defaults resolved. */
    public readonly e2bOptions?: Required<Omit<E2bRuntimeOptions, 'shellctlAuthToken'>> & Pick<E2bRuntimeOptions, 'shellctlAuthToken'>,
  ) {}
}

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
  /** Where runs execute shell steps. @default AgentRuntime.local() */
  readonly runtime?: AgentRuntime;
}

/** Credentials the agent backend reads. */
export interface AgentBackendCredentials {
  /** DIFY_AGENT_API_TOKEN: equals api/worker AGENT_BACKEND_API_TOKEN. */
  readonly apiToken: SecretKeyRef;
  /** DIFY_AGENT_SERVER_SECRET_KEY: unpadded base64url of 32 random bytes (Agent Stub tokens). */
  readonly serverSecretKey: SecretKeyRef;
  /** DIFY_AGENT_LOCAL_SANDBOX_AUTH_TOKEN: equals the local sandbox's SHELLCTL_AUTH_TOKEN (local runtime only). @default - none */
  readonly sandboxToken?: SecretKeyRef;
  /** DIFY_AGENT_PLUGIN_DAEMON_API_KEY: equals the daemon's SERVER_KEY. */
  readonly pluginDaemonKey: SecretKeyRef;
  /** DIFY_AGENT_INNER_API_KEY: equals api's INNER_API_KEY_FOR_PLUGIN. */
  readonly innerApiKey: SecretKeyRef;
  /** DIFY_AGENT_REDIS_URL. */
  readonly redisUrl: SecretKeyRef;
}

/** Props of {@link DifyAgentBackend}. */
export interface DifyAgentBackendProps extends DifyComponentProps, Omit<DifyAgentOptions, 'redisUrl' | 'pathIsolation' | 'runtime'> {
  /** @default - {@link DEFAULT_IMAGES}.agentBackend */
  readonly image?: string;
  readonly credentials: AgentBackendCredentials;
  /** The Redis server the URL points at (embedded store or {@link ExternalRedis}); only for the network flow. */
  readonly redis: RedisConnectionLike;
  readonly pluginDaemon: ServiceEndpoint & IConnectable;
  /** The api's inner API (and the `/files/` base the sandbox downloads from); a {@link DifyApi} is wired as a flow. */
  readonly api: ServiceEndpoint & Partial<IConnectable>;
  /** The local sandbox (shellctl) the runs execute in: required with the local runtime. @default - none (E2B) */
  readonly localSandbox?: ServiceEndpoint & IConnectable;
  /** Where runs execute. @default AgentRuntime.local() */
  readonly runtime?: AgentRuntime;
  /**
   * The public base URL of `/agent-stub/` and `/files/` (the api host's URL), which
   * E2B sandboxes call from outside the cluster: required with E2B. @default - none
   */
  readonly publicApiUrl?: string;
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
    const runtime = props.runtime ?? AgentRuntime.local();
    if (!(runtime instanceof AgentRuntime)) invalid('agent.runtime', runtime, 'must be AgentRuntime.local() or AgentRuntime.e2b({ apiKey, ... })');
    const c = props.credentials;
    // The runtime's variables, rendered in upstream's order between the connection URLs and the run limits.
    let runtimePlain: Record<string, string | number>;
    let runtimeSecrets: Record<string, SecretKeyRef | undefined>;
    if (runtime.e2bOptions) {
      const e2b = runtime.e2bOptions;
      if (props.localSandbox)
        invalid('agentBackend.localSandbox', props.localSandbox.host, 'conflicts with the E2B runtime: runs execute in E2B, leave the local sandbox out');
      if (!props.publicApiUrl || !/^https?:\/\/[^/]+$/.test(props.publicApiUrl))
        invalid(
          'agentBackend.publicApiUrl',
          props.publicApiUrl,
          'must be the public base URL of the api host (e.g. "https://api.dify.example.com") with the E2B runtime: its sandboxes call /agent-stub/ and /files/ from outside the cluster',
        );
      runtimePlain = {
        DIFY_AGENT_E2B_TEMPLATE: e2b.template,
        DIFY_AGENT_E2B_ACTIVE_TIMEOUT_SECONDS: e2b.activeTimeoutSeconds,
        DIFY_AGENT_E2B_SHELLCTL_PORT: e2b.shellctlPort,
        // Remote sandboxes call back through the public exposure, which routes /agent-stub/ and /files/.
        DIFY_AGENT_STUB_API_BASE_URL: `${props.publicApiUrl}/agent-stub`,
        DIFY_AGENT_SANDBOX_FILES_BASE_URL: props.publicApiUrl,
      };
      runtimeSecrets = { DIFY_AGENT_E2B_API_KEY: e2b.apiKey, DIFY_AGENT_E2B_SHELLCTL_AUTH_TOKEN: e2b.shellctlAuthToken };
    } else {
      if (!props.localSandbox) invalid('agentBackend.localSandbox', undefined, 'is required with the local runtime: the DifyLocalSandbox runs execute in');
      if (!c.sandboxToken)
        invalid('agentBackend.credentials.sandboxToken', undefined, "is required with the local runtime: the local sandbox's SHELLCTL_AUTH_TOKEN");
      const sandbox = httpUrl(props.localSandbox);
      runtimePlain = {
        // 1.16.1's release compose set the SHELLCTL names, later ones the LOCAL_SANDBOX names; the backend accepts both.
        DIFY_AGENT_LOCAL_SANDBOX_ENDPOINT: sandbox,
        DIFY_AGENT_SHELLCTL_ENTRYPOINT: sandbox,
        // Reached by the sandbox through the agent SSRF proxy, which allows exactly these paths.
        DIFY_AGENT_STUB_API_BASE_URL: `http://${name}:${DifyAgentBackend.PORT}/agent-stub`,
        DIFY_AGENT_SANDBOX_FILES_BASE_URL: httpUrl(props.api),
      };
      runtimeSecrets = { DIFY_AGENT_LOCAL_SANDBOX_AUTH_TOKEN: c.sandboxToken, DIFY_AGENT_SHELLCTL_AUTH_TOKEN: c.sandboxToken };
    }
    const env = new EnvSet()
      .plain(
        {
          DIFY_AGENT_PLUGIN_DAEMON_URL: httpUrl(props.pluginDaemon),
          DIFY_AGENT_INNER_API_URL: httpUrl(props.api),
          DIFY_AGENT_RUNTIME_BACKEND: runtime.kind,
          ...runtimePlain,
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
        ...runtimeSecrets,
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
    if (props.localSandbox) this.connections.allowTo(props.localSandbox);
    // E2B: its API and the sandboxes' shellctl over HTTPS (api.e2b.app, <port>-<sandbox>.e2b.app), public addresses only.
    if (runtime.e2bOptions) this.connections.allowTo(NetworkPeer.internet(), [443]);
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
