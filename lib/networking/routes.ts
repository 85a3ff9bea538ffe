import { ServiceEndpoint, chartNamespaceOf } from '../config/connections';
import { IConstruct } from 'constructs';
import { IConnectable, NetworkPeer, PodPeer, isConnectable } from '../core/connections';
import { guardApp } from '../core/collisions';
import { invalid } from '../core/validation';

/** Which backend serves a path. */
export type RouteTarget = 'api' | 'web' | 'pluginDaemon' | 'apiWebsocket' | 'agentBackend';

/** One location of upstream's nginx route table (Dify 1.16.1 nginx/conf.d/default.conf.template). */
export interface DifyRoute {
  readonly path: string;
  readonly target: RouteTarget;
  readonly purpose: string;
}

/**
 * Upstream's route table, path for path (11 locations). All are prefix
 * matches passed through unchanged. `/socket.io/` is served only when the
 * collaboration websocket is deployed; it lives on the web host, the host of
 * NEXT_PUBLIC_SOCKET_URL.
 */
export const DIFY_ROUTES: readonly DifyRoute[] = [
  { path: '/console/api', target: 'api', purpose: 'console (admin UI) API' },
  { path: '/api', target: 'api', purpose: 'web-app (end-user) API' },
  { path: '/socket.io/', target: 'apiWebsocket', purpose: 'workflow collaboration websocket (Socket.IO)' },
  { path: '/v1', target: 'api', purpose: 'service API for apps' },
  { path: '/openapi', target: 'api', purpose: 'OpenAPI endpoints' },
  { path: '/files', target: 'api', purpose: 'signed file URLs (FILES_URL)' },
  { path: '/mcp', target: 'api', purpose: 'MCP server endpoints' },
  { path: '/triggers', target: 'api', purpose: 'trigger and webhook endpoints (TRIGGER_URL)' },
  { path: '/e/', target: 'pluginDaemon', purpose: 'plugin endpoints (ENDPOINT_URL_TEMPLATE)' },
  { path: '/explore', target: 'web', purpose: 'explore pages' },
  { path: '/', target: 'web', purpose: 'frontend' },
];

/**
 * Routes beyond upstream's table: `/agent-stub/` to the agent backend, which
 * remote agent sandboxes (the E2B runtime) call from outside the cluster:
 * DIFY_AGENT_STUB_API_BASE_URL must then be "reachable from shellctl-managed
 * remote machines" (dify-agent's operating guide, 1.16.1). Served only when the
 * exposure has an `agentBackend` backend.
 */
export const EXTRA_ROUTES: readonly DifyRoute[] = [
  { path: '/agent-stub/', target: 'agentBackend', purpose: 'Agent Stub API for remote (E2B) agent sandboxes' },
];

/** Every route an exposure may serve: upstream's table, then {@link EXTRA_ROUTES}. */
export const EXPOSED_ROUTES: readonly DifyRoute[] = [...DIFY_ROUTES, ...EXTRA_ROUTES];

/** A Service a route points at; when it is a Dify component, exposing it records the flow from the controller. */
export type RouteBackend = ServiceEndpoint & Partial<IConnectable>;

/** The backends of an exposure: api, web and the plugin daemon always; the websocket when deployed (its route is skipped otherwise). */
export type RouteBackends = { readonly [K in Exclude<RouteTarget, OptionalTarget>]: RouteBackend } & { readonly [K in OptionalTarget]?: RouteBackend };

/** Targets an exposure routes only when given: the websocket and the agent backend (E2B). */
export type OptionalTarget = 'apiWebsocket' | 'agentBackend';

/** Whether `backends` has a Service for `target`. */
export function serves(backends: { readonly [K in RouteTarget]?: RouteBackend }): (target: RouteTarget) => boolean {
  return (target) => backends[target] !== undefined;
}

/** The ingress-nginx controller's pods, the default of every exposure. */
export const DEFAULT_INGRESS_CONTROLLER: PodPeer = {
  namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
  podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
};

/** Records that `controller` reaches every backend that serves one of `targets`, on its Service port. */
export function admitController(
  prop: string,
  controller: PodPeer | NetworkPeer | undefined,
  backends: { readonly [K in RouteTarget]?: RouteBackend },
  targets: Iterable<RouteTarget>,
): NetworkPeer {
  const peer = controller instanceof NetworkPeer ? controller : NetworkPeer.fromPodPeer(prop, controller ?? DEFAULT_INGRESS_CONTROLLER, 'ingress controller');
  for (const t of [...new Set(targets)]) {
    const b = backends[t];
    if (b && isConnectable(b)) b.connections.allowFrom(peer, [b.port]);
  }
  return peer;
}

/** One served route: `host` + `path` to a backend. */
export interface ServedRoute {
  readonly host: string;
  readonly path: string;
  readonly target: RouteTarget;
  readonly backend: RouteBackend;
}

/** An exposure (Ingress, HTTPRoute, nginx proxy) and the routes it serves. */
export interface IRouteTable {
  readonly routeTable: readonly ServedRoute[];
  /** Who receives the requests and forwards them along the routes: the ingress controller, Gateway or proxy pods. */
  readonly routeEntry?: NetworkPeer | IConnectable;
}

/** The routes `hostRoutes` serve through `backends`. */
export function servedRoutes(
  hostRoutes: ReadonlyArray<{ readonly host: string; readonly routes: readonly DifyRoute[] }>,
  backends: { readonly [K in RouteTarget]?: RouteBackend },
): ServedRoute[] {
  return hostRoutes.flatMap(({ host, routes }) =>
    routes.flatMap((r) => {
      const backend = backends[r.target];
      return backend ? [{ host, path: r.path, target: r.target, backend }] : [];
    }),
  );
}

/**
 * An exposure routes to Services by bare name, which resolve only in its own
 * namespace (an Ingress has no other form; an HTTPRoute would need a
 * ReferenceGrant this library does not render): every Dify component among
 * `backends` must live in the exposure's namespace. Also installs the App guard.
 */
export function validateBackendNamespaces(prop: string, exposure: IConstruct, backends: { readonly [K in RouteTarget]?: RouteBackend }): void {
  guardApp(exposure);
  const ns = chartNamespaceOf(exposure);
  for (const [target, b] of Object.entries(backends) as Array<[RouteTarget, RouteBackend | undefined]>) {
    if (!b || !isConnectable(b) || !b.connections.pods) continue;
    const theirs = b.connections.namespace;
    if ((theirs ?? '') !== (ns ?? ''))
      invalid(
        `${prop}.backends.${target}`,
        `${b.host} in namespace ${theirs ? `"${theirs}"` : '(none)'}`,
        `must be in the exposure's namespace ${ns ? `"${ns}"` : '(none)'}: its routes name Services that resolve only there; create the exposure in the chart of its backends`,
      );
  }
}
