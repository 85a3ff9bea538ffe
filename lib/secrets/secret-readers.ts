import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { renderDuringSynthesis } from '../core/synthesis';

const POD_OWNERS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

function podSpecOf(doc: any): any {
  if (doc.kind === 'Pod') return doc.spec;
  if (doc.kind === 'CronJob') return doc.spec?.jobTemplate?.spec?.template?.spec;
  return doc.spec?.template?.spec;
}

/**
 * Who reads which key of the Secret `secretName` in `namespace`, among the
 * pods rendered under `root`: key → `VAR of Kind/name` (env) or `file of
 * Kind/name` (volume items). Whole-Secret `envFrom` names no key and is not listed.
 */
export function secretKeyReaders(root: IConstruct, namespace: string | undefined, secretName: string): Map<string, string[]> {
  const readers = new Map<string, string[]>();
  const add = (key: string, who: string) => {
    const list = readers.get(key) ?? [];
    if (!list.includes(who)) list.push(who);
    readers.set(key, list);
  };
  for (const c of root.node.findAll()) {
    if (!(c instanceof ApiObject) || !POD_OWNERS.has(c.kind)) continue;
    let ns: string | undefined;
    try {
      ns = c.metadata.namespace ?? Chart.of(c).namespace;
    } catch {
      ns = c.metadata.namespace;
    }
    if ((ns ?? '') !== (namespace ?? '')) continue;
    const doc = renderDuringSynthesis(c);
    const spec = podSpecOf(doc);
    if (!spec) continue;
    const id = `${doc.kind}/${doc.metadata?.name}`;
    for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      for (const e of container.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref?.name === secretName) add(ref.key, `${e.name} of ${id}`);
      }
    }
    for (const v of spec.volumes ?? []) {
      const sources = [v.secret && { name: v.secret.secretName, items: v.secret.items }, ...(v.projected?.sources ?? []).map((s: any) => s.secret)];
      for (const s of sources) {
        if (s?.name !== secretName) continue;
        for (const item of s.items ?? []) add(item.key, `file of ${id}`);
      }
    }
  }
  return readers;
}
