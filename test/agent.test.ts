import { AgentRuntime, DifyAgentBackend, DifyLocalSandbox, ExternalRedis, SENSITIVE_ENV_NAMES, SecretKeyRef, renderAgentSquidConfig } from '../lib';
import { NetworkPolicyEvaluator, PodEndpoint, podEndpointsFromManifests } from './support/netpol';
import { ENVIRONMENTS, difyDocs, distFiles, find, parseDocs, podSpecs, synthFiles } from './util';

const NAMESPACES = [
  { name: 'ingress-nginx', labels: {} },
  { name: 'kube-system', labels: {} },
];
const PUBLIC = { kind: 'ip' as const, ip: '1.1.1.1' };
const METADATA = { kind: 'ip' as const, ip: '169.254.169.254' };
const PRIVATE = { kind: 'ip' as const, ip: '10.0.0.5' };
const INGRESS_CONTROLLER: PodEndpoint = {
  kind: 'pod',
  namespace: 'ingress-nginx',
  labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
  name: 'ingress-nginx',
};

/** Upstream's development defaults (docker-compose.yaml, .env.example of 1.16.1): never in any output. */
const UPSTREAM_DEV_DEFAULTS = [
  'dify-agent-run-token-for-dev-only',
  'MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY',
  'QaHbTe77CtuXmsfyhR7+vRjI/+XbV1AaFy691iy+kGDv2Jvy0/eAh8Y1',
  'lYkiYYT6owG+71oLerGzA7GXCgOT++6ovaezWAjpCjf+Sjc3ZtU+qUEi',
  'difyai123456',
  'redis://:difyai123456@redis:6379/2',
  'redis://:difyai123456@redis:6379/1',
  'WVF5YThaHlkYwhGUSmCRgsX3tD5ngdN8pkih',
];
/** Variables whose upstream default is `dify-sandbox` (a value, not our Service name). */
const SANDBOX_KEY_VARS = ['API_KEY', 'CODE_EXECUTION_API_KEY', 'SANDBOX_API_KEY'];

/** name -> { plain value | secretKeyRef } of a workload's main container (ConfigMap values included). */
function envOf(docs: any[], kind: string, name: string): Record<string, any> {
  const w = find(docs, kind, name);
  const c = w.spec.template.spec.containers[0];
  const plain = Object.fromEntries((c.envFrom ?? []).flatMap((f: any) => Object.entries(find(docs, 'ConfigMap', f.configMapRef.name).data)));
  const refs = Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.valueFrom?.secretKeyRef ?? e.value]));
  return { ...plain, ...refs };
}

function flows(docs: any[]) {
  const evaluator = NetworkPolicyEvaluator.fromManifests(docs, NAMESPACES);
  const pods = podEndpointsFromManifests(docs);
  const pod = (c: string) => {
    const p = pods.find((x) => x.labels['app.kubernetes.io/component'] === c);
    if (!p) throw new Error(`no pod ${c}`);
    return p;
  };
  const has = (c: string) => pods.some((x) => x.labels['app.kubernetes.io/component'] === c);
  const allows = (from: any, to: any, port: number) => ({
    flow: `${from.name ?? from.ip} -> ${to.name ?? to.ip}:${port}`,
    open: evaluator.allows(from, to, port, 'TCP'),
  });
  return { pods, pod, has, allows };
}

