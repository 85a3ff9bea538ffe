import { Chart, Testing } from 'cdk8s';
import fc from 'fast-check';
import {
  BackupTarget,
  CREDENTIAL_KEYS,
  Dify,
  DifyStorage,
  ExternalRedis,
  IngressTls,
  PluginStorage,
  SecretKeyRef,
  VALIDATION_MESSAGE_FORMAT,
  VectorStore,
} from '../lib';
import { NetworkPolicyEvaluator, PodEndpoint, podEndpointsFromManifests } from './support/netpol';
import { checkReferences } from './support/references';
import { formatIssues, validateSchemas } from './support/schema';

/**
 * Random configurations built from the public API, valid and not: wrong
 * types, unknown keys, out-of-range values. Each must end either in a
 * synth-time error in the project's format (never a TypeError, never an
 * error thrown from inside a dependency) or in manifests that pass strict
 * schema validation, reference resolution and the network-flow checks.
 *
 * `npm test` runs a bounded number with a fixed seed; `npm run test:props:release`
 * runs many more (FC_NUM_RUNS, FC_SEED).
 */
const NUM_RUNS = Number(process.env.FC_NUM_RUNS ?? 12);
const SEED = Number(process.env.FC_SEED ?? 20261201);
const NAMESPACE = 'dify';
const ref = (key: string) => SecretKeyRef.of('external', key);

/** Values of the wrong type, or of the right type and out of range. */
const junk = fc.constantFrom<unknown>(
  NaN,
  Infinity,
  -1,
  0,
  1.5,
  65536,
  '',
  ' ',
  'true',
  'false',
  'NaN',
  '10GB',
  'Dify',
  '*',
  null,
  [],
  {},
  [1],
  { bogus: 1 },
  true,
  false,
  () => 1,
);

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });

/** Mostly valid values, sometimes wrong ones: a configuration is wrong in one or two places, as a real one is. */
const mostly = <T, U>(valid: readonly T[], wrong: readonly U[]) =>
  fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 12 }, { arbitrary: fc.constantFrom(...wrong), weight: 1 });
const rarely = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 10 }, { arbitrary: arb, weight: 1 });

const labelKey = mostly(['tier', 'example.com/team', 'app.kubernetes.io/part-of'], ['tier', ...['Bad Key', '-x', 'a/b/c', 'x'.repeat(64)]]);
const labelValue = mostly(['', 'front', 'v1.2_3', 'ok-value'], ['front', ...['a b', '-x', 'x'.repeat(64)]]);
const annotationKey = mostly(['example.com/note', 'service.beta.kubernetes.io/aws-load-balancer-type'], ['bad key', '/x']);
const componentAnnotationKey = mostly(['example.com/note', 'note'], ['example.com/note', ...['bad key', '/x']]);
const quantityCpu = mostly(['100m', '250m', '1', '2', '0.5', '1.5', '2e-1'], ['0', '1e3m', 'lots']);
const quantityMem = mostly(['128Mi', '512Mi', '1Gi', '2G', '1e9', '0.5Gi', '4Gi'], ['500m', '0', '10GB']);

const toleration = fc.record(
  {
    key: mostly(['dedicated', 'node.kubernetes.io/unreachable'], ['dedicated', ...['', 'bad key']]),
    operator: maybe(mostly(['Equal', 'Exists'], ['Exists', ...['In']])),
    value: rarely(mostly(['dify', ''], ['dify', ...['a b']])),
    effect: maybe(mostly(['NoSchedule', 'PreferNoSchedule'], ['NoSchedule', ...['NoRun']])),
    tolerationSeconds: rarely(fc.constantFrom(...[0, 30, 1.5])),
  },
  { requiredKeys: [] },
);

const componentOptions = fc.record(
  {
    replicas: maybe(fc.oneof({ arbitrary: fc.integer({ min: 1, max: 4 }), weight: 12 }, { arbitrary: junk, weight: 1 })),
    podLabels: maybe(fc.dictionary(labelKey, labelValue, { maxKeys: 2 })),
    podAnnotations: rarely(fc.dictionary(componentAnnotationKey, fc.constantFrom('x', 'true'), { maxKeys: 2 })),
    nodeSelector: rarely(fc.dictionary(labelKey, labelValue, { maxKeys: 2 })),
    tolerations: rarely(fc.array(toleration, { maxLength: 2 })),
    serviceType: rarely(mostly(['ClusterIP', 'NodePort', 'LoadBalancer'], ['External'])),
    minReadySeconds: rarely(fc.oneof(fc.integer({ min: 0, max: 60 }), junk)),
    resources: rarely(
      fc.record(
        { cpuRequest: maybe(quantityCpu), cpuLimit: maybe(quantityCpu), memoryRequest: maybe(quantityMem), memoryLimit: maybe(quantityMem) },
        { requiredKeys: [] },
      ),
    ),
  },
  { requiredKeys: [] },
);

