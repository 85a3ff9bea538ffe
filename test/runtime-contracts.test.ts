import { Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import {
  DIFY_CELERY_QUEUES,
  Dify,
  DifyProps,
  DifyStorage,
  IDENTITY_ANNOTATIONS,
  RUNTIME_CONTRACTS,
  RuntimeContract,
  SecretKeyRef,
  checkRuntimeContracts,
  citationText,
  contractOf,
  isRead,
  runtimeContractTable,
} from '../lib';
import { Endpoint, NetworkPolicyEvaluator, PodEndpoint, podEndpointsFromManifests } from './support/netpol';
import { readFileSync } from 'fs';
import { join } from 'path';
import { ComposedDify } from '../examples/compose';
import { withTable } from '../scripts/gen-runtime-table';
import { ENVIRONMENTS, distFiles, parseDocs, synthFiles } from './util';

type Doc = Record<string, any>;

/** Where the external services of a rendering live: a sample address per port (what the operator's DNS would return). */
interface ExternalAddresses {
  readonly byPort: Readonly<Record<number, string>>;
}
/** A public S3 address (eu-west-1) and a public address anywhere else. */
const PUBLIC_S3 = '52.218.1.10';
const PUBLIC = '93.184.216.34';

/** The plain environment of a workload's main container (its ConfigMap and literal env). */
function envOf(docs: readonly Doc[], workload: Doc): { plain: Record<string, string>; secret: Set<string> } {
  const c = podSpec(workload).containers[0];
  const plain: Record<string, string> = {};
  for (const f of c.envFrom ?? []) {
    const cm = docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === f.configMapRef?.name && d.metadata.namespace === workload.metadata.namespace);
    Object.assign(plain, cm?.data ?? {});
  }
  const secret = new Set<string>();
  for (const e of c.env ?? []) {
    if (typeof e.value === 'string') plain[e.name] = e.value;
    else secret.add(e.name);
  }
  return { plain, secret };
}

const podSpec = (d: Doc) => (d.kind === 'CronJob' ? d.spec.jobTemplate.spec.template.spec : d.spec.template.spec);
const componentOf = (d: Doc): string | undefined =>
  (d.kind === 'CronJob' ? d.spec.jobTemplate.spec.template : d.spec?.template)?.metadata?.labels?.['app.kubernetes.io/component'];

/**
 * The endpoints a pod of an api-image process (or the plugin daemon) must reach: each of its
 * contract's boot-time connections, and the collector when ENABLE_OTEL is on,
 * resolved to the pod or address the rendered configuration points at.
 */