describe('the agent v2 stack is deployed by default, as upstream', () => {
  const { docs } = difyDocs();
  const backend = envOf(docs, 'Deployment', 'dify-agent-backend');
  const sandbox = envOf(docs, 'Deployment', 'dify-local-sandbox');
  const api = envOf(docs, 'Deployment', 'dify-api');
  const worker = envOf(docs, 'Deployment', 'dify-worker');
  const daemon = envOf(docs, 'StatefulSet', 'dify-plugin-daemon');

  test('shared keys are one Secret key on both sides', () => {
    const groups: Array<[string, any[]]> = [
      ['agent-api-token', [backend.DIFY_AGENT_API_TOKEN, api.AGENT_BACKEND_API_TOKEN, worker.AGENT_BACKEND_API_TOKEN]],
      ['plugin-inner-api-key', [backend.DIFY_AGENT_INNER_API_KEY, api.INNER_API_KEY_FOR_PLUGIN, worker.INNER_API_KEY_FOR_PLUGIN, daemon.DIFY_INNER_API_KEY]],
      ['plugin-daemon-key', [backend.DIFY_AGENT_PLUGIN_DAEMON_API_KEY, api.PLUGIN_DAEMON_KEY, worker.PLUGIN_DAEMON_KEY, daemon.SERVER_KEY]],
      ['agent-local-sandbox-token', [backend.DIFY_AGENT_LOCAL_SANDBOX_AUTH_TOKEN, backend.DIFY_AGENT_SHELLCTL_AUTH_TOKEN, sandbox.SHELLCTL_AUTH_TOKEN]],
      ['secret-key', [api.SECRET_KEY, envOf(docs, 'Deployment', 'dify-api-websocket').SECRET_KEY]],
    ];
    for (const [key, refs] of groups) for (const ref of refs) expect({ key, ref }).toEqual({ key, ref: { name: 'dify-credentials', key } });
  });

  test("every agent credential is a secretKeyRef, never upstream's empty or development default", () => {
    for (const v of [
      'DIFY_AGENT_API_TOKEN',
      'DIFY_AGENT_SERVER_SECRET_KEY',
      'DIFY_AGENT_INNER_API_KEY',
      'DIFY_AGENT_PLUGIN_DAEMON_API_KEY',
      'DIFY_AGENT_LOCAL_SANDBOX_AUTH_TOKEN',
      'DIFY_AGENT_SHELLCTL_AUTH_TOKEN',
      'DIFY_AGENT_REDIS_URL',
    ]) {
      expect({ v, ref: backend[v] }).toEqual({ v, ref: { name: 'dify-credentials', key: expect.any(String) } });
    }
    expect(backend.DIFY_AGENT_SERVER_SECRET_KEY.key).toBe('agent-server-secret-key');
    expect(backend.DIFY_AGENT_REDIS_URL.key).toBe('agent-redis-url');
    expect(sandbox.SHELLCTL_AUTH_TOKEN).toEqual({ name: 'dify-credentials', key: 'agent-local-sandbox-token' });
  });

  test('the generator draws the server secret key as unpadded base64url and derives the agent Redis URL on DB 2', () => {
    const job = docs.find((d) => d.kind === 'Job' && d.metadata.name.startsWith('dify-secret-generator-'))!;
    const env = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    const random = JSON.parse(env.RANDOM_KEYS);
    expect(random['agent-server-secret-key']).toEqual([32, 'urlsafe']);
    expect(random['agent-api-token']).toEqual([32, 'hex']);
    expect(random['agent-local-sandbox-token']).toEqual([32, 'hex']);
    expect(JSON.parse(env.REDIS_URL_KEYS)).toEqual({ 'agent-redis-url': 2, 'celery-broker-url': 1 });
    const script = find(docs, 'ConfigMap', 'dify-secret-generator-script').data['generate.py'];
    expect(script).toContain('secrets.token_urlsafe(size) if encoding == "urlsafe" else secrets.token_hex(size)');
  });

  test('upstream wiring: Service URLs, Redis DB prefix, both generations of the shellctl names, the sandbox behind its proxy', () => {
    expect(backend).toMatchObject({
      DIFY_AGENT_PLUGIN_DAEMON_URL: 'http://dify-plugin-daemon:5002',
      DIFY_AGENT_INNER_API_URL: 'http://dify-api:5001',
      DIFY_AGENT_RUNTIME_BACKEND: 'local',
      DIFY_AGENT_LOCAL_SANDBOX_ENDPOINT: 'http://dify-local-sandbox:5004',
      DIFY_AGENT_SHELLCTL_ENTRYPOINT: 'http://dify-local-sandbox:5004',
      DIFY_AGENT_STUB_API_BASE_URL: 'http://dify-agent-backend:5050/agent-stub',
      DIFY_AGENT_SANDBOX_FILES_BASE_URL: 'http://dify-api:5001',
      DIFY_AGENT_REDIS_PREFIX: 'dify-agent',
      DIFY_AGENT_SHUTDOWN_GRACE_SECONDS: '30',
      DIFY_AGENT_RUN_TIMEOUT_SECONDS: '3600',
    });
    expect(api).toMatchObject({ AGENT_BACKEND_BASE_URL: 'http://dify-agent-backend:5050', AGENT_SHELL_ENABLED: 'true' });
    expect(sandbox).toMatchObject({
      HTTP_PROXY: 'http://dify-agent-ssrf-proxy:3128',
      https_proxy: 'http://dify-agent-ssrf-proxy:3128',
      SHELLCTL_ENABLE_PATH_ISOLATION: 'true',
    });
    expect(envOf(docs, 'Deployment', 'dify-web').NEXT_PUBLIC_ENABLE_AGENT_V2).toBe('true');
    expect(find(docs, 'Deployment', 'dify-agent-backend').spec.template.spec.terminationGracePeriodSeconds).toBe(60);
  });

  test('the agent squid forwards exactly /agent-stub/ on the backend and /files/ on the api before refusing private ranges', () => {
    const conf = find(docs, 'ConfigMap', 'dify-agent-ssrf-proxy-config').data['squid.conf'] as string;
    expect(conf).toBe(renderAgentSquidConfig(3128, { agentBackendHost: 'dify-agent-backend', apiHost: 'dify-api' }));
    const access = conf.split('\n').filter((l) => l.startsWith('http_access'));
    expect(access).toEqual([
      'http_access deny !Safe_ports',
      'http_access deny CONNECT !SSL_ports',
      'http_access deny path_dotdot',
      'http_access allow dst_agent_backend path_agent_stub',
      'http_access allow dst_dify_api path_files',
      'http_access deny to_private_networks',
      'http_access allow all',
    ]);
    expect(conf).toContain('acl dst_agent_backend dstdomain dify-agent-backend\n');
    expect(conf).toContain('acl path_agent_stub urlpath_regex -i ^/agent-stub/\n');
    expect(conf).toContain('dns_defnames on');
    // The app's SSRF proxy keeps its own rules.
    expect(find(docs, 'ConfigMap', 'dify-ssrf-proxy-config').data['squid.conf']).not.toContain('agent');
  });

  test('Pod Security restricted for all three: non-root, read-only root, no capabilities, no ServiceAccount token', () => {
    for (const [name, uid] of [
      ['dify-agent-backend', DifyAgentBackend.UID],
      ['dify-local-sandbox', DifyLocalSandbox.UID],
      ['dify-agent-ssrf-proxy', 13],
    ] as const) {
      const spec = find(docs, 'Deployment', name).spec.template.spec;
      expect({ name, pod: spec.securityContext }).toMatchObject({
        name,
        pod: { runAsNonRoot: true, runAsUser: uid, seccompProfile: { type: 'RuntimeDefault' } },
      });
      expect({ name, c: spec.containers[0].securityContext }).toEqual({
        name,
        c: expect.objectContaining({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ['ALL'] } }),
      });
      expect({ name, token: spec.automountServiceAccountToken }).toEqual({ name, token: false });
    }
    expect(find(docs, 'Deployment', 'dify-local-sandbox').spec.strategy).toEqual({ type: 'Recreate' });
  });

  describe('flows', () => {
    const { pods, pod, has, allows } = flows(docs);
    const open = (from: any, to: any, port: number) => expect(allows(from, to, port)).toEqual({ ...allows(from, to, port), open: true });
    const closed = (from: any, to: any, port: number) => expect(allows(from, to, port)).toEqual({ ...allows(from, to, port), open: false });

    test('required flows are open', () => {
      for (const c of ['api', 'worker']) open(pod(c), pod('agent-backend'), 5050);
      open(pod('agent-backend'), pod('redis'), 6379);
      open(pod('agent-backend'), pod('plugin-daemon'), 5002);
      open(pod('agent-backend'), pod('api'), 5001);
      open(pod('agent-backend'), pod('local-sandbox'), 5004);
      open(pod('local-sandbox'), pod('agent-ssrf-proxy'), 3128);
      open(pod('agent-ssrf-proxy'), PUBLIC, 443);
      open(pod('agent-ssrf-proxy'), pod('agent-backend'), 5050);
      open(pod('agent-ssrf-proxy'), pod('api'), 5001);
    });

    test('the local sandbox reaches its proxy and DNS only: never api, the stores, the internet or metadata', () => {
      const s = pod('local-sandbox');
      for (const [c, port] of [
        ['api', 5001],
        ['worker', 5001],
        ['web', 3000],
        ['postgres', 5432],
        ['redis', 6379],
        ['weaviate', 8080],
        ['plugin-daemon', 5002],
        ['sandbox', 8194],
        ['ssrf-proxy', 3128],
        ['agent-backend', 5050],
      ] as const)
        if (has(c)) closed(s, pod(c), port);
      for (const target of [PUBLIC, METADATA, PRIVATE]) closed(s, target, 443);
      closed(s, METADATA, 80);
    });

    test('the agent SSRF proxy reaches no other pod, no private range and no metadata', () => {
      const p = pod('agent-ssrf-proxy');
      for (const [c, port] of [
        ['postgres', 5432],
        ['redis', 6379],
        ['weaviate', 8080],
        ['plugin-daemon', 5002],
        ['sandbox', 8194],
        ['ssrf-proxy', 3128],
        ['web', 3000],
        ['worker', 5001],
        ['local-sandbox', 5004],
        ['api-websocket', 5001],
      ] as const)
        if (has(c)) closed(p, pod(c), port);
      closed(p, METADATA, 80);
      closed(p, PRIVATE, 80);
    });

    test('the agent backend reaches no database, vector store or internet', () => {
      const b = pod('agent-backend');
      closed(b, pod('postgres'), 5432);
      closed(b, pod('weaviate'), 8080);
      closed(b, PUBLIC, 443);
      closed(b, METADATA, 80);
    });

    test('only the agent backend reaches the local sandbox; only the local sandbox reaches the agent SSRF proxy; nothing exposes them', () => {
      for (const p of pods) {
        const c = p.labels['app.kubernetes.io/component'];
        expect({ from: c, open: allows(p, pod('local-sandbox'), 5004).open }).toEqual({ from: c, open: c === 'agent-backend' });
        expect({ from: c, open: allows(p, pod('agent-ssrf-proxy'), 3128).open }).toEqual({ from: c, open: c === 'local-sandbox' });
        const backendCallers = ['api', 'worker', 'agent-ssrf-proxy'];
        expect({ from: c, open: allows(p, pod('agent-backend'), 5050).open }).toEqual({ from: c, open: backendCallers.includes(c) });
      }
      for (const [c, port] of [
        ['agent-backend', 5050],
        ['local-sandbox', 5004],
        ['agent-ssrf-proxy', 3128],
      ] as const)
        closed(INGRESS_CONTROLLER, pod(c), port);
    });
  });
});

