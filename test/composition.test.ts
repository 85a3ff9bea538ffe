import { App, Chart, Testing } from 'cdk8s';
import { Construct } from 'constructs';
import fc from 'fast-check';
import { ComposedDify } from '../examples/compose';
import {
  AgentRuntime,
  Dify,
  DifyApi,
  DifyBackendConfig,
  DifyFileStorage,
  DifyIngress,
  DifyMigration,
  DifyNamespace,
  DifyNetworkPolicy,
  DifyPluginDaemon,
  DifyPostgres,
  DifyRedis,
  DifySandbox,
  DifySettings,
  DifySsrfProxy,
  DifyStatefulStore,
  DifyUrls,
  DifyWeb,
  DifyWorker,
  SecretKeyRef,
  VectorStore,
  connectVia,
  credentialsInSecret,
  httpProbe,
  nonRootProfile,
  podSecurityLevelOf,
} from '../lib';

/** A Qdrant on DifyStatefulStore, as README's hand-built chart runs it. */
function qdrantStore(scope: Construct, id: string, instance: string, component = 'qdrant'): DifyStatefulStore {
  return new DifyStatefulStore(scope, id, {
    instance,
    component,
    image: 'qdrant/qdrant:v1.12.4',
    ports: [{ name: 'http', port: 6333 }],
    probes: { readiness: httpProbe('/readyz', 'http'), liveness: httpProbe('/livez', 'http') },
    resources: { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '2Gi' },
    security: nonRootProfile(1000, { readOnlyRootFilesystem: true, fsGroup: 1000 }),
    dataPath: '/qdrant/storage',
    defaultStorageSize: '10Gi',
  });
}

interface HandOptions {
  /** Wrap the vector store with connectVia. @default true */
  readonly connectVector?: boolean;
  /** pluginDaemon.connections.allowTo(api). @default true */
  readonly daemonToApi?: boolean;
  /** Create the migration Job. @default true */
  readonly migration?: boolean;
  /** Namespace of the stores' chart. @default - the app's chart */
  readonly storesNamespace?: string;
  /** Image of the migration Job. @default - the default api image */
  readonly migrationImage?: string;
  /** Namespace of the Ingress's chart. @default - the app's chart */
  readonly ingressNamespace?: string;
  /** Host web is given (its own DifyUrls). @default - the installation's host */
  readonly webHost?: string;
  /** Pod Security level the App's Namespace "dify" enforces. @default - no Namespace object */
  readonly enforce?: 'privileged' | 'baseline' | 'restricted';
}

/** A stack composed by hand like examples/compose.ts, with one wiring step or part switchable. */
function handComposed(o: HandOptions = {}): Chart {
  const app = Testing.app();
  const chart = new Chart(app, 'team', { namespace: 'dify' });
  const stores = o.storesNamespace ? new Chart(app, 'data', { namespace: o.storesNamespace }) : chart;
  if (o.enforce) new DifyNamespace(new Chart(app, 'namespace'), 'Namespace', { name: 'dify', podSecurity: { enforce: o.enforce } });
  const instance = 'dify';
  const credentials = credentialsInSecret('dify-credentials');
  const postgres = new DifyPostgres(stores, 'Postgres', { instance, password: credentials.postgresPassword });
  const redis = new DifyRedis(chart, 'Redis', { instance, password: credentials.redisPassword, celeryBrokerUrl: credentials.celeryBrokerUrl });
  const qdrant = qdrantStore(chart, 'Qdrant', instance);
  const ssrfProxy = new DifySsrfProxy(chart, 'SsrfProxy', { instance });
  const sandbox = new DifySandbox(chart, 'Sandbox', { instance, apiKey: credentials.sandboxApiKey, ssrfProxy });
  const pluginDaemon = new DifyPluginDaemon(chart, 'PluginDaemon', {
    instance,
    database: postgres,
    redis,
    api: { host: `${instance}-api`, port: DifyApi.PORT },
    serverKey: credentials.pluginDaemonKey,
    innerApiKey: credentials.pluginInnerApiKey,
  });
  const qdrantSettings = VectorStore.qdrant({ url: `http://${qdrant.host}:${qdrant.port}`, apiKey: SecretKeyRef.of('dify-credentials', 'qdrant-api-key') });
  const config = new DifyBackendConfig({
    urls: DifyUrls.fromHost('dify.example.com', { tls: true }),
    database: postgres,
    redis,
    credentials,
    sandbox,
    pluginDaemon,
    ssrfProxy,
    storage: new DifyFileStorage(chart, 'Storage', { instance }),
    vectorStore: o.connectVector === false ? qdrantSettings : connectVia(qdrantSettings, qdrant),
    settings: new DifySettings({}),
  });
  if (o.migration !== false) new DifyMigration(chart, 'Migration', { instance, config, image: o.migrationImage });
  const api = new DifyApi(chart, 'Api', { instance, config });
  new DifyWorker(chart, 'Worker', { instance, config });
  const web = new DifyWeb(chart, 'Web', { instance, urls: DifyUrls.fromHost(o.webHost ?? 'dify.example.com', { tls: true }), api });
  if (o.daemonToApi !== false) pluginDaemon.connections.allowTo(api);
  new DifyIngress(o.ingressNamespace ? new Chart(app, 'edge', { namespace: o.ingressNamespace }) : chart, 'Ingress', {
    instance,
    urls: DifyUrls.fromHost('dify.example.com', { tls: true }),
    backends: { api, web, pluginDaemon },
  });
  new DifyNetworkPolicy(chart, 'NetworkPolicy');
  return chart;
}

