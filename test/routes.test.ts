// The route table (lib/networking/routes.ts): upstream's nginx locations path for path, which routes an exposure
// serves for the backends it has, and the controller flows that exposing records.
import { readFileSync } from 'fs';
import { join } from 'path';
import { Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import {
  Connections,
  DEFAULT_INGRESS_CONTROLLER,
  DIFY_ROUTES,
  EXPOSED_ROUTES,
  EXTRA_ROUTES,
  IConnectable,
  LABEL_COMPONENT,
  LABEL_INSTANCE,
  LABEL_NAME,
  NetworkPeer,
  RouteBackend,
  RouteTarget,
  admitController,
  servedRoutes,
  serves,
  validateBackendNamespaces,
} from '../lib';

/** Upstream's service names in services.json, as the table's targets. */
const TARGET_OF: Record<string, RouteTarget> = { api: 'api', web: 'web', plugin_daemon: 'pluginDaemon', api_websocket: 'apiWebsocket' };

test("the table is upstream's nginx locations (vendored services.json), every one a prefix match", () => {
  const upstream = JSON.parse(readFileSync(join(__dirname, '..', 'vendor', 'dify-upstream', 'services.json'), 'utf8')).routes as Array<{
    location: string;
    match: string;
    service: string | null;
  }>;
  // nginx answers the ACME challenge itself (certbot's webroot); no Dify service serves it.
  const served = upstream.filter((u) => u.service !== null);
  expect(upstream.filter((u) => u.service === null).map((u) => u.location)).toEqual(['/.well-known/acme-challenge/']);
  const ours = new Map(DIFY_ROUTES.map((r) => [r.path, r.target]));
  for (const u of served) {
    expect(u.match).toMatch(/^prefix/);
    expect({ path: u.location, target: ours.get(u.location) }).toEqual({ path: u.location, target: TARGET_OF[u.service as string] });
  }
  expect(DIFY_ROUTES.length).toBeGreaterThanOrEqual(served.length);
  for (const r of DIFY_ROUTES) expect(r.purpose.length).toBeGreaterThan(0);
  // '/' catches everything, so it comes last; '/explore' (web) before it.
  expect(DIFY_ROUTES[DIFY_ROUTES.length - 1]).toMatchObject({ path: '/', target: 'web' });
  expect(new Set(DIFY_ROUTES.map((r) => r.path)).size).toBe(DIFY_ROUTES.length);
});

class Backend extends Construct implements IConnectable {
  public readonly connections: Connections;
  constructor(
    scope: Construct,
    id: string,
    public readonly host: string,
    public readonly port: number,
  ) {
    super(scope, id);
    this.connections = Connections.forPods(
      this,
      { instance: 'dify', component: id, selector: { [LABEL_NAME]: 'dify', [LABEL_INSTANCE]: 'dify', [LABEL_COMPONENT]: id } },
      [port],
    );
  }
}

describe('served routes', () => {
  const plain = (host: string, port: number): RouteBackend => ({ host, port });
  const backends = { api: plain('dify-api', 5001), web: plain('dify-web', 3000), pluginDaemon: plain('dify-plugin-daemon', 5002) };

  test('serves() says which targets have a backend', () => {
    const has = serves(backends);
    expect((['api', 'web', 'pluginDaemon', 'apiWebsocket'] as RouteTarget[]).map(has)).toEqual([true, true, true, false]);
    expect(serves({ ...backends, apiWebsocket: plain('dify-api-websocket', 5001) })('apiWebsocket')).toBe(true);
  });

  test('every route of every host is served when its backend exists, in order; others are skipped', () => {
    const routes = servedRoutes(
      [
        { host: 'a.example.com', routes: DIFY_ROUTES },
        { host: 'b.example.com', routes: DIFY_ROUTES.filter((r) => r.target === 'web') },
      ],
      backends,
    );
    const wantA = DIFY_ROUTES.filter((r) => r.target !== 'apiWebsocket');
    const wantB = DIFY_ROUTES.filter((r) => r.target === 'web');
    expect(routes.map((r) => `${r.host}${r.path}`)).toEqual([...wantA.map((r) => `a.example.com${r.path}`), ...wantB.map((r) => `b.example.com${r.path}`)]);
    for (const r of routes) expect(r.backend).toBe(backends[r.target as keyof typeof backends]);
    expect(servedRoutes([{ host: 'x', routes: DIFY_ROUTES }], {})).toEqual([]);
    expect(servedRoutes([], backends)).toEqual([]);
  });
});

describe('admitController', () => {
  function setup() {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'dify' });
    return {
      api: new Backend(chart, 'api', 'dify-api', 5001),
      web: new Backend(chart, 'web', 'dify-web', 3000),
      pluginDaemon: new Backend(chart, 'plugin-daemon', 'dify-plugin-daemon', 5002),
    };
  }

  test('admits the default ingress-nginx controller to each served backend once, on its Service port', () => {
    const b = setup();
    const peer = admitController('ingress.controller', undefined, b, ['api', 'web', 'api', 'apiWebsocket']);
    expect(peer.description).toBe('ingress controller');
    expect(peer.render({ clusterCidrs: [] })).toEqual([
      { namespaceSelector: { matchLabels: DEFAULT_INGRESS_CONTROLLER.namespaceLabels }, podSelector: { matchLabels: DEFAULT_INGRESS_CONTROLLER.podLabels } },
    ]);
    expect(DEFAULT_INGRESS_CONTROLLER).toEqual({
      namespaceLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' },
      podLabels: { 'app.kubernetes.io/name': 'ingress-nginx' },
    });
    expect(b.api.connections.ingress).toEqual([{ peer, ports: [{ port: 5001, protocol: 'TCP' }] }]);
    expect(b.web.connections.ingress).toEqual([{ peer, ports: [{ port: 3000, protocol: 'TCP' }] }]);
    expect(b.pluginDaemon.connections.ingress).toEqual([]);
  });

  test('takes a given controller as pod peer or NetworkPeer, and names the prop when it is malformed', () => {
    const b = setup();
    const custom = NetworkPeer.pods({ namespace: 'gateways', podLabels: { app: 'envoy' } });
    expect(admitController('gateway.controller', custom, b, ['pluginDaemon'])).toBe(custom);
    expect(b.pluginDaemon.connections.ingress).toEqual([{ peer: custom, ports: [{ port: 5002, protocol: 'TCP' }] }]);
    const fromPods = admitController('ingress.controller', { namespaceLabels: { team: 'edge' } }, b, ['web']);
    expect(fromPods.render({ clusterCidrs: [] })).toEqual([{ namespaceSelector: { matchLabels: { team: 'edge' } } }]);
    expect(() => admitController('ingress.controller', { namespaceLabels: {} }, b, ['web'])).toThrow(/ingress\.controller\.namespaceLabels/);
  });

  test('a backend that is only a Service (no connections) is routed but records nothing', () => {
    const b = setup();
    const peer = admitController('ingress.controller', undefined, { ...b, web: { host: 'external-web', port: 80 } }, ['web', 'api']);
    expect(b.web.connections.ingress).toEqual([]);
    expect(b.api.connections.ingress).toEqual([{ peer, ports: [{ port: 5001, protocol: 'TCP' }] }]);
  });
});

