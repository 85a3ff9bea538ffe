import { Construct } from 'constructs';
import { RedisConnectionLike, ServiceEndpoint } from '../config/connections';
import { ExternalNetworks } from '../config/reach';
import { IConnectable } from '../core/connections';
import { invalid } from '../core/validation';
import { DifyComponentProps } from '../core/workload';
import { renderAgentSquidConfig } from '../networking/squid-config';
import { DifyCredentials } from '../secrets/credentials';
import { DEFAULT_IMAGES } from '../versions';
import { AgentRuntime, DifyAgentBackend, DifyAgentOptions } from './agent-backend';
import { DifyUrls } from '../config/urls';
import { DifyLocalSandbox } from './local-sandbox';
import { DifySsrfProxy } from './ssrf-proxy';
import { guardProps } from '../core/guard';

/** Props of {@link DifyAgentStack}. */
export interface DifyAgentStackProps {
  readonly instance: string;
  /** Run limits, path isolation and the backend's Redis URL. @default {} */
  readonly agent?: DifyAgentOptions;
  /** Common props of each part (options, pull secrets, rotation), e.g. `components.agentBackend`. @default - none */
  readonly parts?: {
    readonly agentBackend?: Partial<DifyComponentProps>;
    readonly localSandbox?: Partial<DifyComponentProps>;
    readonly agentSsrfProxy?: Partial<DifyComponentProps>;
  };
  /** @default - {@link DEFAULT_IMAGES} */
  readonly images?: { readonly agentBackend?: string; readonly localSandbox?: string; readonly ssrfProxy?: string };
  /** The installation's credentials (the agent rows of the credentials table and the two plugin keys). */
  readonly credentials: DifyCredentials;
  /** The Redis the backend keeps its runs in; an external one needs `agent.redisUrl`. */
  readonly redis: RedisConnectionLike;
  /** Whether `redis` is the embedded store (its URL is then derived). */
  readonly embeddedRedis: boolean;
  readonly pluginDaemon: ServiceEndpoint & IConnectable;
  /** The api the backend and the sandbox's files route call (`DIFY_AGENT_INNER_API_URL`). */
  readonly api: ServiceEndpoint;
  /** @default - any address on the ports external services' settings name */
  readonly externalNetworks?: ExternalNetworks;
  /** The public URLs: with the E2B runtime its sandboxes call the api host's `/agent-stub/` and `/files/`. @default - none (required with E2B) */
  readonly urls?: DifyUrls;
}

/**
 * The agent v2 stack: the agent backend (5050), the local sandbox (5004) it
 * runs shells in, and the sandbox's own SSRF proxy, wired so the sandbox
 * reaches only its proxy and the proxy only the public internet plus the
 * backend's `/agent-stub/` and the api's `/files/` (paths restricted by squid).
 * Call {@link connectApi} once the api exists.
 */
export class DifyAgentStack extends Construct {
  public readonly backend: DifyAgentBackend;
  /** The local sandbox, unless runs execute in E2B. */
  public readonly localSandbox?: DifyLocalSandbox;
  /** The local sandbox's SSRF proxy, unless runs execute in E2B. */
  public readonly ssrfProxy?: DifySsrfProxy;
  /** Where runs execute. */
  public readonly runtime: AgentRuntime;

  constructor(scope: Construct, id: string, props: DifyAgentStackProps) {
    super(scope, id);
    guardProps('DifyAgentStackProps', props);
    const { instance, credentials: creds } = props;
    const agent = props.agent ?? {};
    const part = (k: keyof NonNullable<DifyAgentStackProps['parts']>): DifyComponentProps => ({ instance, ...props.parts?.[k] });
    this.runtime = agent.runtime ?? AgentRuntime.local();
    if (!(this.runtime instanceof AgentRuntime)) invalid('agent.runtime', this.runtime, 'must be AgentRuntime.local() or AgentRuntime.e2b({ apiKey, ... })');
    const local = this.runtime.kind === 'local';
    if (!local && agent.pathIsolation !== undefined)
      invalid('agent.pathIsolation', agent.pathIsolation, 'configures the local sandbox, which the E2B runtime leaves out; remove one of the two');
    if (!local && !props.urls)
      invalid('agent.runtime', 'e2b', "needs the installation's public URLs (urls): E2B sandboxes call /agent-stub/ and /files/ from outside the cluster");
    if (local) {
      // The sandbox's proxy forwards to the backend's /agent-stub/ and the api's /files/ by Service name.
      this.ssrfProxy = new DifySsrfProxy(this, 'AgentSsrfProxy', {
        ...part('agentSsrfProxy'),
        image: props.images?.ssrfProxy ?? DEFAULT_IMAGES.ssrfProxy,
        variant: {
          component: 'agent-ssrf-proxy',
          squidConfig: renderAgentSquidConfig(DifySsrfProxy.PORT, { agentBackendHost: `${instance}-agent-backend`, apiHost: props.api.host }),
        },
      });
      this.localSandbox = new DifyLocalSandbox(this, 'LocalSandbox', {
        ...part('localSandbox'),
        image: props.images?.localSandbox ?? DEFAULT_IMAGES.localSandbox,
        authToken: creds.agentSandboxToken,
        proxy: this.ssrfProxy,
        pathIsolation: agent.pathIsolation,
      });
    }
    if (!agent.redisUrl && !props.embeddedRedis) {
      invalid(
        'agent.redisUrl',
        undefined,
        "is required with externalRedis: a SecretKeyRef to the agent backend's redis[s]:// URL (its own DB index, e.g. 2; Redis Cluster is not supported)",
      );
    }
    const { redisUrl, pathIsolation: _p, runtime: _r, ...tunables } = agent;
    this.backend = new DifyAgentBackend(this, 'AgentBackend', {
      ...part('agentBackend'),
      ...tunables,
      image: props.images?.agentBackend ?? DEFAULT_IMAGES.agentBackend,
      redis: props.redis,
      pluginDaemon: props.pluginDaemon,
      api: props.api,
      localSandbox: this.localSandbox,
      runtime: this.runtime,
      publicApiUrl: local ? undefined : props.urls!.apiUrl,
      externalNetworks: props.externalNetworks,
      credentials: {
        apiToken: creds.agentApiToken,
        serverSecretKey: creds.agentServerSecretKey,
        sandboxToken: local ? creds.agentSandboxToken : undefined,
        pluginDaemonKey: creds.pluginDaemonKey,
        innerApiKey: creds.pluginInnerApiKey,
        redisUrl: redisUrl ?? creds.agentRedisUrl,
      },
    });
  }

  /** Records the flows to the api: the backend's inner API calls, and the sandbox proxy's path-restricted forwards. */
  public connectApi(api: IConnectable): void {
    this.backend.connections.allowTo(api);
    if (!this.ssrfProxy) return;
    // Path-restricted by squid to /agent-stub/ and /files/; NetworkPolicy cannot see paths.
    this.ssrfProxy.connections.allowTo(this.backend);
    this.ssrfProxy.connections.allowTo(api);
  }
}
