import { DifyStorage, ExternalRedis, SecretKeyRef, WEBSOCKET_WORKER_CLASS } from '../lib';
import { NetworkPolicyEvaluator, PodEndpoint, podEndpointsFromManifests } from './support/netpol';
import { SHARED_STORAGE, difyDocs, find } from './util';

/** Upstream's nginx locations (Dify 1.16.1 nginx/conf.d/default.conf.template), written out so the route table is checked, not echoed. */
const UPSTREAM_LOCATIONS = ['/console/api', '/api', '/socket.io/', '/v1', '/openapi', '/files', '/explore', '/e/', '/', '/mcp', '/triggers'];
const INGRESS_CONTROLLER: PodEndpoint = {
  kind: 'pod',
  namespace: 'ingress-nginx',
  labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
  name: 'ingress-nginx',
};
const NAMESPACES = [
  { name: 'ingress-nginx', labels: {} },
  { name: 'kube-system', labels: {} },
];

const configOf = (docs: any[], name: string) => find(docs, 'ConfigMap', `${name}-env`).data;
const secretEnvOf = (docs: any[], name: string) =>
  Object.fromEntries((find(docs, 'Deployment', name).spec.template.spec.containers[0].env ?? []).map((e: any) => [e.name, e.valueFrom?.secretKeyRef]));