function requiredFlows(
  docs: readonly Doc[],
  workload: Doc,
  contract: RuntimeContract,
  ext: ExternalAddresses,
): Array<{ need: string; to: Endpoint; port: number }> {
  const { plain } = envOf(docs, workload);
  const ns = workload.metadata.namespace;
  const pods = podEndpointsFromManifests(docs.filter((d) => d.metadata?.namespace === ns));
  const podOf = (component: string): PodEndpoint | undefined => pods.find((p) => p.labels['app.kubernetes.io/component'] === component);
  const hostTarget = (host: string, port: number, embedded: string): Endpoint => {
    const pod = podOf(embedded);
    if (pod && host.startsWith(`${pod.labels['app.kubernetes.io/instance']}-${embedded}`)) return pod;
    return { kind: 'ip', ip: ext.byPort[port] ?? PUBLIC };
  };
  const out: Array<{ need: string; to: Endpoint; port: number }> = [];
  for (const c of contract.connects) {
    const on = c.ifEnv ? plain[c.ifEnv.name] === c.ifEnv.equals : c.when === 'boot';
    if (!on) continue;
    if (c.to === 'database') {
      const port = Number(plain.DB_PORT ?? 5432);
      out.push({ need: c.id, to: hostTarget(plain.DB_HOST, port, 'postgres'), port });
    } else if (c.to === 'redis') {
      const port = Number(plain.REDIS_PORT ?? 6379);
      if (plain.REDIS_HOST) out.push({ need: c.id, to: hostTarget(plain.REDIS_HOST, port, 'redis'), port });
    } else if (c.to === 'file-storage') {
      if (plain.STORAGE_TYPE === 'opendal') continue; // a volume: no flow
      const url = plain.S3_ENDPOINT ?? plain.AZURE_BLOB_ACCOUNT_URL;
      const port = url ? Number(new URL(url).port || (url.startsWith('https') ? 443 : 80)) : 443;
      out.push({ need: c.id, to: { kind: 'ip', ip: ext.byPort[port] ?? (plain.STORAGE_TYPE === 's3' ? PUBLIC_S3 : PUBLIC) }, port });
      // Google Cloud Storage without a key gets its token from the GKE metadata server.
      if (plain.STORAGE_TYPE === 'google-storage' && !envOf(docs, workload).secret.has('GOOGLE_STORAGE_SERVICE_ACCOUNT_JSON_BASE64'))
        out.push({ need: `${c.id} (token)`, to: { kind: 'ip', ip: '169.254.169.254' }, port: 80 });
    } else if (c.to === 'plugin-storage') {
      if (plain.PLUGIN_STORAGE_TYPE === 'local') continue; // its volume
      const url = plain.S3_ENDPOINT;
      const port = url ? Number(new URL(url).port || (url.startsWith('https') ? 443 : 80)) : 443;
      out.push({ need: c.id, to: { kind: 'ip', ip: ext.byPort[port] ?? PUBLIC_S3 }, port });
    } else if (c.to === 'otel-collector') {
      const port = Number(new URL(plain.OTLP_BASE_ENDPOINT).port || 4318);
      const collector: PodEndpoint = {
        kind: 'pod',
        namespace: 'observability',
        labels: { 'app.kubernetes.io/name': 'opentelemetry-collector' },
        name: 'otel-collector',
      };
      out.push({ need: c.id, to: ext.byPort[port] ? { kind: 'ip', ip: ext.byPort[port] } : collector, port });
    } else {
      throw new Error(`no resolution for boot-time need ${c.to} of ${contract.component}`);
    }
  }
  return out;
}

/** Every contract line a rendering breaks: the library's check plus boot-time reachability under the rendered policies. */
function contractProblems(docs: readonly Doc[], ext: ExternalAddresses): string[] {
  const problems = [...checkRuntimeContracts(docs)];
  const namespaces = [...new Set(docs.map((d) => d.metadata?.namespace).filter(Boolean))].map((name) => ({ name, labels: {} }));
  const evaluator = NetworkPolicyEvaluator.fromManifests(docs, [...namespaces, { name: 'observability', labels: {} }]);
  for (const w of docs.filter((d) => ['Deployment', 'StatefulSet', 'Job'].includes(d.kind))) {
    const component = componentOf(w);
    const contract = component ? contractOf(component) : undefined;
    // The api-image processes and the plugin daemon (their boot-time needs are resolvable from their env).
    if (contract?.image !== 'api' && contract?.component !== 'plugin-daemon') continue;
    const [from] = podEndpointsFromManifests([w]);
    for (const f of requiredFlows(docs, w, contract, ext)) {
      if (!evaluator.allows(from, f.to, f.port))
        problems.push(`${w.metadata.namespace}/${w.metadata.name} ${contract.component}.${f.need}: ${evaluator.explain(from, f.to, f.port)}`);
    }
  }
  return problems;
}

const EXTERNAL: Record<string, ExternalAddresses> = {
  // prod's data subnet holds the database, Redis and Qdrant.
  prod: { byPort: { 5432: '10.40.1.10', 6379: '10.40.2.10', 6333: '10.40.3.10' } },
};