/** A recipe: plain data turned into props (calling the factories) inside the property, so factory errors are checked too. */
const recipe = fc.record(
  {
    host: mostly(['dify.example.com', 'dify', 'ai.corp.example'], ['Dify.example.com', 'https://dify.example.com', '*.example.com', '203.0.113.10', '']),
    apiHost: rarely(mostly(['api.example.com'], ['dify.example.com', '*.example.com'])),
    instance: maybe(mostly(['dify', 'acme', 'x'], ['Dify', 'a-very-long-instance-name-over-thirty', ...['1dify']])),
    tls: rarely(fc.oneof({ arbitrary: fc.boolean(), weight: 6 }, { arbitrary: junk, weight: 1 })),
    ingress: maybe(
      fc.oneof(
        fc.constant(false as const),
        fc.record(
          {
            maxBodySize: maybe(mostly(['100m', '100M', '1g', '0'], ['100MB', '1.5m'])),
            annotations: maybe(fc.dictionary(annotationKey, fc.constantFrom('x', 'y'), { maxKeys: 2 })),
            certManager: maybe(mostly(['letsencrypt'], ['Bad Issuer'])),
          },
          { requiredKeys: [] },
        ),
      ),
    ),
    storage: mostly(['pv', 's3', 'azure'], ['s3-bad-bucket']),
    pluginStorage: maybe(mostly(['s3'], ['s3-bad-region'])),
    vectorStore: maybe(mostly(['qdrant'], ['qdrant-bad-url'])),
    externalRedis: maybe(mostly(['standalone'], ['standalone-bad-port'])),
    backup: maybe(
      fc.record(
        {
          schedule: maybe(
            mostly(
              ['17 3 * * *', '@daily', '@every 6h', '0 0 * * MON-FRI', '*/30 2-4 1,15 * *'],
              ['0 25 * * *', 'daily', '*/0 * * * *', 'CRON_TZ=UTC 0 3 * * *'],
            ),
          ),
        },
        { requiredKeys: [] },
      ),
    ),
    ssrfAllow: maybe(fc.array(mostly(['10.20.0.0/16', 'fd00::/8', '192.168.7.0/24'], ['10.20.0.1/16', '10.0.0.0/33', 'office']), { maxLength: 2 })),
    requirements: maybe(
      fc.array(mostly(['numpy==2.1.0', 'requests[socks]>=2.31,<3', ...['pandas; python_version >= "3.10"']], ['numpy; rm -rf /', '-r x.txt']), {
        maxLength: 2,
      }),
    ),
    extraEnv: maybe(
      fc.dictionary(
        mostly(['MY_FEATURE_FLAG', 'FOO_URL', 'ACCESS_TOKEN_EXPIRE_MINUTES'], ['MY_API_KEY', 'smtp_password', 'BAD-NAME']),
        mostly(['UTC', 'x', '60'], ['redis://:pw@r:6379/0']),
        { maxKeys: 2 },
      ),
    ),
    components: maybe(fc.record({ api: maybe(componentOptions), web: maybe(componentOptions), sandbox: maybe(componentOptions) }, { requiredKeys: [] })),
    networkPolicy: rarely(fc.constant(false as const)),
    unknownKey: rarely(fc.constantFrom('instnace', 'hostname', 'component', 'settings.logLevl', 'components.api.replica', 'components.workers')),
    wrongType: rarely(
      fc.tuple(
        fc.constantFrom(
          'host',
          'tls',
          'images',
          'imagePullSecrets',
          'components',
          'components.api',
          'components.api.podLabels',
          'settings',
          'storage',
          'backup',
        ),
        junk,
      ),
    ),
  },
  { requiredKeys: ['host', 'storage'] },
);

type Recipe = typeof recipe extends fc.Arbitrary<infer T> ? T : never;

function setPath(target: Record<string, any>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = target;
  for (const k of keys.slice(0, -1)) {
    if (typeof o[k] !== 'object' || o[k] === null) o[k] = {};
    o = o[k];
  }
  o[keys[keys.length - 1]] = value;
}

