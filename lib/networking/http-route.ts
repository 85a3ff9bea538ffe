import { Construct } from 'constructs';
import {
  HttpRoute,
  HttpRouteSpecRules,
  HttpRouteSpecRulesFilters,
  HttpRouteSpecRulesFiltersRequestRedirectScheme,
  HttpRouteSpecRulesFiltersRequestRedirectStatusCode,
  HttpRouteSpecRulesFiltersResponseHeaderModifierSet,
  HttpRouteSpecRulesFiltersType,
  HttpRouteSpecRulesMatchesPathType,
} from '../../imports/httproute-gateway.networking.k8s.io';
import { DifyUrls, recordUrls } from '../config/urls';
import { NetworkPeer, PodPeer } from '../core/connections';
import { metadataLabels } from '../core/labels';
import { invalid, validateDnsLabel, validateDnsSubdomain, validateHostname, validatePort } from '../core/validation';
import {
  DifyRoute,
  IRouteTable,
  RouteBackend,
  RouteBackends,
  RouteTarget,
  ServedRoute,
  admitController,
  servedRoutes,
  serves,
  validateBackendNamespaces,
} from './routes';
import { SecurityHeadersOptions, resolveSecurityHeaders } from './tls';
import { guardProps } from '../core/guard';

/** The Gateway (and optionally its listener) a route attaches to. */
export interface GatewayParentRef {
  /** Name of the Gateway. */
  readonly name: string;
  /** Namespace of the Gateway; its listeners' `allowedRoutes` must admit this namespace. @default - the route's namespace */
  readonly namespace?: string;
  /** Listener name (`sectionName`). @default - every listener of the Gateway that accepts the route */
  readonly sectionName?: string;
}

/** Props of {@link DifyHttpRoute}. */
export interface DifyHttpRouteProps {
  readonly instance: string;
  /** The public URLs: their hosts become the routes' hostnames, and each path goes to the host its URL points to. */
  readonly urls: DifyUrls;
  /** The backends; Dify components among them admit the Gateway's pods in their NetworkPolicies. Without `apiWebsocket`, `/socket.io/` is not routed. */
  readonly backends: RouteBackends;
  /** The Gateway implementation's data-plane pods. @default - namespace `ingress-nginx`, pods `app.kubernetes.io/name: ingress-nginx` */
  readonly controller?: PodPeer | NetworkPeer;
  /** The Gateway serving the hosts. TLS is terminated by its listener. */
  readonly gateway: GatewayParentRef;
  /**
   * `timeouts.request` of every rule but `/socket.io/` (Gateway API duration,
   * Extended support); upstream lets streams run for 3600 s. The websocket rule
   * gets "0s" (no timeout): a request timeout would cut every collaboration
   * session after that long. @default "3600s"
   */
  readonly requestTimeout?: string;
  /**
   * Response headers added by ResponseHeaderModifier filters (Extended
   * support): nosniff everywhere, X-Frame-Options on API and plugin routes
   * (the frontend sends its own, omitting it on embeddable pages), HSTS on
   * https URLs. `false` adds none. @default {}
   */
  readonly securityHeaders?: SecurityHeadersOptions | false;
  /**
   * Listener (`sectionName`) of the same Gateway that serves plain http: an
   * extra HTTPRoute there redirects every request to https (308). Needs https
   * URLs and `gateway.sectionName`. @default - no redirect route
   */
  readonly httpsRedirectSectionName?: string;
}

const DURATION = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/;

/**
 * The request headers an exposure without per-request header values sends on
 * `/e/` so that the plugin daemon hands plugins upstream's `Dify-Hook-Url`.
 * dify-plugin-daemon 0.6.10 (internal/service/endpoint.go, copyRequest) passes
 * a non-empty `Dify-Hook-Url` through verbatim and otherwise sets
 * `<scheme>://<host>/e/<hook id><path>`, scheme `https` when `X-Forwarded-Proto`
 * is `https`, host from `X-Original-Host` (else the request's Host): upstream's
 * `$scheme://$host$request_uri` without the query string. `remove` keeps a
 * client from choosing the URL plugins see.
 */