describe('every committed rendering keeps every runtime contract', () => {
  test.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('%s', (name, env) => {
    expect(contractProblems(parseDocs(synthFiles(env)), EXTERNAL[name] ?? { byPort: {} })).toEqual([]);
  });
  test('the hand-composed example (examples/compose.ts), which installs the check itself', () => {
    const docs = Testing.synth(new ComposedDify(Testing.app(), 'composed'));
    // Its collector is the opentelemetry-collector pods of the observability namespace.
    expect(contractProblems(docs, { byPort: {} })).toEqual([]);
  });
  test('the tenants app', () => {
    const docs = parseDocs(Object.fromEntries(Object.entries(distFiles('tenants')).filter(([f]) => f.endsWith('.k8s.yaml'))));
    expect(docs.filter((d) => d.kind === 'Job').length).toBeGreaterThan(3);
    expect(contractProblems(docs, { byPort: {} })).toEqual([]);
  });
});

describe('the check finds what the issue found (it fails on the manifests before the fix)', () => {
  const prod = ENVIRONMENTS.find((e) => e.name === 'prod')!;
  const dev = ENVIRONMENTS.find((e) => e.name === 'dev')!;
  const without = (docs: Doc[], edit: (d: Doc) => void) => {
    const copy = JSON.parse(JSON.stringify(docs)) as Doc[];
    copy.forEach(edit);
    return copy;
  };
  test('beat without egress to S3 in prod', () => {
    const docs = without(parseDocs(synthFiles(prod)), (d) => {
      if (d.kind === 'NetworkPolicy' && d.metadata.name === 'dify-beat')
        d.spec.egress = d.spec.egress.filter((r: Doc) => !r.ports?.some((p: Doc) => p.port === 443));
    });
    expect(contractProblems(docs, EXTERNAL.prod)).toEqual([expect.stringMatching(/dify-beat beat\.connects\.file-storage: DENIED TCP\/443/)]);
  });
  test('the migration Job without the files role in prod', () => {
    const docs = without(parseDocs(synthFiles(prod)), (d) => {
      if (d.kind === 'ServiceAccount' && d.metadata.name === 'dify-migration') delete d.metadata.annotations['eks.amazonaws.com/role-arn'];
    });
    expect(contractProblems(docs, EXTERNAL.prod)).toEqual([expect.stringContaining('line migration.identity.file-storage')]);
  });
  test('the migration Job without its scratch storage root in dev', () => {
    const docs = without(parseDocs(synthFiles(dev)), (d) => {
      if (d.kind === 'Job')
        podSpec(d).containers[0].volumeMounts = podSpec(d).containers[0].volumeMounts.filter((m: Doc) => m.mountPath !== '/app/api/storage');
    });
    expect(contractProblems(docs, { byPort: {} })).toEqual([
      expect.stringMatching(/\(migration\), line migration\.writes\.storage-root .*: \/app\/api\/storage on the read-only root filesystem/),
    ]);
  });
  test('a worker probe any worker answers', () => {
    const docs = without(parseDocs(synthFiles(dev)), (d) => {
      if (d.kind === 'Deployment' && d.metadata.name === 'dify-worker')
        podSpec(d).containers[0].livenessProbe.exec.command = ['celery', '-A', 'celery_healthcheck.celery', 'inspect', 'ping'];
    });
    expect(contractProblems(docs, { byPort: {} })).toEqual([expect.stringContaining('line worker.probes')]);
  });
  test('the plugin daemon without HOME', () => {
    const docs = without(parseDocs(synthFiles(dev)), (d) => {
      if (d.kind === 'ConfigMap' && d.metadata.name === 'dify-plugin-daemon-env') delete d.data.HOME;
    });
    expect(contractProblems(docs, { byPort: {} })).toEqual([expect.stringMatching(/line plugin-daemon\.home .*uid 1001 has no passwd entry/)]);
  });
  test('the plugin daemon without a route to its plugin bucket (it builds its storage before it serves)', () => {
    const docs = without(parseDocs(synthFiles(prod)), (d) => {
      if (d.kind === 'NetworkPolicy' && d.metadata.name === 'dify-plugin-daemon') d.spec.egress = d.spec.egress.filter((r: Doc) => r.ports !== undefined);
    });
    expect(contractProblems(docs, EXTERNAL.prod)).toEqual([
      expect.stringMatching(/dify-plugin-daemon plugin-daemon\.connects\.plugin-storage: DENIED TCP\/443/),
    ]);
  });
  test('ENABLE_OTEL without a route to the collector', () => {
    const docs = without(parseDocs(synthFiles(prod)), (d) => {
      if (d.kind === 'NetworkPolicy' && d.metadata.name === 'dify-migration')
        d.spec.egress = d.spec.egress.filter((r: Doc) => !r.ports?.some((p: Doc) => p.port === 4318));
    });
    expect(contractProblems(docs, EXTERNAL.prod)).toEqual([expect.stringMatching(/dify-migrate-\w+ migration\.connects\.otel-collector: DENIED TCP\/4318/)]);
  });
});