const synth = (chart: Chart) => Testing.synth(chart);

describe('collisions are caught in any App, not only under Dify', () => {
  test('two hand-composed stacks with one instance in one namespace fail, naming both paths', () => {
    const app = Testing.app();
    new ComposedDify(app, 'one');
    const two = new ComposedDify(app, 'two');
    expect(() => synth(two)).toThrow(
      /Deployment "dify-api" in namespace "dify" is defined twice: by one\/Api\/Resource\/Deployment and by two\/Api\/Resource\/Deployment/,
    );
  });

  test('property: any construct that renders objects guards its App, alone and composed by hand', () => {
    const { DifyQueueAutoscaler } = require('../lib') as typeof import('../lib');
    const makers: Record<string, (c: Chart) => void> = {
      storage: (c) => new DifyFileStorage(c, 'Storage', { instance: 'dify' }),
      autoscaler: (c) =>
        new DifyQueueAutoscaler(c, 'Keda', {
          instance: 'dify',
          target: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'dify-worker' },
          minReplicas: 0,
          maxReplicas: 2,
          queues: ['dataset'],
          redis: { address: 'dify-redis.dify.svc:6379', database: 1, password: SecretKeyRef.of('dify-credentials', 'redis-password') },
        }),
      redis: (c) => new DifyRedis(c, 'Redis', { instance: 'dify', password: SecretKeyRef.of('s', 'p'), celeryBrokerUrl: SecretKeyRef.of('s', 'u') }),
    };
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(makers)), (kind) => {
        const app = Testing.app();
        const a = new Chart(app, 'a', { namespace: 'dify' });
        const b = new Chart(app, 'b', { namespace: 'dify' });
        makers[kind](a);
        makers[kind](b);
        expect(() => synth(b)).toThrow(/is defined twice: by a\/.* and by b\//);
      }),
      { numRuns: 6 },
    );
  });

  test('one hand-composed stack synthesizes (the guard is quiet when nothing collides)', () => {
    expect(synth(handComposed()).length).toBeGreaterThan(30);
  });

  test('two of them with distinct instances or namespaces do not collide', () => {
    const app = new App({ outdir: '/tmp/unused' });
    new ComposedDify(app, 'one');
    const other = new Chart(app, 'other', { namespace: 'other' });
    new Dify(other, 'Dify', { host: 'b.example.com' });
    expect(() => synth(other)).not.toThrow();
  });
});

