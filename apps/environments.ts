import { mkdirSync, readdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { App, Chart, Yaml, YamlOutputType } from 'cdk8s';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Dify, DifyNamespace, DifyProps, DifyRestore, validateSandboxPodSecurity } from '../lib';

/** One deployable environment: a namespace and a Dify installation in it. */
export interface Environment {
  /** Folder under dist/ and chart name prefix. */
  readonly name: string;
  readonly namespace: string;
  readonly dify: DifyProps;
  /** PriorityClasses the environment's pods reference, created cluster-wide beside the namespace. @default [] */
  readonly priorityClasses?: ReadonlyArray<{ readonly name: string; readonly value: number; readonly description: string }>;
}

/**
 * Synthesizes `env` into `<outdir>/<env.name>/`: `0000-namespace.k8s.yaml`
 * first so `kubectl apply -f` creates the namespace before anything in it.
 */
export function synthEnvironment(env: Environment, outdir: string): App {
  const app = new App({ outdir: `${outdir}/${env.name}`, yamlOutputType: YamlOutputType.FILE_PER_CHART });
  const ns = new Chart(app, 'namespace');
  const namespace = new DifyNamespace(ns, 'Namespace', { name: env.namespace });
  validateSandboxPodSecurity('namespace.podSecurity.enforce', namespace.podSecurityEnforce);
  for (const pc of env.priorityClasses ?? []) {
    new k8s.KubePriorityClass(ns, `PriorityClass-${pc.name}`, {
      metadata: { name: pc.name, labels: { 'app.kubernetes.io/part-of': 'dify', 'app.kubernetes.io/managed-by': 'cdk8s' } },
      value: pc.value,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description: pc.description,
    });
  }
  const chart = new Chart(app, 'dify', { namespace: env.namespace });
  chart.addDependency(ns);
  new Dify(chart, 'Dify', env.dify);
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
  const chart = new Chart(app, 'restore', { namespace: env.namespace });
  new DifyRestore(chart, 'Restore', { backup: dify.backup });
  mkdirSync(join(dir, RESTORE_DIR), { recursive: true });
  writeFileSync(join(dir, RESTORE_DIR, 'restore.k8s.yaml'), Yaml.stringify(...chart.toJson()));
}

/** The file every `dist/<env>/` carries for kustomize (kubectl -k, Argo CD, Flux). */
export const KUSTOMIZATION = 'kustomization.yaml';

/**
 * Writes `<dir>/kustomization.yaml` listing the manifests in `dir` in apply
 * order (file name order: cdk8s prefixes each chart with its position), which
 * kustomize keeps (`sortOptions.order: fifo`), as `kubectl apply -f` would.
 */
export function writeKustomization(dir: string): void {
  const resources = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== KUSTOMIZATION)
    .sort();
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
