import { k8s } from '../core/k8s';
import { Construct } from 'constructs';
import { NetworkPeer, PodPeer } from '../core/connections';
import { DifyUrls, HostRoutes, recordUrls } from '../config/urls';
import { metadataLabels } from '../core/labels';
import { invalid, validateDnsSubdomain, validateHostname, validateNginxSize } from '../core/validation';
import { EXPOSED_ROUTES, DifyRoute, IRouteTable, RouteBackends, ServedRoute, admitController, servedRoutes, serves, validateBackendNamespaces } from './routes';
import { IngressSecurityHeaders, IngressTls } from './tls';
import { guardProps } from '../core/guard';
import { validateAnnotations } from '../core/k8s-rules';

/** Props of {@link DifyIngress}. */
export interface DifyIngressProps {
  readonly instance: string;
  /** The host every route is served on. Give this or `urls`. @default - the hosts of `urls` */
  readonly host?: string;
  /**
   * The public URLs: each route is served on the host its URL points to
   * (split web and API hosts, `/e/` where ENDPOINT_URL_TEMPLATE points).
   * Give this or `host`. @default - every route on `host`
   */
  readonly urls?: DifyUrls;
  /** The backends; Dify components among them admit the controller in their NetworkPolicies. Without `apiWebsocket`, `/socket.io/` is not routed. */
  readonly backends: RouteBackends;
  /** The ingress controller's pods. @default - namespace `ingress-nginx`, pods `app.kubernetes.io/name: ingress-nginx` */
  readonly controller?: PodPeer | NetworkPeer;
  /** IngressClass. @default "nginx" */
  readonly ingressClassName?: string;
  /** Request body limit (upstream client_max_body_size). @default "100m" */
  readonly maxBodySize?: string;
  /** Extra annotations, merged over the defaults. @default {} */
  readonly annotations?: Record<string, string>;
  /** Terminate TLS for every host with this certificate. @default - no TLS on the Ingress */
  readonly tls?: IngressTls;
  /** With `tls`, redirect http to https (ingress-nginx `ssl-redirect`, `force-ssl-redirect`). @default true */
  readonly sslRedirect?: boolean;
  /** Response security headers. @default IngressSecurityHeaders.controllerDefaults() */
  readonly securityHeaders?: IngressSecurityHeaders;
  /**
   * Send upstream's `Dify-Hook-Url: $scheme://$host$request_uri` request header on
   * `/e/` (plugin endpoints). ingress-nginx can only set a header from request
   * variables with a `configuration-snippet` annotation, which controllers refuse
   * by default since v1.9 (`allow-snippet-annotations: "false"`; it also needs
   * `annotations-risk-level: Critical`). When true, `/e/` moves to a second
   * Ingress `<instance>-plugin-endpoints` carrying that snippet, so the snippet
   * never applies to the other routes. @default false
   */
  readonly hookUrlHeader?: boolean;
}

/** The configuration-snippet that sets upstream's `Dify-Hook-Url` header (nginx/conf.d/default.conf.template, location /e/). */
export const HOOK_URL_SNIPPET = 'proxy_set_header Dify-Hook-Url $scheme://$host$request_uri;';

/**
 * One Ingress reproducing upstream's nginx route table, with the streaming
 * settings Dify relies on as ingress-nginx annotations: no proxy buffering
 * (server-sent events), 3600 s read and send timeouts, 100 MB bodies. With
 * split hosts (`urls` from {@link DifyUrls.split}) each host gets one rule
 * holding its routes; with `tls` every host is in the TLS block and plain
 * http is redirected.
 */
export class DifyIngress extends Construct implements IRouteTable {
  /** Every route served: host + path to backend. */
  public readonly routeTable: readonly ServedRoute[];
  public readonly routeEntry: NetworkPeer;

  /** ingress-nginx annotations mirroring upstream's proxy.conf and nginx.conf. */
  public static streamingAnnotations(maxBodySize: string): Record<string, string> {
    return {
      'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
      'nginx.ingress.kubernetes.io/proxy-request-buffering': 'off',
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-body-size': maxBodySize,
      'nginx.ingress.kubernetes.io/proxy-http-version': '1.1',
    };
  }