const nginxConf = (docs: any[]) => find(docs, 'ConfigMap', 'dify-nginx-config').data['nginx.conf'] as string;
const nginxLocations = (conf: string) => [...conf.matchAll(/location (\S+) \{\n\s+proxy_pass http:\/\/(\w+);/g)].map((m) => `${m[1]} ${m[2]}`);

describe('the collaboration websocket is deployed by default, as upstream', () => {
  const { docs } = difyDocs();
  const ws = find(docs, 'Deployment', 'dify-api-websocket');
  const env = configOf(docs, 'dify-api-websocket');

  test('the api image in MODE=api under the geventwebsocket worker, with upstream sizing', () => {
    expect(ws.spec.template.spec.containers[0].image).toBe(find(docs, 'Deployment', 'dify-api').spec.template.spec.containers[0].image);
    expect(env).toMatchObject({
      MODE: 'api',
      SERVER_WORKER_CLASS: 'geventwebsocket.gunicorn.workers.GeventWebSocketWorker',
      SERVER_WORKER_AMOUNT: '1',
      SERVER_WORKER_CONNECTIONS: '1000',
      GUNICORN_TIMEOUT: '360',
      DIFY_PORT: '5001',
    });
    expect(WEBSOCKET_WORKER_CLASS).toBe(env.SERVER_WORKER_CLASS);
    expect(find(docs, 'Service', 'dify-api-websocket').spec.ports).toEqual([{ name: 'http', port: 5001, targetPort: 'http', protocol: 'TCP' }]);
  });

  test('only the websocket pods get the longer Redis socket timeout (1.16.1 pub/sub reconnect bug)', () => {
    expect(env.REDIS_SOCKET_TIMEOUT).toBe('300');
    expect(configOf(docs, 'dify-api').REDIS_SOCKET_TIMEOUT).not.toBe('300');
    expect(configOf(docs, 'dify-worker').REDIS_SOCKET_TIMEOUT).not.toBe('300');
  });

  test('ENABLE_COLLABORATION_MODE is true on api, worker and the websocket', () => {
    for (const name of ['dify-api', 'dify-worker', 'dify-api-websocket'])
      expect({ name, v: configOf(docs, name).ENABLE_COLLABORATION_MODE }).toEqual({ name, v: 'true' });
  });

  test('it shares SECRET_KEY with api and reads none of the sandbox, plugin or agent keys', () => {
    const wsSecrets = secretEnvOf(docs, 'dify-api-websocket');
    expect(wsSecrets.SECRET_KEY).toEqual(secretEnvOf(docs, 'dify-api').SECRET_KEY);
    expect(wsSecrets.SECRET_KEY).toEqual({ name: 'dify-credentials', key: 'secret-key' });
    for (const v of ['CODE_EXECUTION_API_KEY', 'PLUGIN_DAEMON_KEY', 'INNER_API_KEY_FOR_PLUGIN', 'AGENT_BACKEND_API_TOKEN'])
      expect(wsSecrets[v]).toBeUndefined();
  });

  test('restricted pod like api: non-root 1001, read-only root, no capabilities, no token', () => {
    const spec = ws.spec.template.spec;
    expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(spec.containers[0].securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    expect(spec.automountServiceAccountToken).toBe(false);
  });

  test('web connects to ws:// on the web host, wss:// under TLS', () => {
    expect(configOf(docs, 'dify-web').NEXT_PUBLIC_SOCKET_URL).toBe('ws://dify.example.com');
    const tls = difyDocs({ tls: true, host: 'dify.example.com', apiHost: 'api.example.com' }).docs;
    expect(configOf(tls, 'dify-web').NEXT_PUBLIC_SOCKET_URL).toBe('wss://dify.example.com');
  });

  test('flows: the controller reaches it; it reaches PostgreSQL and Redis; nothing else reaches it and it reaches nothing else', () => {
    const evaluator = NetworkPolicyEvaluator.fromManifests(docs, NAMESPACES);
    const pods = podEndpointsFromManifests(docs);
    const pod = (c: string) => pods.find((p) => p.labels['app.kubernetes.io/component'] === c)!;
    const w = pod('api-websocket');
    expect(evaluator.allows(INGRESS_CONTROLLER, w, 5001, 'TCP')).toBe(true);
    expect(evaluator.allows(w, pod('postgres'), 5432, 'TCP')).toBe(true);
    expect(evaluator.allows(w, pod('redis'), 6379, 'TCP')).toBe(true);
    for (const [c, port] of [
      ['sandbox', 8194],
      ['plugin-daemon', 5002],
      ['ssrf-proxy', 3128],
      ['weaviate', 8080],
      ['agent-backend', 5050],
    ] as const) {
      expect({ c, open: evaluator.allows(w, pod(c), port, 'TCP') }).toEqual({ c, open: false });
    }
    expect(evaluator.allows(w, { kind: 'ip', ip: '1.1.1.1' }, 443, 'TCP')).toBe(false);
    for (const p of pods.filter((x) => x !== w)) expect({ from: p.name, open: evaluator.allows(p, w, 5001, 'TCP') }).toEqual({ from: p.name, open: false });
  });
});

describe('with object storage the websocket reaches it (the app checks its bucket at start)', () => {
  test('S3 named by region: public addresses on 443 only, never metadata or private ranges', () => {
    const flowsOf = (storage: DifyStorage) => {
      const { docs } = difyDocs({ storage });
      const evaluator = NetworkPolicyEvaluator.fromManifests(docs, NAMESPACES);
      const w = podEndpointsFromManifests(docs).find((p) => p.labels['app.kubernetes.io/component'] === 'api-websocket')!;
      return (ip: string, port: number) => evaluator.allows(w, { kind: 'ip', ip }, port, 'TCP');
    };
    const s3 = flowsOf(DifyStorage.s3({ bucket: 'files', region: 'eu-west-1', useAwsManagedIam: true }));
    expect([s3('52.218.1.1', 443), s3('52.218.1.1', 80), s3('169.254.169.254', 443), s3('10.0.0.9', 443)]).toEqual([true, false, false, false]);
  });
});

describe('/socket.io/ is routed with the WebSocket upgrade on every exposure, beside all 11 upstream routes', () => {
  test('Ingress: the web host routes it to the websocket; ingress-nginx upgrades by default and keeps 3600 s timeouts, HTTP/1.1', () => {
    const { docs } = difyDocs({ host: 'dify.example.com', apiHost: 'api.example.com' });
    const ing = find(docs, 'Ingress', 'dify');
    const paths = ing.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => p.path));
    expect([...paths].sort()).toEqual([...UPSTREAM_LOCATIONS].sort());
    const web = ing.spec.rules.find((r: any) => r.host === 'dify.example.com');
    expect(web.http.paths.find((p: any) => p.path === '/socket.io/').backend.service).toEqual({ name: 'dify-api-websocket', port: { number: 5001 } });
    expect(ing.metadata.annotations).toMatchObject({
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-http-version': '1.1',
    });
    // No session affinity: the client is websocket-only.
    expect(Object.keys(ing.metadata.annotations).filter((k) => /affinity|upstream-hash/.test(k))).toEqual([]);
  });

  test('HTTPRoute: a rule to the websocket Service without a request timeout', () => {
    const { docs } = difyDocs({ gateway: { gateway: { name: 'public' } } });
    const route = find(docs, 'HTTPRoute', 'dify');
    expect(route.spec.rules.map((r: any) => r.matches[0].path.value).sort()).toEqual([...UPSTREAM_LOCATIONS].sort());
    const rule = route.spec.rules.find((r: any) => r.matches[0].path.value === '/socket.io/');
    expect(rule.backendRefs).toEqual([{ kind: 'Service', name: 'dify-api-websocket', port: 5001 }]);
    expect(rule.timeouts).toEqual({ request: '0s' });
  });

  test('nginx proxy: an upstream, the Upgrade and Connection headers after proxy.conf, and the connection_upgrade map', () => {
    const { docs } = difyDocs({ nginxProxy: {} });
    const conf = nginxConf(docs);
    expect(
      nginxLocations(conf)
        .map((l) => l.split(' ')[0])
        .sort(),
    ).toEqual([...UPSTREAM_LOCATIONS].sort());
    expect(conf).toContain('upstream dify_api_websocket {\n        server dify-api-websocket:5001;');
    expect(conf).toMatch(/map \$http_upgrade \$connection_upgrade \{\n\s+default upgrade;\n\s+'' close;\n\s+\}/);
    expect(conf).toMatch(
      /location \/socket\.io\/ \{\n\s+proxy_pass http:\/\/dify_api_websocket;\n\s+include \/etc\/nginx\/dify\/proxy\.conf;\n\s+proxy_set_header Upgrade \$http_upgrade;\n\s+proxy_set_header Connection \$connection_upgrade;\n\s+proxy_cache_bypass \$http_upgrade;\n\s+\}/,
    );
    // The proxy is wired to the websocket.
    const evaluator = NetworkPolicyEvaluator.fromManifests(docs, NAMESPACES);
    const pods = podEndpointsFromManifests(docs);
    const pod = (c: string) => pods.find((p) => p.labels['app.kubernetes.io/component'] === c)!;
    expect(evaluator.allows(pod('nginx'), pod('api-websocket'), 5001, 'TCP')).toBe(true);
  });
});