describe('a host named in configuration with no recorded connection is a synth error', () => {
  test('a vector store given by URL without connectVia names the fix', () => {
    const chart = handComposed({ connectVector: false });
    expect(() => synth(chart)).toThrow(
      /dify\/api \(team\/Api\/Resource\) reads QDRANT_URL="http:\/\/dify-qdrant:6333", which names the Service "dify-qdrant" of dify\/qdrant \(team\/Qdrant\/Resource\), but no connection from api to qdrant was recorded \(NetworkPolicies would block it\): call api.connections.allowTo\(qdrant\), or for a settings object given by URL \(vector store, storage, database\) pass connectVia\(settings, qdrant\)/,
    );
    // The worker reads the same URL: every reader is named, not only the first.
    expect(() => synth(chart)).toThrow(/dify\/worker \(team\/Worker\/Resource\) reads QDRANT_URL/);
  });

  test('the plugin daemon not allowed to reach the api names pluginDaemon.connections.allowTo(api)', () => {
    expect(() => synth(handComposed({ daemonToApi: false }))).toThrow(
      /dify\/plugin-daemon \(team\/PluginDaemon\/Resource\) reads DIFY_INNER_API_URL="http:\/\/dify-api:5001", which names the Service "dify-api" .*call pluginDaemon\.connections\.allowTo\(api\)/,
    );
  });

  test('a store in another namespace addressed by its bare Service name is refused', () => {
    expect(() => synth(handComposed({ storesNamespace: 'data' }))).toThrow(
      /reads DB_HOST="dify-postgres": "dify-postgres" is a bare Service name, which resolves in the reader's namespace "dify", but that Service is in namespace "data"; address it as "dify-postgres.data.svc"/,
    );
  });

  test('the committed example and the facade are wired completely', () => {
    expect(() => synth(new ComposedDify(Testing.app(), 'composed'))).not.toThrow();
    const chart = Testing.chart();
    new Dify(chart, 'Dify', { host: 'dify.example.com' });
    expect(() => synth(chart)).not.toThrow();
  });

  test('a Service name inside a path or a longer identifier is no host: an E2B template "acme/dify-sandbox" is taken', () => {
    for (const template of ['acme/dify-sandbox', 'acme/dify-sandbox:v1', 'team_dify-sandbox']) {
      const chart = Testing.chart();
      new Dify(chart, 'Dify', { host: 'dify.example.com', agent: { runtime: AgentRuntime.e2b({ apiKey: SecretKeyRef.of('e2b', 'api-key'), template }) } });
      expect(() => synth(chart)).not.toThrow();
    }
  });

  test('property: removing any one recorded flow between wired components that name each other is reported', () => {
    // The flows of the hand-built stack whose target host appears in the reader's configuration.
    const named: Array<[string, string]> = [
      ['api', 'postgres'],
      ['api', 'redis'],
      ['api', 'sandbox'],
      ['api', 'plugin-daemon'],
      ['api', 'ssrf-proxy'],
      ['worker', 'redis'],
      ['plugin-daemon', 'postgres'],
      ['plugin-daemon', 'api'],
      ['sandbox', 'ssrf-proxy'],
      ['migration', 'postgres'],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...named), ([from, to]) => {
        const chart = handComposed();
        const policy = chart.node.findAll().find((c): c is DifyNetworkPolicy => c instanceof DifyNetworkPolicy)!;
        // Drop the recorded flow before the policy renders, as if the wiring step had been left out.
        const conns = policy.node.root.node
          .findAll()
          .map((c) => (c as any).connections)
          .filter((c) => c?.pods);
        const reader = conns.find((c: any) => c.pods.component === from);
        const target = conns.find((c: any) => c.pods.component === to);
        const i = reader.egress.findIndex((e: any) => e.peer === target);
        expect(i).toBeGreaterThanOrEqual(0);
        reader.egress.splice(i, 1);
        expect(() => synth(chart)).toThrow(new RegExp(`no connection from ${from} to ${to} was recorded`));
      }),
      { numRuns: 20 },
    );
  });
});

