import { HOOK_URL_SNIPPET } from '../lib';
import { NetworkPolicyEvaluator, podEndpointsFromManifests } from './support/netpol';
import { difyDocs, find } from './util';

const NAMESPACES = [
  { name: 'ingress-nginx', labels: {} },
  { name: 'kube-system', labels: {} },
];
const ingressPaths = (ing: any) => ing.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.path));

describe('Dify-Hook-Url on /e/', () => {
  test('ingress-nginx: no snippet by default (refused by controllers since v1.9); the daemon derives the URL from Host and X-Forwarded-Proto', () => {
    const { docs } = difyDocs();
    const ingresses = docs.filter((d) => d.kind === 'Ingress');
    expect(ingresses.map((i) => i.metadata.name)).toEqual(['dify']);
    expect(ingressPaths(ingresses[0])).toContain('/e/');
    expect(JSON.stringify(ingresses)).not.toContain('configuration-snippet');
  });

  test('ingress-nginx opt-in: /e/ moves to its own Ingress carrying only that snippet, with the same TLS hosts', () => {
    const { docs } = difyDocs({ host: 'dify.example.com', apiHost: 'api.example.com', ingress: { hookUrlHeader: true } });
    const main = find(docs, 'Ingress', 'dify');
    const hooks = find(docs, 'Ingress', 'dify-plugin-endpoints');
    expect(ingressPaths(main)).not.toContain('/e/');
    expect(hooks.spec.rules).toEqual([
      {
        host: 'api.example.com',
        http: { paths: [{ path: '/e/', pathType: 'Prefix', backend: { service: { name: 'dify-plugin-daemon', port: { number: 5002 } } } }] },
      },
    ]);
    expect(hooks.metadata.annotations['nginx.ingress.kubernetes.io/configuration-snippet']).toBe('proxy_set_header Dify-Hook-Url $scheme://$host$request_uri;');
    expect(HOOK_URL_SNIPPET).toBe(hooks.metadata.annotations['nginx.ingress.kubernetes.io/configuration-snippet']);
    expect(main.metadata.annotations['nginx.ingress.kubernetes.io/configuration-snippet']).toBeUndefined();
    // Streaming settings apply to the hook Ingress too.
    expect(hooks.metadata.annotations['nginx.ingress.kubernetes.io/proxy-read-timeout']).toBe('3600');
    expect(() => difyDocs({ ingress: { hookUrlHeader: 'yes' as any } })).toThrow(/^ingress\.hookUrlHeader: got "yes"; must be a boolean \(true or false\)/);
  });

  test('nginx proxy sets it from the request (public scheme under TLS)', () => {
    const conf = find(difyDocs({ nginxProxy: {}, tls: true }).docs, 'ConfigMap', 'dify-nginx-config').data['nginx.conf'];
    expect(conf).toMatch(/location \/e\/ \{\n\s+proxy_pass http:\/\/dify_plugin_daemon;\n\s+proxy_set_header Dify-Hook-Url https:\/\/\$host\$request_uri;/);
  });

  test('HTTPRoute: the /e/ rule alone removes a client Dify-Hook-Url and sets the scheme and host the daemon derives it from', () => {
    // dify-plugin-daemon 0.6.10 internal/service/endpoint.go copyRequest: an absent header becomes
    // <https if X-Forwarded-Proto is https>://<X-Original-Host or Host>/e/<hook id><path>; a present one passes verbatim.
    const routes = difyDocs({ host: 'dify.example.com', apiHost: 'api.example.com', tls: true, gateway: { gateway: { name: 'public' } } }).docs.filter(
      (d) => d.kind === 'HTTPRoute',
    );
    const withRequestFilter = routes.flatMap((route) =>
      route.spec.rules
        .filter((r: any) => (r.filters ?? []).some((f: any) => f.type === 'RequestHeaderModifier'))
        .map((r: any) => ({
          host: route.spec.hostnames[0],
          path: r.matches[0].path.value,
          filter: r.filters.find((f: any) => f.type === 'RequestHeaderModifier'),
        })),
    );
    // /e/ is served on the host ENDPOINT_URL_TEMPLATE advertises; the daemon then derives that URL for every hook id.
    const api = find(
      difyDocs({ host: 'dify.example.com', apiHost: 'api.example.com', tls: true, gateway: { gateway: { name: 'public' } } }).docs,
      'ConfigMap',
      'dify-api-env',
    );
    expect(api.data.ENDPOINT_URL_TEMPLATE).toBe('https://api.example.com/e/{hook_id}');
    expect(withRequestFilter).toEqual([
      {
        host: 'api.example.com',
        path: '/e/',
        filter: {
          type: 'RequestHeaderModifier',
          requestHeaderModifier: {
            set: [
              { name: 'X-Forwarded-Proto', value: 'https' },
              { name: 'X-Original-Host', value: 'api.example.com' },
            ],
            remove: ['Dify-Hook-Url'],
          },
        },
      },
    ]);
    const plain = find(difyDocs({ gateway: { gateway: { name: 'public' } } }).docs, 'HTTPRoute', 'dify');
    const rule = plain.spec.rules.find((r: any) => r.matches[0].path.value === '/e/');
    expect(rule.filters[0].requestHeaderModifier.set[0]).toEqual({ name: 'X-Forwarded-Proto', value: 'http' });
  });
});

describe('plugin remote debugging', () => {
  test("off by default: no public Service, the console shows upstream's localhost:5003, nothing admitted on 5003", () => {
    const { docs } = difyDocs();
    expect(docs.filter((d) => d.kind === 'Service' && d.metadata.name === 'dify-plugin-debug')).toEqual([]);
    expect(find(docs, 'ConfigMap', 'dify-api-env').data).toMatchObject({ PLUGIN_REMOTE_INSTALL_HOST: 'localhost', PLUGIN_REMOTE_INSTALL_PORT: '5003' });
    const evaluator = NetworkPolicyEvaluator.fromManifests(docs, NAMESPACES);
    const daemon = podEndpointsFromManifests(docs).find((p) => p.labels['app.kubernetes.io/component'] === 'plugin-daemon')!;
    expect(evaluator.allows({ kind: 'ip', ip: '203.0.113.7' }, daemon, 5003, 'TCP')).toBe(false);
  });

  test('LoadBalancer restricted to the developer CIDRs, admitted by the policy from there only, advertised in the console', () => {
    const { docs } = difyDocs({ pluginRemoteDebugging: { advertisedHost: 'debug.dify.example.com', allowedCidrs: ['203.0.113.0/24'] } });
    const svc = find(docs, 'Service', 'dify-plugin-debug');
    expect(svc.spec).toMatchObject({
      type: 'LoadBalancer',
      loadBalancerSourceRanges: ['203.0.113.0/24'],
      externalTrafficPolicy: 'Local',
      ports: [{ name: 'debug', port: 5003, targetPort: 'debug', protocol: 'TCP' }],
      selector: find(docs, 'StatefulSet', 'dify-plugin-daemon').spec.selector.matchLabels,
    });
    expect(find(docs, 'ConfigMap', 'dify-api-env').data).toMatchObject({
      PLUGIN_REMOTE_INSTALL_HOST: 'debug.dify.example.com',
      PLUGIN_REMOTE_INSTALL_PORT: '5003',
    });
    const evaluator = NetworkPolicyEvaluator.fromManifests(docs, NAMESPACES);
    const daemon = podEndpointsFromManifests(docs).find((p) => p.labels['app.kubernetes.io/component'] === 'plugin-daemon')!;
    expect(evaluator.allows({ kind: 'ip', ip: '203.0.113.7' }, daemon, 5003, 'TCP')).toBe(true);
    expect(evaluator.allows({ kind: 'ip', ip: '198.51.100.7' }, daemon, 5003, 'TCP')).toBe(false);
    expect(evaluator.allows({ kind: 'ip', ip: '203.0.113.7' }, daemon, 5002, 'TCP')).toBe(false);
  });

  test('NodePort advertises the node port', () => {
    const { docs } = difyDocs({
      pluginRemoteDebugging: { advertisedHost: '192.0.2.10', serviceType: 'NodePort', nodePort: 30503, allowedCidrs: ['192.0.2.0/24'] },
    });
    expect(find(docs, 'Service', 'dify-plugin-debug').spec).toMatchObject({ type: 'NodePort', ports: [{ nodePort: 30503, port: 5003 }] });
    expect(find(docs, 'Service', 'dify-plugin-debug').spec.loadBalancerSourceRanges).toBeUndefined();
    expect(find(docs, 'ConfigMap', 'dify-api-env').data.PLUGIN_REMOTE_INSTALL_PORT).toBe('30503');
  });

  test.each([
    ['no CIDRs', { advertisedHost: 'd.example.com', allowedCidrs: [] }, /^pluginRemoteDebugging\.allowedCidrs: got \[\]; must list the developer networks/],
    [
      'a bad CIDR',
      { advertisedHost: 'd.example.com', allowedCidrs: ['everyone'] },
      /^pluginRemoteDebugging\.allowedCidrs\[0\]: got "everyone"; must be a CIDR such as/,
    ],
    [
      'NodePort without a port',
      { advertisedHost: 'd.example.com', serviceType: 'NodePort', allowedCidrs: ['10.0.0.0/8'] },
      /^pluginRemoteDebugging\.nodePort: got undefined; is required/,
    ],
    [
      'a node port on a LoadBalancer',
      { advertisedHost: 'd.example.com', nodePort: 30503, allowedCidrs: ['10.0.0.0/8'] },
      /^pluginRemoteDebugging\.nodePort: got 30503; only applies to serviceType "NodePort"/,
    ],
    [
      'a URL as host',
      { advertisedHost: 'https://d.example.com', allowedCidrs: ['10.0.0.0/8'] },
      /^pluginRemoteDebugging\.advertisedHost: got "https:\/\/d\.example\.com"; must be a host name/,
    ],
  ])('%s is a synth-time error', (_what, options, message) => {
    expect(() => difyDocs({ pluginRemoteDebugging: options as any })).toThrow(message);
  });
});
