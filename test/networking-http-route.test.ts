import { Testing } from 'cdk8s';
import { DIFY_ROUTES, DifyHttpRoute, DifyHttpRouteProps, DifyUrls } from '../lib';
import { backendStubs, findDoc, manifestProblems, networkingChart } from './networking-fixtures';

const WEB = 'dify.example.com';
const API = 'api.dify.example.com';
const GATEWAY = { name: 'public', namespace: 'gateway-system', sectionName: 'https' };
const SERVICE = {
  api: 'dify-api:5001',
  web: 'dify-web:3000',
  pluginDaemon: 'dify-plugin-daemon:5002',
  apiWebsocket: 'dify-api-websocket:5001',
  agentBackend: 'dify-agent-backend:5050',
};

function routeDocs(props: Partial<DifyHttpRouteProps>): Record<string, any>[] {
  const chart = networkingChart();
  const backends = backendStubs(chart);
  new DifyHttpRoute(chart, 'Route', { instance: 'dify', urls: DifyUrls.fromHost(WEB), backends, gateway: GATEWAY, ...props });
  return Testing.synth(chart);
}
const routes = (docs: Record<string, any>[]) => docs.filter((d) => d.kind === 'HTTPRoute');
/** `path service:port` of every rule. */
const ruleTable = (route: any) =>
  route.spec.rules.map((r: any) => {
    expect(r.matches).toHaveLength(1);
    expect(r.matches[0].path.type).toBe('PathPrefix');
    expect(r.backendRefs).toHaveLength(1);
    return `${r.matches[0].path.value} ${r.backendRefs[0].name}:${r.backendRefs[0].port}`;
  });
/** Response headers one rule sets. */
const headersOf = (rule: any): Record<string, string> =>
  Object.fromEntries(
    (rule.filters ?? [])
      .filter((f: any) => f.type === 'ResponseHeaderModifier')
      .flatMap((f: any) => f.responseHeaderModifier.set.map((h: any) => [h.name, h.value])),
  );

describe('DifyHttpRoute on one host', () => {
  const docs = routeDocs({});
  const [route] = routes(docs);

  test('one HTTPRoute (gateway.networking.k8s.io/v1) for the host, attached to the given Gateway listener', () => {
    expect(routes(docs)).toHaveLength(1);
    expect(route.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect(route.metadata.name).toBe('dify');
    expect(route.spec.hostnames).toEqual([WEB]);
    expect(route.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateway-system', sectionName: 'https' }]);
  });

  test('one PathPrefix rule per entry of the route table, in order, to the same backends as the Ingress', () => {
    expect(ruleTable(route)).toEqual(DIFY_ROUTES.map((r) => `${r.path} ${SERVICE[r.target]}`));
  });

  test('every rule may run as long as upstream lets streams run; the websocket rule has no request timeout', () => {
    for (const r of route.spec.rules) expect(r.timeouts).toEqual({ request: r.matches[0].path.value === '/socket.io/' ? '0s' : '3600s' });
  });

  test('security headers: nosniff everywhere, SAMEORIGIN only off the frontend, no HSTS on http URLs', () => {
    route.spec.rules.forEach((rule: any, i: number) => {
      const expected: Record<string, string> = { 'X-Content-Type-Options': 'nosniff' };
      if (DIFY_ROUTES[i].target !== 'web') expected['X-Frame-Options'] = 'SAMEORIGIN';
      expect(headersOf(rule)).toEqual(expected);
    });
  });

  test('the HTTPRoute validates against the Gateway API CRD and its backendRefs resolve', () => {
    expect(manifestProblems(docs)).toEqual({ schema: '', references: [] });
  });
});

describe('DifyHttpRoute on split hosts', () => {
  const urls = DifyUrls.split({ webHost: WEB, apiHost: API, tls: true });
  const docs = routeDocs({ urls, httpsRedirectSectionName: 'http' });
  const web = findDoc(docs, 'HTTPRoute', 'dify-web');
  const api = findDoc(docs, 'HTTPRoute', 'dify-api');

  test('one HTTPRoute per host holding the routes its URLs point to; together the whole table once', () => {
    expect(web.spec.hostnames).toEqual([WEB]);
    expect(api.spec.hostnames).toEqual([API]);
    expect(ruleTable(web)).toEqual(['/socket.io/ dify-api-websocket:5001', '/explore dify-web:3000', '/ dify-web:3000']);
    expect(ruleTable(api)).toEqual(DIFY_ROUTES.filter((r) => r.target !== 'web' && r.target !== 'apiWebsocket').map((r) => `${r.path} ${SERVICE[r.target]}`));
    expect([...ruleTable(web), ...ruleTable(api)].sort()).toEqual(DIFY_ROUTES.map((r) => `${r.path} ${SERVICE[r.target]}`).sort());
  });

  test('HSTS on every rule with https URLs', () => {
    for (const rule of [...web.spec.rules, ...api.spec.rules]) expect(headersOf(rule)['Strict-Transport-Security']).toBe('max-age=31536000');
  });

  test('plain http on the redirect listener gets a 308 to https for both hosts, with no backend', () => {
    const redirect = findDoc(docs, 'HTTPRoute', 'dify-https-redirect');
    expect(redirect.spec.parentRefs).toEqual([{ name: 'public', namespace: 'gateway-system', sectionName: 'http' }]);
    expect(redirect.spec.hostnames).toEqual([WEB, API]);
    expect(redirect.spec.rules).toEqual([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 308 } }] }]);
  });

  test('every HTTPRoute validates and resolves', () => {
    expect(routes(docs).map((r) => r.metadata.name)).toEqual(['dify-web', 'dify-api', 'dify-https-redirect']);
    expect(manifestProblems(docs)).toEqual({ schema: '', references: [] });
  });
});

