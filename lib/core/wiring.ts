import { IConstruct } from 'constructs';
import { Connections, podConnections } from './connections';
import { registerAppCheck } from './collisions';

/** Maximal runs of host-name characters in a configuration value (URLs, host:port lists, bare hosts). */
const HOST_TOKEN = /[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?/g;
/** What may follow a Service name in a qualified in-cluster host: `.<namespace>[.svc[.cluster.local]]`. */
const QUALIFIER = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.svc(\.cluster\.local)?)?$/;

/** `plugin-daemon` → `pluginDaemon`: how the fix in a message names a component. */
function camel(component: string): string {
  return component.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function where(c: Connections): string {
  return `${c.description}${c.scope ? ` (${c.scope.node.path})` : ''}`;
}

/**
 * Messages for every configuration value that names another component's
 * Service while the wiring does not say so: a host with no recorded
 * connection (its NetworkPolicies would block the traffic, the pictures
 * would omit it), and a bare Service name read in a namespace where that
 * Service does not exist (the name resolves in the reader's namespace).
 * Each message names the variable, the host, both components and the call
 * that records the flow.
 */
export function findUnwiredReferences(root: IConstruct): string[] {
  const pods = podConnections(root);
  const byName = new Map<string, Connections[]>();
  for (const c of pods) for (const h of c.serviceHosts) byName.set(h, [...(byName.get(h) ?? []), c]);
  const errors: string[] = [];
  for (const reader of pods) {
    const ns = reader.namespace ?? '';
    const reported = new Set<Connections | string>();
    for (const { name, value } of reader.configValues) {
      for (const m of value.matchAll(HOST_TOKEN)) {
        const token = m[0];
        // A host stands at the start, after "://", "@", or a separator; a path segment ("acme/dify-sandbox", an image
        // or template name) or a part of a longer identifier ("x_dify-sandbox") names no Service.
        const before = value.slice(0, m.index);
        if (before.endsWith('_') || (before.endsWith('/') && !before.endsWith('://'))) continue;
        if (value[m.index + token.length] === '_') continue;
        const dot = token.indexOf('.');
        const service = dot < 0 ? token : token.slice(0, dot);
        const candidates = byName.get(service);
        if (!candidates) continue;
        const qualifier = dot < 0 ? undefined : QUALIFIER.exec(token.slice(dot + 1));
        if (dot >= 0 && !qualifier) continue;
        const targetNs = qualifier ? qualifier[1] : ns;
        const target = candidates.find((t) => (t.namespace ?? '') === targetNs);
        if (!target) {
          if (qualifier || reported.has(`bare:${service}`)) continue;
          reported.add(`bare:${service}`);
          const elsewhere = candidates.map((t) => `"${t.namespace ?? '(no namespace)'}"`).join(', ');
          errors.push(
            `${where(reader)} reads ${name}=${JSON.stringify(value)}: "${service}" is a bare Service name, which resolves in the reader's namespace "${ns || '(no namespace)'}", but that Service is in namespace ${elsewhere}; address it as "${service}.${candidates[0].namespace ?? 'default'}.svc" (pass the store or component object so its namespace-qualified host is used)`,
          );
          continue;
        }
        if (target === reader || reported.has(target) || reader.reaches(target)) continue;
        reported.add(target);
        const from = camel(reader.pods!.component);
        const to = camel(target.pods!.component);
        errors.push(
          `${where(reader)} reads ${name}=${JSON.stringify(value)}, which names the Service "${service}" of ${where(target)}, but no connection from ${reader.pods!.component} to ${target.pods!.component} was recorded (NetworkPolicies would block it): call ${from}.connections.allowTo(${to}), or for a settings object given by URL (vector store, storage, database) pass connectVia(settings, ${to})`,
        );
      }
    }
  }
  return errors;
}

/** Installs the App-wide guard with the composition checks: collisions and unwired references. */
export function guardComposition(scope: IConstruct): void {
  registerAppCheck(scope, 'wiring', findUnwiredReferences);
}
