import { getDomain } from 'tldts';
import { hostWithoutPort, invalid, validateUrlHost } from '../core/validation';
import { DIFY_ROUTES, DifyRoute, EXPOSED_ROUTES, RouteTarget } from '../networking/routes';
import { guardProps } from '../core/guard';
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { registerAppCheck } from '../core/collisions';

/** Props of {@link DifyUrls.fromHost}. */
export interface DifyUrlsOptions {
  /** Serve over HTTPS. @default false */
  readonly tls?: boolean;
}

/** Props of {@link DifyUrls.split}. */
export interface DifySplitHostsOptions {
  /** Host of the frontend: console and web apps (CONSOLE_WEB_URL, APP_WEB_URL, NEXT_PUBLIC_SOCKET_URL). */
  readonly webHost: string;
  /** Host of the APIs: CONSOLE_API_URL, APP_API_URL, SERVICE_API_URL, FILES_URL, TRIGGER_URL. */
  readonly apiHost: string;
  /** Serve over HTTPS. @default false */
  readonly tls?: boolean;
  /** The host that routes `/e/` (plugin endpoints), and so ENDPOINT_URL_TEMPLATE. @default "api" */
  readonly pluginEndpointsOn?: 'api' | 'web';
  /**
   * COOKIE_DOMAIN: the domain the console's session and CSRF cookies are set
   * on, so the frontend on `webHost` reads what the API on `apiHost` sets.
   * @default - the longest parent domain the two hosts share
   */
  readonly cookieDomain?: string;
  /**
   * Origins allowed by CONSOLE_CORS_ALLOW_ORIGINS and WEB_API_CORS_ALLOW_ORIGINS
   * besides the web origin, e.g. a custom web-app frontend.
   * @default []
   */
  readonly extraCorsOrigins?: string[];
}

/** How a caller of {@link DifyUrls.split} names its props, so messages name what the user wrote. */
export interface SplitHostsPropNames {
  /** @default "webHost" */
  readonly webHost?: string;
  /** @default "apiHost" */
  readonly apiHost?: string;
  /** Prefix of the other options (`splitHosts.`). @default "" */
  readonly prefix?: string;
}

/** The routes one host serves, in route-table order. */
export interface HostRoutes {
  readonly host: string;
  readonly routes: readonly DifyRoute[];
}

