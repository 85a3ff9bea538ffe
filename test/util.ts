import { mkdtempSync, readdirSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { App, Chart, DependencyGraph, Testing } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { ENVIRONMENTS } from '../apps/main-environments';
import { Environment, synthEnvironment } from '../apps/environments';
import { Dify, DifyProps, DifyStorage } from '../lib';

export { ENVIRONMENTS };

/** Committed environments synthesized in this test process: their files, and their documents as JSON text. */
const synthesized = new Map<Environment, { files: Record<string, string>; docs: string }>();
/** Files objects handed out by synthFiles, with their documents as JSON text. */
const docsOf = new WeakMap<Record<string, string>, string>();

/**
 * Synthesizes an environment into a fresh temp dir and returns its manifests, file name -> YAML text; parseDocs
 * of the result gives the same documents the App rendered, without parsing the YAML back. A committed
 * environment (apps/main-environments.ts) is synthesized once per test process (jest-light-runner runs many
 * test files in one process) and each call gets its own copy.
 */
export function synthFiles(env: Environment): Record<string, string> {
  let known = synthesized.get(env);
  if (!known) {
    const out = mkdtempSync(join(tmpdir(), 'dify-cdk8s-'));
    const app = synthEnvironment(env, out);
    app.synth();
    known = { files: readManifests(join(out, env.name)), docs: JSON.stringify(appDocs(app)) };
    if (ENVIRONMENTS.includes(env)) synthesized.set(env, known);
  }
  const files = { ...known.files };
  docsOf.set(files, known.docs);
  return files;
}

/** The documents an environment renders (each chart's objects, in the order App.synth writes them), without writing YAML. */
export function renderDocs(env: Environment): Record<string, any>[] {
  return appDocs(synthEnvironment(env, mkdtempSync(join(tmpdir(), 'dify-cdk8s-'))));
}

/** Each chart's objects, charts in dependency order: the order in which App.synth numbers its files. */
function appDocs(app: App): Record<string, any>[] {
  return new DependencyGraph(app.node)
    .topology()
    .filter((c): c is Chart => c instanceof Chart)
    .flatMap((c) => c.toJson());
}

function readManifests(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir)
      .filter((f) => f.endsWith('.k8s.yaml'))
      .sort()
      .map((f) => [f, readFileSync(join(dir, f), 'utf8')]),
  );
}

/** Parses YAML texts into documents, in file order. */
export function parseDocs(files: Record<string, string>): Record<string, any>[] {
  const known = docsOf.get(files);
  return known ? JSON.parse(known) : parseYaml(files);
}

function parseYaml(files: Record<string, string>): Record<string, any>[] {
  return Object.keys(files)
    .sort()
    .flatMap((f) =>
      parseAllDocuments(files[f])
        .map((d) => d.toJSON())
        .filter((d) => d),
    );
}

/** The committed dist/<env>/ files, those of data/ as `data/<file>`. */
export function distFiles(env: string, sub = ''): Record<string, string> {
  const dir = join(__dirname, '..', 'dist', env, sub);
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap((f) => (f.isDirectory() ? Object.entries(distFiles(env, join(sub, f.name))) : [[join(sub, f.name), readFileSync(join(dir, f.name), 'utf8')]])),
  );
}

/** Minimal valid props for building a Dify in a test chart. */
export const BASE_PROPS: DifyProps = { host: 'dify.example.com' };

/** File storage several pods of one workload may mount (the default claim is ReadWriteOnce: one pod each). */
export const SHARED_STORAGE = DifyStorage.persistentVolume({ accessMode: 'ReadWriteMany', storageClassName: 'standard-rwx' });

/** Builds a Dify in a fresh chart and returns the chart's manifests. */
export function difyDocs(props: Partial<DifyProps> = {}): { dify: Dify; docs: Record<string, any>[] } {
  const chart = new Chart(Testing.app(), 'test', { namespace: 'dify' });
  const dify = new Dify(chart, 'Dify', { ...BASE_PROPS, ...props });
  return { dify, docs: Testing.synth(chart) };
}

/** Finds one document by kind and name. */
export function find(docs: Record<string, any>[], kind: string, name: string): Record<string, any> {
  const d = docs.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!d) throw new Error(`no ${kind}/${name} among ${docs.map((x) => `${x.kind}/${x.metadata?.name}`).join(', ')}`);
  return d;
}

/** Documents with a pod template: kind/name -> pod spec. */
export function podSpecs(docs: Record<string, any>[]): Array<{ id: string; spec: any; metadata: any }> {
  return docs.flatMap((d) => {
    const t = d.kind === 'CronJob' ? d.spec?.jobTemplate?.spec?.template : d.spec?.template;
    return t?.spec ? [{ id: `${d.kind}/${d.metadata.name}`, spec: t.spec, metadata: t.metadata ?? {} }] : [];
  });
}