describe('DifyHttpRoute options', () => {
  test('request timeout, HSTS age and headers can be tuned or turned off', () => {
    const urls = DifyUrls.fromHost(WEB, { tls: true });
    const [tuned] = routes(routeDocs({ urls, requestTimeout: '2h', securityHeaders: { frameOptions: false, hstsMaxAgeSeconds: 600 } }));
    expect(tuned.spec.rules[0].timeouts).toEqual({ request: '2h' });
    expect(headersOf(tuned.spec.rules[0])).toEqual({ 'X-Content-Type-Options': 'nosniff', 'Strict-Transport-Security': 'max-age=600' });
    const [bare] = routes(routeDocs({ urls, securityHeaders: false }));
    // Only /e/ keeps its request filter (Dify-Hook-Url); no response header filters.
    for (const r of bare.spec.rules)
      expect((r.filters ?? []).map((f: any) => f.type)).toEqual(r.matches[0].path.value === '/e/' ? ['RequestHeaderModifier'] : []);
  });

  test('without namespace and sectionName the parentRef names only the Gateway', () => {
    const [route] = routes(routeDocs({ gateway: { name: 'shared' } }));
    expect(route.spec.parentRefs).toEqual([{ name: 'shared' }]);
  });
});

const badInput: Array<[string, () => unknown, RegExp]> = [
  [
    'Gateway name with spaces',
    () => routeDocs({ gateway: { name: 'My Gateway' } }),
    /^httpRoute\.gateway\.name: got "My Gateway"; must be a DNS-1123 subdomain/,
  ],
  [
    'Gateway namespace with a dot',
    () => routeDocs({ gateway: { name: 'gw', namespace: 'infra.net' } }),
    /^httpRoute\.gateway\.namespace: got "infra\.net"; must be a DNS-1123 label/,
  ],
  [
    'listener name in capitals',
    () => routeDocs({ gateway: { name: 'gw', sectionName: 'HTTPS' } }),
    /^httpRoute\.gateway\.sectionName: got "HTTPS"; must be a DNS-1123 label/,
  ],
  ['timeout in words', () => routeDocs({ requestTimeout: '1 hour' }), /^httpRoute\.requestTimeout: got "1 hour"; must be a Gateway API duration/],
  [
    'negative HSTS age',
    () => routeDocs({ securityHeaders: { hstsMaxAgeSeconds: -1 } }),
    /^httpRoute\.securityHeaders\.hstsMaxAgeSeconds: got -1; must be an integer from 0 to 63072000/,
  ],
  [
    'https redirect with http URLs',
    () => routeDocs({ httpsRedirectSectionName: 'http' }),
    /^httpRoute\.httpsRedirectSectionName: got "http"; needs https URLs/,
  ],
  [
    'https redirect without a https listener',
    () => routeDocs({ urls: DifyUrls.fromHost(WEB, { tls: true }), gateway: { name: 'gw' }, httpsRedirectSectionName: 'http' }),
    /^httpRoute\.httpsRedirectSectionName: got "http"; needs gateway\.sectionName naming a different \(https\) listener/,
  ],
  [
    'https redirect on the https listener',
    () => routeDocs({ urls: DifyUrls.fromHost(WEB, { tls: true }), httpsRedirectSectionName: 'https' }),
    /^httpRoute\.httpsRedirectSectionName: got "https"; needs gateway\.sectionName naming a different/,
  ],
  [
    'backend that is not a Service name',
    () =>
      routeDocs({
        backends: {
          api: { host: 'dify-api.dify.svc', port: 5001 },
          web: { host: 'dify-web', port: 3000 },
          pluginDaemon: { host: 'dify-plugin-daemon', port: 5002 },
        },
      }),
    /^httpRoute\.backends\.api\.host: got "dify-api\.dify\.svc"; must be a DNS-1123 label/,
  ],
];

describe('bad HTTPRoute input fails at synth time naming property, value and what is allowed', () => {
  test.each(badInput)('%s', (_what, build, message) => {
    expect(build).toThrow(message);
  });
});