describe('DifyNetworkPolicy renders at synth: add your own component beside the facade', () => {
  test('a store added and wired after new Dify(...) gets its policy, and api may reach it', () => {
    const chart = new Chart(Testing.app(), 'team', { namespace: 'dify' });
    const dify = new Dify(chart, 'Dify', { host: 'dify.example.com' });
    const qdrant = qdrantStore(chart, 'Qdrant', dify.instance);
    for (const c of [dify.api, ...dify.workers]) c.connections.allowTo(qdrant);
    const docs = synth(chart);
    const policy = docs.find((d) => d.kind === 'NetworkPolicy' && d.metadata.name === 'dify-qdrant');
    expect(policy?.spec.ingress).toEqual([
      {
        from: [{ podSelector: { matchLabels: dify.api.workload.selector } }, { podSelector: { matchLabels: dify.worker!.workload.selector } }],
        ports: [{ protocol: 'TCP', port: 6333 }],
      },
    ]);
    const api = docs.find((d) => d.kind === 'NetworkPolicy' && d.metadata.name === 'dify-api');
    expect(api?.spec.egress).toContainEqual(
      expect.objectContaining({ to: [expect.objectContaining({ podSelector: { matchLabels: qdrant.workload.selector } })] }),
    );
    // Argo CD ordering reaches the lazily rendered policies too.
    expect(policy?.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-3');
  });

  test('a component of another instance beside the facade is left to its own policy', () => {
    const chart = new Chart(Testing.app(), 'team', { namespace: 'dify' });
    new Dify(chart, 'Dify', { host: 'dify.example.com' });
    qdrantStore(chart, 'Qdrant', 'search');
    const names = synth(chart)
      .filter((d) => d.kind === 'NetworkPolicy')
      .map((d) => d.metadata.name);
    expect(names).not.toContain('search-qdrant');
    expect(names).toContain('dify-api');
  });

  test('wiring after the policies rendered throws instead of being lost', () => {
    const chart = new Chart(Testing.app(), 'team', { namespace: 'dify' });
    const dify = new Dify(chart, 'Dify', { host: 'dify.example.com' });
    expect(dify.networkPolicy!.subjects.length).toBeGreaterThan(5);
    const qdrant = qdrantStore(chart, 'Qdrant', 'other');
    expect(() => dify.api.connections.allowTo(qdrant)).toThrow(
      /team\/Dify\/Api\/Resource: a connection was recorded after team\/Dify\/NetworkPolicy rendered its policies/,
    );
  });

  test('property: any set of components added beside the facade, in any order, each get exactly one policy', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.constantFrom('qdrant', 'milvus', 'meili', 'clickhouse'), { minLength: 1, maxLength: 4 }), (extra) => {
        const chart = new Chart(Testing.app(), 'team', { namespace: 'dify' });
        const dify = new Dify(chart, 'Dify', { host: 'dify.example.com' });
        for (const name of extra) dify.api.connections.allowTo(qdrantStore(chart, `Extra-${name}`, dify.instance, name));
        const names = synth(chart)
          .filter((d) => d.kind === 'NetworkPolicy')
          .map((d) => d.metadata.name);
        for (const name of extra) expect(names.filter((n) => n === `dify-${name}`)).toHaveLength(1);
      }),
      { numRuns: 6 },
    );
  });
});

describe('README: add your own component beside the facade', () => {
  const { DifyWithPortal } = require('../examples/beside-facade') as typeof import('../examples/beside-facade');
  const docs = synth(new DifyWithPortal(Testing.app(), 'beside'));
  const policy = (name: string) => docs.find((d) => d.kind === 'NetworkPolicy' && d.metadata.name === name);

  test('the component added after new Dify(...) has its policy, and api admits it', () => {
    expect(policy('dify-portal')?.spec.egress).toContainEqual({
      to: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'dify', 'app.kubernetes.io/instance': 'dify', 'app.kubernetes.io/component': 'api' } } }],
      ports: [{ protocol: 'TCP', port: 5001 }],
    });
    const fromPortal = policy('dify-api')?.spec.ingress.flatMap((r: any) => r.from ?? []);
    expect(fromPortal).toContainEqual({
      podSelector: { matchLabels: { 'app.kubernetes.io/name': 'dify', 'app.kubernetes.io/instance': 'dify', 'app.kubernetes.io/component': 'portal' } },
    });
  });
});

