import { NetworkPolicyEvaluator, PodEndpoint, Protocol, podEndpointsFromManifests } from './support/netpol';
import { ENVIRONMENTS, difyDocs, parseDocs, synthFiles } from './util';

const INGRESS_CONTROLLER: PodEndpoint = {
  kind: 'pod',
  namespace: 'ingress-nginx',
  labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
  name: 'ingress-nginx',
};
const DNS: PodEndpoint = { kind: 'pod', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' }, name: 'coredns' };
const OTHER_NAMESPACE: PodEndpoint = { kind: 'pod', namespace: 'team-b', labels: { app: 'curl' }, name: 'intruder' };
const ip = (address: string) => ({ kind: 'ip' as const, ip: address });
const PUBLIC = ip('1.1.1.1');
const METADATA = ip('169.254.169.254');
const PRIVATE = [ip('10.0.0.5'), ip('172.20.3.4'), ip('192.168.1.1'), ip('100.64.0.9'), ip('127.0.0.1')];

function setup(docs: Record<string, any>[]) {
  const evaluator = NetworkPolicyEvaluator.fromManifests(docs, [
    { name: 'ingress-nginx', labels: {} },
    { name: 'kube-system', labels: {} },
    { name: 'team-b', labels: {} },
  ]);
  const pods = podEndpointsFromManifests(docs);
  const has = (component: string) => pods.some((x) => x.labels['app.kubernetes.io/component'] === component);
  const pod = (component: string): PodEndpoint => {
    const p = pods.find((x) => x.labels['app.kubernetes.io/component'] === component);
    if (!p) throw new Error(`no pod for component ${component}`);
    return p;
  };
  const allows = (from: any, to: any, port: number, protocol: Protocol = 'TCP') => ({
    flow: `${from.name ?? from.ip} -> ${to.name ?? to.ip}:${port}/${protocol}`,
    allowed: evaluator.allows(from, to, port, protocol),
  });
  return { evaluator, pods, pod, has, allows };
}

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('NetworkPolicies of %s', (_name, env) => {
  const docs = parseDocs(synthFiles(env));
  const { evaluator, pods, pod, has, allows } = setup(docs);
  const open = (from: any, to: any, port: number, protocol?: Protocol) =>
    expect(allows(from, to, port, protocol)).toEqual({ ...allows(from, to, port, protocol), allowed: true });
  const closed = (from: any, to: any, port: number, protocol?: Protocol) =>
    expect(allows(from, to, port, protocol)).toEqual({ ...allows(from, to, port, protocol), allowed: false });

  test('every pod is isolated for ingress and egress', () => {
    expect(pods.length).toBeGreaterThanOrEqual(8);
    for (const p of pods) expect({ pod: p.name, ...evaluator.isolation(p) }).toEqual({ pod: p.name, ingress: true, egress: true });
  });

  test('every pod resolves names through cluster DNS on UDP and TCP 53', () => {
    for (const p of pods) {
      open(p, DNS, 53, 'UDP');
      open(p, DNS, 53, 'TCP');
    }
  });

  test('required flows are open', () => {
    open(INGRESS_CONTROLLER, pod('web'), 3000);
    open(INGRESS_CONTROLLER, pod('api'), 5001);
    open(INGRESS_CONTROLLER, pod('plugin-daemon'), 5002);
    const workers = pods.map((x) => x.labels['app.kubernetes.io/component']).filter((c) => /^worker(-|$)/.test(c));
    expect(workers.length).toBeGreaterThanOrEqual(1);
    for (const c of ['api', ...new Set(workers)]) {
      if (has('postgres')) open(pod(c), pod('postgres'), 5432);
      if (has('redis')) open(pod(c), pod('redis'), 6379);
      if (has('weaviate')) open(pod(c), pod('weaviate'), 8080);
      if (has('weaviate')) open(pod(c), pod('weaviate'), 50051);
      open(pod(c), pod('sandbox'), 8194);
      open(pod(c), pod('plugin-daemon'), 5002);
      open(pod(c), pod('ssrf-proxy'), 3128);
      open(pod(c), PUBLIC, 443);
    }
    for (const c of ['beat', 'migration', 'plugin-daemon']) {
      if (has('postgres')) open(pod(c), pod('postgres'), 5432);
      if (has('redis')) open(pod(c), pod('redis'), 6379);
    }
    open(pod('plugin-daemon'), pod('api'), 5001);
    open(pod('plugin-daemon'), PUBLIC, 443);
    open(pod('web'), pod('api'), 5001);
    open(pod('sandbox'), pod('ssrf-proxy'), 3128);
    open(pod('ssrf-proxy'), PUBLIC, 443);
    open(pod('ssrf-proxy'), PUBLIC, 80);
    // Collaboration websocket and agent v2 stack (every environment deploys both).
    open(INGRESS_CONTROLLER, pod('api-websocket'), 5001);
    if (has('postgres')) open(pod('api-websocket'), pod('postgres'), 5432);
    if (has('redis')) open(pod('api-websocket'), pod('redis'), 6379);
    for (const c of ['api', ...new Set(workers)]) open(pod(c), pod('agent-backend'), 5050);
    if (has('redis')) open(pod('agent-backend'), pod('redis'), 6379);
    open(pod('agent-backend'), pod('plugin-daemon'), 5002);
    open(pod('agent-backend'), pod('api'), 5001);
    open(pod('agent-backend'), pod('local-sandbox'), 5004);
    open(pod('local-sandbox'), pod('agent-ssrf-proxy'), 3128);
    open(pod('agent-ssrf-proxy'), pod('agent-backend'), 5050);
    open(pod('agent-ssrf-proxy'), pod('api'), 5001);
    open(pod('agent-ssrf-proxy'), PUBLIC, 443);
  });

  test('the agent stack stays closed where it must: the local sandbox and its proxy reach no store, private range or metadata', () => {
    const sandbox = pod('local-sandbox');
    for (const target of [PUBLIC, METADATA, ...PRIVATE]) closed(sandbox, target, 443);
    const proxy = pod('agent-ssrf-proxy');
    closed(proxy, METADATA, 80);
    for (const target of PRIVATE) closed(proxy, target, 80);
    for (const [c, port] of [
      ['api', 5001],
      ['postgres', 5432],
      ['redis', 6379],
      ['weaviate', 8080],
      ['plugin-daemon', 5002],
      ['agent-backend', 5050],
      ['sandbox', 8194],
    ] as const) {
      if (has(c)) closed(sandbox, pod(c), port);
    }
    for (const [c, port] of [
      ['postgres', 5432],
      ['redis', 6379],
      ['weaviate', 8080],
      ['plugin-daemon', 5002],
      ['sandbox', 8194],
      ['web', 3000],
    ] as const) {
      if (has(c)) closed(proxy, pod(c), port);
    }
    closed(pod('agent-backend'), PUBLIC, 443);
    // With S3 named by region (prod) the websocket reaches public 443 for its bucket; never plain http.
    closed(pod('api-websocket'), PUBLIC, 80);
    if (env.dify.storage?.volume) closed(pod('api-websocket'), PUBLIC, 443);
    else open(pod('api-websocket'), PUBLIC, 443);
    closed(pod('web'), pod('agent-backend'), 5050);
    closed(INGRESS_CONTROLLER, pod('agent-backend'), 5050);
  });

  test('the sandbox reaches nothing but the SSRF proxy and DNS', () => {
    const sandbox = pod('sandbox');
    for (const target of [PUBLIC, METADATA, ...PRIVATE]) closed(sandbox, target, 443);
    closed(sandbox, METADATA, 80);
    for (const [c, port] of [
      ['postgres', 5432],
      ['redis', 6379],
      ['weaviate', 8080],
      ['api', 5001],
      ['plugin-daemon', 5002],
      ['web', 3000],
    ] as const) {
      if (has(c)) closed(sandbox, pod(c), port);
    }
    closed(sandbox, ip('10.40.3.7'), 5432);
  });

  test('web never reaches the stores, and nothing but api, worker, beat, plugin daemon, migration, the websocket (and backup) reaches PostgreSQL or Redis; the agent backend only Redis', () => {
    const allowed = new Set(['api', 'worker', 'beat', 'plugin-daemon', 'migration', 'api-websocket']);
    const stores: Array<[any, number]> = [
      ...(has('postgres') ? [[pod('postgres'), 5432] as [any, number]] : [[ip('10.40.3.7'), 5432] as [any, number]]),
      ...(has('redis') ? [[pod('redis'), 6379] as [any, number]] : [[ip('10.40.3.8'), 6379] as [any, number]]),
    ];
    for (const p of pods) {
      const component = p.labels['app.kubernetes.io/component'];
      if (allowed.has(component) || /^worker-/.test(component) || component === 'postgres' || component === 'redis') continue;
      for (const [store, port] of stores) {
        if (component === 'backup' && port === 5432) open(p, store, port);
        else if (component === 'agent-backend' && port === 6379) open(p, store, port);
        else closed(p, store, port);
      }
    }
    if (has('weaviate')) closed(pod('web'), pod('weaviate'), 8080);
    // Pods outside the installation are only constrained on the way into Dify's own pods.
    for (const [store, port] of stores.filter(([st]) => st.kind === 'pod')) {
      closed(INGRESS_CONTROLLER, store, port);
      closed(OTHER_NAMESPACE, store, port);
    }
    closed(OTHER_NAMESPACE, pod('api'), 5001);
  });

  test('the SSRF proxy reaches only the public internet: no pods, private ranges or cloud metadata', () => {
    const proxy = pod('ssrf-proxy');
    closed(proxy, METADATA, 80);
    for (const target of PRIVATE) closed(proxy, target, 80);
    for (const [c, port] of [
      ['api', 5001],
      ['postgres', 5432],
      ['redis', 6379],
      ['sandbox', 8194],
      ['weaviate', 8080],
    ] as const)
      if (has(c)) closed(proxy, pod(c), port);
  });

  test('no component reaches cloud metadata', () => {
    for (const p of pods) closed(p, METADATA, 80);
  });

  test('only the secret generator talks to the Kubernetes API port', () => {
    for (const p of pods) {
      const expected = p.labels['app.kubernetes.io/component'] === 'secret-generator';
      expect({ pod: p.name, allowed: evaluator.allows(p, ip('10.96.0.1'), 6443) }).toEqual({ pod: p.name, allowed: expected });
    }
  });
});

describe('prod reaches its managed services only from the store clients', () => {
  const prod = ENVIRONMENTS.find((e) => e.name === 'prod')!;
  const { evaluator, pod } = setup(parseDocs(synthFiles(prod)));
  test.each([
    ['api', true],
    ['worker-indexing', true],
    ['worker-workflow', true],
    ['worker-ops', true],
    ['beat', true],
    ['migration', true],
    ['plugin-daemon', true],
    ['api-websocket', true],
    ['web', false],
    ['sandbox', false],
    ['ssrf-proxy', false],
    ['agent-backend', false],
    ['local-sandbox', false],
    ['agent-ssrf-proxy', false],
  ])('%s -> 10.40.0.0/16:5432 is %s', (c, expected) => {
    expect(evaluator.allows(pod(c as string), ip('10.40.3.7'), 5432)).toBe(expected);
  });
});

describe('SSRF allow-lists open exactly the allow-listed ranges', () => {
  const { docs } = difyDocs({ ssrfProxy: { allowPrivateIps: ['10.20.0.0/16'] } });
  const { pod, evaluator } = setup(docs);
  test('inside the range is open, outside stays closed', () => {
    expect(evaluator.allows(pod('ssrf-proxy'), ip('10.20.7.7'), 8080)).toBe(true);
    expect(evaluator.allows(pod('ssrf-proxy'), ip('10.21.0.1'), 8080)).toBe(false);
    expect(evaluator.allows(pod('sandbox'), ip('10.20.7.7'), 8080)).toBe(false);
  });
});

describe('configuration', () => {
  test('the ingress controller and cluster CIDRs are configurable', () => {
    const { docs } = difyDocs({
      networkPolicy: { ingressController: { namespaceLabels: { 'kubernetes.io/metadata.name': 'traefik' } }, clusterCidrs: ['34.118.224.0/20'] },
    });
    const { evaluator, pod } = setup(docs);
    const traefik: PodEndpoint = { kind: 'pod', namespace: 'traefik', labels: { app: 'traefik' } };
    expect(evaluator.allows(traefik, pod('web'), 3000)).toBe(true);
    expect(evaluator.allows(INGRESS_CONTROLLER, pod('web'), 3000)).toBe(false);
    expect(evaluator.allows(pod('api'), ip('34.118.230.1'), 443)).toBe(false);
  });
  test('can be disabled', () => {
    expect(difyDocs({ networkPolicy: false }).docs.some((d) => d.kind === 'NetworkPolicy')).toBe(false);
  });
});

describe.each(ENVIRONMENTS.filter((e) => e.dify.sandboxNamespace).map((e) => [e.name, e] as const))('the sandbox in its own namespace (%s)', (_name, env) => {
  const docs = parseDocs(synthFiles(env));
  const { evaluator, pod, pods } = setup(docs);
  const sandboxNs = env.dify.sandboxNamespace!;
  const sandbox = pod('sandbox');
  // Pods that carry the sandbox's or api's labels in the wrong namespace: a peer is namespace AND pods, never labels alone.
  const impostor = (namespace: string, component: string): PodEndpoint => ({
    kind: 'pod',
    namespace,
    labels: { ...sandbox.labels, 'app.kubernetes.io/component': component },
    name: `${namespace}/${component}`,
  });

  test('runs in the sandbox namespace; every other pod in the installation namespace', () => {
    expect(sandbox.namespace).toBe(sandboxNs);
    for (const p of pods.filter((x) => x !== sandbox)) expect({ pod: p.name, ns: p.namespace }).toEqual({ pod: p.name, ns: env.namespace });
  });

  test('required flows across the namespaces are open', () => {
    const workers = pods.filter((x) => /^worker(-|$)/.test(x.labels['app.kubernetes.io/component']));
    for (const client of [pod('api'), ...workers])
      expect({ from: client.name, ok: evaluator.allows(client, sandbox, 8194) }).toEqual({ from: client.name, ok: true });
    expect(evaluator.allows(sandbox, pod('ssrf-proxy'), 3128)).toBe(true);
    expect(evaluator.allows(sandbox, DNS, 53, 'UDP')).toBe(true);
  });

  test('forbidden flows are closed: other pods, other namespaces and look-alike labels', () => {
    for (const c of ['web', 'plugin-daemon', 'beat', 'api-websocket', 'agent-backend', 'local-sandbox', 'agent-ssrf-proxy', 'ssrf-proxy'])
      expect({ from: c, ok: evaluator.allows(pod(c), sandbox, 8194) }).toEqual({ from: c, ok: false });
    expect(evaluator.allows(INGRESS_CONTROLLER, sandbox, 8194)).toBe(false);
    expect(evaluator.allows(OTHER_NAMESPACE, sandbox, 8194)).toBe(false);
    // api's labels in the sandbox namespace or another one do not reach the sandbox; the sandbox's labels elsewhere do not reach the proxy.
    expect(evaluator.allows(impostor(sandboxNs, 'api'), sandbox, 8194)).toBe(false);
    expect(evaluator.allows(impostor('team-b', 'api'), sandbox, 8194)).toBe(false);
    expect(evaluator.allows(impostor('team-b', 'sandbox'), pod('ssrf-proxy'), 3128)).toBe(false);
    // The sandbox's labels in the installation's namespace do not reach the proxy either: it admits them from the sandbox namespace only.
    expect(evaluator.allows(impostor(env.namespace, 'sandbox'), pod('ssrf-proxy'), 3128)).toBe(false);
    // The sandbox reaches nothing else in either namespace.
    for (const p of pods.filter((x) => x !== sandbox && x.labels['app.kubernetes.io/component'] !== 'ssrf-proxy')) {
      const ports = Object.values(p.namedPorts ?? {}).map((x: any) => (typeof x === 'number' ? x : x.port));
      for (const port of ports.length ? ports : [5001])
        expect({ to: p.name, port, ok: evaluator.allows(sandbox, p, port) }).toEqual({ to: p.name, port, ok: false });
    }
  });

  test('cross-namespace peers are namespaceSelector + podSelector by name, never an empty namespace selector', () => {
    const peers = docs
      .filter((d) => d.kind === 'NetworkPolicy')
      .flatMap((d) => [...(d.spec.ingress ?? []).flatMap((r: any) => r.from ?? []), ...(d.spec.egress ?? []).flatMap((r: any) => r.to ?? [])]);
    const cross = peers.filter((p: any) => [env.namespace, sandboxNs].includes(p.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']));
    expect(cross.length).toBeGreaterThanOrEqual(4);
    for (const p of cross)
      expect(Object.keys(p.podSelector?.matchLabels ?? {}).sort()).toEqual(
        Object.keys(sandbox.labels)
          .filter(
            (k) =>
              k.startsWith('app.kubernetes.io/') &&
              k !== 'app.kubernetes.io/version' &&
              k !== 'app.kubernetes.io/managed-by' &&
              k !== 'app.kubernetes.io/part-of',
          )
          .sort(),
      );
    for (const p of peers) if (p.namespaceSelector) expect(Object.keys(p.namespaceSelector.matchLabels ?? {}).length).toBeGreaterThan(0);
  });

  test('api and worker name the sandbox by its namespace-qualified host, the sandbox the proxy by its', () => {
    const config = (name: string) => docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === name)!;
    expect(config('dify-api-env').data.CODE_EXECUTION_ENDPOINT).toBe(`http://dify-sandbox.${sandboxNs}.svc:8194`);
    expect(config('dify-api-env').data.SSRF_PROXY_HTTP_URL).toBe('http://dify-ssrf-proxy:3128');
    expect(config('dify-sandbox-config').data['config.yaml']).toContain(`http: 'http://dify-ssrf-proxy.${env.namespace}.svc:3128'`);
  });
});