describe('collaboration: false turns the websocket off everywhere', () => {
  const off = (extra: object) => difyDocs({ collaboration: false, ...extra }).docs;
  test('no workload, no route on any exposure, and collaboration mode off in api and worker', () => {
    const docs = off({});
    expect(docs.filter((d) => d.metadata?.name?.startsWith('dify-api-websocket'))).toEqual([]);
    expect(find(docs, 'Ingress', 'dify').spec.rules[0].http.paths.map((p: any) => p.path)).not.toContain('/socket.io/');
    expect(configOf(docs, 'dify-api').ENABLE_COLLABORATION_MODE).toBe('false');
    expect(configOf(docs, 'dify-worker').ENABLE_COLLABORATION_MODE).toBe('false');
    expect(find(off({ gateway: { gateway: { name: 'public' } } }), 'HTTPRoute', 'dify').spec.rules.map((r: any) => r.matches[0].path.value)).not.toContain(
      '/socket.io/',
    );
    const conf = nginxConf(off({ nginxProxy: {} }));
    expect(conf).not.toContain('socket.io');
    expect(conf).not.toContain('$connection_upgrade');
  });
});

describe('the websocket scales horizontally', () => {
  test('replicas get a PDB, autoscaling an HPA', () => {
    const two = difyDocs({ components: { apiWebsocket: { replicas: 2 } }, storage: SHARED_STORAGE }).docs;
    expect(find(two, 'Deployment', 'dify-api-websocket').spec.replicas).toBe(2);
    expect(find(two, 'PodDisruptionBudget', 'dify-api-websocket').spec.selector.matchLabels).toMatchObject({ 'app.kubernetes.io/component': 'api-websocket' });
    const hpa = find(
      difyDocs({ components: { apiWebsocket: { autoscaling: { minReplicas: 2, maxReplicas: 6 } } }, storage: SHARED_STORAGE }).docs,
      'HorizontalPodAutoscaler',
      'dify-api-websocket',
    );
    expect(hpa.spec).toMatchObject({ minReplicas: 2, maxReplicas: 6, scaleTargetRef: { kind: 'Deployment', name: 'dify-api-websocket' } });
  });

  test('gunicorn sizing is typed and validated', () => {
    const docs = difyDocs({ settings: { processes: { apiWebsocket: { workers: 2, workerConnections: 500, timeoutSeconds: 600 } } } }).docs;
    expect(configOf(docs, 'dify-api-websocket')).toMatchObject({ SERVER_WORKER_AMOUNT: '2', SERVER_WORKER_CONNECTIONS: '500', GUNICORN_TIMEOUT: '600' });
    expect(configOf(difyDocs().docs, 'dify-api-websocket')).toMatchObject({
      SERVER_WORKER_AMOUNT: '1',
      SERVER_WORKER_CLASS: 'geventwebsocket.gunicorn.workers.GeventWebSocketWorker',
      SERVER_WORKER_CONNECTIONS: '1000',
      GUNICORN_TIMEOUT: '360',
    });
    expect(() => difyDocs({ settings: { processes: { apiWebsocket: { workerConnections: 0 } } } })).toThrow(
      /^settings\.processes\.apiWebsocket\.workerConnections: got 0; /,
    );
    expect(() => difyDocs({ collaboration: 'yes' as any })).toThrow(/^collaboration: got "yes"; must be false or an object/);
  });
});