describe('hand composition that would hang or be rejected at run time is refused', () => {
  test('api-image components without any migration Job would wait forever: named, with the fix', () => {
    expect(() => synth(handComposed({ migration: false }))).toThrow(
      /team\/Api\/Resource waits in its wait-for-migrations init container until a migration brings the schema to its image's head, but no DifyMigration of instance "dify" in namespace "dify" exists, so it would wait forever: add new DifyMigration\(scope, 'Migration', \{ instance: 'dify', config \}\) beside it/,
    );
  });

  test('a migration Job of another image leaves the gate closed', () => {
    expect(() => synth(handComposed({ migrationImage: 'langgenius/dify-api:1.15.0' }))).toThrow(
      /team\/Worker\/Resource runs langgenius\/dify-api:1\.16\.1, but the DifyMigration of instance "dify" in namespace "dify" runs langgenius\/dify-api:1\.15\.0/,
    );
  });

  test('an Ingress in another namespace than its backends is refused when created', () => {
    expect(() => handComposed({ ingressNamespace: 'edge' })).toThrow(
      'ingress.backends.api: got "dify-api in namespace \\"dify\\""; must be in the exposure\'s namespace "edge": its routes name Services that resolve only there; create the exposure in the chart of its backends',
    );
  });

  test('a namespace enforcing "restricted" rejects the sandbox, whatever composed it (not only DifyTenants)', () => {
    expect(() => synth(handComposed({ enforce: 'restricted' }))).toThrow(
      /Deployment dify\/dify-sandbox \(team\/Sandbox\/Resource\/Deployment\) needs Pod Security "baseline" \(it adds capabilities CHOWN, DAC_OVERRIDE, FOWNER, KILL, SETGID, SETUID, SYS_CHROOT\), but namespace "dify" enforces "restricted", which rejects its pods/,
    );
    expect(() => synth(handComposed({ enforce: 'baseline' }))).not.toThrow();
  });

  test('property: making a pod less safe never makes the level it needs stricter', () => {
    const order = ['privileged', 'baseline', 'restricted'];
    const flags = fc.record({
      root: fc.boolean(),
      escalation: fc.boolean(),
      keepCaps: fc.boolean(),
      add: fc.constantFrom([], ['NET_BIND_SERVICE'], ['CHOWN'], ['SYS_ADMIN']),
      seccomp: fc.constantFrom('RuntimeDefault', 'Unconfined', undefined),
      hostPath: fc.boolean(),
      hostNetwork: fc.boolean(),
    });
    const spec = (f: any) => ({
      hostNetwork: f.hostNetwork || undefined,
      securityContext: { runAsNonRoot: !f.root, runAsUser: f.root ? 0 : 1000, seccompProfile: f.seccomp ? { type: f.seccomp } : undefined },
      containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: f.escalation, capabilities: { drop: f.keepCaps ? [] : ['ALL'], add: f.add } } }],
      volumes: f.hostPath ? [{ name: 'h', hostPath: { path: '/' } }] : [{ name: 'e', emptyDir: {} }],
    });
    const worse = fc.constantFrom('root', 'escalation', 'keepCaps', 'hostPath', 'hostNetwork', 'addSysAdmin', 'unconfined');
    fc.assert(
      fc.property(flags, worse, (f, w) => {
        const g = { ...f };
        if (w === 'addSysAdmin') g.add = ['SYS_ADMIN'];
        else if (w === 'unconfined') g.seccomp = 'Unconfined';
        else (g as any)[w] = true;
        expect(order.indexOf(podSecurityLevelOf(spec(g)).level)).toBeLessThanOrEqual(order.indexOf(podSecurityLevelOf(spec(f)).level));
      }),
    );
    // And the extremes are what the Pod Security Standards say.
    const safe = { root: false, escalation: false, keepCaps: false, add: [], seccomp: 'RuntimeDefault', hostPath: false, hostNetwork: false };
    expect(podSecurityLevelOf(spec(safe)).level).toBe('restricted');
    expect(podSecurityLevelOf(spec({ ...safe, add: ['CHOWN'] })).level).toBe('baseline');
    expect(podSecurityLevelOf(spec({ ...safe, add: ['SYS_ADMIN'] })).level).toBe('privileged');
  });
});

describe('settings of one construct that break another', () => {
  test('web given other URLs than the backend and the Ingress of the same installation is refused', () => {
    expect(() => synth(handComposed({ webHost: 'chat.example.com' }))).toThrow(
      /web\.urls of team\/Web: got web https:\/\/chat\.example\.com, api https:\/\/chat\.example\.com.*; must equal config\.urls of team\/Api\/Resource \(web https:\/\/dify\.example\.com, .*\), the same installation "dify"/,
    );
  });

  test('property: web, api and the exposure agree or synth names the first disagreement', () => {
    fc.assert(
      fc.property(fc.constantFrom('dify.example.com', 'chat.example.com', 'dify.example.org'), (webHost) => {
        const run = () => synth(handComposed({ webHost }));
        if (webHost === 'dify.example.com') expect(run).not.toThrow();
        else expect(run).toThrow(new RegExp(`web\\.urls of team/Web: got web https://${webHost.replace(/\./g, '\\.')}`));
      }),
      { numRuns: 6 },
    );
  });
});
