import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { parse } from 'yaml';
import { DATA_DIR, KUSTOMIZATION, writeKustomizations } from '../apps/environments';
import { BackupTarget, KEEP_ANNOTATIONS, LABEL_ENVIRONMENT, isKeptData, keepAnnotations, mergeSyncOptions } from '../lib';
import { difyDocs, distFiles, find } from './util';

describe('keep annotations', () => {
  test('merged with the sync options an object already has, each once', () => {
    expect(keepAnnotations({ 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true', a: 'b' })).toEqual({
      a: 'b',
      'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true,Delete=false,Prune=false',
      'kustomize.toolkit.fluxcd.io/prune': 'disabled',
    });
    expect(mergeSyncOptions('Prune=false, Delete=false', 'Delete=false,Prune=false')).toBe('Prune=false,Delete=false');
  });

  test('isKeptData needs both tools guarded: Argo CD delete and prune, Flux prune', () => {
    const doc = (annotations: Record<string, string>) => ({ metadata: { annotations } });
    expect(isKeptData(doc(KEEP_ANNOTATIONS))).toBe(true);
    expect(isKeptData(doc({ ...KEEP_ANNOTATIONS, 'argocd.argoproj.io/sync-options': 'Prune=false' }))).toBe(false);
    expect(isKeptData(doc({ 'argocd.argoproj.io/sync-options': 'Delete=false,Prune=false' }))).toBe(false);
    expect(isKeptData(doc({}))).toBe(false);
    expect(isKeptData(null)).toBe(false);
  });

  test('the data claims of an installation carry them: the file claim and the backup claims, nothing else', () => {
    const { docs } = difyDocs({ backup: { target: BackupTarget.volume() } });
    expect(isKeptData(find(docs, 'PersistentVolumeClaim', 'dify-storage'))).toBe(true);
    expect(isKeptData(find(docs, 'PersistentVolumeClaim', 'dify-backup'))).toBe(true);
    expect(isKeptData(find(docs, 'PersistentVolumeClaim', 'dify-backup-plugins'))).toBe(true);
    expect(docs.filter(isKeptData).map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'PersistentVolumeClaim/dify-storage',
      'PersistentVolumeClaim/dify-backup',
      'PersistentVolumeClaim/dify-backup-plugins',
    ]);
  });
});

describe('writeKustomizations', () => {
  const doc = (kind: string, name: string, kept: boolean) =>
    `apiVersion: v1\nkind: ${kind}\nmetadata:\n${
      kept
        ? `  annotations:\n${Object.entries(KEEP_ANNOTATIONS)
            .map(([k, v]) => `    ${k}: ${v}\n`)
            .join('')}`
        : ''
    }  name: ${name}\n`;

  test('moves kept documents into data/ byte for byte, removes files left empty, lists both in order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dify-kustomize-'));
    writeFileSync(join(dir, '0000-namespace.k8s.yaml'), doc('Namespace', 'dify', true));
    const script = 'data:\n  run.sh: |\n    echo one\n    ---\n    echo two\n';
    const app = [doc('ConfigMap', 'a', false) + script, doc('PersistentVolumeClaim', 'files', true), doc('Service', 'b', false)];
    writeFileSync(join(dir, '0001-dify.k8s.yaml'), app.join('---\n'));
    writeKustomizations(dir);
    expect(readdirSync(dir).sort()).toEqual(['0001-dify.k8s.yaml', DATA_DIR, KUSTOMIZATION]);
    expect(readFileSync(join(dir, '0001-dify.k8s.yaml'), 'utf8')).toBe([app[0], app[2]].join('---\n'));
    expect(readFileSync(join(dir, DATA_DIR, '0000-namespace.k8s.yaml'), 'utf8')).toBe(doc('Namespace', 'dify', true));
    expect(readFileSync(join(dir, DATA_DIR, '0001-dify.k8s.yaml'), 'utf8')).toBe(app[1]);
    expect(parse(readFileSync(join(dir, KUSTOMIZATION), 'utf8')).resources).toEqual(['0001-dify.k8s.yaml']);
    expect(parse(readFileSync(join(dir, DATA_DIR, KUSTOMIZATION), 'utf8')).resources).toEqual(['0000-namespace.k8s.yaml', '0001-dify.k8s.yaml']);
  });

  test('no data/ when nothing outlives the workloads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dify-kustomize-'));
    writeFileSync(join(dir, '0001-dify.k8s.yaml'), doc('Service', 'b', false));
    writeKustomizations(dir);
    expect(existsSync(join(dir, DATA_DIR))).toBe(false);
  });
});

test('dist/tenants: every namespace, file claim and backup claim outlives the workloads; every object is labelled tenants', () => {
  const files = distFiles('tenants');
  const docsIn = (pred: (f: string) => boolean) =>
    Object.entries(files)
      .filter(([f]) => f.endsWith('.k8s.yaml') && pred(f))
      .flatMap(([, t]) => t.split(/^---\n/m).map((d) => parse(d)));
  const data = docsIn((f) => f.startsWith(`${DATA_DIR}/`));
  const workloads = docsIn((f) => !f.includes('/'));
  expect(data.map((d) => `${d.kind}/${d.metadata.namespace ?? d.metadata.name}/${d.metadata.name}`).sort()).toEqual(
    ['acme', 'globex', 'initech', 'umbrella']
      .flatMap((t) => [
        `Namespace/dify-${t}/dify-${t}`,
        `Namespace/dify-${t}-sandbox/dify-${t}-sandbox`,
        `PersistentVolumeClaim/dify-${t}/dify-storage${t === 'initech' ? '-rwx' : ''}`,
        `PersistentVolumeClaim/dify-${t}/dify-backup`,
        `PersistentVolumeClaim/dify-${t}/dify-backup-plugins`,
      ])
      .sort(),
  );
  expect(workloads.some(isKeptData)).toBe(false);
  for (const d of [...data, ...workloads]) expect(d.metadata.labels[LABEL_ENVIRONMENT]).toBe('tenants');
});