describe("agent: false turns the whole stack off, and web's flag with it", () => {
  const { docs } = difyDocs({ agent: false });
  test('no agent workload, no AGENT_BACKEND_* in api or worker, the UI flag off, no agent keys generated', () => {
    expect(docs.filter((d) => /agent|local-sandbox/.test(d.metadata?.name ?? ''))).toEqual([]);
    for (const name of ['dify-api', 'dify-worker']) expect(Object.keys(envOf(docs, 'Deployment', name)).filter((k) => k.startsWith('AGENT_'))).toEqual([]);
    expect(envOf(docs, 'Deployment', 'dify-web').NEXT_PUBLIC_ENABLE_AGENT_V2).toBe('false');
    const job = docs.find((d) => d.kind === 'Job' && d.metadata.name.startsWith('dify-secret-generator-'))!;
    expect(job.spec.template.spec.containers[0].env.find((e: any) => e.name === 'RANDOM_KEYS').value).not.toContain('agent');
  });
});

describe('with an external Redis the agent backend needs its own URL', () => {
  const creds = { password: SecretKeyRef.of('redis', 'password'), brokerUrl: SecretKeyRef.of('redis', 'broker-url') };
  test('missing: a synth-time error naming the prop', () => {
    expect(() => difyDocs({ externalRedis: ExternalRedis.standalone({ host: 'redis.internal.example.com', ...creds }) })).toThrow(
      /^agent\.redisUrl: got undefined; is required with externalRedis/,
    );
  });
  test('given: the backend reads it and reaches Redis where api does', () => {
    const { docs } = difyDocs({
      externalRedis: ExternalRedis.standalone({ host: 'redis.internal.example.com', ...creds }),
      agent: { redisUrl: SecretKeyRef.of('redis', 'agent-url') },
    });
    expect(envOf(docs, 'Deployment', 'dify-agent-backend').DIFY_AGENT_REDIS_URL).toEqual({ name: 'redis', key: 'agent-url' });
    const { pod, allows } = flows(docs);
    expect(allows(pod('agent-backend'), { kind: 'ip', ip: '10.9.9.9' }, 6379).open).toBe(true);
    expect(allows(pod('agent-backend'), { kind: 'ip', ip: '10.9.9.9' }, 5432).open).toBe(false);
  });
  test('tunables are validated', () => {
    expect(() => difyDocs({ agent: { shutdownGraceSeconds: 0 } })).toThrow(/^agent\.shutdownGraceSeconds: got 0; /);
    expect(() => difyDocs({ components: { localSandbox: { replicas: 2 } } })).toThrow(
      /^components\.localSandbox\.replicas: got 2; local-sandbox must run exactly one replica/,
    );
    expect(() => difyDocs({ agent: false, components: { agentBackend: { replicas: 2 } } })).toThrow(
      /^components\.agentBackend: got \{"replicas":2\}; configures the agent stack, which agent: false leaves out/,
    );
    expect(() => difyDocs({ agent: { shellRedactPatterns: ['(unclosed'] } })).toThrow(
      /^agent\.shellRedactPatterns\[0\]: got "\(unclosed"; must be a Python regular expression \(re module, as the agent backend compiles it\): missing \), unterminated subpattern at position 0/,
    );
  });
});

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('%s', (name, env) => {
  const files = synthFiles(env);
  const docs = parseDocs(files);
  test('deploys the collaboration websocket and the agent stack', () => {
    for (const w of ['dify-api-websocket', 'dify-agent-backend', 'dify-local-sandbox', 'dify-agent-ssrf-proxy'])
      expect(docs.some((d) => d.kind === 'Deployment' && d.metadata.name === w)).toBe(true);
  });
  test('no upstream development default anywhere, in the synthesized output or in dist/', () => {
    for (const text of [Object.values(files).join('\n'), Object.values(distFiles(name)).join('\n')]) {
      for (const value of UPSTREAM_DEV_DEFAULTS) expect({ value, found: text.includes(value) }).toEqual({ value, found: false });
    }
    const values = [
      ...docs.filter((d) => d.kind === 'ConfigMap').flatMap((d) => SANDBOX_KEY_VARS.map((v) => d.data?.[v])),
      ...podSpecs(docs).flatMap(({ spec }) =>
        spec.containers.flatMap((c: any) => (c.env ?? []).filter((e: any) => SANDBOX_KEY_VARS.includes(e.name)).map((e: any) => e.value)),
      ),
    ].filter((v) => v !== undefined);
    expect(values).toEqual([]);
  });
  test('no credential in any ConfigMap', () => {
    for (const cm of docs.filter((d) => d.kind === 'ConfigMap')) {
      expect({ cm: cm.metadata.name, keys: Object.keys(cm.data ?? {}).filter((k) => SENSITIVE_ENV_NAMES.has(k)) }).toEqual({ cm: cm.metadata.name, keys: [] });
      for (const v of Object.values(cm.data ?? {}) as string[]) expect(v).not.toMatch(/rediss?:\/\/[^@\s]*:[^@\s%]+@/); // a URL with a literal password (the generator script only has %s)
    }
  });
});

