import { recordNodePortProp } from '../core/collisions';
import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { DifyUrls, recordUrls } from '../config/urls';
import { Connections, IConnectable, NetworkPeer, isConnectable } from '../core/connections';
import { metadataLabels } from '../core/labels';
import { ComponentResources, withResources } from '../core/resources';
import { nonRootProfile } from '../core/security';
import { parseCpu, validateCpu } from '../core/k8s-rules';
import { invalid, validateDnsSubdomain, validateInt, validateNginxSize, validatePort } from '../core/validation';
import { DifyComponentProps, DifyWorkload, emptyDir, httpProbe } from '../core/workload';
import { renderNginxConfig } from './nginx-config';
import { IRouteTable, RouteBackend, RouteBackends, RouteTarget, ServedRoute, servedRoutes, serves, validateBackendNamespaces } from './routes';
import { IngressTls, SecurityHeadersOptions, resolveSecurityHeaders } from './tls';
import { guardProps } from '../core/guard';
import { validateDataKey } from '../core/secret-ref';
import { validateAnnotations, validateCidr, validateNodePort } from '../core/k8s-rules';

/** How the proxy is exposed outside the cluster. */
export interface NginxProxyServiceOptions {
  /** Service type. @default "LoadBalancer" */
  readonly type?: 'LoadBalancer' | 'NodePort';
  /** Service annotations, e.g. cloud load-balancer settings. @default {} */
  readonly annotations?: Record<string, string>;
  /** Node port of http (30000-32767). @default - allocated by Kubernetes */
  readonly httpNodePort?: number;
  /** Node port of https, with `tls` (30000-32767). @default - allocated by Kubernetes */
  readonly httpsNodePort?: number;
  /** Port of http on the Service (upstream EXPOSE_NGINX_PORT). @default 80 */
  readonly httpPort?: number;
  /** Port of https on the Service, with `tls` (upstream EXPOSE_NGINX_SSL_PORT). @default 443 */
  readonly httpsPort?: number;
  /** `Local` keeps client source addresses (X-Forwarded-For) and skips the extra node hop. @default "Cluster" */
  readonly externalTrafficPolicy?: 'Cluster' | 'Local';
  /** Client CIDRs a LoadBalancer admits. @default - every address */
  readonly loadBalancerSourceRanges?: string[];
}

/** Props of {@link DifyNginxProxy}. */
export interface DifyNginxProxyProps extends DifyComponentProps {
  /** The public URLs: one server block per host with the routes its URLs point to. */
  readonly urls: DifyUrls;
  /** The backends; the proxy is wired to the Dify components among them. Without `apiWebsocket`, `/socket.io/` is not routed. */
  readonly backends: RouteBackends;
  /** @default DifyNginxProxy.DEFAULT_IMAGE */
  readonly image?: string;
  /** @default - a LoadBalancer Service on port 80 (and 443 with `tls`) */
  readonly service?: NginxProxyServiceOptions;
  /**
   * Terminate TLS in nginx with this certificate (port 443). Without an
   * ingress controller, ACME HTTP-01 challenges cannot be served: use a
   * DNS-01 issuer or an existing Secret. @default - plain http; terminate TLS in front
   */
  readonly tls?: IngressTls;
  /** With `tls`, answer plain http with a 308 redirect to https. @default true */
  readonly httpsRedirect?: boolean;
  /** Response security headers. `false` adds none. @default {} (nosniff, X-Frame-Options, HSTS on https URLs) */
  readonly securityHeaders?: SecurityHeadersOptions | false;
  /** client_max_body_size (upstream NGINX_CLIENT_MAX_BODY_SIZE). @default "100M" */
  readonly maxBodySize?: string;
  /** proxy_read_timeout and proxy_send_timeout in seconds (upstream NGINX_PROXY_*_TIMEOUT). @default 3600 */
  readonly proxyTimeoutSeconds?: number;
  /** keepalive_timeout in seconds (upstream NGINX_KEEPALIVE_TIMEOUT). @default 65 */
  readonly keepaliveTimeoutSeconds?: number;
  /** ssl_protocols, with `tls` (upstream NGINX_SSL_PROTOCOLS); older protocols are insecure and refused. @default ["TLSv1.2", "TLSv1.3"] */
  readonly tlsProtocols?: ReadonlyArray<'TLSv1.2' | 'TLSv1.3'>;
  /**
   * Keys of the certificate chain and the private key in the TLS Secret, with `tls` (upstream
   * NGINX_SSL_CERT_FILENAME, NGINX_SSL_CERT_KEY_FILENAME), for a Secret not of type kubernetes.io/tls.
   * @default - "tls.crt" and "tls.key", the keys of a kubernetes.io/tls Secret
   */
  readonly tlsSecretKeys?: { readonly certificate?: string; readonly privateKey?: string };
  /**
   * Ports nginx listens on in its pod (upstream NGINX_PORT, NGINX_SSL_PORT): unprivileged (1024 or
   * above, the image runs as uid 101), distinct, and not the health port 8081.
   * @default - 8080 and 8443
   */
  readonly listenPorts?: { readonly http?: number; readonly https?: number };
}

