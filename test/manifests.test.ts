import { CREDENTIAL_KEYS } from '../lib';
import { NO_PROBLEMS, manifestProblems } from './support/manifest-checks';
import { checkPodSecurity, podSpecsFromManifests } from './support/pss';
import { RuntimeSecret } from './support/references';
import { ENVIRONMENTS, parseDocs, synthFiles } from './util';

// The checks every rendered installation is held to (test/support/manifest-checks.ts); the README's examples go
// through the same ones (test/readme-examples.test.ts).
describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('manifests of %s', (_name, env) => {
  const docs = parseDocs(synthFiles(env));
  // The only object not in the manifests is the Secret the generator Job creates in the cluster.
  const runtimeSecrets: RuntimeSecret[] = [{ name: 'dify-credentials', namespace: env.namespace, keys: Object.values(CREDENTIAL_KEYS) }];
  // With DifySecrets.existing the sandbox namespace's Secret is created by hand (staging); External Secrets renders it (prod).
  if (env.dify.sandboxNamespace && !docs.some((d) => d.kind === 'ExternalSecret' && d.metadata.namespace === env.dify.sandboxNamespace))
    runtimeSecrets.push({ name: 'dify-sandbox-credentials', namespace: env.dify.sandboxNamespace, keys: [CREDENTIAL_KEYS.sandboxApiKey] });
  const problems = manifestProblems(docs, { namespace: env.namespace, runtimeSecrets });

  test('every document validates against the Kubernetes schemas, unknown fields rejected', () => {
    expect(problems.schema).toEqual(NO_PROBLEMS.schema);
  });

  test('every Service, Secret, ConfigMap, PVC, ServiceAccount, Role and Ingress reference resolves', () => {
    expect(problems.references).toEqual([]);
  });

  test('every pod meets Pod Security "restricted" except the sandbox, which meets "baseline"; each its namespace\'s level', () => {
    const pods = podSpecsFromManifests(docs);
    expect(pods.length).toBeGreaterThanOrEqual(8);
    expect(problems.podSecurity).toEqual([]);
    if (env.dify.sandboxNamespace) {
      const enforced = new Map(
        docs.filter((d) => d.kind === 'Namespace').map((d) => [d.metadata.name, d.metadata.labels['pod-security.kubernetes.io/enforce']]),
      );
      expect(enforced.get(env.namespace)).toBe('restricted');
      expect(enforced.get(env.dify.sandboxNamespace)).toBe('baseline');
    }
    const sandbox = pods.find((p) => p.doc === 'Deployment/dify-sandbox')!;
    expect([...new Set(checkPodSecurity(sandbox.spec, 'restricted').map((v) => v.rule))].sort()).toEqual([
      'capabilities.restricted',
      'runAsNonRoot',
      'runAsUser',
    ]);
  });

  test('no credential in plain text, every image pinned, app.kubernetes.io labels everywhere, every pod isolated', () => {
    expect({ credentials: problems.credentials, images: problems.images, labels: problems.labels, policies: problems.policies }).toEqual({
      credentials: [],
      images: [],
      labels: [],
      policies: [],
    });
  });
});
