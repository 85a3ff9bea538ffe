import { CREDENTIAL_KEYS } from '../lib';
import { checkPodSecurity, podSpecsFromManifests } from './support/pss';
import { checkReferences } from './support/references';
import { formatIssues, validateSchemas } from './support/schema';
import { ENVIRONMENTS, parseDocs, synthFiles } from './util';

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('manifests of %s', (_name, env) => {
  const docs = parseDocs(synthFiles(env));

  test('every document validates against the Kubernetes schemas, unknown fields rejected', () => {
    expect(formatIssues(validateSchemas(docs, { defaultNamespace: env.namespace }))).toEqual(formatIssues([]));
  });

  test('every Service, Secret, ConfigMap, PVC, ServiceAccount, Role and Ingress reference resolves', () => {
    // The only object not in the manifests is the Secret the generator Job creates in the cluster.
    const runtimeSecrets = [{ name: 'dify-credentials', namespace: env.namespace, keys: Object.values(CREDENTIAL_KEYS) }];
    // With DifySecrets.existing the sandbox namespace's Secret is created by hand (staging); External Secrets renders it (prod).
    if (env.dify.sandboxNamespace && !docs.some((d) => d.kind === 'ExternalSecret' && d.metadata.namespace === env.dify.sandboxNamespace))
      runtimeSecrets.push({ name: 'dify-sandbox-credentials', namespace: env.dify.sandboxNamespace, keys: [CREDENTIAL_KEYS.sandboxApiKey] });
    expect(checkReferences(docs, { defaultNamespace: env.namespace, runtimeSecrets })).toEqual([]);
  });

  test('every pod meets Pod Security "restricted" except the sandbox, which meets "baseline"', () => {
    const pods = podSpecsFromManifests(docs);
    expect(pods.length).toBeGreaterThanOrEqual(8);
    for (const { doc, spec, metadata } of pods) {
      const level = doc === 'Deployment/dify-sandbox' ? 'baseline' : 'restricted';
      expect({ doc, violations: checkPodSecurity(spec, level, metadata) }).toEqual({ doc, violations: [] });
    }
    const sandbox = pods.find((p) => p.doc === 'Deployment/dify-sandbox')!;
    // Every pod is admitted by the Pod Security level its own namespace enforces.
    const enforced = new Map(docs.filter((d) => d.kind === 'Namespace').map((d) => [d.metadata.name, d.metadata.labels['pod-security.kubernetes.io/enforce']]));
    for (const { doc, spec, metadata } of pods) {
      const ns = docs.find((d) => `${d.kind}/${d.metadata.name}` === doc)?.metadata.namespace;
      expect({ doc, ns, violations: checkPodSecurity(spec, enforced.get(ns), metadata) }).toEqual({ doc, ns, violations: [] });
    }
    if (env.dify.sandboxNamespace) {
      expect(enforced.get(env.namespace)).toBe('restricted');
      expect(enforced.get(env.dify.sandboxNamespace)).toBe('baseline');
    }
    expect([...new Set(checkPodSecurity(sandbox.spec, 'restricted').map((v) => v.rule))].sort()).toEqual([
      'capabilities.restricted',
      'runAsNonRoot',
      'runAsUser',
    ]);
  });
});