const CONFIG_DIR = '/etc/nginx/dify';
const TLS_DIR = '/etc/nginx/tls';

/**
 * Upstream's nginx reverse proxy for clusters without an ingress controller:
 * a Deployment of nginx-unprivileged (uid 101, port 8080, read-only root
 * filesystem, /tmp on an emptyDir) whose configuration is rendered at synth
 * time into a ConfigMap (see {@link renderNginxConfig}), and a LoadBalancer or
 * NodePort Service. The pods roll when the configuration changes.
 */
export class DifyNginxProxy extends Construct implements IConnectable, IRouteTable {
  /** Every route served: host + path to backend. */
  public readonly routeTable: readonly ServedRoute[];
  /** The proxy's own pods receive the requests. */
  public get routeEntry(): IConnectable {
    return this;
  }

  /** nginx-unprivileged: the official nginx image built to run as uid 101 on port 8080. */
  public static readonly DEFAULT_IMAGE = 'nginxinc/nginx-unprivileged:1.28.0-alpine';
  public static readonly DEFAULT_RESOURCES: ComponentResources = { cpuRequest: '50m', cpuLimit: '1', memoryRequest: '64Mi', memoryLimit: '256Mi' };
  public static readonly HTTP_PORT = 8080;
  public static readonly HTTPS_PORT = 8443;
  public static readonly HEALTH_PORT = 8081;

  public readonly workload: DifyWorkload;
  /** The LoadBalancer or NodePort Service. */
  public readonly service: k8s.KubeService;
  /** The rendered configuration files. */
  public readonly config: { readonly 'nginx.conf': string; readonly 'proxy.conf': string };