describe('websocket options are checked against the rest of the installation', () => {
  const p = SecretKeyRef.of('redis', 'password');
  const sentinel = ExternalRedis.sentinel({
    sentinels: [{ host: 'sentinel.internal.example.com' }],
    masterName: 'mymaster',
    password: p,
    brokerUrl: SecretKeyRef.of('redis', 'broker'),
  });
  const agent = { redisUrl: SecretKeyRef.of('redis', 'agent') };
  test('options of a switched-off websocket are an error', () => {
    expect(() => difyDocs({ collaboration: false, components: { apiWebsocket: { replicas: 2 } } })).toThrow(
      /^components\.apiWebsocket: got \{"replicas":2\}; configures the websocket, which collaboration: false leaves out/,
    );
  });
  test('several websocket pods on a Sentinel Redis need a pub/sub URL', () => {
    expect(() => difyDocs({ externalRedis: sentinel, agent, storage: SHARED_STORAGE, components: { apiWebsocket: { replicas: 2 } } })).toThrow(
      /^components\.apiWebsocket: got "sentinel Redis without EVENT_BUS_REDIS_URL"; several websocket pods broadcast through one Redis pub\/sub URL/,
    );
    const { docs } = difyDocs({
      externalRedis: sentinel,
      agent,
      storage: SHARED_STORAGE,
      components: { apiWebsocket: { replicas: 2, secretEnv: { EVENT_BUS_REDIS_URL: SecretKeyRef.of('redis', 'pubsub-url') } } },
    });
    expect(secretEnvOf(docs, 'dify-api-websocket').EVENT_BUS_REDIS_URL).toEqual({ name: 'redis', key: 'pubsub-url' });
    expect(() => difyDocs({ externalRedis: sentinel, agent })).not.toThrow();
  });
});
