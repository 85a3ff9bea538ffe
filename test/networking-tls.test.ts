import { Chart, Testing } from 'cdk8s';
import { DIFY_ROUTES, DifyIngress, DifyIngressProps, DifyUrls, IngressSecurityHeaders, IngressTls } from '../lib';
import { NAMESPACE, backendStubs, findDoc, manifestProblems, networkingChart } from './networking-fixtures';

const WEB = 'dify.example.com';
const API = 'api.dify.example.com';

/** Builds a DifyIngress (plus backend stubs) and returns the manifests. */
function ingressDocs(props: Partial<DifyIngressProps>, chart: Chart = networkingChart()): Record<string, any>[] {
  const backends = backendStubs(chart);
  new DifyIngress(chart, 'Ingress', { instance: 'dify', backends, ...props } as DifyIngressProps);
  return Testing.synth(chart);
}
const ingressOf = (docs: Record<string, any>[]) => findDoc(docs, 'Ingress', 'dify');
const pathsOf = (rule: any) => rule.http.paths.map((p: any) => p.path);

describe('DifyUrls', () => {
  test('one host keeps every URL on it, with no cookie or CORS variables', () => {
    const urls = DifyUrls.fromHost(WEB, { tls: true });
    expect(urls.backendEnv()).toEqual({
      CONSOLE_API_URL: `https://${WEB}`,
      CONSOLE_WEB_URL: `https://${WEB}`,
      SERVICE_API_URL: `https://${WEB}`,
      APP_API_URL: `https://${WEB}`,
      APP_WEB_URL: `https://${WEB}`,
      FILES_URL: `https://${WEB}`,
      TRIGGER_URL: `https://${WEB}`,
      ENDPOINT_URL_TEMPLATE: `https://${WEB}/e/{hook_id}`,
    });
    expect(urls.webEnv()).toEqual({ CONSOLE_API_URL: `https://${WEB}`, APP_API_URL: `https://${WEB}`, NEXT_PUBLIC_SOCKET_URL: `wss://${WEB}` });
    expect(urls.routesByHost()).toEqual([{ host: WEB, routes: DIFY_ROUTES }]);
  });

  test('split hosts put APIs, files and triggers on the api host and pages on the web host', () => {
    const urls = DifyUrls.split({ webHost: WEB, apiHost: API, tls: true });
    expect(urls.backendEnv()).toEqual({
      CONSOLE_API_URL: `https://${API}`,
      CONSOLE_WEB_URL: `https://${WEB}`,
      SERVICE_API_URL: `https://${API}`,
      APP_API_URL: `https://${API}`,
      APP_WEB_URL: `https://${WEB}`,
      FILES_URL: `https://${API}`,
      TRIGGER_URL: `https://${API}`,
      ENDPOINT_URL_TEMPLATE: `https://${API}/e/{hook_id}`,
      COOKIE_DOMAIN: WEB,
      CONSOLE_CORS_ALLOW_ORIGINS: `https://${WEB}`,
      WEB_API_CORS_ALLOW_ORIGINS: `https://${WEB}`,
    });
    expect(urls.webEnv()).toEqual({
      CONSOLE_API_URL: `https://${API}`,
      APP_API_URL: `https://${API}`,
      NEXT_PUBLIC_SOCKET_URL: `wss://${WEB}`,
      NEXT_PUBLIC_COOKIE_DOMAIN: '1',
    });
  });

  test('the cookie domain is the shared parent domain unless given; extra CORS origins follow the web origin', () => {
    expect(DifyUrls.split({ webHost: 'app.example.com', apiHost: 'api.example.com' }).backendEnv().COOKIE_DOMAIN).toBe('example.com');
    const urls = DifyUrls.split({
      webHost: 'app.ai.example.com',
      apiHost: 'api.ai.example.com',
      cookieDomain: 'example.com',
      extraCorsOrigins: ['https://chat.example.com'],
    });
    expect(urls.backendEnv()).toMatchObject({
      COOKIE_DOMAIN: 'example.com',
      CONSOLE_CORS_ALLOW_ORIGINS: 'http://app.ai.example.com,https://chat.example.com',
      WEB_API_CORS_ALLOW_ORIGINS: 'http://app.ai.example.com,https://chat.example.com',
    });
  });

  test('ENDPOINT_URL_TEMPLATE follows the host that routes /e/', () => {
    const urls = DifyUrls.split({ webHost: WEB, apiHost: API, pluginEndpointsOn: 'web' });
    expect(urls.backendEnv().ENDPOINT_URL_TEMPLATE).toBe(`http://${WEB}/e/{hook_id}`);
    expect(
      urls
        .routesByHost()
        .find((h) => h.host === WEB)!
        .routes.map((r) => r.path),
    ).toEqual(['/socket.io/', '/e/', '/explore', '/']);
  });
});

