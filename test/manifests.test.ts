import { CREDENTIAL_KEYS } from '../lib';
import { NO_PROBLEMS, manifestProblems } from './support/manifest-checks';
import { checkPodSecurity, podSpecsFromManifests } from './support/pss';
import { ENVIRONMENTS, parseDocs, synthFiles } from './util';

// The checks every rendered installation is held to (test/support/manifest-checks.ts); the README's examples go
// through the same ones (test/readme-examples.test.ts).
describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('manifests of %s', (_name, env) => {
  const docs = parseDocs(synthFiles(env));
  // The only object not in the manifests is the Secret the generator Job creates in the cluster.
  const problems = manifestProblems(docs, {
    namespace: env.namespace,
    runtimeSecrets: [{ name: 'dify-credentials', namespace: env.namespace, keys: Object.values(CREDENTIAL_KEYS) }],
  });

  test('every document validates against the Kubernetes schemas, unknown fields rejected', () => {
    expect(problems.schema).toEqual(NO_PROBLEMS.schema);
  });

  test('every Service, Secret, ConfigMap, PVC, ServiceAccount, Role and Ingress reference resolves', () => {
    expect(problems.references).toEqual([]);
  });

  test('every pod meets Pod Security "restricted" except the sandbox, which meets "baseline"', () => {
    expect(podSpecsFromManifests(docs).length).toBeGreaterThanOrEqual(8);
    expect(problems.podSecurity).toEqual([]);
    const sandbox = podSpecsFromManifests(docs).find((p) => p.doc === 'Deployment/dify-sandbox')!;
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