export function pluginEndpointRequestHeaders(host: string, tls: boolean): { set: Array<{ name: string; value: string }>; remove: string[] } {
  return {
    set: [
      { name: 'X-Forwarded-Proto', value: tls ? 'https' : 'http' },
      { name: 'X-Original-Host', value: host },
    ],
    remove: ['Dify-Hook-Url'],
  };
}

/**
 * Gateway API alternative to {@link DifyIngress}: HTTPRoutes
 * (gateway.networking.k8s.io/v1) attached to a Gateway you run, one per public
 * host, with one PathPrefix rule per entry of upstream's route table. Gateway
 * API picks the longest matching prefix, as nginx does, and matches whole path
 * segments (`/api` does not match `/apix`), as the Ingress does.
 *
 * `Dify-Hook-Url` on `/e/`: upstream's nginx sends `$scheme://$host$request_uri`,
 * a per-request value RequestHeaderModifier cannot express (it sets static
 * values; a static URL would hand every plugin the wrong hook id). The plugin
 * daemon derives the same URL itself when the header is absent
 * ({@link pluginEndpointRequestHeaders}), so the `/e/` rule's standard
 * RequestHeaderModifier removes any client-sent `Dify-Hook-Url` and sets the
 * two static inputs of that derivation: the route's public scheme
 * (`X-Forwarded-Proto`) and host (`X-Original-Host`).
 *
 * Not expressible in Gateway API, and left to the implementation's policies:
 * response buffering (Dify streams server-sent events) and the 100 MB body limit.
 * WebSocket upgrades on `/socket.io/` need no field: Gateway implementations
 * proxy them by default; idle timeouts are implementation policy.
 */
export class DifyHttpRoute extends Construct implements IRouteTable {
  /** Every route served: host + path to backend. */
  public readonly routeTable: readonly ServedRoute[];
  public readonly routeEntry: NetworkPeer;

  /** The routes serving Dify, web host first. */
  public readonly routes: HttpRoute[] = [];
  /** The http-to-https redirect route, if requested. */
  public readonly redirectRoute?: HttpRoute;