describe('DifyIngress hosts', () => {
  test('urls from one host render the same Ingress as host', () => {
    const byHost = ingressOf(ingressDocs({ host: WEB }));
    const byUrls = ingressOf(ingressDocs({ urls: DifyUrls.fromHost(WEB) }));
    expect(byUrls).toEqual(byHost);
    expect(byHost.spec.tls).toBeUndefined();
    expect(Object.keys(byHost.metadata.annotations).sort()).toEqual(Object.keys(DifyIngress.streamingAnnotations('100m')).sort());
  });

  test('split hosts: web routes and the websocket on the web host, API routes and /e/ on the api host, every route exactly once', () => {
    const ing = ingressOf(ingressDocs({ urls: DifyUrls.split({ webHost: WEB, apiHost: API }) }));
    expect(ing.spec.rules.map((r: any) => r.host)).toEqual([WEB, API]);
    expect(pathsOf(ing.spec.rules[0])).toEqual(['/socket.io/', '/explore', '/']);
    expect(pathsOf(ing.spec.rules[1])).toEqual(['/console/api', '/api', '/v1', '/openapi', '/files', '/mcp', '/triggers', '/e/']);
    const all = ing.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => `${p.path} ${p.backend.service.name}:${p.backend.service.port.number}`));
    const expected = {
      api: 'dify-api:5001',
      web: 'dify-web:3000',
      pluginDaemon: 'dify-plugin-daemon:5002',
      apiWebsocket: 'dify-api-websocket:5001',
      agentBackend: 'dify-agent-backend:5050',
    };
    expect(all.sort()).toEqual(DIFY_ROUTES.map((r) => `${r.path} ${expected[r.target]}`).sort());
  });

  test('/e/ moves to the web host when ENDPOINT_URL_TEMPLATE points there', () => {
    const ing = ingressOf(ingressDocs({ urls: DifyUrls.split({ webHost: WEB, apiHost: API, pluginEndpointsOn: 'web' }) }));
    expect(pathsOf(ing.spec.rules[0])).toContain('/e/');
    expect(pathsOf(ing.spec.rules[1])).not.toContain('/e/');
  });
});