  public readonly ingress: k8s.KubeIngress;
  /** The Ingress holding `/e/` with the `Dify-Hook-Url` snippet, with `hookUrlHeader`. */
  public readonly pluginEndpointsIngress?: k8s.KubeIngress;
  public readonly ingressClassName: string;
  /** The TLS Secret, when the Ingress terminates TLS. */
  public readonly tlsSecretName?: string;

  constructor(scope: Construct, id: string, props: DifyIngressProps) {
    super(scope, id);
    guardProps('DifyIngressProps', props, 'ingress');
    validateBackendNamespaces('ingress', this, props.backends);
    if (props.urls) recordUrls(this, props.instance, props.urls, 'ingress.urls');
    let hostRoutes: HostRoutes[];
    if (props.urls) {
      if (props.host !== undefined) invalid('ingress.host', props.host, 'give either host or urls, not both');
      hostRoutes = props.urls.routesByHost(serves(props.backends));
      if (props.tls && !props.urls.tls) {
        invalid('urls.tls', false, 'must be true when the Ingress terminates TLS, or Dify keeps handing out http:// links');
      }
    } else {
      if (props.host === undefined) invalid('ingress.host', props.host, 'give either host or urls');
      validateHostname('ingress.host', props.host);
      hostRoutes = [{ host: props.host, routes: EXPOSED_ROUTES.filter((r) => serves(props.backends)(r.target)) }];
    }
    this.ingressClassName = validateDnsSubdomain('ingress.ingressClassName', props.ingressClassName ?? 'nginx');
    const maxBody = props.maxBodySize ?? '100m';
    validateNginxSize('ingress.maxBodySize', maxBody);
    validateAnnotations('ingress.annotations', props.annotations);

    const hosts = hostRoutes.map((h) => h.host);
    hosts.forEach((h, i) => validateHostname(i === 0 ? 'host' : 'apiHost', h));
    const annotations = DifyIngress.streamingAnnotations(maxBody);
    if (props.tls) {
      this.tlsSecretName = props.tls.bind(this, props.instance, hosts);
      if (props.sslRedirect ?? true) {
        annotations['nginx.ingress.kubernetes.io/ssl-redirect'] = 'true';
        annotations['nginx.ingress.kubernetes.io/force-ssl-redirect'] = 'true';
      }
    }
    Object.assign(annotations, props.securityHeaders?.bind(this, props.instance));

    const hookUrl = props.hookUrlHeader ?? false;
    if (typeof hookUrl !== 'boolean') invalid('ingress.hookUrlHeader', hookUrl, 'must be true or false');
    const isHook = (r: DifyRoute) => hookUrl && r.target === 'pluginDaemon';
    const render = (name: string, component: string, extra: Record<string, string>, pick: (r: DifyRoute) => boolean) => {
      const rules = hostRoutes.map(({ host, routes }) => ({ host, routes: routes.filter(pick) })).filter((h) => h.routes.length > 0);
      return new k8s.KubeIngress(this, name === props.instance ? 'Resource' : 'PluginEndpoints', {
        metadata: { name, labels: metadataLabels({ instance: props.instance, component }), annotations: { ...annotations, ...extra, ...props.annotations } },
        spec: {
          ingressClassName: this.ingressClassName,
          rules: rules.map(({ host, routes }) => ({
            host,
            http: {
              paths: routes.map((r) => ({
                path: r.path,
                pathType: 'Prefix',
                backend: { service: { name: props.backends[r.target]!.host, port: { number: props.backends[r.target]!.port } } },
              })),
            },
          })),
          tls: this.tlsSecretName ? [{ hosts: rules.map((h) => h.host), secretName: this.tlsSecretName }] : undefined,
        },
      });
    };
    this.ingress = render(props.instance, 'ingress', {}, (r) => !isHook(r));
    if (hookUrl) {
      this.pluginEndpointsIngress = render(
        `${props.instance}-plugin-endpoints`,
        'ingress-plugin-endpoints',
        { 'nginx.ingress.kubernetes.io/configuration-snippet': HOOK_URL_SNIPPET },
        isHook,
      );
    }
    this.routeTable = servedRoutes(hostRoutes, props.backends);
    this.routeEntry = admitController(
      'ingress.controller',
      props.controller,
      props.backends,
      hostRoutes.flatMap((h) => h.routes.map((r) => r.target)),
    );
  }
}