const ORIGIN = /^https?:\/\/[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*(:[0-9]{1,5})?$/;

/**
 * The public URLs Dify puts in pages, API responses and webhooks, derived from
 * one host (upstream's nginx layout) or from separate web and API hosts. They
 * also decide which host serves which route, so Ingress, HTTPRoute and the
 * nginx proxy always route where the URLs point.
 */
export class DifyUrls {
  /** All URLs on one host (the upstream nginx layout). */
  public static fromHost(host: string, options: DifyUrlsOptions = {}): DifyUrls {
    guardProps('DifyUrlsOptions', options, '');
    validateUrlHost('host', host);
    return new DifyUrls(host, host, options.tls ?? false, 'web', undefined, []);
  }

  /**
   * The frontend on `webHost`, the console, web-app and service APIs and file
   * URLs on `apiHost`. Both must share a parent domain: Dify's session cookies
   * are set on it (COOKIE_DOMAIN, NEXT_PUBLIC_COOKIE_DOMAIN) and CORS allows the web origin.
   */
  public static split(options: DifySplitHostsOptions, names: SplitHostsPropNames = {}): DifyUrls {
    // Messages name the props as the caller wrote them (the facade: `host`, `apiHost`, `splitHosts.cookieDomain`).
    const webProp = names.webHost ?? 'webHost';
    const apiProp = names.apiHost ?? 'apiHost';
    const p = (k: string) => `${names.prefix ?? ''}${k}`;
    guardProps('DifySplitHostsOptions', options, '');
    const webAuthority = concreteHost(webProp, options.webHost);
    const apiAuthority = concreteHost(apiProp, options.apiHost);
    const web = hostWithoutPort(webAuthority);
    const api = hostWithoutPort(apiAuthority);
    if (web === api)
      invalid(apiProp, apiAuthority, `must differ from ${webProp} by name (hosts are routed by name, not port); serve everything on one host instead`);
    const on = options.pluginEndpointsOn ?? 'api';
    if (on !== 'api' && on !== 'web') invalid(p('pluginEndpointsOn'), on, 'must be "api" or "web"');
    let cookieDomain: string;
    if (options.cookieDomain === undefined) {
      const shared = sharedParent(web, api);
      if (!shared || getDomain(shared, { allowPrivateDomains: true }) === null) {
        invalid(
          apiProp,
          apiAuthority,
          `must share a parent domain with ${webProp} "${web}" that is not a public suffix${shared ? ` ("${shared}" is on the Public Suffix List)` : ''}: Dify's session cookies must reach both hosts`,
        );
      }
      cookieDomain = shared;
    } else {
      cookieDomain = validateCookieDomain(p('cookieDomain'), options.cookieDomain);
      if (!coveredBy(web, cookieDomain) || !coveredBy(api, cookieDomain)) {
        invalid(p('cookieDomain'), cookieDomain, `must be "${web}", "${api}" or a parent domain of both`);
      }
    }
    (options.extraCorsOrigins ?? []).forEach((o, i) => {
      const allowed = 'must be an origin such as "https://app.example.com" (scheme, host, optional port; no path or trailing slash)';
      if (typeof o === 'string' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(o) && /^[a-z0-9.-]+(:[0-9]+)?$/i.test(o)) {
        invalid(`${p('extraCorsOrigins')}[${i}]`, o, `${allowed}; it has no scheme: did you mean "https://${o}"?`);
      }
      if (typeof o !== 'string' || !ORIGIN.test(o)) invalid(`${p('extraCorsOrigins')}[${i}]`, o, allowed);
    });
    return new DifyUrls(webAuthority, apiAuthority, options.tls ?? false, on, cookieDomain, options.extraCorsOrigins ?? []);
  }

  /** The only host, or the web host when split (without a port: hosts are routed by name). */
  public readonly host: string;
  /** `http(s)://host`: the web URL. */
  public readonly baseUrl: string;
  /** `ws(s)://` web host (NEXT_PUBLIC_SOCKET_URL). */
  public readonly socketUrl: string;
  /** Host name of the frontend (without a port). */
  public readonly webHost: string;
  /** Host name of the APIs and file URLs (the web host unless split; without a port). */
  public readonly apiHost: string;
  /** Host routing `/e/` (ENDPOINT_URL_TEMPLATE). */
  public readonly endpointHost: string;
  /** Whether web and API are on separate hosts. */
  public readonly split: boolean;
  /** `http(s)://` API host. */
  public readonly apiUrl: string;
  /** COOKIE_DOMAIN when split. */
  public readonly cookieDomain?: string;

  private readonly corsOrigins: string[];
  /** `endpointHost` with its port, if any, for ENDPOINT_URL_TEMPLATE. */
  private readonly endpointAuthority: string;

  private constructor(
    webHost: string,
    apiHost: string,
    public readonly tls: boolean,
    pluginEndpointsOn: 'api' | 'web',
    cookieDomain: string | undefined,
    extraCorsOrigins: string[],
  ) {
    const scheme = tls ? 'https' : 'http';
    // `webHost`/`apiHost` arrive as URL authorities (a port kept, for NodePort and proxy setups); routes match names.
    this.webHost = hostWithoutPort(webHost);
    this.apiHost = hostWithoutPort(apiHost);
    this.host = this.webHost;
    this.split = this.webHost !== this.apiHost;
    this.endpointHost = pluginEndpointsOn === 'api' ? this.apiHost : this.webHost;
    this.endpointAuthority = pluginEndpointsOn === 'api' ? apiHost : webHost;
    this.baseUrl = `${scheme}://${webHost}`;
    this.apiUrl = `${scheme}://${apiHost}`;
    this.socketUrl = `${tls ? 'wss' : 'ws'}://${webHost}`;
    this.cookieDomain = cookieDomain;
    this.corsOrigins = [this.baseUrl, ...extraCorsOrigins.filter((o) => o !== this.baseUrl)];
  }

  /** Every host, web host first. */
  public hosts(): string[] {
    return this.split ? [this.webHost, this.apiHost] : [this.webHost];
  }

  /** The host a backend's routes are served on. */
  public hostFor(target: RouteTarget): string {
    // NEXT_PUBLIC_SOCKET_URL points at the web host.
    if (target === 'web' || target === 'apiWebsocket') return this.webHost;
    if (target === 'pluginDaemon') return this.endpointHost;
    return this.apiHost;
  }

  /** The routes split by host (one entry, the whole table, unless split), limited to the targets `available` accepts (default: upstream's table). */
  public routesByHost(available: (target: RouteTarget) => boolean = (t) => DIFY_ROUTES.some((r) => r.target === t)): HostRoutes[] {
    return this.hosts().map((host) => ({ host, routes: EXPOSED_ROUTES.filter((r) => available(r.target) && this.hostFor(r.target) === host) }));
  }

  /** URL variables of api, worker and beat. */
  public backendEnv(): Record<string, string> {
    const env: Record<string, string> = {
      CONSOLE_API_URL: this.apiUrl,
      CONSOLE_WEB_URL: this.baseUrl,
      SERVICE_API_URL: this.apiUrl,
      APP_API_URL: this.apiUrl,
      APP_WEB_URL: this.baseUrl,
      FILES_URL: this.apiUrl,
      TRIGGER_URL: this.apiUrl,
      ENDPOINT_URL_TEMPLATE: `${this.tls ? 'https' : 'http'}://${this.endpointAuthority}/e/{hook_id}`,
    };
    if (this.split) {
      env.COOKIE_DOMAIN = this.cookieDomain!;
      env.CONSOLE_CORS_ALLOW_ORIGINS = this.corsOrigins.join(',');
      env.WEB_API_CORS_ALLOW_ORIGINS = this.corsOrigins.join(',');
    }
    return env;
  }

  /** URL variables of the web frontend. */
  public webEnv(): Record<string, string> {
    const env: Record<string, string> = { CONSOLE_API_URL: this.apiUrl, APP_API_URL: this.apiUrl, NEXT_PUBLIC_SOCKET_URL: this.socketUrl };
    // Upstream: "When the frontend and backend run on different subdomains, set NEXT_PUBLIC_COOKIE_DOMAIN=1."
    if (this.split) env.NEXT_PUBLIC_COOKIE_DOMAIN = '1';
    return env;
  }
}

function concreteHost(prop: string, value: string): string {
  return validateUrlHost(prop, value);
}

/**
 * COOKIE_DOMAIN: a DNS name browsers set cookies on. A public suffix
 * (`com`, `co.uk`, `github.io`, any entry of the Public Suffix List, ICANN and
 * private sections, as browsers read it) is refused by every browser, so the
 * console could never log in.
 */
export function validateCookieDomain(prop: string, value: string): string {
  const allowed = 'must be a domain browsers set cookies on: a host name such as "example.com" (no scheme, port, path or leading dot), not a public suffix';
  if (typeof value !== 'string') return invalid(prop, value, allowed);
  if (value.startsWith('.')) invalid(prop, value, `${allowed}: "${value.replace(/^\.+/, '')}"`);
  if (/:/.test(value) && !/^[a-z]+:\/\//i.test(value)) invalid(prop, value, `${allowed}; cookies are not scoped by port`);
  const host = validateUrlHost(prop, value);
  if (/^[0-9.]+$/.test(host)) invalid(prop, value, `${allowed}; browsers set host-only cookies for IP addresses`);
  if (getDomain(host, { allowPrivateDomains: true }) === null) {
    invalid(prop, value, `${allowed}; "${host}" is on the Public Suffix List, where browsers refuse cookies: use a domain under it`);
  }
  return host;
}

function coveredBy(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

/** The longest parent domain (at least two labels) two hosts share, e.g. `example.com`. */
function sharedParent(a: string, b: string): string | undefined {
  const la = a.split('.').reverse();
  const lb = b.split('.').reverse();
  const common: string[] = [];
  for (let i = 0; i < Math.min(la.length, lb.length) && la[i] === lb[i]; i++) common.push(la[i]);
  return common.length >= 2 ? common.reverse().join('.') : undefined;
}

const URLS_USER = Symbol.for('dify-cdk8s.urls-user');

interface UrlsUser {
  readonly instance: string;
  readonly urls: DifyUrls;
  /** How the construct takes the URLs, e.g. `web.urls`. */
  readonly prop: string;
}

/** What a browser is sent to: the public hosts, schemes and cookie domain. */
function urlsSummary(u: DifyUrls): string {
  return `web ${u.baseUrl}, api ${u.apiUrl}, socket ${u.socketUrl}, plugin endpoints ${u.endpointHost}${u.cookieDomain ? `, cookies ${u.cookieDomain}` : ''}`;
}

/**
 * Records that `scope` (web, the api-image roles, an exposure) renders the
 * public URLs of installation `instance`: synth checks that every construct
 * of one installation uses the same URLs, since web sends browsers to the
 * api host the backend advertises and the exposure must serve.
 */
export function recordUrls(scope: IConstruct, instance: string, urls: DifyUrls, prop: string): void {
  (scope as IConstruct & { [URLS_USER]?: UrlsUser })[URLS_USER] = { instance, urls, prop };
  registerAppCheck(scope, 'urls', findUrlMismatches);
}

/** Messages for constructs of one installation (instance and namespace) rendering different public URLs. */
export function findUrlMismatches(root: IConstruct): string[] {
  const first = new Map<string, { c: IConstruct; u: UrlsUser }>();
  const errors: string[] = [];
  for (const c of root.node.findAll()) {
    const u = (c as IConstruct & { [URLS_USER]?: UrlsUser })[URLS_USER];
    if (!u) continue;
    let ns = '';
    try {
      ns = Chart.of(c).namespace ?? '';
    } catch {
      ns = '';
    }
    const key = `${ns}/${u.instance}`;
    const seen = first.get(key);
    if (!seen) {
      first.set(key, { c, u });
      continue;
    }
    const [a, b] = [urlsSummary(seen.u.urls), urlsSummary(u.urls)];
    if (a !== b)
      errors.push(
        `${u.prop} of ${c.node.path}: got ${b}; must equal ${seen.u.prop} of ${seen.c.node.path} (${a}), the same installation "${u.instance}": browsers are sent to the hosts one of them renders and the other serves; pass one DifyUrls object to every component and the exposure`,
      );
  }
  return errors;
}