describe('DifyIngress TLS', () => {
  const urls = DifyUrls.split({ webHost: WEB, apiHost: API, tls: true });

  test('cert-manager: one Certificate for every host, the TLS block and an http-to-https redirect', () => {
    const docs = ingressDocs({ urls, tls: IngressTls.certManager({ issuer: 'letsencrypt-prod', kind: 'ClusterIssuer' }) });
    const cert = findDoc(docs, 'Certificate', 'dify-tls');
    expect(cert.apiVersion).toBe('cert-manager.io/v1');
    expect(cert.spec).toEqual({
      secretName: 'dify-tls',
      dnsNames: [WEB, API],
      issuerRef: { group: 'cert-manager.io', kind: 'ClusterIssuer', name: 'letsencrypt-prod' },
    });
    const ing = ingressOf(docs);
    expect(ing.spec.tls).toEqual([{ hosts: [WEB, API], secretName: 'dify-tls' }]);
    expect(ing.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
      'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true',
      'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
    });
    // A Certificate object, not ingress-shim annotations.
    expect(Object.keys(ing.metadata.annotations).filter((a) => a.startsWith('cert-manager.io/'))).toEqual([]);
  });

  test('a namespaced Issuer and a chosen Secret name', () => {
    const docs = ingressDocs({ urls, tls: IngressTls.certManager({ issuer: 'internal-ca', kind: 'Issuer', secretName: 'dify-cert' }) });
    expect(findDoc(docs, 'Certificate', 'dify-cert').spec.issuerRef).toEqual({ group: 'cert-manager.io', kind: 'Issuer', name: 'internal-ca' });
    expect(ingressOf(docs).spec.tls[0].secretName).toBe('dify-cert');
  });

  test('an existing Secret: no Certificate; the redirect can be turned off', () => {
    const docs = ingressDocs({ urls, tls: IngressTls.existingSecret('wildcard-example-com'), sslRedirect: false });
    expect(docs.filter((d) => d.kind === 'Certificate')).toEqual([]);
    const ing = ingressOf(docs);
    expect(ing.spec.tls).toEqual([{ hosts: [WEB, API], secretName: 'wildcard-example-com' }]);
    expect(ing.metadata.annotations['nginx.ingress.kubernetes.io/ssl-redirect']).toBeUndefined();
  });

  test('the manifests validate against the schemas (Certificate against its CRD) and every reference resolves', () => {
    const certManager = ingressDocs({
      urls,
      tls: IngressTls.certManager({ issuer: 'letsencrypt-prod', kind: 'ClusterIssuer' }),
      securityHeaders: IngressSecurityHeaders.customHeaders(),
    });
    expect(manifestProblems(certManager)).toEqual({ schema: '', references: [] });
    const existing = ingressDocs({ urls, tls: IngressTls.existingSecret('wildcard-example-com') });
    expect(manifestProblems(existing, [{ name: 'wildcard-example-com', keys: ['tls.crt', 'tls.key'] }])).toEqual({ schema: '', references: [] });
    // Without that Secret the reference check notices.
    expect(manifestProblems(existing).references).toEqual([expect.stringContaining('TLS secretName "wildcard-example-com"')]);
  });
});

describe('DifyIngress security headers', () => {
  test('by default nothing that a stock ingress-nginx rejects or answers with 503', () => {
    const ann = ingressOf(ingressDocs({ host: WEB, securityHeaders: IngressSecurityHeaders.controllerDefaults() })).metadata.annotations;
    expect(Object.keys(ann).filter((a) => /snippet|custom-headers/.test(a))).toEqual([]);
  });

  test('customHeaders: a ConfigMap in the Ingress namespace, named by the custom-headers annotation', () => {
    const docs = ingressDocs({ host: WEB, securityHeaders: IngressSecurityHeaders.customHeaders() });
    expect(findDoc(docs, 'ConfigMap', 'dify-security-headers').data).toEqual({ 'X-Content-Type-Options': 'nosniff' });
    expect(ingressOf(docs).metadata.annotations['nginx.ingress.kubernetes.io/custom-headers']).toBe(`${NAMESPACE}/dify-security-headers`);
    const withFrame = ingressDocs({ host: WEB, securityHeaders: IngressSecurityHeaders.customHeaders({ frameOptions: true }) });
    expect(findDoc(withFrame, 'ConfigMap', 'dify-security-headers').data).toEqual({ 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'SAMEORIGIN' });
  });
});