describe('a configuration that breaks a contract fails synth, naming the component and the contract line', () => {
  const synth = (props: Partial<DifyProps>) => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'dify' });
    new Dify(chart, 'Dify', { host: 'dify.example.com', ...props });
    return Testing.synth(chart);
  };
  test('LOG_FILE on the read-only root filesystem', () => {
    expect(() => synth({ settings: { extraEnv: { LOG_FILE: '/app/api/logs/server.log' } } })).toThrow(
      /runtime contract of dify\/Deployment\/dify-api \(api\), line api\.writes\.log-file .*LOG_FILE=\/app\/api\/logs\/server\.log puts \/app\/api\/logs on the read-only root filesystem/,
    );
  });
  test('LOG_FILE under /tmp runs', () => {
    expect(() => synth({ settings: { extraEnv: { LOG_FILE: '/tmp/logs/server.log' } } })).not.toThrow();
  });
  test('a collector whose pods are opened on another port than the processes export to', () => {
    expect(() =>
      synth({
        settings: { otel: { endpoint: 'http://otel-collector.observability.svc:4318' } },
        networkPolicy: { telemetry: { collector: { namespaceLabels: { 'kubernetes.io/metadata.name': 'observability' } }, ports: [4317] } },
      }),
    ).toThrow('networkPolicy.telemetry.ports: got [4317]; must include 4318, the port of settings.otel.endpoint');
  });
  test('a bucket opened with the pod identity, the role on some processes only', () => {
    expect(() =>
      synth({
        storage: DifyStorage.s3({ bucket: 'files', region: 'eu-west-1', useAwsManagedIam: true }),
        components: { api: { serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/files' } } },
      }),
    ).toThrow(/\(beat\), line beat\.identity\.file-storage .*has no eks\.amazonaws\.com\/role-arn while api's has arn:aws:iam::1:role\/files/);
  });
});

describe('identity endpoints', () => {
  const METADATA = { kind: 'ip' as const, ip: '169.254.169.254' };
  const reach = (storage: DifyStorage) => {
    const chart = new Chart(Testing.app(), 'test', { namespace: 'dify' });
    new Dify(chart, 'Dify', { host: 'dify.example.com', storage });
    const docs = Testing.synth(chart);
    const evaluator = NetworkPolicyEvaluator.fromManifests(docs);
    return Object.fromEntries(
      podEndpointsFromManifests(docs)
        .filter((p) => ['api', 'worker', 'beat', 'migration', 'web', 'plugin-daemon'].includes(p.labels['app.kubernetes.io/component']))
        .map((p) => [p.labels['app.kubernetes.io/component'], evaluator.allows(p, METADATA, 80)]),
    );
  };
  test('Google Cloud Storage without a key: every api-image process reaches the GKE metadata server for its token, nothing else does', () => {
    expect(reach(DifyStorage.googleCloudStorage({ bucket: 'dify-files' }))).toEqual({
      api: true,
      worker: true,
      beat: true,
      migration: true,
      web: false,
      'plugin-daemon': false,
    });
  });
  test('with a key, or S3 through IRSA, no pod reaches the metadata address', () => {
    const none = { api: false, worker: false, beat: false, migration: false, web: false, 'plugin-daemon': false };
    expect(reach(DifyStorage.googleCloudStorage({ bucket: 'dify-files', serviceAccountJsonBase64: SecretKeyRef.of('gcs', 'key') }))).toEqual(none);
    expect(reach(DifyStorage.s3({ bucket: 'files', region: 'eu-west-1', useAwsManagedIam: true }))).toEqual(none);
  });
});

describe('the contracts', () => {
  test('every fact cites upstream at the pinned version, or says it is unread and which safe choice is rendered', () => {
    const pinned: Record<string, string> = { 'langgenius/dify': '1.16.1', 'langgenius/dify-plugin-daemon': '0.6.10', 'langgenius/dify-sandbox': '0.2.15' };
    for (const c of RUNTIME_CONTRACTS) {
      const facts = [c.process, c.user, c.probes, ...(c.home ? [c.home] : []), ...c.writes, ...c.connects, ...c.identity];
      for (const f of facts) {
        const s = f.source;
        if (isRead(s)) {
          expect({ fact: `${c.component}.${f.id}`, ref: s.ref }).toEqual({ fact: `${c.component}.${f.id}`, ref: pinned[s.repo] });
          if (s.readAt) expect(s.readAt).toMatch(/^[0-9a-f]{40}$/);
        } else {
          expect({ fact: `${c.component}.${f.id}`, unread: s.unread.length > 10, safe: s.safeChoice.length > 5 }).toEqual({
            fact: `${c.component}.${f.id}`,
            unread: true,
            safe: true,
          });
        }
        expect(citationText(s).length).toBeGreaterThan(10);
      }
    }
  });
  test("README's Will it run? table is generated from them (npm run gen:runtime-table)", () => {
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    expect(readme).toBe(withTable(readme, runtimeContractTable()));
    // Every component row, and a link to the upstream lines of the S3 start-up check.
    for (const c of RUNTIME_CONTRACTS) expect(readme).toContain(`| ${c.component} |`);
    expect(readme).toContain('api/extensions/storage/aws_s3_storage.py');
  });
  test('every component an installation renders has one', () => {
    const docs = parseDocs(synthFiles(ENVIRONMENTS.find((e) => e.name === 'dev')!));
    const components = new Set(docs.filter((d) => ['Deployment', 'StatefulSet', 'Job'].includes(d.kind)).map(componentOf));
    components.delete('secret-generator'); // a Python stdlib script of ours, not an upstream process
    for (const c of components) expect({ c, contract: contractOf(c!)?.component }).toEqual({ c, contract: expect.any(String) });
  });
});

/** storage types × identities × exposure × telemetry, generated. */
describe('property: generated configurations keep every contract (or fail synth naming the broken line)', () => {
  const ref = (key: string) => SecretKeyRef.of('external', key);
  const ROLE = { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/files' };
  const GKE = { 'iam.gke.io/gcp-service-account': 'files@p.iam.gserviceaccount.com' };
  const storages: Record<string, () => DifyStorage> = {
    volume: () => DifyStorage.persistentVolume(),
    's3-keys': () => DifyStorage.s3({ bucket: 'files', region: 'eu-west-1', accessKey: ref('s3-a'), secretKey: ref('s3-s') }),
    's3-irsa': () => DifyStorage.s3({ bucket: 'files', region: 'eu-west-1', useAwsManagedIam: true }),
    's3-compatible': () =>
      DifyStorage.s3({
        bucket: 'files',
        region: 'us-east-1',
        endpoint: 'https://minio.storage.example.com:9000',
        accessKey: ref('s3-a'),
        secretKey: ref('s3-s'),
      }),
    azure: () => DifyStorage.azureBlob({ accountName: 'difyfiles', containerName: 'files', accountKey: ref('azure') }),
    'gcs-workload-identity': () => DifyStorage.googleCloudStorage({ bucket: 'dify-files' }),
  };
  const config = fc.record({
    storage: fc.constantFrom(...Object.keys(storages)),
    identity: fc.constantFrom('none', 'installation', 'installation+override', 'api-only'),
    exposure: fc.constantFrom('ingress', 'gateway', 'nginxProxy'),
    otel: fc.constantFrom('off', 'endpoint', 'collector-pods'),
    pools: fc.boolean(),
    collaboration: fc.boolean(),
  });
  test('each one', () => {
    fc.assert(
      fc.property(config, (c) => {
        const identity = c.storage.startsWith('gcs') ? GKE : ROLE;
        const props: Partial<DifyProps> = {
          storage: storages[c.storage](),
          collaboration: c.collaboration ? undefined : false,
          ...(c.exposure === 'gateway' ? { gateway: { gateway: { name: 'public', namespace: 'gateway-system' } } } : {}),
          ...(c.exposure === 'nginxProxy' ? { nginxProxy: {} } : {}),
          ...(c.identity.startsWith('installation') ? { serviceAccountAnnotations: identity } : {}),
          ...(c.otel !== 'off' ? { settings: { otel: { endpoint: 'http://otel-collector.observability.svc:4318' } } } : {}),
          ...(c.otel === 'collector-pods'
            ? {
                networkPolicy: {
                  telemetry: {
                    collector: {
                      namespaceLabels: { 'kubernetes.io/metadata.name': 'observability' },
                      podLabels: { 'app.kubernetes.io/name': 'opentelemetry-collector' },
                    },
                    ports: [4318],
                  },
                },
              }
            : {}),
          ...(c.pools ? { workerPools: [{ name: 'all', queues: [...DIFY_CELERY_QUEUES] }] } : {}),
        };
        const components: Record<string, any> = {};
        if (c.identity === 'installation+override') components.beat = { serviceAccountAnnotations: { ...identity, 'example.com/team': 'ai' } };
        if (c.identity === 'api-only') components.api = { serviceAccountAnnotations: identity };
        const chart = new Chart(Testing.app(), 'test', { namespace: 'dify' });
        const ambient = c.storage === 's3-irsa' || c.storage === 'gcs-workload-identity';
        const build = () => {
          new Dify(chart, 'Dify', { host: 'dify.example.com', ...props, components });
          return Testing.synth(chart);
        };
        if (c.identity === 'api-only' && ambient) {
          expect(build).toThrow(/line (beat|worker|migration|api-websocket)\.identity\.file-storage/);
          return;
        }
        const docs = build();
        // With the collector given only by its endpoint, policies open its port at any address.
        const ext: ExternalAddresses = { byPort: c.otel === 'endpoint' ? { 4318: '10.20.0.7' } : {} };
        expect(contractProblems(docs, ext)).toEqual([]);
        if (c.identity.startsWith('installation')) {
          const [key, value] = Object.entries(identity)[0];
          for (const sa of docs.filter((d) => d.kind === 'ServiceAccount')) {
            const family = ['api', 'api-websocket', 'worker', 'worker-all', 'beat', 'migration'].includes(sa.metadata.labels['app.kubernetes.io/component']);
            expect({ sa: sa.metadata.name, has: sa.metadata.annotations?.[key] === value }).toEqual({ sa: sa.metadata.name, has: family });
          }
          expect(IDENTITY_ANNOTATIONS).toContain(key);
        }
      }),
      { numRuns: Number(process.env.FC_NUM_RUNS ?? 16), seed: Number(process.env.FC_SEED ?? 20261206) },
    );
  });
});