/** Builds untyped props from a recipe (may throw: factories validate their options). */
function buildProps(r: Recipe): Record<string, unknown> {
  const storage = (
    {
      pv: () => DifyStorage.persistentVolume(),
      s3: () => DifyStorage.s3({ bucket: 'dify-files', region: 'eu-west-1', accessKey: ref('s3-access'), secretKey: ref('s3-secret') }),
      's3-bad-bucket': () => DifyStorage.s3({ bucket: 'Dify_Files', region: 'eu-west-1', useAwsManagedIam: true }),
      azure: () => DifyStorage.azureBlob({ accountName: 'difyfiles', containerName: 'files', accountKey: ref('azure-key') }),
    } as Record<string, () => DifyStorage>
  )[r.storage]();
  const props: Record<string, any> = { host: r.host, storage };
  if (r.apiHost !== undefined) props.apiHost = r.apiHost;
  if (r.instance !== undefined) props.instance = r.instance;
  if (r.tls !== undefined) props.tls = r.tls;
  if (r.ingress !== undefined) {
    if (r.ingress === false) {
      props.ingress = false;
      props.nginxProxy = {};
    } else {
      const { certManager, ...rest } = r.ingress;
      props.ingress = { ...rest, ...(certManager ? { tls: IngressTls.certManager({ issuer: certManager, kind: 'ClusterIssuer' }) } : {}) };
      for (const k of Object.keys(props.ingress)) if (props.ingress[k] === undefined) delete props.ingress[k];
    }
  }
  if (r.pluginStorage) {
    props.pluginStorage = PluginStorage.s3({ bucket: 'dify-plugins', region: r.pluginStorage === 's3' ? 'eu-west-1' : 'EU West', useAwsManagedIam: true });
  }
  if (r.vectorStore)
    props.vectorStore = VectorStore.qdrant({ url: r.vectorStore === 'qdrant' ? 'http://qdrant.vector.svc:6333' : 'qdrant:6333', apiKey: ref('qdrant') });
  if (r.externalRedis) {
    props.externalRedis = ExternalRedis.standalone({
      host: 'redis.cache.svc',
      port: r.externalRedis === 'standalone' ? 6379 : 70000,
      password: ref('redis-password'),
      brokerUrl: ref('broker-url'),
    } as any);
  }
  if (r.backup) props.backup = { target: BackupTarget.volume(), ...(r.backup.schedule !== undefined ? { schedule: r.backup.schedule } : {}) };
  if (r.ssrfAllow) props.ssrfProxy = { allowPrivateIps: r.ssrfAllow };
  if (r.requirements) props.sandboxPythonRequirements = r.requirements;
  if (r.extraEnv) props.settings = { extraEnv: r.extraEnv };
  if (r.components) {
    props.components = JSON.parse(
      JSON.stringify(r.components, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? `__${v}` : v)),
      (_k, v) => (typeof v === 'string' && v.startsWith('__') ? Number(v.slice(2)) : v),
    );
  }
  if (r.networkPolicy === false) props.networkPolicy = false;
  if (r.unknownKey) setPath(props, r.unknownKey, 1);
  if (r.wrongType) setPath(props, r.wrongType[0], r.wrongType[1]);
  return props;
}

/** Where an error was thrown from: its first stack frame. */
function origin(e: Error): string {
  return (e.stack ?? '').split('\n').find((l) => l.trim().startsWith('at ')) ?? '';
}

const INGRESS_CONTROLLER: PodEndpoint = {
  kind: 'pod',
  namespace: 'ingress-nginx',
  labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
  name: 'ingress-nginx',
};

/** Flow checks on generated policies: isolation, the sandbox jailed, the app's own flows open. */
function flowProblems(docs: Record<string, any>[]): string[] {
  if (!docs.some((d) => d.kind === 'NetworkPolicy')) return [];
  const evaluator = NetworkPolicyEvaluator.fromManifests(docs, [
    { name: 'ingress-nginx', labels: {} },
    { name: NAMESPACE, labels: {} },
  ]);
  const pods = podEndpointsFromManifests(docs);
  const pod = (c: string) => pods.find((p) => p.labels['app.kubernetes.io/component'] === c);
  const problems: string[] = [];
  for (const p of pods) {
    const iso = evaluator.isolation(p);
    if (!iso.ingress || !iso.egress) problems.push(`${p.name} is not isolated`);
  }
  const [api, sandbox, ssrf, web] = ['api', 'sandbox', 'ssrf-proxy', 'web'].map(pod);
  if (sandbox && evaluator.allows(sandbox, { kind: 'ip', ip: '1.1.1.1' }, 443)) problems.push('sandbox reaches the internet directly');
  if (api && ssrf && !evaluator.allows(api, ssrf, 3128)) problems.push('api cannot reach the SSRF proxy');
  if (api && sandbox && !evaluator.allows(api, sandbox, 8194)) problems.push('api cannot reach the sandbox');
  if (web && docs.some((d) => d.kind === 'Ingress') && !evaluator.allows(INGRESS_CONTROLLER, web, 3000))
    problems.push('the ingress controller cannot reach web');
  return problems;
}