/** Each case: the input and a message naming the property, the value and what is allowed. */
const badInput: Array<[string, () => unknown, RegExp]> = [
  ['split with the same host twice', () => DifyUrls.split({ webHost: WEB, apiHost: WEB }), /^apiHost: got "dify\.example\.com"; must differ from webHost/],
  [
    'split with a wildcard host',
    () => DifyUrls.split({ webHost: '*.example.com', apiHost: API }),
    /^webHost: got "\*\.example\.com"; must be a concrete host name/,
  ],
  [
    'split with a scheme in the host',
    () => DifyUrls.split({ webHost: WEB, apiHost: 'https://api.example.com' }),
    /^apiHost: got "https:\/\/api\.example\.com"; must be a lowercase DNS name.*it is a URL, not a host: give "api\.example\.com"/,
  ],
  [
    'split hosts without a shared parent domain',
    () => DifyUrls.split({ webHost: 'dify.example.com', apiHost: 'api.example.org' }),
    /^apiHost: got "api\.example\.org"; must share a parent domain with webHost/,
  ],
  [
    'cookie domain covering only one host',
    () => DifyUrls.split({ webHost: WEB, apiHost: 'api.example.com', cookieDomain: 'dify.example.com' }),
    /^cookieDomain: got "dify\.example\.com"; must be "dify\.example\.com", "api\.example\.com" or a parent domain of both/,
  ],
  [
    'CORS origin with a path',
    () => DifyUrls.split({ webHost: WEB, apiHost: API, extraCorsOrigins: ['https://chat.example.com/'] }),
    /^extraCorsOrigins\[0\]: got "https:\/\/chat\.example\.com\/"; must be an origin/,
  ],
  [
    'plugin endpoints on an unknown host',
    () => DifyUrls.split({ webHost: WEB, apiHost: API, pluginEndpointsOn: 'both' as any }),
    /^pluginEndpointsOn: got "both"; must be "api" or "web"/,
  ],
  ['invalid TLS secret name', () => IngressTls.existingSecret('Dify_TLS'), /^tls\.secretName: got "Dify_TLS"; must be a DNS-1123 subdomain/],
  [
    'invalid cert-manager secret name',
    () => IngressTls.certManager({ issuer: 'le', kind: 'ClusterIssuer', secretName: 'tls/secret' }),
    /^tls\.secretName: got "tls\/secret"; must be a DNS-1123 subdomain/,
  ],
  [
    'unknown issuer kind',
    () => IngressTls.certManager({ issuer: 'le', kind: 'GlobalIssuer' as any }),
    /^tls\.kind: got "GlobalIssuer"; must be "ClusterIssuer" or "Issuer"/,
  ],
  [
    'invalid issuer name',
    () => IngressTls.certManager({ issuer: 'Lets Encrypt', kind: 'ClusterIssuer' }),
    /^tls\.issuer: got "Lets Encrypt"; must be a DNS-1123 subdomain/,
  ],
  [
    'Ingress TLS with http URLs',
    () => ingressDocs({ urls: DifyUrls.split({ webHost: WEB, apiHost: API }), tls: IngressTls.existingSecret('dify-tls') }),
    /^urls\.tls: got false; must be true when the Ingress terminates TLS/,
  ],
  [
    'Ingress with host and urls',
    () => ingressDocs({ host: WEB, urls: DifyUrls.fromHost(WEB) }),
    /^ingress\.host: got "dify\.example\.com"; give either host or urls, not both/,
  ],
  ['Ingress with neither host nor urls', () => ingressDocs({}), /^ingress\.host: got undefined; give either host or urls/],
  [
    'Ingress with an uppercase host',
    () => ingressDocs({ host: 'Dify.Example.com' }),
    /^ingress\.host: got "Dify\.Example\.com"; must be a lowercase fully qualified DNS name/,
  ],
  [
    'custom-headers without a chart namespace',
    () => ingressDocs({ host: WEB, securityHeaders: IngressSecurityHeaders.customHeaders() }, new Chart(Testing.app(), 'nons')),
    /^ingress\.securityHeaders: got "customHeaders"; needs the chart's namespace/,
  ],
];

describe('bad TLS and host input fails at synth time naming property, value and what is allowed', () => {
  test.each(badInput)('%s', (_what, build, message) => {
    expect(build).toThrow(message);
  });
});