test("the agent stub is the one route beyond upstream, to the agent backend, after upstream's table", () => {
  expect(EXTRA_ROUTES).toEqual([{ path: '/agent-stub/', target: 'agentBackend', purpose: expect.stringMatching(/Agent Stub API/) }]);
  expect(EXPOSED_ROUTES).toEqual([...DIFY_ROUTES, ...EXTRA_ROUTES]);
  expect(DIFY_ROUTES.some((r) => r.path === '/agent-stub/')).toBe(false);
});

describe('validateBackendNamespaces', () => {
  test('backends in the exposure namespace, and plain Services anywhere, are taken', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'a', { namespace: 'dify' });
    const api = new Backend(chart, 'api', 'dify-api', 5001);
    validateBackendNamespaces('ingress', new Construct(chart, 'Exposure'), { api, web: { host: 'elsewhere', port: 80 } });
  });

  test('a component in another namespace is refused, naming the prop, both namespaces and the fix', () => {
    const app = Testing.app();
    const other = new Chart(app, 'b', { namespace: 'team-b' });
    const api = new Backend(other, 'api', 'dify-api', 5001);
    const exposure = new Construct(new Chart(app, 'a', { namespace: 'dify' }), 'Exposure');
    expect(() => validateBackendNamespaces('httpRoute', exposure, { api })).toThrow(
      'httpRoute.backends.api: got "dify-api in namespace \\"team-b\\""; must be in the exposure\'s namespace "dify": its routes name Services that resolve only there; create the exposure in the chart of its backends',
    );
  });

  test('a namespaced backend with an exposure in a chart without namespace (and the reverse) is refused', () => {
    const app = Testing.app();
    const api = new Backend(new Chart(app, 'b', { namespace: 'team-b' }), 'api', 'dify-api', 5001);
    expect(() => validateBackendNamespaces('ingress', new Construct(new Chart(app, 'a'), 'Exposure'), { api })).toThrow(
      /^ingress\.backends\.api: got "dify-api in namespace \\"team-b\\""; must be in the exposure's namespace \(none\)/,
    );
    const app2 = Testing.app();
    const api2 = new Backend(new Chart(app2, 'b'), 'api', 'dify-api', 5001);
    expect(() => validateBackendNamespaces('nginxProxy', new Construct(new Chart(app2, 'a', { namespace: 'dify' }), 'Exposure'), { api: api2 })).toThrow(
      /^nginxProxy\.backends\.api: got "dify-api in namespace \(none\)"; must be in the exposure's namespace "dify"/,
    );
  });

  test('an exposure outside any chart compares against no namespace', () => {
    const app = Testing.app();
    const api = new Backend(new Chart(app, 'b'), 'api', 'dify-api', 5001);
    validateBackendNamespaces('ingress', new Construct(app, 'Loose'), { api });
  });
});