  constructor(scope: Construct, id: string, props: DifyHttpRouteProps) {
    super(scope, id);
    guardProps('DifyHttpRouteProps', props, 'httpRoute');
    validateBackendNamespaces('httpRoute', this, props.backends);
    recordUrls(this, props.instance, props.urls, 'httpRoute.urls');
    const gw: Partial<GatewayParentRef> = props.gateway ?? {};
    validateDnsSubdomain('httpRoute.gateway.name', gw.name as string);
    if (gw.namespace !== undefined) validateDnsLabel('httpRoute.gateway.namespace', gw.namespace);
    if (gw.sectionName !== undefined) validateDnsLabel('httpRoute.gateway.sectionName', gw.sectionName);
    const timeout = props.requestTimeout ?? '3600s';
    if (typeof timeout !== 'string' || !DURATION.test(timeout)) {
      invalid('httpRoute.requestTimeout', timeout, 'must be a Gateway API duration such as "3600s", "1h" or "90m"');
    }
    for (const [target, b] of Object.entries(props.backends).filter(([, b]) => b !== undefined) as Array<[RouteTarget, RouteBackend]>) {
      validateDnsLabel(`httpRoute.backends.${target}.host`, b.host);
      validatePort(`httpRoute.backends.${target}.port`, b.port);
    }
    const headers = resolveSecurityHeaders('httpRoute.securityHeaders', props.securityHeaders);
    const labels = metadataLabels({ instance: props.instance, component: 'http-route' });
    const parentRef = { name: gw.name as string, namespace: gw.namespace, sectionName: gw.sectionName };

    const responseHeaders = (route: DifyRoute): HttpRouteSpecRulesFilters[] => {
      const set: HttpRouteSpecRulesFiltersResponseHeaderModifierSet[] = [];
      if (headers.noSniff) set.push({ name: 'X-Content-Type-Options', value: 'nosniff' });
      if (headers.frameOptions && route.target !== 'web') set.push({ name: 'X-Frame-Options', value: 'SAMEORIGIN' });
      if (props.urls.tls && headers.hstsMaxAgeSeconds > 0) set.push({ name: 'Strict-Transport-Security', value: `max-age=${headers.hstsMaxAgeSeconds}` });
      return set.length ? [{ type: HttpRouteSpecRulesFiltersType.RESPONSE_HEADER_MODIFIER, responseHeaderModifier: { set } }] : [];
    };

    const split = props.urls.split;
    props.urls.hosts().forEach((h, i) => validateHostname(i === 0 ? 'host' : 'apiHost', h));
    const byHost = props.urls.routesByHost(serves(props.backends));
    this.routeTable = servedRoutes(byHost, props.backends);
    this.routeEntry = admitController(
      'httpRoute.controller',
      props.controller,
      props.backends,
      byHost.flatMap((h) => h.routes.map((r) => r.target)),
    );
    for (const { host, routes } of byHost) {
      const rules: HttpRouteSpecRules[] = routes.map((r) => {
        const filters = [
          ...(r.target === 'pluginDaemon'
            ? [{ type: HttpRouteSpecRulesFiltersType.REQUEST_HEADER_MODIFIER, requestHeaderModifier: pluginEndpointRequestHeaders(host, props.urls.tls) }]
            : []),
          ...responseHeaders(r),
        ];
        return {
          matches: [{ path: { type: HttpRouteSpecRulesMatchesPathType.PATH_PREFIX, value: r.path } }],
          filters: filters.length ? filters : undefined,
          backendRefs: [{ kind: 'Service', name: props.backends[r.target]!.host, port: props.backends[r.target]!.port }],
          timeouts: { request: r.target === 'apiWebsocket' ? '0s' : timeout },
        };
      });
      const suffix = !split ? '' : host === props.urls.webHost ? '-web' : '-api';
      this.routes.push(
        new HttpRoute(this, `Route${suffix}`, {
          metadata: { name: `${props.instance}${suffix}`, labels },
          spec: { parentRefs: [parentRef], hostnames: [host], rules },
        }),
      );
    }

    if (props.httpsRedirectSectionName !== undefined) {
      validateDnsLabel('httpRoute.httpsRedirectSectionName', props.httpsRedirectSectionName);
      if (!props.urls.tls) invalid('httpRoute.httpsRedirectSectionName', props.httpsRedirectSectionName, 'needs https URLs (urls tls: true)');
      if (gw.sectionName === undefined || gw.sectionName === props.httpsRedirectSectionName) {
        invalid(
          'httpRoute.httpsRedirectSectionName',
          props.httpsRedirectSectionName,
          'needs gateway.sectionName naming a different (https) listener, or the redirect would catch the https traffic too',
        );
      }
      this.redirectRoute = new HttpRoute(this, 'HttpsRedirect', {
        metadata: { name: `${props.instance}-https-redirect`, labels },
        spec: {
          parentRefs: [{ ...parentRef, sectionName: props.httpsRedirectSectionName }],
          hostnames: props.urls.hosts(),
          rules: [
            {
              filters: [
                {
                  type: HttpRouteSpecRulesFiltersType.REQUEST_REDIRECT,
                  requestRedirect: {
                    scheme: HttpRouteSpecRulesFiltersRequestRedirectScheme.HTTPS,
                    statusCode: HttpRouteSpecRulesFiltersRequestRedirectStatusCode.VALUE_308,
                  },
                },
              ],
            },
          ],
        },
      });
    }
  }
}