describe('the E2B runtime (agent.runtime: AgentRuntime.e2b)', () => {
  const apiKey = SecretKeyRef.of('e2b', 'api-key');
  const e2b = (extra: Partial<Parameters<typeof AgentRuntime.e2b>[0]> = {}, props: Record<string, unknown> = {}) =>
    difyDocs({ host: 'dify.example.com', apiHost: 'api.dify.example.com', tls: true, agent: { runtime: AgentRuntime.e2b({ apiKey, ...extra }) }, ...props });
  const backendEnv = (docs: Record<string, any>[]) => {
    const container = find(docs, 'Deployment', 'dify-agent-backend').spec.template.spec.containers[0];
    const plain = find(docs, 'ConfigMap', 'dify-agent-backend-env').data as Record<string, string>;
    const secrets = Object.fromEntries(
      (container.env ?? [])
        .filter((e: any) => e.valueFrom?.secretKeyRef)
        .map((e: any) => [e.name, `${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`]),
    );
    return { plain, secrets };
  };

  test("upstream's five settings, the runtime switch and public callback URLs; no local sandbox, its proxy or its token", () => {
    const { docs } = e2b({ template: 'acme/agent-box', activeTimeoutSeconds: 1800, shellctlPort: 5104, shellctlAuthToken: SecretKeyRef.of('e2b', 'shellctl') });
    const { plain, secrets } = backendEnv(docs);
    expect(plain).toMatchObject({
      DIFY_AGENT_RUNTIME_BACKEND: 'e2b',
      DIFY_AGENT_E2B_TEMPLATE: 'acme/agent-box',
      DIFY_AGENT_E2B_ACTIVE_TIMEOUT_SECONDS: '1800',
      DIFY_AGENT_E2B_SHELLCTL_PORT: '5104',
      // The sandboxes run outside the cluster: they call back through the public api host.
      DIFY_AGENT_STUB_API_BASE_URL: 'https://api.dify.example.com/agent-stub',
      DIFY_AGENT_SANDBOX_FILES_BASE_URL: 'https://api.dify.example.com',
    });
    expect(secrets).toMatchObject({ DIFY_AGENT_E2B_API_KEY: 'e2b/api-key', DIFY_AGENT_E2B_SHELLCTL_AUTH_TOKEN: 'e2b/shellctl' });
    for (const gone of [
      'DIFY_AGENT_LOCAL_SANDBOX_ENDPOINT',
      'DIFY_AGENT_SHELLCTL_ENTRYPOINT',
      'DIFY_AGENT_LOCAL_SANDBOX_AUTH_TOKEN',
      'DIFY_AGENT_SHELLCTL_AUTH_TOKEN',
    ])
      expect({ gone, present: gone in plain || gone in secrets }).toEqual({ gone, present: false });
    expect(docs.filter((d) => d.kind === 'Deployment').map((d) => d.metadata.name)).not.toEqual(expect.arrayContaining(['dify-local-sandbox']));
    expect(docs.some((d) => d.metadata?.name === 'dify-agent-ssrf-proxy')).toBe(false);
    // The generator no longer draws the shellctl token.
    const job = docs.find((d) => d.kind === 'Job' && d.metadata.name.startsWith('dify-secret-generator-'))!;
    expect(job.spec.template.spec.containers[0].env.find((e: any) => e.name === 'RANDOM_KEYS').value).not.toContain('agent-local-sandbox-token');
  });

  test('defaults: upstream template, 3600 s, port 5004, no shellctl token; the local runtime stays the default', () => {
    const { plain, secrets } = backendEnv(e2b().docs);
    expect(plain).toMatchObject({
      DIFY_AGENT_E2B_TEMPLATE: 'difys-default-team/dify-agent-local-sandbox',
      DIFY_AGENT_E2B_ACTIVE_TIMEOUT_SECONDS: '3600',
      DIFY_AGENT_E2B_SHELLCTL_PORT: '5004',
    });
    expect(secrets.DIFY_AGENT_E2B_SHELLCTL_AUTH_TOKEN).toBeUndefined();
    const local = backendEnv(difyDocs().docs).plain;
    expect(local.DIFY_AGENT_RUNTIME_BACKEND).toBe('local');
    for (const k of Object.keys(local)) expect(k.startsWith('DIFY_AGENT_E2B_')).toBe(false);
  });

  test('/agent-stub/ is routed on the api host by the Ingress, the HTTPRoute and the nginx proxy, only with E2B', () => {
    const paths = (docs: Record<string, any>[]) =>
      docs
        .filter((d) => d.kind === 'Ingress')
        .flatMap((i) =>
          i.spec.rules.flatMap((r: any) => r.http.paths.map((p: any) => `${r.host}${p.path} ${p.backend.service.name}:${p.backend.service.port.number}`)),
        );
    expect(paths(e2b().docs)).toContain('api.dify.example.com/agent-stub/ dify-agent-backend:5050');
    expect(paths(difyDocs().docs).some((p) => p.includes('/agent-stub/'))).toBe(false);
    const route = find(e2b({}, { gateway: { gateway: { name: 'public' } } }).docs, 'HTTPRoute', 'dify-api');
    expect(route.spec.rules.map((r: any) => `${r.matches[0].path.value} ${r.backendRefs[0].name}:${r.backendRefs[0].port}`)).toContain(
      '/agent-stub/ dify-agent-backend:5050',
    );
    const conf = find(e2b({}, { nginxProxy: {} }).docs, 'ConfigMap', 'dify-nginx-config').data['nginx.conf'];
    expect(conf).toContain('upstream dify_agent_backend {\n        server dify-agent-backend:5050;\n    }');
    expect(conf).toMatch(/location \/agent-stub\/ \{\n\s+proxy_pass http:\/\/dify_agent_backend;/);
  });

  test('flows: the ingress controller reaches the backend; the backend reaches public 443 only, never private ranges or metadata', () => {
    const { docs } = e2b();
    const evaluator = NetworkPolicyEvaluator.fromManifests(docs, NAMESPACES);
    const backend = podEndpointsFromManifests(docs).find((p) => p.labels['app.kubernetes.io/component'] === 'agent-backend')!;
    expect(evaluator.allows(INGRESS_CONTROLLER, backend, 5050)).toBe(true);
    expect(evaluator.allows(backend, PUBLIC, 443)).toBe(true);
    expect(evaluator.allows(backend, PUBLIC, 80)).toBe(false);
    expect(evaluator.allows(backend, PRIVATE, 443)).toBe(false);
    expect(evaluator.allows(backend, METADATA, 80)).toBe(false);
    // Without E2B the controller does not reach the backend.
    const local = difyDocs().docs;
    const localBackend = podEndpointsFromManifests(local).find((p) => p.labels['app.kubernetes.io/component'] === 'agent-backend')!;
    expect(NetworkPolicyEvaluator.fromManifests(local, NAMESPACES).allows(INGRESS_CONTROLLER, localBackend, 5050)).toBe(false);
  });

  test('bad values name the prop', () => {
    expect(() => AgentRuntime.e2b({ apiKey: 'e2b_123' as any })).toThrow(
      /^agent\.runtime\.e2b\.apiKey: got "<not a SecretKeyRef>"; must be a SecretKeyRef to the E2B API key/,
    );
    expect(() => AgentRuntime.e2b({ apiKey, activeTimeoutSeconds: 7200 })).toThrow(/^agent\.runtime\.e2b\.activeTimeoutSeconds: got 7200/);
    expect(() => AgentRuntime.e2b({ apiKey, shellctlPort: 70000 })).toThrow(/^agent\.runtime\.e2b\.shellctlPort: got 70000/);
    expect(() => AgentRuntime.e2b({ apiKey, template: 'has space' })).toThrow(/^agent\.runtime\.e2b\.template: got "has space"; must be an E2B template name/);
    expect(() => e2b({}, { components: { localSandbox: { replicas: 1 } } })).toThrow(
      /^components\.localSandbox: .*the E2B runtime \(agent\.runtime\) leaves out/,
    );
    expect(() => difyDocs({ agent: { runtime: AgentRuntime.e2b({ apiKey }), pathIsolation: false } })).toThrow(
      /^agent\.pathIsolation: got false; configures the local sandbox/,
    );
  });
});
