import { Chart, Testing } from 'cdk8s';
import { Dify, DifyProps } from '../../../lib';

/** A synthesized document (plain JSON, as kubectl would receive it). */
export type Doc = Record<string, any>;

/**
 * Synthesizes a `Dify` through the public API and returns its documents.
 * The only place the drills build an installation: adjust here if the
 * constructor's props move. `also` adds constructs built from the installation
 * (such as a `DifyRestore` of `dify.backup`).
 */
export function synthDify(props: Partial<DifyProps> = {}, instance = 'dify', also?: (dify: Dify, chart: Chart) => void): Doc[] {
  const chart = new Chart(Testing.app(), 'drill', { namespace: 'dify' });
  const dify = new Dify(chart, 'Dify', { host: 'dify.example.com', instance, ...props });
  also?.(dify, chart);
  return Testing.synth(chart);
}

/** The one document of this kind and name (or name pattern, for hashed names); fails listing what exists. */
export function pick(docs: Doc[], kind: string, name: string | RegExp): Doc {
  const found = docs.filter((d) => d.kind === kind && (typeof name === 'string' ? d.metadata?.name === name : name.test(d.metadata?.name)));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}/${name}, found ${found.length} among ${docs.map((d) => `${d.kind}/${d.metadata?.name}`).join(', ')}`);
  }
  return found[0];
}

/** The container of a Deployment/StatefulSet/Job/CronJob pod template, by container name. */
export function container(doc: Doc, name: string, init = false): Doc {
  const pod = doc.kind === 'CronJob' ? doc.spec.jobTemplate.spec.template.spec : doc.spec.template.spec;
  const list: Doc[] = (init ? pod.initContainers : pod.containers) ?? [];
  const c = list.find((x) => x.name === name);
  if (!c) throw new Error(`${doc.kind}/${doc.metadata.name} has no ${init ? 'init ' : ''}container ${name}: ${list.map((x) => x.name).join(', ')}`);
  return c;
}

/** A container's environment as the pod sees it: `env` over `envFrom` ConfigMaps; Secret references kept as such. */
export function containerEnv(docs: Doc[], c: Doc): Record<string, { value?: string; secretKeyRef?: { name: string; key: string } }> {
  const out: Record<string, { value?: string; secretKeyRef?: { name: string; key: string } }> = {};
  for (const from of (c.envFrom ?? []) as Doc[]) {
    if (!from.configMapRef) throw new Error(`envFrom ${JSON.stringify(from)} is not a ConfigMap`);
    for (const [k, v] of Object.entries(pick(docs, 'ConfigMap', from.configMapRef.name).data ?? {})) out[`${from.prefix ?? ''}${k}`] = { value: v as string };
  }
  for (const e of (c.env ?? []) as Doc[]) out[e.name] = e.valueFrom?.secretKeyRef ? { secretKeyRef: e.valueFrom.secretKeyRef } : { value: e.value };
  return out;
}
