import { ENVIRONMENTS, distFiles, parseDocs, synthFiles } from './util';

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('environment %s', (name, env) => {
  const files = synthFiles(env);
  const docs = parseDocs(files);

  test('matches the reviewed snapshot', () => {
    expect(files).toMatchSnapshot();
  });

  test('is byte-identical across two synths', () => {
    expect(synthFiles(env)).toEqual(files);
  });

  test('committed dist/ is fresh (run `npm run synth` and commit)', () => {
    const manifests = Object.fromEntries(Object.entries(distFiles(name)).filter(([f]) => f.endsWith('.k8s.yaml')));
    expect(manifests).toEqual(files);
  });

  test('the namespace is the first document applied', () => {
    expect(docs[0]).toMatchObject({ kind: 'Namespace', metadata: { name: env.namespace } });
    const clusterScoped = new Set(['Namespace', 'PriorityClass']);
    for (const d of docs.slice(1)) expect(d.metadata.namespace).toBe(clusterScoped.has(d.kind) ? undefined : env.namespace);
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
});
