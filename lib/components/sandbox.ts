import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { ServiceEndpoint, httpUrl } from '../config/connections';
import { Connections, IConnectable } from '../core/connections';
import { EnvSet } from '../core/env';
import { metadataLabels } from '../core/labels';
import { ComponentResources } from '../core/resources';
import { SecretKeyRef } from '../core/secret-ref';
import { SecurityProfile } from '../core/security';
import { validateInt, validatePipRequirement, validatePort } from '../core/validation';
import { DifyComponentProps, DifyWorkload, httpProbe, startupFor } from '../core/workload';
import { DEFAULT_IMAGES } from '../versions';
import { guardProps } from '../core/guard';

/** Props of {@link DifySandbox}. */
export interface DifySandboxProps extends DifyComponentProps {
  /** @default - {@link DEFAULT_IMAGES}.sandbox */
  readonly image?: string;
  /** API_KEY: the same Secret key api and worker send as CODE_EXECUTION_API_KEY. */
  readonly apiKey: SecretKeyRef;
  /** The SSRF proxy every outbound request of user code goes through: its only network peer. */
  readonly ssrfProxy: ServiceEndpoint & IConnectable;
  /** Seconds one code run may take (WORKER_TIMEOUT). @default 15 */
  readonly workerTimeoutSeconds?: number;
  /** Let user code open network connections (through the proxy) (ENABLE_NETWORK). @default true */
  readonly enableNetwork?: boolean;
  /** Settings merged over the sandbox's own env (`DifySettings.sandboxEnv()`). @default - none */
  readonly settingsEnv?: EnvSet;
  /** Extra Python packages, written to /dependencies/python-requirements.txt. @default [] */
  readonly pythonRequirements?: string[];
  /** Port the sandbox listens on and its Service serves (SANDBOX_PORT); clients and policies follow it. @default 8194 */
  readonly port?: number;
}

/**
 * Capabilities the sandbox needs after dropping ALL. dify-sandbox starts as
 * root and, for every run, chroots into its jail (SYS_CHROOT), switches to an
 * unprivileged uid/gid (SETUID, SETGID) and then installs its own seccomp
 * filter; the server kills runs that exceed the timeout, which belong to that
 * other uid (KILL), and prepares and cleans the jail's files (CHOWN,
 * DAC_OVERRIDE, FOWNER). All of them are in the Pod Security "baseline" set.
 */
export const SANDBOX_CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'SETGID', 'SETUID', 'SYS_CHROOT'];

/** The code executor (dify-sandbox) for Code nodes on port 8194. Default resources: 100m/1 CPU, 256Mi/1Gi memory. */
export class DifySandbox extends Construct implements IConnectable {
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '100m', cpuLimit: '1', memoryRequest: '256Mi', memoryLimit: '1Gi' };
  public static readonly PORT = 8194;

  public readonly workload: DifyWorkload;
  public readonly host: string;
  public readonly port: number;

  constructor(scope: Construct, id: string, props: DifySandboxProps) {
    super(scope, id);
    guardProps('DifySandboxProps', props);
    this.port = validatePort('settings.sandbox.port', props.port ?? DifySandbox.PORT);
    const timeout = validateInt('sandbox.workerTimeoutSeconds', props.workerTimeoutSeconds ?? 15, 1, 3600);
    const requirements = props.pythonRequirements ?? [];
    requirements.forEach((r, i) => validatePipRequirement(`sandboxPythonRequirements[${i}]`, r));
    const proxy = httpUrl(props.ssrfProxy, this);
    const name = `${props.instance}-sandbox`;
    const labels = metadataLabels({ instance: props.instance, component: 'sandbox' });
    // The server config. The API key is not here: API_KEY from the Secret overrides `app.key`.
    const configYaml = [
      'app:',
      `  port: ${this.port}`,
      '  debug: false',
      'max_workers: 4',
      'max_requests: 50',
      `worker_timeout: ${timeout}`,
      `enable_network: ${props.enableNetwork ?? true}`,
      'allowed_syscalls:',
      'proxy:',
      "  socks5: ''",
      `  http: '${proxy}'`,
      `  https: '${proxy}'`,
      '',
    ].join('\n');
    new k8s.KubeConfigMap(this, 'Config', { metadata: { name: `${name}-config`, labels }, data: { 'config.yaml': configYaml } });
    const volumes: k8s.Volume[] = [{ name: 'config', configMap: { name: `${name}-config` } }];
    const mounts: k8s.VolumeMount[] = [{ name: 'config', mountPath: '/conf', readOnly: true }];
    if (requirements.length) {
      new k8s.KubeConfigMap(this, 'Dependencies', {
        metadata: { name: `${name}-dependencies`, labels },
        data: { 'python-requirements.txt': `${requirements.join('\n')}\n` },
      });
      volumes.push({ name: 'dependencies', configMap: { name: `${name}-dependencies` } });
      mounts.push({ name: 'dependencies', mountPath: '/dependencies', readOnly: true });
    }
    const env = new EnvSet()
      .plain(
        { WORKER_TIMEOUT: timeout, ENABLE_NETWORK: props.enableNetwork ?? true, HTTP_PROXY: proxy, HTTPS_PROXY: proxy, SANDBOX_PORT: this.port },
        'sandbox',
      )
      // gin's debug mode logs every request: not for production, but components.sandbox.extraEnv may choose it.
      .defaults({ GIN_MODE: 'release' }, 'sandbox')
      .secret({ API_KEY: props.apiKey })
      .merge(props.settingsEnv ?? new EnvSet());
    const security: SecurityProfile = {
      runAsUser: 0,
      runAsGroup: 0,
      runAsNonRoot: false,
      readOnlyRootFilesystem: false,
      addCapabilities: SANDBOX_CAPABILITIES,
    };
    const health = httpProbe('/health', 'http');
    this.workload = new DifyWorkload(this, 'Resource', {
      ...props,
      component: 'sandbox',
      name,
      image: props.image ?? DEFAULT_IMAGES.sandbox,
      kind: 'Deployment',
      env,
      ports: [{ name: 'http', port: this.port }],
      probes: { readiness: health, liveness: httpProbe('/health', 'http', { period: 30 }), startup: startupFor(health, 180) },
      resources: DifySandbox.DEFAULT_RESOURCES,
      security,
      volumes,
      volumeMounts: mounts,
      configChecksumInputs: { 'config.yaml': configYaml, requirements: requirements.join('\n') },
    });
    this.host = this.workload.name;
    this.connections.allowTo(props.ssrfProxy);
  }

  public get connections(): Connections {
    return this.workload.connections;
  }
}
