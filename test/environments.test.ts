import { readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { KUSTOMIZATION } from '../apps/environments';
import { ENVIRONMENTS, parseDocs, podSpecs, synthFiles } from './util';

// What the output is, is reviewed in dist/ itself: CI re-synthesizes from a fresh clone, in a fresh process, and fails
// on any difference (`git status -- dist`). That check also proves determinism, so there is no snapshot, freshness or
// two-synths test here.

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('environment %s', (name, env) => {
  const files = synthFiles(env);
  const docs = parseDocs(files);

  test('dist/ carries a kustomization.yaml listing exactly its manifests, in apply order', () => {
    const dir = join(__dirname, '..', 'dist', name);
    const kustomization = parse(readFileSync(join(dir, KUSTOMIZATION), 'utf8'));
    const manifests = readdirSync(dir)
      .filter((f) => f.endsWith('.k8s.yaml'))
      .sort();
    expect(manifests).toEqual(Object.keys(files).sort());
    expect(kustomization).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      sortOptions: { order: 'fifo' },
      resources: manifests,
    });
    expect(manifests[0]).toBe('0000-namespace.k8s.yaml');
  });

  test('the documents the tests read (parseDocs) are those of the manifest files, in file order', () => {
    const parsed = Object.keys(files)
      .sort()
      .flatMap((f) => parseAllDocuments(files[f]).map((d) => d.toJSON()));
    expect(parsed.length).toBeGreaterThan(10);
    expect(docs).toEqual(parsed);
  });

  test('the namespaces are the first documents applied; the sandbox namespace holds only the sandbox, its key and policies', () => {
    const sandboxNs = env.dify.sandboxNamespace;
    const namespaces = [env.namespace, ...(sandboxNs ? [sandboxNs] : [])];
    expect(docs.slice(0, namespaces.length).map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(namespaces.map((n) => `Namespace/${n}`));
    const clusterScoped = new Set(['Namespace', 'PriorityClass']);
    for (const d of docs.slice(namespaces.length)) {
      if (clusterScoped.has(d.kind)) expect({ d: d.metadata.name, ns: d.metadata.namespace }).toEqual({ d: d.metadata.name, ns: undefined });
      else if (d.metadata.namespace !== sandboxNs) expect(d.metadata.namespace).toBe(env.namespace);
      else {
        const component = d.metadata.labels['app.kubernetes.io/component'];
        expect({
          d: `${d.kind}/${d.metadata.name}`,
          ok: ['sandbox', 'credentials', 'secret-generator'].includes(component) || d.kind === 'NetworkPolicy',
        }).toEqual({ d: `${d.kind}/${d.metadata.name}`, ok: true });
      }
    }
    if (sandboxNs) {
      // No pod of the installation's namespace is the sandbox; its Deployment lives in the sandbox namespace.
      const sandbox = docs.find((d) => d.kind === 'Deployment' && d.metadata.name === 'dify-sandbox');
      expect(sandbox?.metadata.namespace).toBe(sandboxNs);
    }
  });

  test('every object carries app.kubernetes.io labels', () => {
    for (const d of docs) {
      expect(d.metadata.labels).toMatchObject({ 'app.kubernetes.io/part-of': 'dify', 'app.kubernetes.io/managed-by': 'cdk8s' });
    }
  });

  test('every image is pinned and no image floats on :latest', () => {
    const text = Object.values(files).join('\n');
    expect(text).not.toMatch(/:latest\b/);
    const images = [...text.matchAll(/image: (\S+)/g)].map((m) => m[1]);
    expect(images.length).toBeGreaterThan(10);
    for (const image of images) expect(image).toMatch(/:[\w][\w.-]*$|@sha256:[a-f0-9]{64}$/);
  });

  test('every container has a read-only root filesystem except beat, web and the sandbox', () => {
    // beat writes its schedule beside its code, web rewrites its runtime config at start, the sandbox builds its chroot jail.
    const writable = podSpecs(docs).flatMap(({ id, spec }) =>
      [...(spec.initContainers ?? []), ...spec.containers]
        .filter((c: any) => c.securityContext?.readOnlyRootFilesystem !== true)
        .map((c: any) => `${id}:${c.name}`),
    );
    expect(writable.sort()).toEqual(['Deployment/dify-beat:beat', 'Deployment/dify-sandbox:sandbox', 'Deployment/dify-web:web']);
  });
});
