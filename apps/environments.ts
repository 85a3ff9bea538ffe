import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App, Chart, Yaml, YamlOutputType } from 'cdk8s';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { parse } from 'yaml';
import { Dify, DifyNamespace, DifyProps, DifyRestore, LABEL_ENVIRONMENT, SANDBOX_POD_SECURITY, isKeptData, validateSandboxPodSecurity } from '../lib';

/** One deployable environment: a namespace and a Dify installation in it. */
export interface Environment {
  /** Folder under dist/ and chart name prefix. */
  readonly name: string;
  readonly namespace: string;
  readonly dify: DifyProps;
  /** PriorityClasses the environment's pods reference, created cluster-wide beside the namespace. @default [] */
  readonly priorityClasses?: ReadonlyArray<{ readonly name: string; readonly value: number; readonly description: string }>;
}

/** The labels every object of `env` carries: {@link LABEL_ENVIRONMENT}, unique to the environment (never in a selector). */
export function environmentLabels(name: string): Record<string, string> {
  return { [LABEL_ENVIRONMENT]: name };
}

/**
 * Synthesizes `env` into `<outdir>/<env.name>/`: `0000-namespace.k8s.yaml`
 * first so `kubectl apply -f` creates the namespace before anything in it.
 * Every object carries the environment's label.
 */
export function synthEnvironment(env: Environment, outdir: string): App {
  const app = new App({ outdir: `${outdir}/${env.name}`, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const labels = environmentLabels(env.name);
  const ns = new Chart(app, 'namespace', { labels });
  // With the sandbox in a namespace of its own the installation's namespace enforces "restricted"; otherwise the
  // sandbox's jail needs "baseline" there.
  const sandboxNamespace = env.dify.sandboxNamespace;
  const namespace = new DifyNamespace(ns, 'Namespace', { name: env.namespace, podSecurity: sandboxNamespace ? { enforce: 'restricted' } : undefined });
  if (sandboxNamespace) new DifyNamespace(ns, 'SandboxNamespace', { name: sandboxNamespace, podSecurity: SANDBOX_POD_SECURITY });
  else validateSandboxPodSecurity('namespace.podSecurity.enforce', namespace.podSecurityEnforce);
  for (const pc of env.priorityClasses ?? []) {
    new k8s.KubePriorityClass(ns, `PriorityClass-${pc.name}`, {
      metadata: { name: pc.name, labels: { 'app.kubernetes.io/part-of': 'dify', 'app.kubernetes.io/managed-by': 'cdk8s' } },
      value: pc.value,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: pc.description,
    });
  }
  const chart = new Chart(app, 'dify', { namespace: env.namespace, labels });
  chart.addDependency(ns);
  new Dify(chart, 'Dify', env.dify).sandboxChart?.addDependency(ns);
  return app;
}

/** Where `dist/<env>/` keeps the restore Jobs: not listed in its kustomization, applied only by the README's runbook. */
export const RESTORE_DIR = 'restore';

/**
 * Writes the (suspended) restore Jobs of `env`'s backup to `<dir>/restore/restore.k8s.yaml`, from an App of their
 * own: they are no part of the installation's manifests. Nothing when the environment has no backup.
 */
export function writeRestore(env: Environment, dir: string): void {
  const app = new App({ outdir: join(dir, RESTORE_DIR) });
  const dify = new Dify(new Chart(app, 'dify', { namespace: env.namespace }), 'Dify', env.dify);
  if (!dify.backup) return;
  const chart = new Chart(app, 'restore', { namespace: env.namespace, labels: environmentLabels(env.name) });
  new DifyRestore(chart, 'Restore', { backup: dify.backup });
  mkdirSync(join(dir, RESTORE_DIR), { recursive: true });
  writeFileSync(join(dir, RESTORE_DIR, 'restore.k8s.yaml'), Yaml.stringify(...chart.toJson()));
}

/** The file every `dist/<env>/` carries for kustomize (kubectl -k, Argo CD, Flux). */
export const KUSTOMIZATION = 'kustomization.yaml';

/** The folder of `dist/<env>/` holding what outlives the workloads: its own kustomization, applied first. */
export const DATA_DIR = 'data';

/**
 * Splits the manifests in `dir` in two kustomizations: `<dir>/data/` gets every
 * document that outlives the workloads (the namespace, the data claims, the
 * credentials: {@link isKeptData}), `<dir>/` keeps the workloads. So
 * `kubectl delete -k <dir>` removes the workloads and keeps the data; deleting
 * data is `kubectl delete -k <dir>/data`. A document moves as written (same
 * bytes), into a file of the same name.
 */
export function writeKustomizations(dir: string): void {
  const data = join(dir, DATA_DIR);
  rmSync(data, { recursive: true, force: true });
  for (const file of manifests(dir)) {
    // cdk8s joins a file's documents with "---" lines; a document's own lines never start with "---".
    const docs = readFileSync(join(dir, file), 'utf8').split(/^---\n/m);
    const keep = docs.map((d) => isKeptData(parse(d)));
    const kept = docs.filter((_, i) => keep[i]);
    if (kept.length === 0) continue;
    mkdirSync(data, { recursive: true });
    writeFileSync(join(data, file), kept.join('---\n'));
    const rest = docs.filter((_, i) => !keep[i]);
    if (rest.length) writeFileSync(join(dir, file), rest.join('---\n'));
    else rmSync(join(dir, file));
  }
  if (existsSync(data)) writeKustomization(data);
  writeKustomization(dir);
}

function manifests(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== KUSTOMIZATION)
    .sort();
}

/**
 * Writes `<dir>/kustomization.yaml` listing the manifests in `dir` in apply
 * order (file name order: cdk8s prefixes each chart with its position), which
 * kustomize keeps (`sortOptions.order: fifo`), as `kubectl apply -f` would.
 */
export function writeKustomization(dir: string): void {
  const resources = manifests(dir);
  // fifo: keep the documents' order (namespace, policies, credentials, stores, migration, app) instead of kustomize's by-kind sort.
  const lines = [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'sortOptions:',
    '  order: fifo',
    'resources:',
    ...resources.map((f) => `  - ${f}`),
  ];
  writeFileSync(join(dir, KUSTOMIZATION), `${lines.join('\n')}\n`);
}