  constructor(scope: Construct, id: string, props: DifyNginxProxyProps) {
    super(scope, id);
    guardProps('DifyNginxProxyProps', props, 'nginxProxy');
    validateBackendNamespaces('nginxProxy', this, props.backends);
    recordUrls(this, props.instance, props.urls, 'nginxProxy.urls');
    const svc = props.service ?? {};
    const type = svc.type ?? 'LoadBalancer';
    if (type !== 'LoadBalancer' && type !== 'NodePort') invalid('nginxProxy.service.type', type, 'must be "LoadBalancer" or "NodePort"');
    const policy = svc.externalTrafficPolicy ?? 'Cluster';
    if (policy !== 'Cluster' && policy !== 'Local') invalid('nginxProxy.service.externalTrafficPolicy', policy, 'must be "Cluster" or "Local"');
    (svc.loadBalancerSourceRanges ?? []).forEach((cidr, i) => validateCidr(`nginxProxy.service.loadBalancerSourceRanges[${i}]`, cidr));
    validateAnnotations('nginxProxy.service.annotations', svc.annotations);
    if (svc.loadBalancerSourceRanges?.length && type !== 'LoadBalancer') {
      invalid('nginxProxy.service.loadBalancerSourceRanges', svc.loadBalancerSourceRanges, 'only apply to type "LoadBalancer"');
    }
    for (const p of ['httpNodePort', 'httpsNodePort'] as const) {
      if (svc[p] !== undefined) validateNodePort(`nginxProxy.service.${p}`, svc[p]);
    }
    if (svc.httpsPort !== undefined && !props.tls) invalid('nginxProxy.service.httpsPort', svc.httpsPort, 'needs tls: without it the proxy has no https port');
    if (svc.httpsNodePort !== undefined && !props.tls)
      invalid('nginxProxy.service.httpsNodePort', svc.httpsNodePort, 'needs tls: without it the proxy has no https port');
    if (svc.httpNodePort !== undefined && svc.httpNodePort === svc.httpsNodePort) {
      invalid('nginxProxy.service.httpsNodePort', svc.httpsNodePort, 'must differ from httpNodePort');
    }
    if (props.tls && !props.urls.tls) invalid('urls.tls', false, 'must be true when the proxy terminates TLS, or Dify keeps handing out http:// links');
    const listen = { http: props.listenPorts?.http ?? DifyNginxProxy.HTTP_PORT, https: props.listenPorts?.https ?? DifyNginxProxy.HTTPS_PORT };
    for (const k of ['http', 'https'] as const) {
      if (props.listenPorts?.[k] === undefined) continue;
      validateInt(`nginxProxy.listenPorts.${k}`, props.listenPorts[k]!, 1024, 65535);
      if (listen[k] === DifyNginxProxy.HEALTH_PORT)
        invalid(`nginxProxy.listenPorts.${k}`, listen[k], `must differ from the health port ${DifyNginxProxy.HEALTH_PORT}`);
    }
    if (listen.http === listen.https) invalid('nginxProxy.listenPorts.https', listen.https, 'must differ from listenPorts.http');
    const servicePort = { http: svc.httpPort ?? 80, https: svc.httpsPort ?? 443 };
    for (const k of ['httpPort', 'httpsPort'] as const) if (svc[k] !== undefined) validatePort(`nginxProxy.service.${k}`, svc[k]!);
    if (servicePort.http === servicePort.https) invalid('nginxProxy.service.httpsPort', servicePort.https, 'must differ from service.httpPort');
    const tlsProtocols = props.tlsProtocols ?? ['TLSv1.2', 'TLSv1.3'];
    // The items are checked with the props (TLSv1.2 or TLSv1.3: older protocols are insecure).
    if (tlsProtocols.length === 0) invalid('nginxProxy.tlsProtocols', tlsProtocols, 'must list "TLSv1.2", "TLSv1.3" or both');
    const tlsFiles = {
      certificate: validateDataKey('nginxProxy.tlsSecretKeys.certificate', props.tlsSecretKeys?.certificate ?? 'tls.crt', 'Secret'),
      privateKey: validateDataKey('nginxProxy.tlsSecretKeys.privateKey', props.tlsSecretKeys?.privateKey ?? 'tls.key', 'Secret'),
    };
    if (tlsFiles.certificate === tlsFiles.privateKey)
      invalid('nginxProxy.tlsSecretKeys.privateKey', tlsFiles.privateKey, 'must differ from the certificate key');
    for (const p of ['tlsProtocols', 'tlsSecretKeys'] as const) {
      if (props[p] !== undefined && !props.tls) invalid(`nginxProxy.${p}`, props[p], 'needs tls: without it the proxy serves no https');
    }
    const keepalive = validateInt('nginxProxy.keepaliveTimeoutSeconds', props.keepaliveTimeoutSeconds ?? 65, 0, 3600);
    const maxBody = props.maxBodySize ?? '100M';
    validateNginxSize('nginxProxy.maxBodySize', maxBody);
    const timeout = validateInt('nginxProxy.proxyTimeoutSeconds', props.proxyTimeoutSeconds ?? 3600, 1, 86400);
    for (const [target, b] of Object.entries(props.backends).filter(([, b]) => b !== undefined) as Array<[RouteTarget, RouteBackend]>) {
      validateDnsSubdomain(`nginxProxy.backends.${target}.host`, b.host);
      validatePort(`nginxProxy.backends.${target}.port`, b.port);
    }

    // nginx runs one worker per CPU of the limit.
    const resources = withResources(DifyNginxProxy.DEFAULT_RESOURCES, props.options?.resources);
    const workers = Math.max(1, Math.ceil(parseCpu(validateCpu(`${props.optionsPath ?? 'nginx.options'}.resources.cpuLimit`, resources.cpuLimit)) / 1000));
    const name = `${props.instance}-nginx`;
    const volumes: k8s.Volume[] = [emptyDir('tmp', '64Mi'), { name: 'config', configMap: { name: `${name}-config` } }];
    const mounts: k8s.VolumeMount[] = [
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
    ];
    const ports = [{ name: 'http', port: listen.http }];
    let tlsSecretName: string | undefined;
    if (props.tls) {
      tlsSecretName = props.tls.bind(this, props.instance, props.urls.hosts());
      volumes.push({ name: 'tls', secret: { secretName: tlsSecretName, defaultMode: 0o440 } });
      mounts.push({ name: 'tls', mountPath: TLS_DIR, readOnly: true });
      ports.push({ name: 'https', port: listen.https });
    }
    ports.push({ name: 'health', port: DifyNginxProxy.HEALTH_PORT });

    this.config = renderNginxConfig({
      urls: props.urls,
      backends: props.backends,
      httpPort: listen.http,
      httpsPort: props.tls ? listen.https : undefined,
      tlsDir: props.tls ? TLS_DIR : undefined,
      tlsFiles,
      tlsProtocols,
      keepaliveTimeoutSeconds: keepalive,
      httpsRedirect: props.httpsRedirect ?? true,
      healthPort: DifyNginxProxy.HEALTH_PORT,
      configDir: CONFIG_DIR,
      maxBodySize: maxBody,
      proxyTimeoutSeconds: timeout,
      workerProcesses: workers,
      securityHeaders: resolveSecurityHeaders('nginxProxy.securityHeaders', props.securityHeaders),
    });
    const labels = metadataLabels({ instance: props.instance, component: 'nginx' });
    new k8s.KubeConfigMap(this, 'Config', { metadata: { name: `${name}-config`, labels }, data: { ...this.config } });

    const health = httpProbe('/healthz', 'health');
    this.workload = new DifyWorkload(this, 'Resource', {
      ...props,
      component: 'nginx',
      name,
      image: props.image ?? DifyNginxProxy.DEFAULT_IMAGE,
      kind: 'Deployment',
      command: ['nginx', '-e', 'stderr', '-c', `${CONFIG_DIR}/nginx.conf`],
      ports,
      probes: { readiness: health, liveness: httpProbe('/healthz', 'health', { period: 20 }) },
      resources: DifyNginxProxy.DEFAULT_RESOURCES,
      // fsGroup 101 lets nginx read the TLS key mounted with mode 0440.
      security: nonRootProfile(101, { readOnlyRootFilesystem: true, fsGroup: 101 }),
      volumes,
      volumeMounts: mounts,
      configChecksumInputs: { ...this.config, tlsSecret: tlsSecretName ?? '' },
    });

    const servicePorts: k8s.ServicePort[] = [
      { name: 'http', port: servicePort.http, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP', nodePort: svc.httpNodePort },
    ];
    if (props.tls) {
      servicePorts.push({
        name: 'https',
        port: servicePort.https,
        targetPort: k8s.IntOrString.fromString('https'),
        protocol: 'TCP',
        nodePort: svc.httpsNodePort,
      });
    }
    this.service = new k8s.KubeService(this, 'Service', {
      metadata: { name: `${name}-public`, labels, annotations: svc.annotations && Object.keys(svc.annotations).length ? { ...svc.annotations } : undefined },
      spec: {
        type,
        selector: this.workload.selector,
        ports: servicePorts,
        externalTrafficPolicy: policy,
        loadBalancerSourceRanges: svc.loadBalancerSourceRanges?.length ? [...svc.loadBalancerSourceRanges] : undefined,
      },
    });
    recordNodePortProp(this.service, svc.httpNodePort, 'nginxProxy.service.httpNodePort');
    recordNodePortProp(this.service, svc.httpsNodePort, 'nginxProxy.service.httpsNodePort');
    this.routeTable = servedRoutes(props.urls.routesByHost(serves(props.backends)), props.backends);
    // The public Service admits clients from anywhere, on the listener ports only.
    this.connections.allowFrom(
      NetworkPeer.anywhere(),
      ports.filter((p) => p.name !== 'health').map((p) => p.port),
    );
    for (const b of new Set(Object.values(props.backends))) {
      if (b && isConnectable(b)) this.connections.allowTo(b, [b.port]);
    }
  }

  public get connections(): Connections {
    return this.workload.connections;
  }
}
