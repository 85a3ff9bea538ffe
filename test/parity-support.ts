import { readFileSync } from 'fs';
import { join } from 'path';
import { PARITY_COMPONENT_LABELS, ParityComponent, ParityDelivery } from '../lib/parity/env-parity';

/** Keys of the vendored upstream env.example, in file order. */
export function envExampleKeys(): string[] {
  const text = readFileSync(join(__dirname, '..', 'vendor', 'dify-upstream', 'env.example'), 'utf8');
  return text
    .split('\n')
    .filter((l) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(l))
    .map((l) => l.slice(0, l.indexOf('=')));
}

/** What one component's main container receives: env (plain values, or `secret:<name>/<key>`), args and mounted config lines. */
export interface Rendered {
  readonly env: Map<string, string>;
  readonly args: string[];
  readonly lines: string[];
  /** `name=port` of every port of the Services selecting it. */
  readonly servicePorts: string[];
}

/** The rendering of `component` in synthesized docs, or undefined when it is not deployed. */
export function renderedComponent(docs: Record<string, any>[], component: ParityComponent): Rendered | undefined {
  const label = PARITY_COMPONENT_LABELS[component];
  const workload = docs.find(
    (d) => ['Deployment', 'StatefulSet', 'Job'].includes(d.kind) && d.spec?.template?.metadata?.labels?.['app.kubernetes.io/component'] === label,
  );
  if (!workload) return undefined;
  const pod = workload.spec.template.spec;
  const container = pod.containers[0];
  const configMap = (name: string): Record<string, string> => docs.find((d) => d.kind === 'ConfigMap' && d.metadata.name === name)?.data ?? {};
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    if (from.configMapRef) for (const [k, v] of Object.entries(configMap(from.configMapRef.name))) env.set(k, v);
  }
  for (const e of container.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    env.set(e.name, ref ? `secret:${ref.name}/${ref.key}` : e.value);
  }
  const lines = (pod.volumes ?? [])
    .filter((v: any) => v.configMap)
    .flatMap((v: any) => Object.values(configMap(v.configMap.name)))
    .flatMap((text: unknown) =>
      String(text)
        .split('\n')
        .map((l) => l.trim()),
    );
  const servicePorts = docs
    .filter((d) => d.kind === 'Service' && d.spec?.selector?.['app.kubernetes.io/component'] === label)
    .flatMap((s) => (s.spec.ports ?? []).map((p: any) => `${p.name}=${p.port}`));
  return { env, args: [...(container.command ?? []), ...(container.args ?? [])], lines, servicePorts };
}

/** The value a delivery renders to, or undefined when absent. */
export function deliveredValue(r: Rendered, d: ParityDelivery, expected: string): string | undefined {
  if (d.via === 'env') return r.env.get(d.name);
  if (d.via === 'arg') {
    const arg = r.args.find((a) => a.startsWith(`${d.name}=`));
    return arg?.slice(d.name.length + 1);
  }
  if (d.via === 'service') {
    const ports = r.servicePorts.filter((p) => p.startsWith(`${d.name}=`)).map((p) => p.slice(d.name.length + 1));
    return ports.find((p) => p === expected) ?? ports[0];
  }
  // A configuration line: the directive's line that carries the expected text, else its first line.
  const lines = r.lines.filter((l) => l.startsWith(d.name));
  return lines.find((l) => l.includes(expected)) ?? lines[0];
}

/** True when `actual` satisfies `expected` for this delivery (configuration lines contain it). */
export function matches(d: ParityDelivery, actual: string | undefined, expected: string): boolean {
  if (actual === undefined) return false;
  return d.via === 'file' ? actual.includes(expected) : actual === expected;
}
