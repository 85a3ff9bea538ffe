import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { parse, parseAllDocuments } from 'yaml';
import { DATA_DIR, KUSTOMIZATION, RESTORE_DIR } from '../apps/environments';
import { KEEP_ANNOTATIONS, LABEL_ENVIRONMENT, PluginStorage, isKeptData } from '../lib';
import { ENVIRONMENTS, parseDocs, podSpecs, synthFiles } from './util';

// What the output is, is reviewed in dist/ itself: CI re-synthesizes from a fresh clone, in a fresh process, and fails
// on any difference (`git status -- dist`). That check also proves determinism, so there is no snapshot, freshness or
// two-synths test here.

/** What outlives the workloads, per environment: kind/name in document order. */
const KEPT: Record<string, string[]> = {
  dev: ['Namespace/dify', 'PersistentVolumeClaim/dify-storage', 'PersistentVolumeClaim/dify-backup', 'PersistentVolumeClaim/dify-backup-plugins'],
  // The sandbox's namespace and its key's ExternalSecret too.
  staging: [
    'Namespace/dify-staging',
    'Namespace/dify-staging-sandbox',
    'PersistentVolumeClaim/dify-storage-rwx',
    'PersistentVolumeClaim/dify-backup',
    'PersistentVolumeClaim/dify-backup-plugins',
  ],
  prod: ['Namespace/dify-prod', 'Namespace/dify-prod-sandbox', 'ExternalSecret/dify-credentials', 'ExternalSecret/dify-sandbox-credentials'],
};

describe.each(ENVIRONMENTS.map((e) => [e.name, e] as const))('environment %s', (name, env) => {
  const files = synthFiles(env);
  const docs = parseDocs(files);

  test('dist/ holds two kustomizations: data/ (what outlives the workloads, applied first) and the workloads', () => {
    const dir = join(__dirname, '..', 'dist', name);
    const data = join(dir, DATA_DIR);
    const list = (d: string) =>
      readdirSync(d)
        .filter((f) => f.endsWith('.k8s.yaml'))
        .sort();
    for (const d of [dir, data]) {
      expect(parse(readFileSync(join(d, KUSTOMIZATION), 'utf8'))).toEqual({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        sortOptions: { order: 'fifo' },
        resources: list(d),
      });
    }
    expect(list(data)[0]).toBe('0000-namespace.k8s.yaml');
    // Together they hold each synthesized document once, as written, in its file's order; data/ exactly the kept ones.
    const split = (text: string) => text.split(/^---\n/m);
    for (const file of Object.keys(files)) {
      const docsOfFile = split(files[file]);
      const read = (d: string) => (list(d).includes(file) ? split(readFileSync(join(d, file), 'utf8')) : []);
      expect(read(data)).toEqual(docsOfFile.filter((d) => isKeptData(parse(d))));
      expect(read(dir)).toEqual(docsOfFile.filter((d) => !isKeptData(parse(d))));
    }
    expect([...list(dir), ...list(data)].every((f) => f in files)).toBe(true);
  });

  test('the namespace, the data claims and the credentials outlive the workloads; nothing else does', () => {
    const kept = docs.filter(isKeptData).map((d) => `${d.kind}/${d.metadata.name}`);
    expect(kept).toEqual(KEPT[name]);
    for (const d of docs) {
      if (d.kind === 'Namespace' || d.kind === 'PersistentVolumeClaim') expect(isKeptData(d)).toBe(true);
      // Claims a StatefulSet makes from its templates are the controller's: kept when it is deleted or scaled down.
      if (d.kind === 'StatefulSet') expect(d.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
      if (isKeptData(d)) expect(d.metadata.annotations['kustomize.toolkit.fluxcd.io/prune']).toBe(KEEP_ANNOTATIONS['kustomize.toolkit.fluxcd.io/prune']);
    }
  });

  test('every object carries the environment label, in its metadata only (never a selector or a template)', () => {
    for (const d of docs) expect(d.metadata.labels[LABEL_ENVIRONMENT]).toBe(name);
    const elsewhere: string[] = [];
    const walk = (v: unknown, path: string) => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}[${i}]`));
      else if (v && typeof v === 'object')
        for (const [k, x] of Object.entries(v)) {
          if (k === LABEL_ENVIRONMENT) elsewhere.push(path);
          walk(x, `${path}.${k}`);
        }
    };
    for (const d of docs) walk({ ...d, metadata: { ...d.metadata, labels: {} } }, `${d.kind}/${d.metadata.name}`);
    expect(elsewhere).toEqual([]);
  });

  test('backs up what it embeds; its restore Jobs (suspended) sit in restore/, outside the kustomization', () => {
    const embedded = {
      database: docs.some((d) => d.kind === 'StatefulSet' && d.metadata.name === 'dify-postgres'),
      files: docs.some((d) => d.kind === 'PersistentVolumeClaim' && /^dify-storage(-rwx)?$/.test(d.metadata.name)),
      plugins: (env.dify.pluginStorage ?? PluginStorage.local()).storageType === 'local',
    };
    const crons = docs.filter((d) => d.kind === 'CronJob' && d.metadata.labels['app.kubernetes.io/component'] === 'backup');
    const scripts = crons.map((c) => c.spec.jobTemplate.spec.template.spec.containers.concat(c.spec.jobTemplate.spec.template.spec.initContainers ?? []));
    const text = JSON.stringify(scripts);
    expect({
      dumps: text.includes('pg_dump'),
      files: text.includes('storage-${stamp}.tar.gz'),
      plugins: text.includes('plugin-storage-${stamp}.tar.gz'),
    }).toEqual({ dumps: embedded.database, files: embedded.files, plugins: embedded.plugins });
    const restoreFile = join(__dirname, '..', 'dist', name, RESTORE_DIR, 'restore.k8s.yaml');
    if (!crons.length) {
      expect(existsSync(restoreFile)).toBe(false);
      return;
    }
    const jobs = parseAllDocuments(readFileSync(restoreFile, 'utf8')).map((d) => d.toJSON());
    expect(jobs.map((j) => [j.kind, j.metadata.name.replace('-restore', '-backup'), j.spec.suspend])).toEqual(crons.map((c) => ['Job', c.metadata.name, true]));
    expect(readFileSync(join(__dirname, '..', 'dist', name, KUSTOMIZATION), 'utf8')).not.toContain(RESTORE_DIR);
  });

  test('the documents the tests read (parseDocs) are those of the manifest files, in file order', () => {
    const parsed = Object.keys(files)
      .sort()
      .flatMap((f) => parseAllDocuments(files[f]).map((d) => d.toJSON()));
    expect(parsed.length).toBeGreaterThan(10);
    expect(docs).toEqual(parsed);
  });

  test('the namespaces are the first documents applied (the data kustomization is applied first); the sandbox namespace holds only the sandbox, its key and policies', () => {
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