/** Outcome of one configuration: an error in the project's format, or manifests that pass every check. */
function outcome(r: Recipe): { ok: true } | { ok: false; why: string } {
  let docs: Record<string, any>[];
  try {
    const props = buildProps(r);
    const chart = new Chart(Testing.app(), 'test', { namespace: NAMESPACE });
    new Dify(chart, 'Dify', props as any);
    docs = Testing.synth(chart);
  } catch (e) {
    if (!(e instanceof Error)) return { ok: false, why: `threw a non-Error: ${String(e)}` };
    if (e instanceof TypeError || e instanceof RangeError || e instanceof ReferenceError || e instanceof SyntaxError)
      return { ok: false, why: `${e.name}: ${e.message}\n${e.stack}` };
    if (!VALIDATION_MESSAGE_FORMAT.test(e.message)) return { ok: false, why: `message not in the project's format: ${e.message}` };
    if (/node_modules/.test(origin(e))) return { ok: false, why: `thrown inside a dependency: ${origin(e)}: ${e.message}` };
    return { ok: true };
  }
  const schema = formatIssues(validateSchemas(docs, { defaultNamespace: NAMESPACE }));
  if (schema) return { ok: false, why: `schema: ${schema}` };
  const runtimeSecrets = [
    { name: 'dify-credentials', namespace: NAMESPACE, keys: Object.values(CREDENTIAL_KEYS) },
    { name: 'external', namespace: NAMESPACE, keys: ['s3-access', 's3-secret', 'azure-key', 'qdrant', 'redis-password', 'broker-url'] },
  ];
  // The instance name prefixes every object; credentials Secrets follow it.
  const instance = docs.find((d) => d.kind === 'Deployment')?.metadata?.labels?.['app.kubernetes.io/instance'];
  if (instance && instance !== 'dify') runtimeSecrets.push({ name: `${instance}-credentials`, namespace: NAMESPACE, keys: Object.values(CREDENTIAL_KEYS) });
  const refs = checkReferences(docs, { defaultNamespace: NAMESPACE, runtimeSecrets });
  if (refs.length) return { ok: false, why: `references: ${refs.join('; ')}` };
  const flows = flowProblems(docs);
  if (flows.length) return { ok: false, why: `flows: ${flows.join('; ')}` };
  return { ok: true };
}

test('random configurations end in a formatted error or in manifests that pass schema, references and flows', () => {
  fc.assert(
    fc.property(recipe, (r) => {
      const result = outcome(r);
      if (!result.ok) throw new Error(result.why);
    }),
    { seed: SEED, numRuns: NUM_RUNS, endOnFailure: true },
  );
}, 600_000);

test('the generator reaches both outcomes (it is not all errors or all successes)', () => {
  const samples = fc.sample(recipe, { seed: SEED, numRuns: 40 });
  let synthesized = 0;
  let refused = 0;
  for (const r of samples) {
    try {
      new Dify(new Chart(Testing.app(), 'test', { namespace: NAMESPACE }), 'Dify', buildProps(r) as any);
      synthesized++;
    } catch (e) {
      refused++;
      if (process.env.FC_DEBUG) console.log((e as Error).message);
    }
  }
  expect(synthesized).toBeGreaterThanOrEqual(5);
  expect(refused).toBeGreaterThanOrEqual(5);
}, 120_000);

test('the message format is the one invalid() produces', () => {
  for (const m of [
    'host: got "x"; must be y',
    'components.api.podLabels["example.com/x"]: got 1; must be a string',
    'a[0].b: got NaN; must be z',
    'settings.extraEnv.BAD-NAME: got "BAD-NAME"; must be',
  ]) {
    expect(m).toMatch(VALIDATION_MESSAGE_FORMAT);
  }
  for (const m of ['Cannot read properties of undefined', 'host got "x"; y', 'x: got 1;']) expect(m).not.toMatch(VALIDATION_MESSAGE_FORMAT);
});
